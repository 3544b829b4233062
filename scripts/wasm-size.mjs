// Prints what a browser downloads from the last `cargo leptos build
// [--release --precompress]`: the WebAssembly and its JavaScript, raw, gzip -9
// (against the 350 KB gzip budget) and, when the build wrote one, the brotli
// copy the server sends to browsers that accept it.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const pkg = resolve(import.meta.dirname, "../target/site/pkg");
const budget = 350 * 1024;

for (const name of ["millwright.wasm", "millwright.js"]) {
  const file = join(pkg, name);
  if (!existsSync(file)) {
    console.error(`wasm-size: ${file} missing: build the site first`);
    process.exit(1);
  }
  const raw = statSync(file).size;
  const gzip = execFileSync("gzip", ["-9", "-c", file], { maxBuffer: 1 << 26 }).length;
  const br = existsSync(`${file}.br`) ? `, ${statSync(`${file}.br`).size} as sent (brotli)` : "";
  console.log(`${name.padEnd(16)} ${String(raw).padStart(9)} bytes ${String(gzip).padStart(8)} gzip${br}`);
  if (name.endsWith(".wasm")) {
    const verdict = gzip <= budget ? "within" : `over by ${gzip - budget}`;
    console.log(`${"".padEnd(16)} ${"".padStart(15)} ${String(budget).padStart(8)} gzip budget (${verdict})`);
  }
}

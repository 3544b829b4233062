// Prints what a browser downloads from the last `cargo leptos build --split`
// (raw and gzip -9): the main WebAssembly, which every page loads first and
// which has the 350 KB gzip budget, and for each page its lazy chunks (the
// page's own code and the shared pieces it needs, per the split manifest).
import { readFileSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";

const pkg = resolve(import.meta.dirname, "../target/site/pkg");
const budget = 350 * 1024;
// gzip -9, as the figures in the README and the issue notes were measured.
const size = (name) => {
  const file = join(pkg, name);
  const gzip = execFileSync("gzip", ["-9", "-c", file], { maxBuffer: 1 << 26 }).length;
  return { raw: readFileSync(file).length, gzip };
};
const row = (label, { raw, gzip }, extra = "") =>
  console.log(`${label.padEnd(40)} ${String(raw).padStart(9)} bytes ${String(gzip).padStart(8)} gzip${extra}`);

try {
  statSync(join(pkg, "millwright.wasm"));
} catch {
  console.error(`wasm-size: ${pkg}/millwright.wasm missing: build the site first`);
  process.exit(1);
}
const main = size("millwright.wasm");
row("millwright.wasm (every page)", main);
const verdict = main.gzip <= budget ? "within" : `over by ${main.gzip - budget}`;
console.log(`${"".padEnd(40)} ${"".padStart(15)} ${String(budget).padStart(8)} gzip budget (${verdict})`);
row("millwright.js", size("millwright.js"));

const manifest = JSON.parse(readFileSync(join(pkg, "__wasm_split_manifest.json"), "utf8"));
for (const [split, chunks] of Object.entries(manifest)) {
  const page = /^__(\w+?)_view_/.exec(split)?.[1];
  if (!page) continue;
  const sum = chunks.map((c) => size(`${c}.wasm`)).reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }));
  row(`  page ${page}: ${chunks.length} chunks`, sum, `  (with main: ${main.gzip + sum.gzip} gzip)`);
}

// Time to interactive: from navigation start until the WebAssembly has
// hydrated the page (body[data-hydrated="true"], set by the app once its
// effects run), in Debian's Chromium against the release server on the demo
// plant. Prints the median and 90th percentile per page, with a cold cache
// (a fresh browser context each load) and a warm one, on loopback and on an
// emulated plant link, and what a cold load had downloaded by then.
//
// usage: node bench/tti.mjs   (from end2end/, after `make release`)
// env:   MILLWRIGHT_TTI_BIN, MILLWRIGHT_TTI_SITE (default: ../target/release/
//        millwright and ../target/site), MILLWRIGHT_TTI_RUNS (default 15).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "@playwright/test";

const root = resolve(import.meta.dirname, "../..");
const bin = process.env.MILLWRIGHT_TTI_BIN ?? join(root, "target/release/millwright");
const site = process.env.MILLWRIGHT_TTI_SITE ?? join(root, "target/site");
const runs = Number(process.env.MILLWRIGHT_TTI_RUNS ?? 15);
const port = 3190;
const base = `http://127.0.0.1:${port}`;
const password = "tti-bench-password";
const pages = ["/inventory", "/"];
// A plant office link: 10 Mbit/s down, 5 up, 40 ms round trip.
const links = {
  loopback: null,
  "plant 10 Mbit/s 40 ms": { latency: 40, downloadThroughput: 1.25e6, uploadThroughput: 0.625e6 },
};

const data = mkdtempSync(join(tmpdir(), "millwright-tti-"));
const server = spawn(
  bin,
  ["--listen", `127.0.0.1:${port}`, "--data-dir", data, "--demo", "--demo-dir", join(root, "demo")],
  {
    env: { ...process.env, MILLWRIGHT_ADMIN_PASSWORD: password, LEPTOS_SITE_ROOT: site, LEPTOS_ENV: "PROD" },
    stdio: "ignore",
  },
);

/** Polls `check` until it returns true, for at most `ms`. */
async function until(what, ms, check) {
  const end = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function signIn() {
  const login = await (await fetch(`${base}/login`)).text();
  const action = /<form[^>]*action="(\/api\/login[^"]*)"/.exec(login)?.[1];
  const res = await fetch(base + action, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: base, Accept: "text/html", "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username: "admin", password, next: "/" }),
  });
  const cookie = /mw_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  if (!cookie) throw new Error(`sign-in failed: ${res.status}`);
  return { cookies: [{ name: "mw_session", value: cookie, domain: "127.0.0.1", path: "/" }], origins: [] };
}

function recordHydration() {
  new MutationObserver((_, observer) => {
    if (document.body?.dataset.hydrated === "true") {
      window.__hydratedAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
}

/** One load of `path` in `context`: milliseconds to hydration, and the bytes
 * (as sent, compressed or not) and responses finished by then. */
async function load(context, path, link) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  if (link) await cdp.send("Network.emulateNetworkConditions", { offline: false, ...link });
  let bytes = 0;
  let requests = 0;
  const pending = new Map();
  cdp.on("Network.requestWillBeSent", (e) => pending.set(e.requestId, e.request.url));
  cdp.on("Network.loadingFinished", (e) => {
    bytes += e.encodedDataLength;
    requests += 1;
    pending.delete(e.requestId);
  });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(base + path, { waitUntil: "commit", timeout: 120_000 });
  await page
    .waitForFunction(() => window.__hydratedAt !== undefined, null, { timeout: 60_000 })
    .catch((e) => {
      throw new Error(`${path} did not hydrate; still loading: ${[...pending.values()].join(" ")}`, { cause: e });
    });
  const ms = await page.evaluate(() => window.__hydratedAt);
  if (errors.length) throw new Error(`${path}: ${errors.join("; ")}`);
  await page.close();
  return { ms, bytes, requests };
}

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

let browser;
try {
  await until("the server", 60_000, async () => (await fetch(`${base}/healthz`)).ok);
  const storageState = await signIn();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  console.log(`time to interactive, ${runs} loads each (${bin})`);
  for (const [linkName, link] of Object.entries(links)) {
    for (const path of pages) {
      const cold = [];
      const warm = [];
      const kib = [];
      const requests = [];
      for (let i = 0; i < runs; i++) {
        const context = await browser.newContext({ storageState });
        await context.addInitScript(recordHydration);
        const first = await load(context, path, link);
        cold.push(first.ms);
        kib.push(first.bytes / 1024);
        requests.push(first.requests);
        warm.push((await load(context, path, link)).ms);
        await context.close();
      }
      console.log(
        `${linkName.padEnd(22)} ${path.padEnd(11)} cold p50 ${quantile(cold, 0.5).toFixed(0).padStart(5)} ms` +
          ` p90 ${quantile(cold, 0.9).toFixed(0).padStart(5)} ms | warm p50 ${quantile(warm, 0.5).toFixed(0).padStart(5)} ms` +
          ` p90 ${quantile(warm, 0.9).toFixed(0).padStart(5)} ms | cold, until hydrated: p50 ` +
          `${quantile(kib, 0.5).toFixed(0)} KiB in ${quantile(requests, 0.5)} responses`,
      );
    }
  }
} finally {
  await browser?.close();
  server.kill();
  rmSync(data, { recursive: true, force: true });
}

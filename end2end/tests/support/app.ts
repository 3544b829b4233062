// Shared helpers for the Millwright journeys.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { expect, type APIRequestContext, type Page, type TestInfo } from "@playwright/test";
import { demoDomain } from "./demo";

/** The debug wasm is ~10 MB; on a busy 2-core box hydration can take a while. */
export const HYDRATION_TIMEOUT = 20_000;

export function jsEnabled(testInfo: TestInfo): boolean {
  return testInfo.project.use.javaScriptEnabled !== false;
}

const errorsByPage = new WeakMap<Page, string[]>();

/** Starts collecting uncaught errors and hydration errors of a page. */
export function trackPageErrors(page: Page): void {
  const errors: string[] = [];
  errorsByPage.set(page, errors);
  page.on("pageerror", (e) => errors.push(`${page.url()}: uncaught ${e.name}: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && /hydration error/i.test(m.text())) {
      errors.push(`${page.url()}: ${m.text().split("\n").slice(0, 3).join(" ")}`);
    }
  });
}

/** Uncaught errors of a tracked page so far. */
export function pageErrors(page: Page): string[] {
  return errorsByPage.get(page) ?? [];
}

/** Waits until the wasm has hydrated the page, so clicks and live updates work. */
export async function waitHydrated(page: Page): Promise<void> {
  const hydrated = page.locator('body[data-hydrated="true"]');
  // Stop waiting early when the page has already failed (e.g. the wasm did not load).
  await expect
    .poll(async () => pageErrors(page).length > 0 || (await hydrated.count()) > 0, {
      message: `body[data-hydrated="true"] on ${page.url()}`,
      timeout: HYDRATION_TIMEOUT,
    })
    .toBe(true);
  // `data-hydrated` was set even when hydration then panicked (11:54 build):
  // fail clearly here rather than on a dead page later.
  expect(pageErrors(page), "uncaught errors while hydrating").toEqual([]);
}

/**
 * Opens a page; with JavaScript, also waits for hydration. (HTTP statuses are
 * checked once, in rendering.spec.ts, not on every journey.)
 */
export async function open(page: Page, path: string, testInfo: TestInfo): Promise<void> {
  await page.goto(path);
  if (jsEnabled(testInfo)) await waitHydrated(page);
}

/** The detail page URL of scada-hmi-01 (host ids are assigned at start). */
export async function scadaDetailPath(page: Page): Promise<string> {
  const scada = demoDomain("scada-hmi-01");
  const html = await (await page.request.get(`/inventory?q=${scada.name}`)).text();
  const href = new RegExp(`href="(/domains/\\d+/${scada.uuid})"`).exec(html)?.[1];
  expect(href, "link to scada-hmi-01 in the inventory HTML").toBeTruthy();
  return href!;
}

export interface Health {
  status: string;
  database: string;
  hosts: { connected: number; total: number };
  domains: number;
}

/** `/healthz` as the administrator: pass a signed-in page's `page.request`
 *  (anyone else gets only the status). */
export async function healthz(request: APIRequestContext): Promise<Health> {
  const res = await request.get("/healthz");
  expect(res.ok()).toBeTruthy();
  return (await res.json()) as Health;
}

// ---------------------------------------------------------------- the lab --

export const LAB_H1_URI = process.env.MILLWRIGHT_LAB_H1_URI ?? "";
export const LAB_H1_NAME = "Lab h1";
export const LAB_H2_URI = process.env.MILLWRIGHT_LAB_H2_URI ?? "";
export const LAB_H2_NAME = "Lab h2";

export function virsh(...args: string[]): string {
  return virshOn(LAB_H1_URI, ...args);
}

/** virsh against the lab host at `uri`. */
export function virshOn(uri: string, ...args: string[]): string {
  return execFileSync("virsh", ["-c", uri, ...args], {
    encoding: "utf8",
    timeout: 20_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** A name no other test run uses: `prefix-<time>-<random>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Writes the XML of a 64 MiB disk-less one-vCPU QEMU VM named `name`
 * into the test's output; its path (for `virsh define`). */
export function tinyVmXml(name: string, testInfo: TestInfo): string {
  const file = testInfo.outputPath(`${name}.xml`);
  writeFileSync(
    file,
    `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>` +
      `<os><type arch='x86_64'>hvm</type></os>` +
      `<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>`,
  );
  return file;
}

/** Like virsh() but never throws (for cleanup). */
export function virshQuiet(...args: string[]): void {
  try {
    virsh(...args);
  } catch {
    /* already gone */
  }
}

function names(out: string): string[] {
  return out
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The registered lab hosts' domains by state, straight from libvirt. */
export function labDomainCounts(): { running: number; paused: number; shutoff: number; total: number } {
  const sum = { running: 0, paused: 0, shutoff: 0, total: 0 };
  for (const uri of [LAB_H1_URI, LAB_H2_URI].filter(Boolean)) {
    sum.total += names(virshOn(uri, "list", "--all", "--name")).length;
    sum.running += names(virshOn(uri, "list", "--state-running", "--name")).length;
    sum.paused += names(virshOn(uri, "list", "--state-paused", "--name")).length;
    sum.shutoff += names(virshOn(uri, "list", "--all", "--state-shutoff", "--name")).length;
  }
  return sum;
}

/** How many lab hosts the server under test has registered. */
export const LAB_HOSTS = [LAB_H1_URI, LAB_H2_URI].filter(Boolean).length;

/** libvirt's own version, as `virsh --version` prints it (e.g. 11.3.0). */
export function libvirtVersion(): string {
  return execFileSync("virsh", ["--version"], { encoding: "utf8" }).trim();
}

// ------------------------------------------------------------ page bits --

/** Parses "16 GiB", "512 MiB", "1.5 GiB" into KiB. */
export function sizeToKib(text: string): number {
  const m = /^\s*([\d.]+)\s*(B|KiB|MiB|GiB|TiB)\s*$/.exec(text);
  if (!m) throw new Error(`not a size: ${JSON.stringify(text)}`);
  const mult: Record<string, number> = {
    B: 1 / 1024,
    KiB: 1,
    MiB: 1024,
    GiB: 1024 ** 2,
    TiB: 1024 ** 3,
  };
  return Number(m[1]) * mult[m[2]];
}

/** The same human size the app prints for a KiB value (binary units). */
export function kibToSize(kib: number): string {
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = kib;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  const frac = v - Math.trunc(v);
  return v >= 100 || frac < 0.05 ? `${Math.round(v)} ${units[u]}` : `${v.toFixed(1)} ${units[u]}`;
}

// Utilization history: charts drawn on the server as SVG (values in <title>s
// for hover), on the domain, host, workspace and fleet views; the range
// switch; the CSV export; the dashboard's heat strip. The demo plant's
// test-driver hosts report no CPU time, so its charts replay real PlanetLab
// traces, labelled as such.
import type { APIRequestContext, Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { demoDomain } from "./support/demo";
import { jsEnabled, open, waitHydrated } from "./support/app";
import type { TestInfo } from "@playwright/test";

async function waitHydratedIfJs(page: Page, testInfo: TestInfo): Promise<void> {
  if (jsEnabled(testInfo)) await waitHydrated(page);
}

/** The SVG behind a chart figure, fetched with the page's session. */
async function chartSvg(page: Page, request: APIRequestContext, panel: string): Promise<string> {
  const url = await page.locator(`figure[data-chart="${panel}"] object`).getAttribute("data");
  expect(url).toBeTruthy();
  const res = await request.get(url!);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toContain("image/svg+xml");
  return res.text();
}

/** Hover titles that carry a value (the chart has data). */
function valueTitles(svg: string): number {
  return (svg.match(/<title>[^<]*: [0-9.]+ /g) ?? []).length;
}

async function hostId(page: Page, hostName: string): Promise<string> {
  const option = page.locator('form[data-form="inventory-filter"] select[name=host] option', {
    hasText: new RegExp(`^${hostName}$`),
  });
  return (await option.getAttribute("value"))!;
}

test.describe("utilization history", () => {
  test("a domain page shows CPU, memory, disk and network charts with replayed data @nojs", async ({
    page,
    request,
  }, testInfo) => {
    const d = demoDomain("historian-db");
    await open(page, "/inventory", testInfo);
    const id = await hostId(page, d.host);
    await open(page, `/domains/${id}/${d.uuid}`, testInfo);
    const figures = page.locator("section[data-history] figure[data-chart]");
    await expect(figures).toHaveCount(4);
    const cpu = await chartSvg(page, request, "cpu");
    expect(valueTitles(cpu)).toBeGreaterThan(10);
    expect(cpu).toMatch(/replayed PlanetLab trace/i);
  });

  test("a host's history and the range switch @nojs", async ({ page, request }, testInfo) => {
    await open(page, "/hosts", testInfo);
    await page.locator('tr[data-host-row="Press line 1"] a[data-host-history]').click();
    await expect(page).toHaveURL(/\/history\?host=\d+$/);
    await expect(page.locator("section[data-history] figure[data-chart]")).toHaveCount(3);
    expect(valueTitles(await chartSvg(page, request, "cpu"))).toBeGreaterThan(10);
    expect(valueTitles(await chartSvg(page, request, "domains"))).toBeGreaterThan(0);

    await page.locator('a[data-range="week"]').click();
    await expect(page).toHaveURL(/host=\d+&range=week$/);
    await expect(page.locator('a[data-range="week"]')).toHaveAttribute("aria-current", "true");
    await expect(page.locator('figure[data-chart="cpu"] object')).toHaveAttribute("data", /range=week/);
    expect(valueTitles(await chartSvg(page, request, "cpu"))).toBeGreaterThan(5);

    // A custom range: the last two days, by date.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    await page.locator('form[data-form="range"] input[name=from]').fill(day(-1));
    await page.locator('form[data-form="range"] input[name=to]').fill(day(0));
    await page.locator('form[data-form="range"] button').click();
    await expect(page).toHaveURL(/range=custom&from=/);
    await expect(page.locator('figure[data-chart="cpu"] object')).toHaveAttribute("data", /range=custom/);
    expect(valueTitles(await chartSvg(page, request, "cpu"))).toBeGreaterThan(5);
  });

  test("a workspace's allocation against use, from the workspaces page @nojs", async ({ page, request }, testInfo) => {
    await open(page, "/workspaces", testInfo);
    await page.locator('section[data-workspace="ops"] a[data-workspace-history]').click();
    await expect(page).toHaveURL(/\/history\?ws=ops$/);
    await expect(page.locator("section[data-history] figure[data-chart]")).toHaveCount(2);
    const cpu = await chartSvg(page, request, "cpu");
    expect(valueTitles(cpu)).toBeGreaterThan(10);
    expect(cpu).toContain("allocated");
  });

  test("the fleet chart stacks the hosts, and a chart's series export as CSV @nojs", async ({ page }, testInfo) => {
    await open(page, "/history", testInfo);
    const svg = await chartSvg(page, page.request, "cpu");
    for (const host of ["Press line 1", "Weld line 2", "Paint line 3", "MES core"]) expect(svg).toContain(host);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator('a[data-csv="cpu"]').click(),
    ]);
    expect(download.suggestedFilename()).toBe("cpu-day.csv");
    const text = require("fs").readFileSync(await download.path(), "utf8") as string;
    const lines = text.trim().split("\n");
    expect(lines[0]).toBe("time_utc,unix_time,series,value,unit");
    expect(lines.length).toBeGreaterThan(100);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC,\d+,"[^"]+",[0-9.]+,"cores"$/);
  });

  test("an administrator imports a trace, charts and exports it, and deletes it @nojs", async ({ page }, testInfo) => {
    const name = `e2e-${testInfo.project.name}-${Date.now().toString(36)}`;
    const now = Math.floor(Date.now() / 1000);
    // A CSV of two PLCs over the last two hours, and one PlanetLab file.
    const rows = ["entity,timestamp,cpu_pct,cpu_used"];
    for (let k = 24; k >= 1; k--) {
      rows.push(`plc-a,${now - k * 300},${20 + k},${(20 + k) / 100}`);
      rows.push(`plc-b,${now - k * 300},${60 - k},${(60 - k) / 100}`);
    }
    const planetlab = Array.from({ length: 36 }, (_, k) => String(10 + (k % 7) * 5)).join("\n");
    await open(page, "/history", testInfo);
    const form = page.locator('form[data-form="import-trace"]');
    await form.locator('input[name="name"]').fill(name);
    await form.locator('input[name="files"]').setInputFiles([
      { name: "line4.csv", mimeType: "text/csv", buffer: Buffer.from(rows.join("\n")) },
      { name: "historian-vm", mimeType: "text/plain", buffer: Buffer.from(planetlab) },
    ]);
    await form.locator('button[type="submit"]').click();
    await expect(page).toHaveURL(new RegExp(`/history\\?trace=${name}&imported=84$`));
    await expect(page.locator(`[data-trace-imported="${name}"]`)).toBeVisible();
    const row = page.locator(`tr[data-trace="${name}"]`);
    await expect(row.locator("td").nth(1)).toHaveText("3");
    await expect(row.locator("td").nth(2)).toHaveText("84");
    await expect(page.locator(`a[data-history-trace="${name}"]`)).toHaveAttribute("aria-current", "true");

    // Its charts: the sum over its VMs, labelled as an imported trace.
    await expect(page.locator("section[data-history] figure[data-chart]")).toHaveCount(2);
    const cpu = await chartSvg(page, page.request, "cpu");
    expect(valueTitles(cpu)).toBeGreaterThan(5);
    expect(cpu).toContain("imported trace");
    const vms = await chartSvg(page, page.request, "domains");
    expect(vms).toMatch(/<title>[^<]*: 3\.00 /);
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator('a[data-csv="cpu"]').click()]);
    const csv = require("fs").readFileSync(await download.path(), "utf8") as string;
    expect(csv.trim().split("\n").length).toBeGreaterThan(5);

    // A file in neither format: the rule and the file and line, nothing replaced.
    await open(page, "/history", testInfo);
    await form.locator('input[name="name"]').fill(name);
    await form.locator('input[name="files"]').setInputFiles([
      { name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from("entity,when\nplc-a,1\n") },
    ]);
    await form.locator('button[type="submit"]').click();
    await expect(page.locator("[data-trace-error]")).toContainText("not a trace");
    await expect(page.locator("[data-trace-error]")).toContainText("bad.csv: line 1");
    await expect(page.locator(`tr[data-trace="${name}"] td`).nth(2)).toHaveText("84");

    await waitHydratedIfJs(page, testInfo);
    await page.locator(`tr[data-trace="${name}"] button[data-action="delete-trace"]`).click();
    await expect(page.locator(`tr[data-trace="${name}"]`)).toHaveCount(0);
  });

  test("the dashboard's heat strip shows every host's last day @nojs", async ({ page }, testInfo) => {
    await open(page, "/", testInfo);
    const url = await page.locator("section[data-heat-strip] object").getAttribute("data");
    const svg = await (await page.request.get(url!)).text();
    expect((svg.match(/<title>Press line 1/g) ?? []).length).toBe(48);
    expect(svg).toMatch(/<title>MES core[^<]*[0-9.]+ %/);
  });
});

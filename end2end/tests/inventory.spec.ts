import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { DEMO_DOMAINS } from "./support/demo";
import { LAB_H1_URI, open, sizeToKib, virsh } from "./support/app";

// Every test here drives the GET filter form or plain links, so all of them
// run with and without JavaScript (@nojs).

const table = (page: Page) => page.locator('table[data-table="inventory"]');
const rows = (page: Page) => table(page).locator("tbody tr[data-domain]");
const form = (page: Page) => page.locator('form[data-form="inventory-filter"]');

async function rowNames(page: Page): Promise<string[]> {
  return rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-domain") ?? ""));
}

/** Names of lab h1 domains (the lab is shared; usually none). */
function labNames(...stateFlags: string[]): string[] {
  if (!LAB_H1_URI) return [];
  return virsh("list", "--all", ...stateFlags, "--name")
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);
}

test.describe("inventory", () => {
  test("filter by state = paused gives the 4 paused domains @nojs", async ({ page }, testInfo) => {
    await open(page, "/inventory", testInfo);
    await form(page).locator("select[name=state]").selectOption("paused");
    await form(page).getByRole("button", { name: "Filter" }).click();

    await expect(page).toHaveURL(/[?&]state=paused(&|$)/);
    const expected = [...DEMO_DOMAINS.filter((d) => d.state === "paused").map((d) => d.name), ...labNames("--state-paused")];
    expect(DEMO_DOMAINS.filter((d) => d.state === "paused")).toHaveLength(4);
    await expect(page.locator("[data-count]")).toHaveAttribute("data-count", String(expected.length));
    await expect(rows(page)).toHaveCount(expected.length);
    expect((await rowNames(page)).sort()).toEqual(expected.sort());
    for (const badge of await rows(page).locator("[data-state]").all()) {
      await expect(badge).toHaveAttribute("data-state", "paused");
    }
    // The form shows the filter it applied.
    await expect(form(page).locator("select[name=state]")).toHaveValue("paused");
  });

  test("filter by host Press line 1 and kind container @nojs", async ({ page }, testInfo) => {
    await open(page, "/inventory", testInfo);
    const hostSelect = form(page).locator("select[name=host]");
    const hostId = await hostSelect.locator("option", { hasText: /^Press line 1$/ }).getAttribute("value");
    expect(hostId).toMatch(/^\d+$/);
    await hostSelect.selectOption({ label: "Press line 1" });
    await form(page).locator("select[name=kind]").selectOption("container");
    await form(page).getByRole("button", { name: "Filter" }).click();

    await expect(page).toHaveURL(new RegExp(`[?&]host=${hostId}&.*kind=container`));
    const expected = DEMO_DOMAINS.filter((d) => d.host === "Press line 1" && d.kind === "container").map((d) => d.name);
    expect(expected.sort()).toEqual(["andon-board", "opc-ua-bridge", "tonnage-monitor"]);
    await expect(page.locator("[data-count]")).toHaveAttribute("data-count", String(expected.length));
    await expect(rows(page)).toHaveCount(expected.length);
    expect(await rowNames(page)).toEqual(expected.sort()); // default sort: name ascending
    for (const row of await rows(page).all()) {
      await expect(row.locator("td").nth(1)).toHaveText("Container");
      await expect(row.locator("td").nth(5)).toHaveText("Press line 1");
    }
    await expect(hostSelect).toHaveValue(hostId!);
    await expect(form(page).locator("select[name=kind]")).toHaveValue("container");
  });

  test("text search matches names case-insensitively, and UUIDs @nojs", async ({ page }, testInfo) => {
    await open(page, "/inventory", testInfo);
    const search = form(page).locator("input[name=q]");
    await search.fill("HMI");
    await form(page).getByRole("button", { name: "Filter" }).click();

    await expect(page).toHaveURL(/[?&]q=HMI(&|$)/);
    const expected = [
      ...DEMO_DOMAINS.filter((d) => d.name.includes("hmi")).map((d) => d.name),
      ...labNames().filter((n) => n.toLowerCase().includes("hmi")),
    ].sort();
    expect(expected.length).toBeGreaterThanOrEqual(5);
    await expect(page.locator("[data-count]")).toHaveAttribute("data-count", String(expected.length));
    await expect(rows(page)).toHaveCount(expected.length);
    expect(await rowNames(page)).toEqual(expected);
    await expect(search).toHaveValue("HMI");

    // A UUID finds exactly its domain.
    const target = DEMO_DOMAINS.find((d) => d.name === "weld-historian")!;
    await form(page).locator("input[name=q]").fill(target.uuid);
    await form(page).getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(new RegExp(`[?&]q=${target.uuid}`));
    await expect(page.locator("[data-count]")).toHaveAttribute("data-count", "1");
    expect(await rowNames(page)).toEqual(["weld-historian"]);

    // Nothing matches: an empty result, not an error.
    await form(page).locator("input[name=q]").fill("no-such-domain-zz");
    await form(page).getByRole("button", { name: "Filter" }).click();
    await expect(page.locator("[data-count]")).toHaveAttribute("data-count", "0");
    await expect(rows(page)).toHaveCount(0);
  });

  test("sort by memory: ascending, then descending with the largest first @nojs", async ({ page }, testInfo) => {
    await open(page, "/inventory", testInfo);
    const memoryHeader = table(page).locator('a[data-sort="memory"]');
    const memoryTh = table(page).locator("th", { has: page.locator('a[data-sort="memory"]') });
    const nameTh = table(page).locator("th", { has: page.locator('a[data-sort="name"]') });
    await expect(nameTh).toHaveAttribute("aria-sort", "ascending");
    await expect(memoryTh).toHaveAttribute("aria-sort", "none");

    const memories = async () =>
      (await rows(page).locator("td:nth-child(5)").allInnerTexts()).map((t) => sizeToKib(t));

    await memoryHeader.click();
    await expect(page).toHaveURL(/[?&]sort=memory(&|$)/);
    await expect(memoryTh).toHaveAttribute("aria-sort", "ascending");
    await expect(nameTh).toHaveAttribute("aria-sort", "none");
    const asc = await memories();
    expect(asc).toEqual([...asc].sort((a, b) => a - b));

    await table(page).locator('a[data-sort="memory"]').click();
    await expect(page).toHaveURL(/[?&]sort=memory&dir=desc(&|$)/);
    await expect(memoryTh).toHaveAttribute("aria-sort", "descending");
    const desc = await memories();
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    const largest = Math.max(...DEMO_DOMAINS.map((d) => d.memoryKib));
    expect(desc[0]).toBe(largest);
    const biggest = DEMO_DOMAINS.filter((d) => d.memoryKib === largest).map((d) => d.name);
    expect(biggest).toContain(await rows(page).first().getAttribute("data-domain"));
    expect(desc).toHaveLength(await rows(page).count());
  });

  test("pager walks the pages and keeps the query in the URL @nojs", async ({ page }, testInfo) => {
    await open(page, "/inventory?per=10", testInfo);
    const total = Number(await page.locator("[data-count]").getAttribute("data-count"));
    expect(total).toBeGreaterThanOrEqual(DEMO_DOMAINS.length);
    const pages = Math.ceil(total / 10);
    await expect(page.locator("[data-page]")).toContainText(`1 / ${pages}`);
    await expect(page.locator("a[rel=prev]")).toHaveCount(0);
    await expect(rows(page)).toHaveCount(10);
    const first = await rowNames(page);

    await page.locator("a[rel=next]").click();
    await expect(page).toHaveURL(/[?&]page=2(&|$)/);
    await expect(page).toHaveURL(/[?&]per=10(&|$)/);
    await expect(page.locator("[data-page]")).toContainText(`2 / ${pages}`);
    await expect(rows(page).first()).not.toHaveAttribute("data-domain", first[0]);
    const second = await rowNames(page);
    expect(second).toHaveLength(10);
    expect(second.filter((n) => first.includes(n))).toEqual([]);
    // Still sorted by name across the page boundary.
    expect(first[9].toLowerCase() < second[0].toLowerCase()).toBeTruthy();

    await page.locator("a[rel=prev]").click();
    await expect(page.locator("[data-page]")).toContainText(`1 / ${pages}`);
    expect(await rowNames(page)).toEqual(first);
  });
});

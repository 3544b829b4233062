// The savings report: an administrator and a viewer of one workspace read
// what consolidation saves on the demo plant (servers, energy and cost, with
// charts and their CSV) and the showback by workspace (the viewer only their
// own); printed, the page drops the dashboard's chrome; a bad window is
// refused naming the rule.
import { expect, test } from "./support/fixtures";
import { open } from "./support/app";
import { addMember, createUser, signedIn } from "./support/members";

const VIEWER = `savings-view-${Date.now().toString(36)}`;

test.describe.serial("savings report", () => {
  test("an administrator reads the savings, the charts and their CSV, and every workspace's showback @nojs", async ({ page }, testInfo) => {
    await open(page, "/savings", testInfo);
    await expect(page.locator('[data-savings-stat="servers"]')).toHaveText(/^\d+ → \d+$/);
    const [now, after] = (await page.locator('[data-savings-stat="servers"]').textContent())!.split(" → ").map(Number);
    expect(after).toBeLessThan(now);
    await expect(page.locator('[data-savings-stat="saved"]')).not.toHaveText(/^0 /);
    for (const chart of ["servers", "energy", "showback"]) {
      const src = (await page.locator(`[data-savings-chart="${chart}"] img`).getAttribute("src"))!;
      const svg = await page.request.get(src);
      expect(svg.status()).toBe(200);
      expect(await svg.text()).toContain("<svg");
      const csv = await page.request.get((await page.locator(`a[data-csv="${chart}"]`).getAttribute("href"))!);
      expect(csv.headers()["content-type"]).toContain("text/csv");
      expect((await csv.text()).split("\n").length).toBeGreaterThan(2);
    }
    // The demo plant's VMs belong to several workspaces.
    const rows = page.locator("tr[data-showback-row]");
    expect(await rows.count()).toBeGreaterThan(1);
    await expect(page.locator('[data-section="assumptions"]')).toContainText("PUE");
  });

  test("a viewer reads the report with only their workspace's showback; printed, it is the report alone", async ({ page, browser, baseURL }, testInfo) => {
    await createUser(page, VIEWER);
    await addMember(page, "ops", VIEWER, "viewer");
    const viewer = await signedIn(browser, baseURL!, VIEWER);
    await open(viewer, "/savings", testInfo);
    await expect(viewer.locator('[data-savings-stat="servers"]')).toBeVisible();
    const slugs = await viewer.locator("tr[data-showback-row]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-showback-row")));
    expect(slugs).toEqual(["ops"]);
    const csv = await viewer.request.get("/charts/savings/showback.csv");
    expect(await csv.text()).not.toMatch(/^(?!ops|EUR).*,/m);
    await viewer.emulateMedia({ media: "print" });
    await expect(viewer.locator(".topbar")).toBeHidden();
    await expect(viewer.locator('form[data-form="savings"]')).toBeHidden();
    await expect(viewer.locator(".report-head")).toBeVisible();
    await expect(viewer.locator('[data-savings-chart="servers"] img')).toBeVisible();
  });

  test("a bad window is refused naming the rule @nojs", async ({ page }, testInfo) => {
    await open(page, "/savings?window=0", testInfo);
    await expect(page.locator("[data-savings-error]")).toContainText("1 to 366");
  });
});

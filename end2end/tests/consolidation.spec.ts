// Consolidation: the plan of the demo plant from its replayed history (fewer
// hosts after, never fewer than the lower bound, migrations in order), as an
// administrator and as a viewer of one workspace (other workspaces' VMs not
// named); the cost model edited by an administrator changes the savings, a
// bad figure is refused naming its field, and a viewer cannot edit it.
import { expect, test } from "./support/fixtures";
import { open } from "./support/app";
import { addMember, createUser, signedIn } from "./support/members";
import type { Page } from "@playwright/test";

const run = Date.now().toString(36);
const VIEWER = `plan-view-${run}`;
/** Demand at the VMs' allocation: the plan depends only on the fleet. */
const FIXED = "/consolidation?dataset=live&percentile=max&headroom=80&window=14";

async function stat(page: Page, key: string): Promise<string> {
  return (await page.locator(`[data-plan-stat="${key}"]`).textContent())!.trim();
}

test.describe.serial("consolidation", () => {
  test("the demo plant's plan: fewer hosts, not below the bound, migrations in order @nojs", async ({ page }, testInfo) => {
    await open(page, "/consolidation", testInfo);
    // The replayed PlanetLab history sizes the VMs.
    await expect(page.locator('form[data-form="plan"] select[name="dataset"] option[selected]')).toHaveAttribute("value", /^trace:/);
    const before = Number(await stat(page, "before"));
    const after = Number(await stat(page, "after"));
    const bound = Number(await stat(page, "bound"));
    expect(after).toBeLessThan(before);
    expect(bound).toBeLessThanOrEqual(after);
    const moves = page.locator('table[data-table="plan-moves"] tbody tr');
    expect(await moves.count()).toBe(Number(await stat(page, "moves")));
    await expect(moves.first().locator("td").first()).toHaveText("1");
    // The hosts the plan empties are to be powered down (hosts idle before,
    // such as the lab's, are marked idle); the savings are positive.
    await expect(page.locator('tr[data-plan-host-after="off"]')).toHaveCount(before - after, { timeout: 1 });
    expect(await stat(page, "saved")).not.toMatch(/^0 /);
    // The hours the p95 leaves out: kept hosts past the headroom, or none.
    await expect(page.locator("[data-plan-peaks]")).toHaveCount(1);
    // Another setting is a plain GET form.
    const form = page.locator('form[data-form="plan"]');
    await form.locator('input[name="headroom"]').fill("100");
    await form.locator('button[type="submit"]').click();
    await expect(page).toHaveURL(/headroom=100/);
    expect(Number(await stat(page, "after"))).toBeLessThanOrEqual(after);
  });

  test("a what-if removing a host: its VMs go elsewhere and it is left empty @nojs", async ({ page }, testInfo) => {
    await open(page, FIXED, testInfo);
    // The host the plan keeps with the most VMs is the hardest to lose.
    const kept = page.locator('tr[data-plan-host-after="on"]');
    const name = (await kept.first().getAttribute("data-plan-host"))!;
    const after = Number(await stat(page, "after"));
    const form = page.locator('form[data-form="plan"]');
    await form.locator('fieldset[data-whatif="remove"] label', { hasText: name }).locator("input").check();
    await form.locator('button[type="submit"]').click();
    await expect(page).toHaveURL(/remove=\d+/);
    const row = page.locator(`tr[data-plan-host="${name}"]`);
    // Emptied, or (a host that carried nothing before the plan) idle again.
    await expect(row).toHaveAttribute("data-plan-host-after", /^(off|idle)$/);
    await expect(row.locator("td").nth(6)).toHaveText("0");
    expect(Number(await stat(page, "after"))).toBeGreaterThanOrEqual(after);
    await expect(form.locator('fieldset[data-whatif="remove"] label', { hasText: name }).locator("input")).toBeChecked();
    // An id that is no host is refused.
    await open(page, `${FIXED}&remove=999999`, testInfo);
    await expect(page.locator("[data-plan-error]")).toBeVisible();
  });

  test("a bad setting is refused naming the rule @nojs", async ({ page }, testInfo) => {
    await open(page, "/consolidation?percentile=p42", testInfo);
    await expect(page.locator(".note--error")).toContainText(/percentile/i);
    await open(page, "/consolidation?headroom=5", testInfo);
    await expect(page.locator(".note--error")).toContainText(/headroom 10–100/);
    await expect(page.locator("[data-plan-summary]")).toHaveCount(0);
  });

  test("the cost model edited by an administrator changes the savings @nojs", async ({ page }, testInfo) => {
    await open(page, FIXED, testInfo);
    const cost = await stat(page, "cost");
    await open(page, "/cost-model", testInfo);
    const form = page.locator('form[data-form="cost-model"]');
    const tariff = form.locator('input[name="form[tariff]"]');
    const next = (Number(await tariff.inputValue()) + 0.15).toFixed(2);
    // A PUE below 1 is refused, naming the field; nothing changes.
    await form.locator('input[name="form[pue]"]').fill("0.5");
    await tariff.fill(next);
    await form.locator('button[type="submit"]').click();
    await expect(page.locator('[data-field-error="pue"]')).toBeVisible();
    await open(page, FIXED, testInfo);
    expect(await stat(page, "cost")).toBe(cost);
    // A good one is saved, and the plan's cost follows it.
    await open(page, "/cost-model", testInfo);
    await form.locator('input[name="form[tariff]"]').fill(next);
    await form.locator('tr[data-host-power] input[name="form[peak_w][]"]').first().fill("450");
    await form.locator('button[type="submit"]').click();
    await expect(page.locator("[data-cost-saved]")).toBeVisible();
    await expect(form.locator('input[name="form[tariff]"]')).toHaveValue(String(Number(next)));
    await open(page, FIXED, testInfo);
    expect(await stat(page, "cost")).not.toBe(cost);
  });

  test("a viewer reads the plan without other workspaces' VM names and cannot edit the cost model", async ({ page, browser, baseURL }, testInfo) => {
    await createUser(page, VIEWER);
    await addMember(page, "ops", VIEWER, "viewer");
    await open(page, FIXED, testInfo);
    await expect(page.locator('table[data-table="plan-moves"] tbody tr')).not.toHaveCount(0);
    await expect(page.locator('table[data-table="plan-moves"] .muted')).toHaveCount(0);
    const viewer = await signedIn(browser, baseURL!, VIEWER);
    await open(viewer, "/inventory?per=500", testInfo);
    const own = new Set((await viewer.locator("tr[data-domain]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-domain")))));
    await open(viewer, FIXED, testInfo);
    const named = await viewer.locator("tr[data-plan-move]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-plan-move")).filter((n) => n));
    for (const n of named) expect(own.has(n), `${n} is not an ops domain`).toBe(true);
    expect(await viewer.locator('table[data-table="plan-moves"] tbody tr').count()).toBeGreaterThan(named.length);
    // Only administrators apply a plan.
    await expect(viewer.locator("[data-plan-apply]")).toHaveCount(0);
    await open(viewer, "/cost-model", testInfo);
    await expect(viewer.locator('form[data-form="cost-model"] button[type="submit"]')).toHaveCount(0);
    await expect(viewer.locator('input[name="form[pue]"]')).toBeDisabled();
    const action = await viewer.locator('form[data-form="cost-model"]').getAttribute("action");
    const res = await viewer.context().request.post(action!, {
      form: { "form[pue]": "1.1", "form[currency]": "EUR", "form[tariff]": "0.1", "form[server_yearly]": "1" },
      headers: { Origin: baseURL!, Accept: "application/json" },
    });
    expect(res.status()).toBe(403);
  });
});

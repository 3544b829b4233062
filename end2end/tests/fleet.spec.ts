// Fleet end to end: an administrator defines a template; an operator of ops
// creates a VM from it (automatic placement), sees it running, snapshots
// it, stops it, deletes it confirmed by name. Bad input shows each field's rule and makes
// nothing.
import { test, expect } from "./support/fixtures";
import { healthz, open, waitHydrated } from "./support/app";
import { addMember, createUser, signedIn } from "./support/members";

const run = Date.now().toString(36);
const TEMPLATE = `tiny-${run}`;
const OPERATOR = `fleet-op-${run}`;
const VM = `e2e-vm-${run}`;

test.describe.serial("fleet", () => {
  test("admin defines a template and an operator", async ({ page }) => {
    await page.goto("/templates");
    await waitHydrated(page);
    const form = page.locator('form[data-form="template"]');
    await form.locator('input[name="name"]').fill(TEMPLATE);
    await form.locator('input[name="vcpus"]').fill("1");
    await form.locator('input[name="memory_mib"]').fill("256");
    await form.locator('input[name="disk_gib"]').fill("0");
    await form.locator('button[type="submit"]').click();
    await expect(page.locator(`li[data-template="${TEMPLATE}"]`)).toBeVisible();

    await createUser(page, OPERATOR);
    await addMember(page, "ops", OPERATOR, "operator");
  });

  test("bad input shows every field's rule and creates nothing", async ({ page }, testInfo) => {
    await open(page, "/create", testInfo);
    const before = (await healthz(page.request)).domains;
    expect(before).toBeGreaterThan(0);
    const form = page.locator('form[data-form="create"]');
    await form.locator('input[name="form[name]"]').fill("bad name!");
    await form.locator('input[name="form[vcpus]"]').fill("0");
    await form.locator('input[name="form[memory_mib]"]').fill("12");
    await form.locator('input[name="form[blkio_weight]"]').fill("5");
    await form.locator('button[type="submit"]').click();
    await expect(page.locator('[data-field-error="name"]')).toContainText("1 to 63 characters");
    await expect(page.locator('[data-field-error="vcpus"]')).toContainText("1 to 64");
    await expect(page.locator('[data-field-error="memory_mib"]')).toContainText("64 to 1,048,576");
    await expect(page.locator('[data-field-error="blkio_weight"]')).toContainText("I/O weight 100–1000");
    expect((await healthz(page.request)).domains).toBe(before);
  });

  test("an operator creates a VM from the template, sees it running, snapshots, stops and deletes it", async ({ browser, baseURL }, testInfo) => {
    const page = await signedIn(browser, baseURL!, OPERATOR);
    await open(page, "/create", testInfo);
    const form = page.locator('form[data-form="create"]');
    await form.locator('input[name="form[name]"]').fill(VM);
    await form.locator('select[name="form[workspace]"]').selectOption("ops");
    const template = form.locator('select[name="form[template]"] option', { hasText: TEMPLATE });
    await form.locator('select[name="form[template]"]').selectOption((await template.getAttribute("value"))!);
    await form.locator('button[type="submit"]').click();
    const created = page.locator(`[data-created="${VM}"]`);
    await expect(created).toBeVisible({ timeout: 15_000 });
    await expect(page.locator("[data-placement]")).toContainText("policy spread");

    await created.locator("a").click();
    await expect(page.locator("h1[data-domain-name]")).toHaveText(new RegExp(VM));
    await expect(page.locator("h1 [data-state]")).toHaveAttribute("data-state", "running");
    await waitHydrated(page);

    // A snapshot before maintenance, listed with its description.
    const snap = page.locator('form[data-form="snapshot"]');
    await snap.locator('input[name="name"]').fill("before-maintenance");
    await snap.locator('input[name="description"]').fill("e2e snapshot");
    await snap.locator('button[type="submit"]').click();
    await expect(page.locator('li[data-snapshot="before-maintenance"]')).toContainText("e2e snapshot");

    await page.locator('button[data-power="force-off"]').click();
    await expect(page.locator("h1 [data-state]")).toHaveAttribute("data-state", "shutoff");

    const del = page.locator('[data-controls="delete"]');
    await del.locator("summary").click();
    await del.locator('input[name="confirm"]').fill("not the name");
    await del.locator('button[type="submit"]').click();
    await expect(page.locator('[data-field-error="confirm"]')).toBeVisible();
    await del.locator('input[name="confirm"]').fill(VM);
    await del.locator('button[type="submit"]').click();
    await open(page, `/inventory?q=${VM}`, testInfo);
    await expect(page.locator("[data-count]")).toHaveAttribute("data-count", "0");
    await page.context().close();
  });
});

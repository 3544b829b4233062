import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { healthz, jsEnabled, open } from "./support/app";

const addForm = (page: Page) => page.locator('form[data-form="add-host"]');
const hostRows = (page: Page) => page.locator('table[data-table="hosts"] tr[data-host-row]');

test.describe("adding a host", () => {
  test("a bad URI shows the message next to the URI field and adds nothing @nojs", async ({ page }, testInfo) => {
    await open(page, "/hosts", testInfo);
    const before = await healthz(page.request);
    const name = `E2E bad uri ${Date.now()}`;
    let rowsBefore = 0;
    if (jsEnabled(testInfo)) {
      await expect(hostRows(page).first()).toBeVisible();
      rowsBefore = await hostRows(page).count();
      expect(rowsBefore).toBe(before.hosts.total);
    }

    await addForm(page).locator("#field-name").fill(name);
    await addForm(page).locator("#field-uri").fill("http://example.com/");
    await addForm(page).getByRole("button", { name: "Add host" }).click();

    const uriField = addForm(page).locator(".field", { has: page.locator("#field-uri") });
    await expect(uriField.locator('[data-field-error="uri"]')).toHaveText(/^Use one of the schemes qemu, qemu\+tcp/);
    await expect(addForm(page).locator("#field-uri")).toHaveAttribute("aria-invalid", "true");
    // Only the URI is wrong.
    await expect(addForm(page).locator("[data-field-error]")).toHaveCount(1);
    await expect(addForm(page).locator("#field-name")).toHaveAttribute("aria-invalid", "false");

    // Nothing was saved.
    expect((await healthz(page.request)).hosts.total).toBe(before.hosts.total);
    if (jsEnabled(testInfo)) {
      await expect(hostRows(page)).toHaveCount(rowsBefore);
      await expect(page.locator(`tr[data-host-row="${name}"]`)).toHaveCount(0);
      await expect(addForm(page).getByRole("status")).toHaveCount(0);
    }
  });

  test.describe("an unreachable host", () => {
    let removeAction = "";
    let hostId = "";

    test.afterEach(async ({ page, baseURL }) => {
      // If the test stopped before removing it, remove it the way the form does.
      if (removeAction && hostId) {
        await page.request.post(removeAction, { form: { id: hostId }, headers: { Origin: baseURL! } });
      }
      removeAction = hostId = "";
    });

    test("is saved and shown unreachable with a reason, then removed", async ({ page }, testInfo) => {
      await open(page, "/hosts", testInfo);
      const before = await healthz(page.request);
      const name = `E2E unreachable ${Date.now()}`;
      const uri = "qemu+tcp://127.0.0.9:16599/system";

      await addForm(page).locator("#field-name").fill(name);
      await addForm(page).locator("#field-uri").fill(uri);
      await addForm(page).locator("#field-plant").fill("Ningbo");
      await addForm(page).locator("#field-line").fill("E2E");
      await addForm(page).getByRole("button", { name: "Add host" }).click();

      await expect(addForm(page).getByRole("status")).toContainText("Host added");
      await expect(addForm(page).locator("[data-field-error]")).toHaveCount(0);

      const row = page.locator(`tr[data-host-row="${name}"]`);
      await expect(row).toBeVisible();
      const removeForm = row.locator("form", { has: page.getByRole("button", { name: "Remove" }) });
      removeAction = (await removeForm.getAttribute("action")) ?? "";
      hostId = (await removeForm.locator('input[name="id"]').getAttribute("value")) ?? "";
      expect(removeAction).toMatch(/^\/api\/remove_host/);
      expect(hostId).toMatch(/^\d+$/);

      await expect(row).toContainText(uri);
      await expect(row.locator(".tag")).toHaveText(["plant: Ningbo", "line: E2E"]);
      await expect(row.locator("[data-host-state]")).toHaveAttribute("data-host-state", "unreachable", {
        timeout: 15_000,
      });
      await expect(row.locator("[data-host-error]")).toHaveText(/\S/);
      await expect(row.locator("[data-host-error]")).toContainText("refused the connection");

      const during = await healthz(page.request);
      expect(during.hosts.total).toBe(before.hosts.total + 1);
      expect(during.hosts.connected).toBe(before.hosts.connected);
      expect(during.domains).toBe(before.domains);

      // It counts as a host that is down on the dashboard.
      const dash = await page.context().newPage();
      await dash.goto("/");
      await expect(dash.locator('[data-stat="hosts-down"] .stat__value')).toHaveText("1");
      await expect(dash.locator(`.load[data-host="${name}"] [data-host-state]`)).toHaveAttribute(
        "data-host-state",
        "unreachable",
      );
      await dash.close();

      await row.getByRole("button", { name: "Remove" }).click();
      await expect(row).toHaveCount(0);
      removeAction = hostId = "";
      expect((await healthz(page.request)).hosts.total).toBe(before.hosts.total);
    });
  });
});

// Networks end to end on lab host h1: an administrator creates an isolated
// network with DHCP, sees it active, stops and deletes it; bad input names
// the field and defines nothing. Names start with st<pid>-.
import { test, expect } from "./support/fixtures";
import { LAB_H1_NAME, LAB_H1_URI, open, virsh, virshQuiet } from "./support/app";

const NET = `st${process.pid}-e2e-iso`;
const SUBNET = `10.254.${process.pid % 200}`;

test.describe.serial("networks", () => {
  test.skip(!LAB_H1_URI, "needs the lab (scripts/lab.sh up)");

  test.afterAll(() => {
    virshQuiet("net-destroy", NET);
    virshQuiet("net-undefine", NET);
  });

  test("an administrator creates, stops and deletes an isolated network", async ({ page }, testInfo) => {
    test.skip(testInfo.project.name !== "js");
    await open(page, "/networks", testInfo);
    const form = page.locator('form[data-form="create-network"]');
    await form.locator('select[name="host_id"]').selectOption({ label: LAB_H1_NAME });
    await form.locator('input[name="name"]').fill(NET);
    await form.locator('select[name="mode"]').selectOption("isolated");
    await form.locator('input[name="cidr"]').fill(`${SUBNET}.1/24`);
    await form.locator('input[name="dhcp_start"]').fill(`${SUBNET}.100`);
    await form.locator('input[name="dhcp_end"]').fill(`${SUBNET}.199`);
    await form.locator('button[type="submit"]').click();
    const row = page.locator(`tr[data-network="${NET}"][data-host="${LAB_H1_NAME}"]`);
    await expect(row.locator("[data-network-state]")).toHaveAttribute("data-network-state", "active");
    await expect(row.locator("[data-mode]")).toHaveAttribute("data-mode", "isolated");
    await expect(row).toContainText(`${SUBNET}.100 – ${SUBNET}.199`);
    expect(virsh("net-info", NET)).toMatch(/Active:\s+yes/);

    await row.locator('button[data-action="stop"]').click();
    await expect(row.locator("[data-network-state]")).toHaveAttribute("data-network-state", "inactive");
    expect(virsh("net-info", NET)).toMatch(/Active:\s+no/);
    await row.locator('button[data-action="delete-network"]').click();
    await expect(row).toHaveCount(0);
    expect(() => virsh("net-info", NET)).toThrow();
  });

  test("bad network input names the field and defines nothing", async ({ page }, testInfo) => {
    test.skip(testInfo.project.name !== "js");
    await open(page, "/networks", testInfo);
    const form = page.locator('form[data-form="create-network"]');
    await form.locator('select[name="host_id"]').selectOption({ label: LAB_H1_NAME });
    await form.locator('input[name="name"]').fill(NET);
    await form.locator('select[name="mode"]').selectOption("nat");
    await form.locator('input[name="cidr"]').fill(`${SUBNET}.0/24`);
    await form.locator('button[type="submit"]').click();
    await expect(page.locator('[data-field-error="cidr"]')).toContainText("10.30.0.1/24");
    expect(() => virsh("net-info", NET)).toThrow();
  });
});

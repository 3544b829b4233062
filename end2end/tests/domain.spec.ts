import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { demoDomain, type DemoDomain } from "./support/demo";
import { open } from "./support/app";

/** Host id of a demo host, as the inventory's host filter lists it. */
async function hostId(page: Page, hostName: string): Promise<string> {
  const option = page.locator('form[data-form="inventory-filter"] select[name=host] option', {
    hasText: new RegExp(`^${hostName}$`),
  });
  const id = await option.getAttribute("value");
  expect(id).toMatch(/^\d+$/);
  return id!;
}

async function expectDetail(page: Page, d: DemoDomain & { host: string }) {
  await expect(page.locator("h1[data-domain-name]")).toHaveAttribute("data-domain-name", d.name);
  await expect(page.locator("h1[data-domain-name] [data-state]")).toHaveAttribute("data-state", d.state);
  await expect(page.locator("main")).toContainText(d.uuid);

  const disks = page.locator('table[data-table="disks"] tbody tr[data-disk]');
  await expect(disks).toHaveCount(d.disks.length);
  for (const disk of d.disks) {
    const cells = page.locator(`table[data-table="disks"] tr[data-disk="${disk.target}"] td`);
    // device, source, target, bus, format, capacity
    await expect(cells.nth(0)).toHaveText(disk.device);
    await expect(cells.nth(1)).toHaveText(disk.source);
    await expect(cells.nth(2)).toHaveText(disk.target);
    await expect(cells.nth(3)).toHaveText(disk.bus);
    await expect(cells.nth(4)).toHaveText(disk.format);
  }

  const nics = page.locator('table[data-table="nics"] tbody tr[data-nic]');
  await expect(nics).toHaveCount(d.nics.length);
  for (const nic of d.nics) {
    const cells = page.locator(`table[data-table="nics"] tr[data-nic="${nic.mac}"] td`);
    // MAC, kind, source, model, VLAN
    await expect(cells.nth(0)).toHaveText(nic.mac);
    await expect(cells.nth(1)).toHaveText(nic.type);
    await expect(cells.nth(2)).toHaveText(nic.source);
    await expect(cells.nth(3)).toHaveText(nic.model);
    await expect(cells.nth(4)).toHaveText(nic.vlan);
  }

  const xml = page.locator("pre[data-xml]");
  await expect(xml).toContainText(`<name>${d.name}</name>`);
  await expect(xml).toContainText(`<uuid>${d.uuid}</uuid>`);
  for (const nic of d.nics) await expect(xml).toContainText(nic.mac);
}

test.describe("domain detail", () => {
  test("scada-hmi-01, opened from the inventory, shows its disks, NICs, graphics and XML @nojs", async ({
    page,
  }, testInfo) => {
    const d = demoDomain("scada-hmi-01");
    // Two SATA disks (qcow2 system disk, virtio-win ISO) and two e1000e NICs.
    expect(d.disks.map((x) => x.target)).toEqual(["sda", "sdb"]);
    expect(d.nics.map((x) => x.mac)).toEqual(["52:54:00:01:02:01", "52:54:00:01:02:02"]);

    await open(page, "/inventory?q=scada-hmi-01", testInfo);
    const id = await hostId(page, d.host);
    const link = page.locator(`tr[data-domain="${d.name}"] a`);
    await expect(link).toHaveAttribute("href", `/domains/${id}/${d.uuid}`);
    await link.click();
    await expect(page).toHaveURL(`/domains/${id}/${d.uuid}`);
    await expectDetail(page, d);

    const vnc = page.locator('[data-graphics="vnc"]');
    await expect(vnc).toContainText("VNC");
    await expect(vnc).toContainText("5901");

    // Back to the inventory.
    await page.getByRole("link", { name: "Back to the inventory" }).click();
    await expect(page).toHaveURL(/\/inventory$/);
    await expect(page.locator('table[data-table="inventory"]')).toBeVisible();
  });

  test("historian-db (virtio disks vda/vdb, bridge NIC), opened by URL @nojs", async ({ page }, testInfo) => {
    const d = demoDomain("historian-db");
    expect(d.disks.map((x) => x.target)).toEqual(["vda", "vdb"]);
    await open(page, "/inventory", testInfo);
    const id = await hostId(page, d.host);
    await open(page, `/domains/${id}/${d.uuid}`, testInfo);
    await expectDetail(page, d);
    await expect(page.locator('tr[data-disk="vda"] td').nth(1)).toHaveText(
      "/var/lib/libvirt/images/historian-db.qcow2",
    );
    await expect(page.locator('tr[data-nic="52:54:00:04:03:01"] td').nth(2)).toHaveText("br-core");
  });

  test("an unknown UUID says it is not there", async ({ page }, testInfo) => {
    await open(page, "/inventory", testInfo);
    const id = await hostId(page, "Press line 1");
    await open(page, `/domains/${id}/00000000-0000-4000-8000-000000000000`, testInfo);
    // Before the sign-in work: "The domain no longer exists on its host."; now "Not found."
    await expect(page.locator('main [role="alert"]')).toHaveText(/no longer exists|not found/i);
    await expect(page.locator("h1[data-domain-name]")).toHaveCount(0);
  });
});

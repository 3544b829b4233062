import { writeFileSync } from "node:fs";
import { expect, test } from "./support/fixtures";
import { LAB_H1_URI, open, tinyVmXml, uniqueName, virsh, virshQuiet } from "./support/app";

// Live updates from libvirt lifecycle events on lab h1, pushed over /events.
// JavaScript only: without it there is no event stream.

const LIVE_DEADLINE = 2_000;

test.describe("live updates", () => {
  let domain = "";

  test.beforeEach(() => {
    test.skip(!LAB_H1_URI, "MILLWRIGHT_LAB_H1_URI is not set: no lab host to change (run `scripts/lab.sh up` and eval `scripts/lab.sh env`)");
  });

  test.afterEach(() => {
    if (!domain) return;
    virshQuiet("destroy", domain);
    virshQuiet("undefine", domain);
    domain = "";
  });

  test("a domain defined, started, stopped and undefined on lab h1 shows up without reload", async ({
    page,
  }, testInfo) => {
    domain = uniqueName("e2e-live");
    const file = tinyVmXml(domain, testInfo);

    await open(page, `/inventory?q=${domain}`, testInfo);
    await expect(page.locator(".live")).toHaveAttribute("data-live", "on", { timeout: 10_000 });
    await expect(page.locator("[data-count]")).toHaveAttribute("data-count", "0");
    // Survives only if the page is never reloaded.
    await page.evaluate(() => ((window as unknown as { __e2eMarker: number }).__e2eMarker = 1));

    const row = page.locator(`tr[data-domain="${domain}"]`);
    const badge = row.locator("[data-state]");

    virsh("define", file);
    await expect(row, "row appears after virsh define").toBeVisible({ timeout: LIVE_DEADLINE });
    await expect(badge).toHaveAttribute("data-state", "shutoff", { timeout: LIVE_DEADLINE });
    await expect(row.locator("td").nth(5)).toHaveText("Lab h1");
    await expect(row.locator("td").nth(4)).toHaveText("64 MiB");

    virsh("start", domain);
    await expect(badge, "badge turns running after virsh start").toHaveAttribute("data-state", "running", {
      timeout: LIVE_DEADLINE,
    });

    virsh("destroy", domain);
    await expect(badge, "badge turns shut off after virsh destroy").toHaveAttribute("data-state", "shutoff", {
      timeout: LIVE_DEADLINE,
    });

    virsh("undefine", domain);
    await expect(row, "row goes away after virsh undefine").toHaveCount(0, { timeout: LIVE_DEADLINE });
    domain = "";

    expect(await page.evaluate(() => (window as unknown as { __e2eMarker?: number }).__e2eMarker)).toBe(1);
    await expect(page.locator(".live")).toHaveAttribute("data-live", "on");
  });

  test("a live update keeps filter choices the user has not submitted yet", async ({ page }, testInfo) => {
    // A pushed change must not re-render the filter form: a select the user
    // changed but has not submitted yet keeps its choice.
    domain = `e2e-live-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
    const file = testInfo.outputPath(`${domain}.xml`);
    writeFileSync(
      file,
      `<domain type='qemu'><name>${domain}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>` +
        `<os><type arch='x86_64'>hvm</type></os>` +
        `<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>`,
    );
    await open(page, "/inventory", testInfo);
    await expect(page.locator(".live")).toHaveAttribute("data-live", "on", { timeout: 10_000 });
    const count = Number(await page.locator("[data-count]").getAttribute("data-count"));
    const form = page.locator('form[data-form="inventory-filter"]');
    await form.locator("input[name=q]").fill("plc");
    await form.locator("select[name=state]").selectOption("paused");
    await form.locator("select[name=kind]").selectOption("vm");

    virsh("define", file);
    await expect(page.locator("[data-count]")).toHaveAttribute("data-count", String(count + 1), {
      timeout: LIVE_DEADLINE,
    });
    await expect(form.locator("input[name=q]")).toHaveValue("plc", { timeout: 500 });
    await expect(form.locator("select[name=state]")).toHaveValue("paused", { timeout: 500 });
    await expect(form.locator("select[name=kind]")).toHaveValue("vm", { timeout: 500 });
  });
});

import { expect, test } from "./support/fixtures";
import { countByState, DEMO_DOMAINS, DEMO_HOSTS } from "./support/demo";
import { healthz, LAB_H1_NAME, LAB_H1_URI, LAB_HOSTS, labDomainCounts, open } from "./support/app";

test.describe("dashboard", () => {
  test("the demo data is what demo/README.md documents", () => {
    // Guards the XML reader the other expectations are computed with.
    expect(DEMO_HOSTS.map((h) => h.name)).toEqual(["Press line 1", "Weld line 2", "Paint line 3", "MES core"]);
    expect(DEMO_DOMAINS).toHaveLength(37);
    expect(countByState(DEMO_DOMAINS)).toEqual({ running: 25, paused: 4, shutoff: 8 });
    expect(DEMO_HOSTS.map((h) => h.cpus)).toEqual([32, 48, 64, 64]);
  });

  test("stat cards match the demo plant (plus lab h1) and /healthz", async ({ page }, testInfo) => {
    await open(page, "/", testInfo);
    const demo = countByState(DEMO_DOMAINS);
    const stat = (name: string) => page.locator(`[data-stat="${name}"] .stat__value`);

    // The lab is shared: read libvirt, /healthz and the page together until they agree.
    await expect(async () => {
      const lab = labDomainCounts();
      const health = await healthz(page.request);
      expect(health.status).toBe("ok");
      expect(health.database).toBe("ok");
      expect(health.hosts.total).toBe(DEMO_HOSTS.length + LAB_HOSTS);
      expect(health.hosts.connected).toBe(health.hosts.total);
      expect(health.domains).toBe(DEMO_DOMAINS.length + lab.total);

      await page.reload();
      await expect(stat("hosts-up")).toHaveText(String(health.hosts.connected), { timeout: 1_000 });
      await expect(stat("hosts-down")).toHaveText("0", { timeout: 1_000 });
      await expect(stat("domains-running")).toHaveText(String(demo.running + lab.running), { timeout: 1_000 });
      await expect(stat("domains-stopped")).toHaveText(String(demo.shutoff + lab.shutoff), { timeout: 1_000 });
      await expect(stat("domains-other")).toHaveText(String(demo.paused + lab.paused), { timeout: 1_000 });

      // Every domain is counted exactly once.
      const shown = await Promise.all(
        ["domains-running", "domains-stopped", "domains-other"].map(async (s) => Number(await stat(s).innerText())),
      );
      expect(shown.reduce((a, b) => a + b, 0)).toBe(health.domains);
    }).toPass({ timeout: 20_000 });
  });

  test("allocation per host: vCPUs of running and paused domains against the host's CPUs", async ({
    page,
  }, testInfo) => {
    await open(page, "/", testInfo);
    for (const host of DEMO_HOSTS) {
      const active = host.domains.filter((d) => d.state !== "shutoff");
      const vcpus = active.reduce((sum, d) => sum + d.vcpus, 0);
      const card = page.locator(`.load[data-host="${host.name}"]`);
      await expect(card).toBeVisible();
      await expect(card.locator("[data-vcpus]")).toHaveText(`${vcpus} / ${host.cpus}`);
      await expect(card.locator("[data-host-state]")).toHaveAttribute("data-host-state", "connected");
    }
    // The brief's example, spelled out.
    await expect(page.locator('.load[data-host="Press line 1"] [data-vcpus]')).toHaveText("17 / 32");
    if (LAB_H1_URI) {
      await expect(page.locator(`.load[data-host="${LAB_H1_NAME}"]`)).toBeVisible();
    }
  });
});

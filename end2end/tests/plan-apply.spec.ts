// Applying a consolidation plan on the lab's two hosts: the plan limited to
// them (one VM on each, both fit one host at 100 %), refused while not
// confirmed, then applied while a second tab watches the plan's job on the
// Jobs page; one VM moves live, the other host is left empty, in
// maintenance and marked to be powered off by hand. A plan over the demo
// plant's test-driver hosts cannot be applied and says why.
import { expect, test } from "./support/fixtures";
import { LAB_H1_NAME, LAB_H1_URI, LAB_H2_NAME, LAB_H2_URI, jsEnabled, open, tinyVmXml, uniqueName, virsh, virshOn } from "./support/app";
import type { Page, TestInfo } from "@playwright/test";

function quiet(f: () => unknown): void {
  try {
    f();
  } catch {
    /* already gone */
  }
}

const names: string[] = [];

/** A 64 MiB disk-less VM running on the lab host at `uri`. */
function runningOn(uri: string, testInfo: TestInfo): string {
  const name = uniqueName("e2e-plan");
  virshOn(uri, "define", tinyVmXml(name, testInfo));
  virshOn(uri, "start", name);
  names.push(name);
  return name;
}

/** The consolidation page limited to the two lab hosts, at 100 %. */
async function labPlan(page: Page, testInfo: TestInfo): Promise<void> {
  await open(page, "/consolidation?dataset=live&percentile=p95&headroom=100&window=14", testInfo);
  const form = page.locator('form[data-form="plan"]');
  for (const host of [LAB_H1_NAME, LAB_H2_NAME]) {
    await form.locator("fieldset[data-plan-scope] label", { hasText: host }).locator("input").check();
  }
  await form.locator('button[type="submit"]').click();
  await expect(page).toHaveURL(/hosts=\d+.*hosts=\d+/);
}

test.describe.serial("applying a consolidation plan", () => {
  test("the demo plant's plan cannot be applied: its hosts cannot migrate @nojs", async ({ page }, testInfo) => {
    await open(page, "/consolidation", testInfo);
    await expect(page.locator("[data-plan-apply-blocked]")).toHaveAttribute("data-plan-apply-blocked", "PlanTestHosts");
    await expect(page.locator('form[data-form="apply-plan"]')).toHaveCount(0);
  });

  test.describe("on the lab", () => {
    test.beforeEach(() => {
      test.skip(!LAB_H1_URI || !LAB_H2_URI, "the lab's h1 and h2 are not both registered (scripts/lab.sh up; eval scripts/lab.sh env)");
    });

    test.afterEach(async ({ page }, testInfo) => {
      for (const name of names.splice(0)) {
        for (const run of [virsh, (...a: string[]) => virshOn(LAB_H2_URI, ...a)]) {
          quiet(() => run("destroy", name));
          quiet(() => run("undefine", name));
        }
      }
      // The emptied host goes back into service for the other tests.
      await open(page, "/hosts", testInfo);
      const leave = page.locator('form[data-form="maintenance-leave"]');
      while ((await leave.count()) > 0) {
        const form = leave.first();
        await form.locator('input[name="move_back"]').uncheck();
        await form.locator('button[type="submit"]').click();
        await page.waitForLoadState();
        await open(page, "/hosts", testInfo);
      }
    });

    test("an administrator applies the plan and watches it run; the emptied host is in maintenance @nojs", async ({
      page,
      context,
    }, testInfo) => {
      const a = runningOn(LAB_H1_URI, testInfo);
      const b = runningOn(LAB_H2_URI, testInfo);
      await expect(async () => {
        const html = await (await page.request.get(`/inventory?q=e2e-plan-`)).text();
        expect(html).toContain(a);
        expect(html).toContain(b);
      }).toPass({ timeout: 10_000 });
      await labPlan(page, testInfo);
      await expect(page.locator('[data-plan-stat="before"]')).toHaveText("2");
      await expect(page.locator('[data-plan-stat="after"]')).toHaveText("1");
      await expect(page.locator("tr[data-plan-move]")).toHaveCount(1);
      const moved = (await page.locator("tr[data-plan-move]").getAttribute("data-plan-move"))!;
      const emptied = (await page.locator('tr[data-plan-host-after="off"]').getAttribute("data-plan-host"))!;

      const jobs = await context.newPage();
      await open(jobs, "/jobs", testInfo);
      const live = jsEnabled(testInfo);
      if (live) await expect(jobs.locator(".live")).toHaveAttribute("data-live", "on", { timeout: 10_000 });

      // Not confirmed: refused naming the box; nothing moved.
      const apply = page.locator('form[data-form="apply-plan"]');
      await apply.locator('button[type="submit"]').click();
      await expect(page.locator('[role="alert"]')).toContainText(/tick the box/);
      expect(virsh("domstate", a)).toContain("running");
      expect(virshOn(LAB_H2_URI, "domstate", b)).toContain("running");

      await page.locator("[data-plan-confirm]").check();
      await page.locator('form[data-form="apply-plan"] button[type="submit"]').click();
      await expect(page.locator("[data-plan-applying]")).toBeVisible({ timeout: 15_000 });

      // The other tab follows the plan's job to its end (live with
      // JavaScript; by reloading without).
      const row = jobs.locator('tr[data-job-kind="plan"]').first();
      await expect(async () => {
        if (!live) await jobs.reload();
        await expect(row).toHaveAttribute("data-job-state", "succeeded", { timeout: 1_000 });
      }).toPass({ timeout: 90_000 });
      const moveRow = jobs.locator('tr[data-job-kind="migrate_live"]', { hasText: moved });
      await expect(async () => {
        if (!live) await jobs.reload();
        await expect(moveRow.first()).toHaveAttribute("data-job-state", "succeeded", { timeout: 1_000 });
      }).toPass({ timeout: 10_000 });

      // Both VMs run on one host; the other is in maintenance, to be
      // powered off by hand (no power-off program here).
      const uri = emptied === LAB_H1_NAME ? LAB_H2_URI : LAB_H1_URI;
      for (const name of [a, b]) expect(virshOn(uri, "domstate", name)).toContain("running");
      await open(page, "/hosts", testInfo);
      const host = page.locator("tr", { hasText: emptied }).filter({ has: page.locator("[data-maintenance]") });
      await expect(host.locator("[data-maintenance]")).toHaveAttribute("data-maintenance", "on");
      await expect(host.locator("[data-power]")).toHaveAttribute("data-power", "manual");
    });
  });
});

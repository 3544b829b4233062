import { expect, test } from "./support/fixtures";
import { LAB_H1_NAME, LAB_H1_URI, LAB_H2_NAME, LAB_H2_URI, open, tinyVmXml, uniqueName, virsh, virshOn } from "./support/app";
import { createUser, signedIn } from "./support/members";

// Moving a VM from lab h1 to lab h2 from its page, while a second tab
// watches the job on the Jobs page; and the same form without JavaScript.

function quiet(f: () => unknown): void {
  try {
    f();
  } catch {
    /* already gone */
  }
}

test.describe("moving a VM between hosts", () => {
  let domain = "";

  test.beforeEach(() => {
    test.skip(!LAB_H1_URI || !LAB_H2_URI, "the lab's h1 and h2 are not both registered (scripts/lab.sh up; eval scripts/lab.sh env)");
  });

  test.afterEach(() => {
    if (!domain) return;
    for (const run of [virsh, (...a: string[]) => virshOn(LAB_H2_URI, ...a)]) {
      quiet(() => run("destroy", domain));
      quiet(() => run("undefine", domain));
    }
    domain = "";
  });

  /** A 64 MiB disk-less VM running on lab h1; its page's path. */
  async function runningOnH1(page: import("@playwright/test").Page, testInfo: import("@playwright/test").TestInfo) {
    domain = uniqueName("e2e-move");
    const file = tinyVmXml(domain, testInfo);
    virsh("define", file);
    virsh("start", domain);
    const uuid = virsh("domuuid", domain).trim();
    let path = "";
    await expect(async () => {
      const html = await (await page.request.get(`/inventory?q=${domain}`)).text();
      path = new RegExp(`href="(/domains/\\d+/${uuid})"`).exec(html)?.[1] ?? "";
      expect(path, "the VM is listed").not.toBe("");
    }).toPass({ timeout: 10_000 });
    return path;
  }

  test("a move started on the domain page shows its progress in another tab and lands on h2", async ({
    page,
    context,
  }, testInfo) => {
    const path = await runningOnH1(page, testInfo);
    await open(page, path, testInfo);
    await expect(page.locator("[data-move-mode]")).toHaveAttribute("data-move-mode", "live");

    const jobs = await context.newPage();
    await open(jobs, "/jobs", testInfo);
    await expect(jobs.locator(".live")).toHaveAttribute("data-live", "on", { timeout: 10_000 });

    await page.locator("[data-move-target]").selectOption({ label: LAB_H2_NAME });
    await page.locator('input[name="form[bandwidth_mib]"]').fill("4");
    await page.locator('[data-form="move"] button[type="submit"]').click();
    await expect(page.locator("[data-move-started]")).toBeVisible({ timeout: 15_000 });

    // The other tab follows without a reload: running, rising, then done.
    const row = jobs.locator("tr[data-job-row]").filter({ hasText: domain });
    await expect(row).toHaveAttribute("data-job-state", "running", { timeout: 10_000 });
    await expect(async () => {
      const pct = Number(await row.locator("[data-percent]").getAttribute("data-percent"));
      expect(pct).toBeGreaterThan(0);
    }).toPass({ timeout: 20_000 });
    await expect(row).toHaveAttribute("data-job-state", "succeeded", { timeout: 90_000 });
    expect(virshOn(LAB_H2_URI, "domstate", domain)).toContain("running");

    // The domain's old page says where it went.
    await expect(page.locator("[data-moved-to]")).toBeVisible({ timeout: 10_000 });
  });

  test("without JavaScript the move form posts and the job is listed @nojs", async ({ page }, testInfo) => {
    const path = await runningOnH1(page, testInfo);
    await open(page, path, testInfo);
    await page.locator("[data-move-target]").selectOption({ label: LAB_H2_NAME });
    await page.locator('[data-form="move"] button[type="submit"]').click();
    await expect(page.locator("[data-move-started]")).toBeVisible({ timeout: 15_000 });
    await expect(async () => {
      await page.goto("/jobs?state=succeeded");
      await expect(page.locator("tr[data-job-row]").filter({ hasText: domain })).toHaveCount(1, { timeout: 1_000 });
    }).toPass({ timeout: 60_000 });
    expect(virshOn(LAB_H2_URI, "domstate", domain)).toContain("running");
  });

  test("a bad bandwidth is refused next to its field and nothing moves @nojs", async ({ page }, testInfo) => {
    const path = await runningOnH1(page, testInfo);
    await open(page, path, testInfo);
    await page.locator('input[name="form[bandwidth_mib]"]').fill("lots");
    await page.locator('[data-form="move"] button[type="submit"]').click();
    await expect(page.locator('[data-field-error="bandwidth_mib"]')).toBeVisible({ timeout: 10_000 });
    expect(virsh("domstate", domain)).toContain("running");
  });

  test("lab h1 enters maintenance (its VM drains to h2) and leaves it (the VM comes back) @nojs", async ({
    page,
  }, testInfo) => {
    test.setTimeout(120_000);
    await runningOnH1(page, testInfo);
    const row = page.locator(`tr[data-host-row="${LAB_H1_NAME}"]`);
    await open(page, "/hosts", testInfo);
    await row.locator('[data-form="maintenance-enter"] button[type="submit"]').click();
    await expect(page.locator("[data-drain-started]")).toBeVisible({ timeout: 15_000 });
    await expect(async () => {
      await page.goto("/hosts");
      await expect(row.locator("[data-maintenance]")).toHaveAttribute("data-maintenance", "on", { timeout: 1_000 });
    }).toPass({ timeout: 90_000 });
    expect(virshOn(LAB_H2_URI, "domstate", domain)).toContain("running");

    await row.locator('[data-form="maintenance-leave"] button[type="submit"]').click();
    await expect(page.locator("[data-maintenance-left]")).toBeVisible({ timeout: 15_000 });
    await expect(row.locator("[data-maintenance]")).toHaveCount(0);
    await expect(async () => {
      expect(virsh("domstate", domain)).toContain("running");
    }).toPass({ timeout: 90_000 });
  });

  test("a viewer is offered neither Move nor maintenance", async ({ page, browser, baseURL }, testInfo) => {
    const path = await runningOnH1(page, testInfo);
    const name = `e2e-viewer-${Date.now().toString(36)}`;
    await createUser(page, name);
    const viewer = await signedIn(browser, baseURL!, name);
    // Not a member of the (unowned) VM's workspace: nothing to move there.
    await viewer.goto(path);
    await expect(viewer.locator('[data-form="move"]')).toHaveCount(0);
    await viewer.goto("/hosts");
    await expect(viewer.locator("[data-maintenance-forms]")).toHaveCount(0);
    await viewer.context().close();
  });
});

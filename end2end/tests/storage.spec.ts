// Storage end to end on lab host h1: an administrator opens a pool, creates
// a volume and uploads a small ISO through the form; the same forms work
// without JavaScript. The pool is made (and removed) with virsh, named
// st<pid>-… so parallel runs never collide.
import { test, expect } from "./support/fixtures";
import { LAB_H1_NAME, LAB_H1_URI, open, virsh, virshQuiet } from "./support/app";

const POOL = `st${process.pid}-e2e`;
const POOL_DIR = `/tmp/${POOL}`;

test.describe.serial("storage", () => {
  test.skip(!LAB_H1_URI, "needs the lab (scripts/lab.sh up)");

  test.beforeAll(() => {
    virsh("pool-define-as", POOL, "dir", "--target", POOL_DIR);
    virsh("pool-build", POOL);
    virsh("pool-start", POOL);
  });

  test.afterAll(() => {
    const vols = LAB_H1_URI ? virsh("vol-list", POOL).split("\n").slice(2) : [];
    for (const line of vols) {
      const name = line.trim().split(/\s+/)[0];
      if (name) virshQuiet("vol-delete", "--pool", POOL, name);
    }
    virshQuiet("pool-destroy", POOL);
    virshQuiet("pool-delete", POOL);
    virshQuiet("pool-undefine", POOL);
  });

  /** Opens the pool's volumes from the pool list, as a user would. */
  async function openPool(page: import("@playwright/test").Page, testInfo: import("@playwright/test").TestInfo) {
    await open(page, "/storage", testInfo);
    const row = page.locator(`tr[data-pool="${POOL}"][data-host="${LAB_H1_NAME}"]`);
    await expect(row.locator("[data-pool-state]")).toHaveAttribute("data-pool-state", "active");
    await row.locator('a[data-action="volumes"]').click();
    await expect(page.locator(`section[data-volumes="${POOL}"]`)).toBeVisible();
  }

  async function createAndUpload(page: import("@playwright/test").Page, testInfo: import("@playwright/test").TestInfo) {
    const tag = testInfo.project.name;
    const disk = `disk-${tag}.qcow2`;
    const iso = `tiny-${tag}.iso`;
    await openPool(page, testInfo);

    const form = page.locator('form[data-form="create-volume"]');
    await form.locator('input[name="name"]').fill(disk);
    await form.locator('input[name="gib"]').fill("1");
    await form.locator('select[name="format"]').selectOption("qcow2");
    await form.locator('button[type="submit"]').click();
    await expect(page.locator(`tr[data-volume="${disk}"]`)).toBeVisible();
    expect(virsh("vol-info", "--pool", POOL, disk)).toContain("1.00 GiB");

    // A small ISO-like file: 256 KiB of a pattern.
    const bytes = Buffer.alloc(256 * 1024, 0);
    bytes.write("CD001", 0x8001, "latin1");
    const upload = page.locator('form[data-form="upload"]');
    await upload.locator('input[name="name"]').fill(iso);
    await upload.locator('input[name="file"]').setInputFiles({ name: "tiny.iso", mimeType: "application/octet-stream", buffer: bytes });
    await upload.locator('button[type="submit"]').click();
    await expect(page.locator(`[data-uploaded="${iso}"]`)).toBeVisible();
    await expect(page.locator(`tr[data-volume="${iso}"] [data-capacity]`)).toHaveAttribute("data-capacity", String(bytes.length));
    expect(virsh("vol-info", "--pool", POOL, iso, "--bytes")).toMatch(new RegExp(`Capacity:\\s+${bytes.length} bytes`));
  }

  test("an administrator creates a volume and uploads an ISO", async ({ page }, testInfo) => {
    test.skip(testInfo.project.name !== "js");
    await createAndUpload(page, testInfo);
  });

  test("the volume and upload forms work without JavaScript @nojs", async ({ page }, testInfo) => {
    test.skip(testInfo.project.name !== "no-js");
    await createAndUpload(page, testInfo);
  });

  test("bad volume input names the fields and creates nothing", async ({ page }, testInfo) => {
    test.skip(testInfo.project.name !== "js");
    await openPool(page, testInfo);
    const before = virsh("vol-list", POOL);
    const form = page.locator('form[data-form="create-volume"]');
    await form.locator('input[name="name"]').fill("bad name!");
    await form.locator('input[name="gib"]').fill("0");
    await form.locator('button[type="submit"]').click();
    await expect(page.locator('[data-field-error="name"]')).toContainText("1 to 63 characters");
    await expect(page.locator('[data-field-error="gib"]')).toContainText("1 to 4,096");
    expect(virsh("vol-list", POOL)).toBe(before);
  });
});

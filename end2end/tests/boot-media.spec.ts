// Boot media are volumes, not paths: an operator's create form offers only
// the ISO volumes of pools its workspace may use, and a forged create
// naming a host file is refused, audited, and defines nothing.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test, expect } from "./support/fixtures";
import { LAB_H1_URI, open, virsh, waitHydrated } from "./support/app";
import { addMember, createUser, signedIn } from "./support/members";

const run = Date.now().toString(36);
const WORKSPACE = `iso${run}`;
const OPERATOR = `iso-op-${run}`;
const POOL = `mw-e2e-iso-${run}`;
const DIR = join(process.env.MILLWRIGHT_LAB_IMAGES ?? "/tmp", POOL);

test.describe.serial("boot media", () => {
  test.skip(LAB_H1_URI === "", "needs lab h1");

  test.beforeAll(() => {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(join(DIR, "installer.iso"), Buffer.alloc(64 * 1024));
    virsh("pool-create-as", POOL, "dir", "--target", DIR);
  });

  test.afterAll(() => {
    try {
      virsh("pool-destroy", POOL);
    } finally {
      rmSync(DIR, { recursive: true, force: true });
    }
  });

  test("the administrator gives a workspace an ISO pool and an operator", async ({ page }) => {
    await page.goto("/workspaces");
    await waitHydrated(page);
    const create = page.locator('form[data-form="create-workspace"]');
    await create.locator('input[name="slug"]').fill(WORKSPACE);
    await create.locator('input[name="name"]').fill(`ISO ${run}`);
    await create.locator('button[type="submit"]').click();
    const card = page.locator(`section[data-workspace="${WORKSPACE}"]`);
    await expect(card).toBeVisible();
    await card.locator('details:has(form[data-form="resources"]) > summary').click();
    const resources = card.locator('form[data-form="resources"]');
    await resources.locator('input[name="pools"]').fill(POOL);
    await resources.locator('button[type="submit"]').click();
    await expect(resources.locator('input[name="pools"]')).toHaveValue(POOL);
    await createUser(page, OPERATOR);
    await addMember(page, WORKSPACE, OPERATOR, "operator");
  });

  test("the operator is offered only its workspace's ISO volumes; a host path is refused", async ({ page, browser, baseURL }, testInfo) => {
    const operator = await signedIn(browser, baseURL!, OPERATOR);
    await open(operator, "/create", testInfo);
    const offered = await operator.locator("#create-iso option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(offered).toEqual(["", `${POOL}/installer.iso`]);

    const action = await operator.locator('form[data-form="create"]').getAttribute("action");
    const name = `forged-${run}`;
    const forged = await operator.context().request.post(action!, {
      form: {
        "form[kind]": "vm",
        "form[name]": name,
        "form[workspace]": WORKSPACE,
        "form[host]": "auto",
        "form[vcpus]": "1",
        "form[memory_mib]": "64",
        "form[disk_gib]": "0",
        "form[boot]": "iso",
        "form[iso]": "/etc/shadow",
      },
      headers: { Origin: baseURL! },
    });
    expect(forged.status()).toBe(422);
    expect(await forged.text()).toContain("ErrIsoVolume");
    expect(virsh("list", "--all", "--name")).not.toContain(name);

    await open(page, `/audit?actor=${OPERATOR}&action=domain.create`, testInfo);
    await expect(page.locator('tr[data-action="domain.create"][data-outcome="failed"]').first()).toBeVisible();
  });
});

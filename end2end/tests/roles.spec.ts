// Roles end to end: an operator of one workspace sees only its domains; a
// viewer is offered no mutating control, a forged request as that viewer is
// answered 403 and shows in the audit log as denied; the audit page and its
// CSV export.
import { test, expect } from "./support/fixtures";
import { open } from "./support/app";
import { addMember, createUser, signedIn } from "./support/members";

const run = Date.now().toString(36);
const OPERATOR = `op-${run}`;
const VIEWER = `view-${run}`;

test.describe.serial("roles", () => {
  test("admin sets up an operator and a viewer of ops", async ({ page }) => {
    await createUser(page, OPERATOR);
    await createUser(page, VIEWER);
    await addMember(page, "ops", OPERATOR, "operator");
    await addMember(page, "ops", VIEWER, "viewer");
  });

  test("an operator of ops sees ops domains and none of another workspace's", async ({ browser, baseURL }, testInfo) => {
    const page = await signedIn(browser, baseURL!, OPERATOR);
    await open(page, "/inventory?per=500", testInfo);
    // mes-app-01 belongs to ops, mes-app-staging to test (demo plant metadata).
    await expect(page.locator('tr[data-domain="mes-app-01"]')).toBeVisible();
    await expect(page.locator('tr[data-domain="mes-app-staging"]')).toHaveCount(0);
    const workspaces = await page.locator('table[data-table="inventory"] tbody tr td:nth-child(7)').allTextContents();
    expect(workspaces.length).toBeGreaterThan(0);
    expect(new Set(workspaces)).toEqual(new Set(["ops"]));
    // Users and templates are administration: not offered.
    await expect(page.locator('nav a[href="/users"]')).toHaveCount(0);
    // The workspace switcher in the top bar lists the operator's workspaces.
    const switcher = page.locator('form[data-form="workspace-switcher"]');
    await switcher.locator("select").selectOption("ops");
    await switcher.locator('button[type="submit"]').click();
    await expect(page).toHaveURL(/\/inventory\?ws=ops/);
    await expect(page.locator('tr[data-domain="mes-app-01"]')).toBeVisible();
  });

  test("a viewer gets no mutating control, and a forged request is refused and audited", async ({ page, browser, baseURL }, testInfo) => {
    // The admin's view of an ops VM carries the power forms (and their action URL).
    await open(page, "/inventory?q=mes-app-01", testInfo);
    await page.locator('tr[data-domain="mes-app-01"] a').click();
    const powerForm = page.locator('[data-controls="power"] form').first();
    await expect(powerForm).toBeVisible();
    const action = await powerForm.getAttribute("action");
    const hostId = await powerForm.locator('input[name="host_id"]').getAttribute("value");
    const uuid = await powerForm.locator('input[name="uuid"]').getAttribute("value");
    const detail = page.url();
    const cloneAction = await page.locator('form[data-form="clone"]').getAttribute("action");

    const viewer = await signedIn(browser, baseURL!, VIEWER);
    await open(viewer, new URL(detail).pathname, testInfo);
    await expect(viewer.locator("h1[data-domain-name]")).toHaveText(/mes-app-01/);
    await expect(viewer.locator('[data-controls="power"]')).toHaveCount(0);
    await expect(viewer.locator('[data-controls="delete"]')).toHaveCount(0);
    await expect(viewer.locator('form[data-form="assign"]')).toHaveCount(0);
    for (const controls of ["resize", "limits", "clone"]) {
      await expect(viewer.locator(`[data-controls="${controls}"]`)).toHaveCount(0);
    }
    await expect(viewer.locator('form[data-form="snapshot"]')).toHaveCount(0);
    const forgedClone = await viewer.context().request.post(cloneAction!, {
      form: { host_id: hostId!, uuid: uuid!, name: "forged-clone" },
      headers: { Origin: baseURL! },
    });
    expect(forgedClone.status()).toBe(403);

    const forged = await viewer.context().request.post(action!, {
      form: { host_id: hostId!, uuid: uuid!, action: "force-off" },
      headers: { Origin: baseURL! },
    });
    expect(forged.status()).toBe(403);

    // No trace import for a viewer either: no form, and a forged upload is refused.
    await open(viewer, "/history", testInfo);
    await expect(viewer.locator("section[data-traces]")).toBeVisible();
    await expect(viewer.locator('form[data-form="import-trace"]')).toHaveCount(0);
    const forgedTrace = await viewer.context().request.post("/history/traces", {
      multipart: { name: "forged", files: { name: "vm-1", mimeType: "text/plain", buffer: Buffer.from("10\n20\n") } },
      headers: { Origin: baseURL! },
      maxRedirects: 0,
    });
    expect(forgedTrace.status()).toBe(403);

    await open(page, `/audit?actor=${VIEWER}&outcome=denied`, testInfo);
    await expect(page.locator('tr[data-action="trace.manage"][data-outcome="denied"]').first()).toBeVisible();
    const row = page.locator('tr[data-action="domain.operate"][data-outcome="denied"]');
    await expect(row.first()).toBeVisible();
    await expect(row.first()).toContainText(VIEWER);
    // And the VM is still running.
    await open(page, new URL(detail).pathname, testInfo);
    await expect(page.locator("h1 [data-state]")).toHaveAttribute("data-state", "running");
  });

  test("the audit page shows the action just taken, and the CSV export parses", async ({ page, request }, testInfo) => {
    await open(page, `/audit?action=workspace.members`, testInfo);
    const row = page.locator('tr[data-action="workspace.members"][data-outcome="ok"]').first();
    await expect(row).toContainText(VIEWER);

    const csv = await request.get(`/audit.csv?action=workspace.members`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0].split(",").slice(0, 6)).toEqual(["seq", "at", "actor", "source", "workspace", "action"]);
    const rows = lines.slice(1).map((l) => l.split(","));
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) expect(r[5]).toBe("workspace.members");
    expect(rows.map((r) => r.join(",")).some((l) => l.includes(VIEWER))).toBe(true);
  });
});

// Signing in and out, with sessions of their own (not the shared admin one).
import { ADMIN, anonymousTest as test, expect } from "./support/fixtures";
import { jsEnabled, waitHydrated } from "./support/app";

const form = (page: import("@playwright/test").Page) => page.locator('form[data-form="login"]');

test.describe("sign-in", () => {
  test("an anonymous visit goes to sign-in and comes back to the same URL after it @nojs", async ({
    page,
    context,
  }, testInfo) => {
    const target = "/inventory?state=paused&sort=memory";
    await page.goto(target);
    await expect(page).toHaveURL(/\/login\?next=/);
    expect(decodeURIComponent(new URL(page.url()).searchParams.get("next") ?? "")).toBe(target);
    await expect(page.locator("nav")).toHaveCount(0);
    if (jsEnabled(testInfo)) await waitHydrated(page);

    await form(page).locator("#field-username").fill(ADMIN.username);
    await form(page).locator("#field-password").fill(ADMIN.password);
    await form(page).getByRole("button", { name: "Sign in" }).click();

    await expect(page).toHaveURL(target);
    expect((await context.cookies()).map((c) => c.name)).toContain("mw_session");
    if (jsEnabled(testInfo)) {
      await expect(page.locator('[data-user="admin"]')).toBeVisible();
      await expect(page.locator("[data-count]")).toHaveAttribute("data-count", "4");
    }
  });

  test("a wrong password is refused next to the password field @nojs", async ({ page, context }, testInfo) => {
    await page.goto("/login");
    if (jsEnabled(testInfo)) await waitHydrated(page);
    await form(page).locator("#field-username").fill(ADMIN.username);
    await form(page).locator("#field-password").fill("not-the-password");
    await form(page).getByRole("button", { name: "Sign in" }).click();

    const field = form(page).locator(".field", { has: page.locator("#field-password") });
    await expect(field.locator('[data-field-error="password"]')).toHaveText("Wrong username or password.");
    await expect(page).toHaveURL(/\/login/);
    expect((await context.cookies()).map((c) => c.name)).not.toContain("mw_session");
    await page.goto("/hosts");
    await expect(page).toHaveURL(/\/login\?next=\/hosts$/);
  });

  test("signing out ends the session @nojs", async ({ page }, testInfo) => {
    await page.goto("/login?next=/hosts");
    if (jsEnabled(testInfo)) await waitHydrated(page);
    await form(page).locator("#field-username").fill(ADMIN.username);
    await form(page).locator("#field-password").fill(ADMIN.password);
    await form(page).getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/hosts$/);
    await expect(page.locator('table[data-table="hosts"]')).toBeVisible();
    if (jsEnabled(testInfo)) await waitHydrated(page);

    await page.locator('form[data-form="sign-out"]').getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto("/hosts");
    await expect(page).toHaveURL(/\/login\?next=\/hosts$/);
    // The live stream is closed to anonymous callers too.
    expect((await page.request.get("/events")).status()).toBe(401);
  });
});

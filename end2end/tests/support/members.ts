// Users and workspace members, made through the dashboard's own pages.
import { expect, type Browser, type Page } from "@playwright/test";
import { waitHydrated } from "./app";
import { postLogin } from "./fixtures";

/** The password of every user the tests create. */
export const MEMBER_PASSWORD = "operator-password-1";

/** Creates user `name` through the Users page (as the administrator). */
export async function createUser(page: Page, name: string): Promise<void> {
  await page.goto("/users");
  await waitHydrated(page);
  const form = page.locator('form[data-form="create-user"]');
  await form.locator('input[name="username"]').fill(name);
  await form.locator('input[name="password"]').fill(MEMBER_PASSWORD);
  await form.locator('button[type="submit"]').click();
  await expect(page.locator(`tr[data-user="${name}"]`)).toBeVisible();
}

/** Makes `name` a member of `workspace` with `role` (as the administrator). */
export async function addMember(page: Page, workspace: string, name: string, role: string): Promise<void> {
  await page.goto("/workspaces");
  await waitHydrated(page);
  const card = page.locator(`section[data-workspace="${workspace}"]`);
  const form = card.locator('form[data-form="add-member"]');
  await form.locator('input[name="username"]').fill(name);
  await form.locator('select[name="role"]').selectOption(role);
  await form.locator('button[type="submit"]').click();
  await expect(card.locator(`li[data-member="${name}"]`)).toBeVisible();
}

/** A page signed in as `name`, in a context of its own. */
export async function signedIn(browser: Browser, baseURL: string, name: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, storageState: undefined });
  const res = await postLogin(context.request, baseURL, name, MEMBER_PASSWORD);
  expect(res.status(), await res.text()).toBe(302);
  return context.newPage();
}

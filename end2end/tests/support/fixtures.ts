// `test` for every journey: signed in as the first administrator.
//
// Pages need a session (anonymous visits are sent to /login). The server
// under test creates `admin` on its fresh database with the password in
// MILLWRIGHT_ADMIN_PASSWORD, which playwright.config.ts sets for both the
// server and the tests. Each worker signs in once, through the same
// endpoint the sign-in form posts to, and every test starts from that
// session's cookies. Tests must not sign that session out; login.spec.ts
// signs in and out with sessions of its own.
import { test as base, expect, type APIRequestContext } from "@playwright/test";
import { pageErrors, trackPageErrors } from "./app";

export { expect };

export const ADMIN = {
  username: "admin",
  password: process.env.MILLWRIGHT_ADMIN_PASSWORD ?? "",
};

type StorageState = Awaited<ReturnType<APIRequestContext["storageState"]>>;

/** Posts the sign-in form; returns the response (302 to `next` on success). */
export async function postLogin(
  ctx: APIRequestContext,
  baseURL: string,
  username: string,
  password: string,
  next = "/",
) {
  // Not asserting the status here: rendering.spec.ts checks every page's status.
  const page = await ctx.get("/login");
  const action = /<form[^>]*action="(\/api\/login[^"]*)"/.exec(await page.text())?.[1];
  expect(action, "the sign-in form's action").toBeTruthy();
  return ctx.post(action!, {
    form: { username, password, next },
    headers: { Origin: baseURL, Accept: "text/html" },
    maxRedirects: 0,
  });
}

/**
 * Every page is watched for uncaught errors (a wasm panic such as Leptos'
 * "Unrecoverable hydration error" leaves the page dead while it still looks
 * fine); a test whose page had one fails, saying so.
 */
export const anonymousTest = base.extend({
  page: async ({ page }, use) => {
    trackPageErrors(page);
    await use(page);
    expect(pageErrors(page), "uncaught errors in the page (e.g. a hydration panic)").toEqual([]);
  },
});

export const test = anonymousTest.extend<object, { adminState: StorageState }>({
  adminState: [
    async ({ playwright }, use, workerInfo) => {
      expect(ADMIN.password, "MILLWRIGHT_ADMIN_PASSWORD (set in playwright.config.ts)").not.toBe("");
      const baseURL = workerInfo.project.use.baseURL!;
      const ctx = await playwright.request.newContext({ baseURL });
      const res = await postLogin(ctx, baseURL, ADMIN.username, ADMIN.password);
      expect(res.status(), `sign-in as admin: ${await res.text()}`).toBe(302);
      const state = await ctx.storageState();
      expect(state.cookies.map((c) => c.name)).toContain("mw_session");
      await ctx.dispose();
      await use(state);
    },
    { scope: "worker" },
  ],
  storageState: async ({ adminState }, use) => {
    await use(adminState);
  },
});

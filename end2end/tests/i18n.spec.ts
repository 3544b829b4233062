import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { jsEnabled, open, waitHydrated } from "./support/app";

async function expectLanguage(page: Page, lang: "en" | "zh-CN") {
  const labels = lang === "en" ? ["Dashboard", "Hosts", "Inventory"] : ["仪表板", "主机", "清单"];
  await expect(page.locator("html")).toHaveAttribute("lang", lang);
  for (const [i, href] of ["/", "/hosts", "/inventory"].entries()) {
    await expect(page.locator(`nav a[href="${href}"]`)).toHaveText(labels[i]);
  }
}

test.describe("language", () => {
  test("switch to 简体中文, keep it across pages, switch back @nojs", async ({ page, context }, testInfo) => {
    await open(page, "/hosts", testInfo);
    await expectLanguage(page, "en");

    await page.locator('a[data-lang="zh-CN"]').click();
    // Back on the same page, now in Chinese.
    await expect(page).toHaveURL(/\/hosts$/);
    await expectLanguage(page, "zh-CN");
    await expect(page.locator("h1")).toHaveText("主机");
    await expect(page.locator('nav a[aria-current="page"]')).toHaveText("主机");
    await expect(page.locator('form[data-form="add-host"] label[for="field-uri"]')).toHaveText("连接 URI");
    expect((await context.cookies()).find((c) => c.name === "mw_lang")?.value).toBe("zh-CN");
    if (jsEnabled(testInfo)) await waitHydrated(page);

    // Through the nav (client-side with JS, a full load without).
    await page.locator('nav a[href="/inventory"]').click();
    await expect(page).toHaveURL(/\/inventory$/);
    await expect(page.locator('nav a[aria-current="page"]')).toHaveText("清单");
    await expectLanguage(page, "zh-CN");
    await expect(page.locator("h1")).toHaveText("清单");

    // A fresh load of another page is served in Chinese too (cookie).
    await open(page, "/", testInfo);
    await expectLanguage(page, "zh-CN");
    await expect(page.locator("h1")).toHaveText("仪表板");

    await page.locator('a[data-lang="en"]').click();
    await expect(page).toHaveURL(/\/$/);
    await expectLanguage(page, "en");
    await expect(page.locator("h1")).toHaveText("Dashboard");
    expect((await context.cookies()).find((c) => c.name === "mw_lang")?.value).toBe("en");

    await open(page, "/hosts", testInfo);
    await expectLanguage(page, "en");
  });

  test("the language link returns to the same filtered inventory URL @nojs", async ({ page }, testInfo) => {
    await open(page, "/inventory?state=paused&sort=memory&dir=desc", testInfo);
    await page.locator('a[data-lang="zh-CN"]').click();
    await expect(page).toHaveURL(/\/inventory\?state=paused&sort=memory&dir=desc$/);
    await expectLanguage(page, "zh-CN");
  });

  test("the preference redirect only goes back to local paths", async ({ request }) => {
    for (const back of ["//example.com/x", "https://example.com/", "/\\example.com"]) {
      const res = await request.get(`/prefs?lang=en&back=${encodeURIComponent(back)}`, { maxRedirects: 0 });
      expect(res.status(), back).toBe(303);
      expect(res.headers()["location"], back).toBe("/");
    }
    const ok = await request.get(`/prefs?theme=dark&back=${encodeURIComponent("/inventory?q=a&state=paused")}`, {
      maxRedirects: 0,
    });
    expect(ok.headers()["location"]).toBe("/inventory?q=a&state=paused");
    expect(ok.headers()["set-cookie"]).toContain("mw_theme=dark");
  });
});

import { expect, test } from "./support/fixtures";
import { jsEnabled, open, waitHydrated } from "./support/app";

test.describe("theme", () => {
  test("switch to dark sets data-theme=dark and keeps it; auto switches back @nojs", async ({
    page,
    context,
  }, testInfo) => {
    await open(page, "/inventory", testInfo);
    const html = page.locator("html");
    await expect(html).toHaveAttribute("data-theme", "auto");

    await page.locator('a[data-theme-opt="dark"]').click();
    await expect(page).toHaveURL(/\/inventory$/);
    await expect(html).toHaveAttribute("data-theme", "dark");
    expect((await context.cookies()).find((c) => c.name === "mw_theme")?.value).toBe("dark");
    // The page really is dark: the stylesheet follows the attribute.
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g)!.map(Number);
    expect(r + g + b, `body background ${bg}`).toBeLessThan(3 * 128);

    await open(page, "/hosts", testInfo);
    await expect(html).toHaveAttribute("data-theme", "dark");

    if (jsEnabled(testInfo)) await waitHydrated(page);
    await page.locator('a[data-theme-opt="auto"]').click();
    await expect(page).toHaveURL(/\/hosts$/);
    await expect(html).toHaveAttribute("data-theme", "auto");
  });
});

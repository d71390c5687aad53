import { expect, test } from "@playwright/test";
import { beaconRequests, customerPage, sitePort, stored } from "./customer";
import { page as plausiblePage, snippet } from "./plausible";

/** Playwright's own Chromium reports navigator.webdriver: the tracker stays silent. */
test("skips browsers driven by automation (navigator.webdriver)", async ({ page, request }) => {
  // The page's host is a subdomain of the site: a beacon, if sent, would count.
  const siteId = await customerPage(request, "pagepulse.test", "bot.html");
  const sent = beaconRequests(page);
  await page.goto(`http://shop.pagepulse.test:${sitePort}/bot.html`);
  expect(await page.evaluate(() => navigator.webdriver)).toBe(true);
  await expect.poll(() => page.evaluate(() => typeof (window as any).pagepulse)).toBe("function");
  await page.evaluate(() => (window as any).pagepulse("Signup"));
  await page.waitForTimeout(1000);
  expect(sent).toEqual([]);
  expect(stored(siteId)).toEqual([]);
});

test("Plausible's script stays silent too", async ({ page }) => {
  const requests: string[] = [];
  page.on("request", (req) => req.method() === "POST" && requests.push(req.url()));
  await page.goto(
    plausiblePage("shop.pagepulse.test", "bot-plausible.html", snippet("script.js", `data-domain="shop.pagepulse.test"`)),
  );
  await expect.poll(() => page.evaluate(() => typeof (window as any).plausible)).toBe("function");
  await page.evaluate(() => (window as any).plausible("Signup"));
  await page.waitForTimeout(1000);
  expect(requests).toEqual([]);
});

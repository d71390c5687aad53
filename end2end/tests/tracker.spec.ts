import { expect, test } from "@playwright/test";
import { beaconRequests, CHROME, customerPage, sitePort, stored } from "./customer";

/**
 * The tracker in a person's browser (not flagged as automated, an ordinary user
 * agent) on a customer's page on another origin.
 */
test.use({
  userAgent: CHROME,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    ignoreDefaultArgs: ["--enable-automation"],
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-blink-features=AutomationControlled",
      "--host-resolver-rules=MAP shop.pagepulse.test 127.0.0.1",
    ],
  },
});

test("records the pageview, SPA navigations once each, the way back and a custom event", async ({ page, request }) => {
  const siteId = await customerPage(request, "shop.pagepulse.test", "spa.html");
  const beacons: number[] = [];
  page.on("response", (res) => {
    if (res.url().endsWith("/api/v1/event")) beacons.push(res.status());
  });
  await page.goto(`http://shop.pagepulse.test:${sitePort}/spa.html`);
  expect(await page.evaluate(() => navigator.webdriver)).toBe(false);
  await expect.poll(() => stored(siteId).length).toBe(1);
  expect(stored(siteId)[0]).toMatchObject({ name: "pageview", path: "/spa.html", hostname: "shop.pagepulse.test" });

  // An SPA route change records the new path; pushing it again does not.
  await page.evaluate(() => history.pushState({}, "", "/pricing"));
  await expect.poll(() => stored(siteId).length).toBe(2);
  await page.evaluate(() => history.pushState({ again: true }, "", "/pricing"));
  // Back to /spa.html: popstate records the way back.
  await page.evaluate(() => history.go(-2));
  await expect.poll(() => stored(siteId).length).toBe(3);

  await page.evaluate(() => (window as any).pagepulse("Signup", { plan: "pro" }));
  await expect.poll(() => stored(siteId).length).toBe(4);

  const events = stored(siteId);
  expect(events.map((e) => [e.name, e.path])).toEqual([
    ["pageview", "/spa.html"],
    ["pageview", "/pricing"],
    ["pageview", "/spa.html"],
    ["Signup", "/spa.html"],
  ]);
  expect(JSON.parse(events[3].props!)).toEqual({ plan: "pro" });
  // Where the browser reports the responses (a page being left may not), all were 202.
  expect(beacons.every((status) => status === 202)).toBe(true);
});

test("skips pages on localhost", async ({ page, request }) => {
  await customerPage(request, "local.pagepulse.test", "local.html");
  const sent = beaconRequests(page);
  await page.goto(`http://localhost:${sitePort}/local.html`);
  // The script ran (its API exists) yet sent nothing, even when asked to.
  await expect.poll(() => page.evaluate(() => typeof (window as any).pagepulse)).toBe("function");
  await page.evaluate(() => (window as any).pagepulse("Signup"));
  await page.waitForTimeout(1000);
  expect(sent).toEqual([]);
});

import { expect, test, type Page } from "@playwright/test";
import { sitePort, stored } from "./customer";
import { beacons, collector, page as customerPage, personBrowser, sites, snippet, type Beacon } from "./plausible";

/**
 * Plausible's engagement events: how far down a page was seen and for how long
 * it was in front, sent when the page is left or hidden and before an SPA
 * navigation. Each attaches to the pageview it reports on and is never stored
 * as an event of its own.
 */
test.use(personBrowser);

const engagements = (sent: Beacon[]) => sent.filter((b) => b.n === "engagement");
const tall = `<div style="height: 4000px">Long read</div>`;
const hide = (page: Page) =>
  page.evaluate(() => {
    Object.defineProperty(document, "hidden", { value: true, configurable: true });
    Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  });

test("an SPA navigation and hiding the page each report the page's scroll depth and engaged time", async ({
  page,
  request,
}) => {
  const [siteId] = await sites(request, "engage.pagepulse.test");
  const url = customerPage(
    "engage.pagepulse.test",
    "article.html",
    snippet("script.hash.js", `data-domain="engage.pagepulse.test"`),
    tall,
  );
  const sent = beacons(page);
  await page.goto(url);
  await expect.poll(() => sent.length).toBe(1);
  await page.mouse.wheel(0, 1500);
  await expect.poll(() => page.evaluate(() => scrollY)).toBeGreaterThan(1000);
  await page.waitForTimeout(700);

  await page.evaluate(() => history.pushState({}, "", "/next"));
  await expect.poll(() => sent.map((b) => b.n)).toEqual(["pageview", "engagement", "pageview"]);
  const [first] = engagements(sent);
  // The page left, with what the pageview said of it.
  expect(first).toMatchObject({ u: url, d: "engage.pagepulse.test", h: 1 });
  const depth = await page.evaluate(() => Math.round(((scrollY + innerHeight) / document.documentElement.scrollHeight) * 100));
  expect(first.sd).toBe(depth);
  expect(first.sd).toBeGreaterThan(30);
  expect(first.e).toBeGreaterThanOrEqual(600);
  expect(first.e).toBeLessThan(10_000);

  // Hidden: the new page's first engagement, then nothing more until there is
  // more to say (deeper, or 3 s more in front).
  await hide(page);
  await expect.poll(() => engagements(sent).length).toBe(2);
  const second = engagements(sent)[1];
  expect(second.u).toBe(`http://engage.pagepulse.test:${sitePort}/next`);
  expect(second.e).toBeLessThan(first.e! + 5_000);
  await hide(page);
  await page.waitForTimeout(500);
  expect(engagements(sent).length).toBe(2);

  // Stored: each report on its own page's pageview, the one before the
  // pushState on the first, none as an event.
  await expect
    .poll(() => stored(siteId).map((e) => [e.name, e.path, e.scroll_depth, e.engaged_ms]))
    .toEqual([
      ["pageview", "/article.html", first.sd, first.e],
      ["pageview", "/next", second.sd, second.e],
    ]);
});

test("leaving the page sends its engagement, to the endpoint data-api names", async ({ page }) => {
  const endpoint = await collector();
  try {
    const url = customerPage(
      "leave.pagepulse.test",
      "leave.html",
      snippet("script.js", `data-domain="leave.pagepulse.test" data-api="${endpoint.url}"`),
      tall,
    );
    await page.goto(url);
    await expect.poll(() => endpoint.received.map((b) => b.n)).toEqual(["pageview"]);
    await page.mouse.wheel(0, 600);
    await expect.poll(() => page.evaluate(() => scrollY)).toBeGreaterThan(300);
    await page.goto(`http://127.0.0.1:${sitePort}/`);
    await expect.poll(() => endpoint.received.map((b) => b.n)).toEqual(["pageview", "engagement"]);
    const [, left] = endpoint.received;
    expect(left).toMatchObject({ u: url, d: "leave.pagepulse.test" });
    expect(left.sd).toBeGreaterThan(0);
    expect(left.sd).toBeLessThanOrEqual(100);
    expect(left.e).toBeGreaterThanOrEqual(0);
  } finally {
    endpoint.close();
  }
});

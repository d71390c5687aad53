import { expect, test } from "@playwright/test";
import { beacons, counted, page as customerPage, personBrowser, sites, snippet } from "./plausible";

/**
 * "Ignore my visits": the flag keeps a browser's pageviews from being sent at
 * all, and PagePulse's own page sets and clears it.
 */
test.use(personBrowser);

test("ignore my visits: the flag keeps a browser's pageviews unsent, and the page toggles it", async ({ page, request }) => {
  const [site] = await sites(request, "ignored.pagepulse.test");
  const url = customerPage("ignored.pagepulse.test", "ignored.html", snippet("script.js", `data-domain="ignored.pagepulse.test"`));
  const sent = beacons(page);
  await page.goto(url);
  await expect.poll(() => counted(site).length).toBe(1);
  // The flag as Plausible's documentation sets it, on the site's origin.
  await page.evaluate(() => localStorage.setItem("plausible_ignore", "true"));
  await page.reload();
  await page.evaluate(() => history.pushState({}, "", "/other"));
  await expect.poll(() => page.evaluate(() => typeof (window as any).plausible)).toBe("function");
  await page.waitForTimeout(500);
  expect(sent).toHaveLength(1);
  expect(counted(site)).toHaveLength(1);
  await page.evaluate(() => localStorage.removeItem("plausible_ignore"));
  await page.goto(url);
  await expect.poll(() => counted(site).length).toBe(2);

  // The page on PagePulse's own origin sets and clears the same flag there.
  await page.goto("/ignore");
  await expect(page.getByTestId("ignore-status")).toHaveText(/are counted/);
  await page.getByTestId("ignore-toggle").click();
  await expect(page.getByTestId("ignore-status")).toHaveText(/are ignored/);
  expect(await page.evaluate(() => localStorage.getItem("plausible_ignore"))).toBe("true");
  await page.reload();
  await expect(page.getByTestId("ignore-status")).toHaveText(/are ignored/);
  await page.getByTestId("ignore-toggle").click();
  await expect(page.getByTestId("ignore-status")).toHaveText(/are counted/);
  expect(await page.evaluate(() => localStorage.getItem("plausible_ignore"))).toBeNull();
});

import { expect, test, type Page } from "@playwright/test";
import { addHistory, CHROME } from "./customer";

/**
 * The dashboard as its owner uses it: ranges and filters switch without a page
 * load, the state is in the URL (back works), hostile values stay text, the
 * chart draws under a nonce-only CSP, and the share link works signed out.
 */

function watch(page: Page) {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of 4\d\d/.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return problems;
}

const card = (page: Page, name: string) => page.getByTestId(`stat-${name}`).getByTestId("value");

test("switches ranges and filters in place, goes back, and shares", async ({ page, browser }) => {
  const problems = watch(page);
  const email = `owner-${Date.now()}@example.com`;
  const register = await page.request.post("/api/v1/auth/register", {
    data: { email, password: "correct horse battery", name: "Owner" },
  });
  expect(register.status()).toBe(201);
  const created = await page.request.post("/api/v1/sites", { data: { name: "Shop", domain: "dash.pagepulse.test" } });
  const site = await created.json();
  const beacon = await page.request.post("/api/v1/event", {
    headers: { "user-agent": CHROME, "content-type": "text/plain" },
    data: JSON.stringify({ s: site.id, u: "https://dash.pagepulse.test/", w: 1280 }),
  });
  expect(beacon.status()).toBe(202);
  expect(beacon.headers()["x-pagepulse-dropped"]).toBeUndefined();
  const hostile = "/blog/<script>alert(1)</script>";
  addHistory(site.id, [
    { daysAgo: 3, path: hostile, source: "news.ycombinator.com", visitor: 101 },
    { daysAgo: 3, path: "/", source: "news.ycombinator.com", visitor: 102 },
    ...[201, 202, 203, 204].map((visitor) => ({ daysAgo: 20, path: "/old", source: "", visitor })),
  ]);

  await page.goto(`/sites/${site.id}?period=7d`);
  await expect(card(page, "pageviews")).toHaveText("3");
  // Hydrated once the chart is drawn (ECharts from our own origin).
  // The first page to hydrate compiles the wasm, which a busy machine takes a while over.
  await expect(page.locator("#visitors-chart canvas")).toHaveCount(1, { timeout: 20_000 });
  // The chart follows the window's width.
  const chartWidth = () => page.locator("#visitors-chart canvas").evaluate((c) => c.getBoundingClientRect().width);
  const wide = await chartWidth();
  await page.setViewportSize({ width: 700, height: 900 });
  await expect.poll(chartWidth).toBeLessThan(wide - 100);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.evaluate(() => ((window as any).__samePage = true));
  const samePage = () => page.evaluate(() => (window as any).__samePage === true);

  await page.getByTestId("period-30d").click();
  await expect(page).toHaveURL(/period=30d/);
  await expect(card(page, "pageviews")).toHaveText("7");
  await page.getByTestId("period-today").click();
  await expect(card(page, "pageviews")).toHaveText("1");
  await page.getByTestId("period-7d").click();
  await expect(card(page, "pageviews")).toHaveText("3");
  expect(await samePage()).toBe(true);

  // The hostile path is shown as text and never runs.
  await expect(page.getByTestId("table-page")).toContainText(hostile);

  await page.getByTestId("table-referrer").getByRole("link", { name: "news.ycombinator.com" }).click();
  await expect(page).toHaveURL(/referrer=news\.ycombinator\.com/);
  await expect(page.getByTestId("filter-chip")).toHaveText(/Source is news\.ycombinator\.com/);
  await expect(card(page, "pageviews")).toHaveText("2");
  await expect(card(page, "visitors")).toHaveText("2");

  await page.goBack();
  await expect(page.getByTestId("filter-chip")).toHaveCount(0);
  await expect(card(page, "pageviews")).toHaveText("3");
  expect(await samePage()).toBe(true);
  // A custom range from the date inputs: 25 to 10 days ago holds the four /old views.
  const day = (ago: number) => new Date(Date.now() - ago * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel("Start date").fill(day(25));
  await page.getByLabel("End date").fill(day(10));
  await page.getByTestId("custom-range").getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(new RegExp(`period=custom.*start=${day(25)}.*end=${day(10)}`));
  await expect(card(page, "pageviews")).toHaveText("4");
  expect(await samePage()).toBe(true);
  await page.goBack();
  await expect(card(page, "pageviews")).toHaveText("3");

  // Reloading the same URL gives the same numbers.
  await page.reload();
  await expect(card(page, "pageviews")).toHaveText("3");

  const shared = await page.request.patch(`/api/v1/sites/${site.id}`, { data: { public: true } });
  expect(shared.status()).toBe(200);
  const stranger = await browser.newContext();
  const other = await stranger.newPage();
  const otherProblems = watch(other);
  await other.goto(`/share/${site.id}?period=30d`);
  await expect(card(other, "pageviews")).toHaveText("7");
  await expect(other.getByTestId("export")).toHaveCount(0);
  await expect(other.locator("#visitors-chart canvas")).toHaveCount(1, { timeout: 20_000 });
  await stranger.close();
  expect([...problems, ...otherProblems]).toEqual([]);
});

test("lists custom events, filters by one in place and shows its properties", async ({ page }) => {
  const problems = watch(page);
  const register = await page.request.post("/api/v1/auth/register", {
    data: { email: `events-${Date.now()}@example.com`, password: "correct horse battery", name: "Owner" },
  });
  expect(register.status()).toBe(201);
  const created = await page.request.post("/api/v1/sites", { data: { name: "Shop", domain: "events.pagepulse.test" } });
  const site = await created.json();
  for (const body of [
    { n: "pageview", u: "https://events.pagepulse.test/", d: "events.pagepulse.test" },
    { n: "Signup", u: "https://events.pagepulse.test/", d: "events.pagepulse.test", p: { plan: "pro" } },
    { n: "Download", u: "https://events.pagepulse.test/", d: "events.pagepulse.test" },
  ]) {
    const sent = await page.request.post("/api/event", {
      headers: { "user-agent": CHROME, "content-type": "text/plain" },
      data: JSON.stringify(body),
    });
    expect(sent.status()).toBe(202);
  }
  await page.goto(`/sites/${site.id}?period=today`);
  await expect(page.locator("#visitors-chart canvas")).toHaveCount(1, { timeout: 20_000 });
  await page.evaluate(() => ((window as any).__samePage = true));
  const events = page.getByTestId("table-event");
  await expect(events).toContainText("Signup");
  await expect(events).toContainText("Download");
  await expect(page.getByTestId("table-prop")).toHaveCount(0);

  await events.getByRole("link", { name: "Signup" }).click();
  await expect(page).toHaveURL(/event=Signup/);
  await expect(page.getByTestId("filter-chip")).toHaveText(/Event is Signup/);
  await expect(page.getByTestId("table-prop")).toContainText("plan: pro");
  await expect(card(page, "visitors")).toHaveText("1");
  expect(await page.evaluate(() => (window as any).__samePage === true)).toBe(true);

  await page.goBack();
  await expect(page.getByTestId("table-prop")).toHaveCount(0);
  expect(problems).toEqual([]);
});

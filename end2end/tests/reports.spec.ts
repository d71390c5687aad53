import { expect, test, type Page } from "@playwright/test";
import { CHROME } from "./customer";

/**
 * The reports a Plausible user looks for, each with the API's numbers on
 * screen: goal conversions (a click filters by the goal), entry and exit
 * pages, channels and UTM terms as tabs, a top 9 with a searchable "Details"
 * view, the filter dialog (is not), the graph's interval and comparison,
 * a funnel picked in the URL, back and forward, and the public share page.
 */

function watch(page: Page) {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of 4\d\d/.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  return problems;
}

const card = (page: Page, name: string) => page.getByTestId(`stat-${name}`).getByTestId("value");

// Each test's site has a domain of its own (a domain is one site's).
let DOMAIN = "reports.pagepulse.test";

async function send(page: Page, ip: string, body: Record<string, unknown>) {
  const sent = await page.request.post("/api/event", {
    headers: { "user-agent": CHROME, "content-type": "text/plain", "x-forwarded-for": ip },
    data: JSON.stringify({ d: DOMAIN, ...body }),
  });
  expect(sent.status()).toBe(202);
  expect(sent.headers()["x-pagepulse-dropped"]).toBeUndefined();
}

async function seed(page: Page) {
  DOMAIN = `reports-${Date.now()}.pagepulse.test`;
  const register = await page.request.post("/api/v1/auth/register", {
    data: { email: `reports-${Date.now()}@example.com`, password: "correct horse battery", name: "Owner" },
  });
  expect(register.status()).toBe(201);
  const site = await (await page.request.post("/api/v1/sites", { data: { name: "Reports", domain: DOMAIN } })).json();
  const url = (path: string) => `https://${DOMAIN}${path}`;
  await send(page, "10.9.0.1", { n: "pageview", u: url("/"), r: "https://www.google.com/" });
  await send(page, "10.9.0.1", { n: "pageview", u: url("/docs/intro"), r: "https://www.google.com/" });
  await send(page, "10.9.0.1", { n: "Signup", u: url("/docs/intro"), r: "https://www.google.com/" });
  const campaign = "?utm_source=newsletter&utm_medium=email&utm_term=analytics&utm_content=banner";
  await send(page, "10.9.0.2", { n: "pageview", u: url(`/pricing${campaign}`) });
  await send(page, "10.9.0.2", { n: "pageview", u: url("/docs/api") });
  await send(page, "10.9.0.3", { n: "pageview", u: url("/") });
  for (let i = 0; i < 11; i++) await send(page, `10.9.1.${i}`, { n: "pageview", u: url(`/p${i}`) });
  for (const goal of [{ event_name: "Signup" }, { page_path: "/docs*" }]) {
    const made = await page.request.post(`/api/v1/sites/${site.id}/goals`, { data: goal });
    expect(made.status()).toBe(201);
  }
  const funnel = await page.request.post(`/api/v1/sites/${site.id}/funnels`, {
    data: { name: "Docs to signup", steps: [{ page: "/" }, { page: "/docs*" }, { goal: "Signup" }] },
  });
  expect(funnel.status()).toBe(201);
  return { site: site.id as string, funnel: (await funnel.json()).id as number };
}

test("shows goals, tabs, details, the filter dialog, graph controls and a funnel", async ({ page, browser }) => {
  const problems = watch(page);
  const { site, funnel } = await seed(page);
  const api = async (query: string) =>
    (await page.request.get(`/api/v1/sites/${site}/analytics?period=today${query}`)).json();
  const r = await api("");

  await page.goto(`/sites/${site}?period=today`);
  await expect(page.locator("#visitors-chart canvas")).toHaveCount(1, { timeout: 20_000 });
  await page.evaluate(() => ((window as any).__samePage = true));
  const samePage = () => page.evaluate(() => (window as any).__samePage === true);
  await expect(card(page, "visitors")).toHaveText(String(r.summary.visitors));

  // Goal conversions, as the API counts them.
  const goals = page.getByTestId("table-goal");
  expect(r.goals.length).toBe(2);
  for (const [i, goal] of r.goals.entries()) {
    const row = goals.getByTestId("row").nth(i);
    await expect(row).toContainText(goal.name);
    await expect(row.getByTestId("visitors")).toHaveText(String(goal.visitors));
  }

  // Entry pages, channels and UTM terms are tabs of their panels.
  await expect(page.getByTestId("table-entry_page")).toBeHidden();
  await page.getByTestId("tab-entry_page").click();
  const entries = page.getByTestId("table-entry_page");
  await expect(entries).toBeVisible();
  await expect(entries.getByTestId("row")).toHaveCount(Math.min(9, r.entry_pages.length));
  await expect(entries.getByTestId("row").first()).toContainText(r.entry_pages[0].path);
  await page.getByTestId("tab-channel").click();
  for (const channel of r.channels) await expect(page.getByTestId("table-channel")).toContainText(channel.name);
  // Channels and sources carry an icon drawn from their name: no image, no request.
  const channelRows = page.getByTestId("table-channel").getByTestId("row");
  await expect(channelRows.getByTestId("source-icon")).toHaveCount(r.channels.length);
  await expect(page.getByTestId("table-channel").locator("img")).toHaveCount(0);
  await page.getByTestId("tab-utm_term").click();
  await expect(page.getByTestId("table-utm_term")).toContainText("analytics");

  // The top 9 pages, then all of them in "Details", searchable.
  await page.getByTestId("tab-page").click();
  const pages = page.getByTestId("table-page");
  await expect(pages.getByTestId("row")).toHaveCount(9);
  await pages.getByTestId("details").click();
  await expect(pages.getByTestId("row")).toHaveCount(r.pages.length);
  await pages.getByTestId("details-search").fill("docs");
  await expect(pages.getByTestId("row")).toHaveCount(2);

  // A click on a goal filters the whole dashboard by it.
  await goals.getByRole("link", { name: "Signup" }).click();
  await expect(page).toHaveURL(/goal=Signup/);
  await expect(page.getByTestId("filter-chip")).toHaveText(/Goal is Signup/);
  const signed = await api("&goal=Signup");
  await expect(card(page, "visitors")).toHaveText(String(signed.summary.visitors));
  await page.getByTestId("filter-chip").click();
  await expect(page.getByTestId("filter-chip")).toHaveCount(0);

  // The filter dialog: page is not /.
  await page.getByTestId("add-filter").click();
  await page.getByTestId("filter-dimension").selectOption("page");
  await page.getByTestId("filter-operator").selectOption("!");
  await page.getByTestId("filter-value").fill("/");
  await page.getByTestId("filter-apply").click();
  await expect(page.getByTestId("filter-chip")).toHaveText(/Page is not \//);
  const notHome = await api("&page!=/");
  await expect(card(page, "pageviews")).toHaveText(String(notHome.summary.pageviews));
  expect(notHome.summary.pageviews).toBeLessThan(r.summary.pageviews);
  await page.getByTestId("filter-chip").click();

  // The graph by day, then without a comparison.
  await page.getByTestId("interval-day").click();
  await expect(page).toHaveURL(/interval=day/);
  await page.getByTestId("compare-off").click();
  await expect(page.getByTestId("stat-visitors").getByTestId("change")).toHaveText("not compared");

  // A funnel, picked in the URL.
  await page.getByTestId("funnel-choice").click();
  await expect(page).toHaveURL(new RegExp(`funnel=${funnel}`));
  const counted = await (
    await page.request.get(`/api/v1/sites/${site}/funnels/${funnel}?period=today`)
  ).json();
  const steps = page.getByTestId("funnel-step");
  await expect(steps).toHaveCount(3);
  for (const [i, step] of counted.steps.entries()) {
    await expect(steps.nth(i).getByTestId("step-visitors")).toHaveText(String(step.visitors));
  }
  expect(counted.steps[2].visitors).toBe(1);
  await page.goBack();
  await expect(page.getByTestId("funnel-steps")).toHaveCount(0);
  await page.goForward();
  await expect(steps).toHaveCount(3);
  expect(await samePage()).toBe(true);

  // The public share page shows the same reports to anyone.
  expect((await page.request.patch(`/api/v1/sites/${site}`, { data: { public: true } })).status()).toBe(200);
  const stranger = await browser.newContext();
  const other = await stranger.newPage();
  const otherProblems = watch(other);
  await other.goto(`/share/${site}?period=today&funnel=${funnel}`);
  await expect(other.getByTestId("table-goal").getByTestId("row")).toHaveCount(2);
  await expect(other.getByTestId("funnel-step")).toHaveCount(3);
  // Tabs switch once the page is hydrated (its chart drawn).
  await expect(other.locator("#visitors-chart canvas")).toHaveCount(1, { timeout: 20_000 });
  await other.getByTestId("tab-exit_page").click();
  await expect(other.getByTestId("table-exit_page")).toBeVisible();
  await stranger.close();
  expect([...problems, ...otherProblems]).toEqual([]);
});

test("funnels are added on the settings page, and a bad one is refused with a reason", async ({ page }) => {
  const problems = watch(page);
  const { site } = await seed(page);
  await page.goto(`/sites/${site}/settings`);
  const section = page.getByTestId("funnels");
  await expect(section.getByTestId("funnel-list")).toContainText("Docs to signup");
  await section.getByLabel("Funnel name").fill("Pricing");
  await section.getByLabel("Steps").fill("/pricing\n/docs*");
  await section.getByRole("button", { name: "Add funnel" }).click();
  await expect(section.getByTestId("funnel-list")).toContainText("Visit /pricing → Visit /docs*");
  await section.getByLabel("Funnel name").fill("Too short");
  await section.getByLabel("Steps").fill("/pricing");
  await section.getByRole("button", { name: "Add funnel" }).click();
  await expect(section.getByTestId("funnel-error")).toContainText("2 to 8 steps");
  const listed = await (await page.request.get(`/api/v1/sites/${site}/funnels`)).json();
  expect(listed.map((f: { name: string }) => f.name)).toEqual(["Docs to signup", "Pricing"]);
  expect(problems).toEqual([]);
});

test("revenue goals show what they brought in, a click on a top stat graphs it, and the realtime view shows the last 30 minutes", async ({ page }) => {
  const problems = watch(page);
  const { site } = await seed(page);
  const api = async (query: string) =>
    (await page.request.get(`/api/v1/sites/${site}/analytics?${query}`)).json();

  // A revenue goal: what its events brought in, total and average.
  const made = await page.request.post(`/api/v1/sites/${site}/goals`, {
    data: { event_name: "Purchase", currency: "EUR" },
  });
  expect(made.status()).toBe(201);
  for (const [ip, amount] of [["10.9.3.1", 12.5], ["10.9.3.2", 30]] as const) {
    await send(page, ip, { n: "Purchase", u: `https://${DOMAIN}/checkout`, $: { amount, currency: "EUR" } });
  }
  const purchase = (await api("period=today")).goals.find((g: { name: string }) => g.name === "Purchase");
  expect(purchase.revenue).toEqual({ currency: "EUR", total: 42.5, average: 21.25 });

  await page.goto(`/sites/${site}?period=today`);
  await expect(page.locator("#visitors-chart canvas")).toHaveCount(1, { timeout: 20_000 });
  const revenue = page.getByTestId("goal-revenue").getByTestId("revenue-row");
  await expect(revenue).toHaveCount(1);
  await expect(revenue.getByTestId("revenue-total")).toHaveText("EUR 42.50");
  await expect(revenue.getByTestId("revenue-average")).toHaveText("EUR 21.25");
  // Only the dashboard loads ECharts, and only our own build of it.
  const scripts = await page.evaluate(() => [...document.scripts].map((s) => s.src).filter((s) => s.includes("echarts")));
  expect(scripts).toEqual([expect.stringMatching(/\/vendor\/echarts\.js$/)]);
  await page.evaluate(() => ((window as any).__samePage = true));
  await expect(page.getByTestId("visitors-chart-title")).toHaveText("Visitors over time");
  await page.getByTestId("stat-bounce-rate").click();
  await expect(page).toHaveURL(/metric=bounce_rate/);
  await expect(page.getByTestId("visitors-chart-title")).toHaveText("Bounce rate (%) over time");
  await expect(page.getByTestId("stat-bounce-rate")).toHaveAttribute("aria-current", "true");
  const bounces = await api("period=today&metric=bounce_rate");
  const hourly = bounces.timeseries.map((p: { value: number }) => p.value);
  expect(hourly.some((v: number) => v > 0)).toBe(true);
  const drawn = await page.evaluate(() => {
    const chart = (window as any).echarts.getInstanceByDom(document.getElementById("visitors-chart"));
    return chart.getOption().series[0].data;
  });
  expect(drawn).toEqual(hourly);
  await page.goBack();
  await expect(page.getByTestId("visitors-chart-title")).toHaveText("Visitors over time");

  // Realtime: the last 30 minutes, their pages and sources, in place.
  await page.getByTestId("period-realtime").click();
  await expect(page).toHaveURL(/period=realtime/);
  await expect(page.getByTestId("period-text")).toContainText("the last 30 minutes");
  const live = await api("period=realtime");
  expect(live.timeseries.length).toBe(30);
  await expect(card(page, "pageviews")).toHaveText(String(live.summary.pageviews));
  await expect(page.getByTestId("table-page").getByTestId("row")).toHaveCount(Math.min(9, live.pages.length));
  await expect(page.getByTestId("graph-controls")).toHaveCount(0);
  await expect(page.getByTestId("panel-countries")).toHaveCount(0);
  // A visit arrives: the view shows it without a page load.
  await send(page, "10.9.2.1", { n: "pageview", u: `https://${DOMAIN}/just-now` });
  await expect(card(page, "pageviews")).toHaveText(String(live.summary.pageviews + 1), { timeout: 20_000 });
  expect(await page.evaluate(() => (window as any).__samePage === true)).toBe(true);
  expect(problems).toEqual([]);
});

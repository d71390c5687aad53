import { expect, test, type Page } from "@playwright/test";
import { CHROME } from "./customer";

/**
 * Custom properties picked by key and clicked to filter, entry and exit
 * pages with their bounce and exit rates, the "Details" view sorted and
 * paged, and a comparison with a custom range: each with the API's numbers
 * on screen.
 */

const card = (page: Page, name: string) => page.getByTestId(`stat-${name}`).getByTestId("value");

async function seed(page: Page) {
  const domain = `props-${Date.now()}.pagepulse.test`;
  const register = await page.request.post("/api/v1/auth/register", {
    data: { email: `props-${Date.now()}@example.com`, password: "correct horse battery", name: "Owner" },
  });
  expect(register.status()).toBe(201);
  const site = await (await page.request.post("/api/v1/sites", { data: { name: "Props", domain } })).json();
  const send = async (ip: string, body: Record<string, unknown>) => {
    const sent = await page.request.post("/api/event", {
      headers: { "user-agent": CHROME, "content-type": "text/plain", "x-forwarded-for": ip },
      data: JSON.stringify({ d: domain, ...body }),
    });
    expect(sent.status()).toBe(202);
  };
  const url = (path: string) => `https://${domain}${path}`;
  await send("10.8.0.1", { n: "pageview", u: url("/"), p: { plan: "pro", ab: "b" } });
  await send("10.8.0.1", { n: "Signup", u: url("/"), p: { plan: "pro" } });
  await send("10.8.0.2", { n: "pageview", u: url("/"), p: { plan: "free" } });
  await send("10.8.0.2", { n: "pageview", u: url("/pricing") });
  await send("10.8.0.3", { n: "pageview", u: url("/pricing"), p: { plan: "free" } });
  // Enough pages for two pages of "Details".
  for (let i = 0; i < 24; i++) await send(`10.8.1.${i}`, { n: "pageview", u: url(`/p${String(i).padStart(2, "0")}`) });
  return site.id as string;
}

test("properties by key filter the dashboard; details sort and page; entry and exit rates; a custom comparison", async ({ page }) => {
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(err.message));
  const site = await seed(page);
  const api = async (query: string) =>
    (await page.request.get(`/api/v1/sites/${site}/analytics?period=today${query}`)).json();
  const r = await api("");
  expect(r.property_keys).toEqual(["plan", "ab"]);

  await page.goto(`/sites/${site}?period=today`);
  await expect(page.locator("#visitors-chart canvas")).toHaveCount(1, { timeout: 20_000 });
  await page.evaluate(() => ((window as any).__samePage = true));

  // The most carried key first, its values as the API counts them.
  const panel = page.getByTestId("panel-properties");
  await expect(panel.getByTestId("property-key")).toHaveValue("plan");
  const rows = panel.getByTestId("row");
  await expect(rows).toHaveCount(r.properties.length);
  for (const [i, prop] of r.properties.entries()) {
    await expect(rows.nth(i)).toContainText(prop.value);
    await expect(rows.nth(i).getByTestId("visitors")).toHaveText(String(prop.visitors));
  }
  // Another key, kept in the URL.
  await panel.getByTestId("property-key").selectOption("ab");
  await expect(page).toHaveURL(/property=ab/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("b");
  await page.goBack();
  await expect(panel.getByTestId("property-key")).toHaveValue("plan");

  // A click on a value filters the whole dashboard by it.
  await panel.getByRole("link", { name: "pro" }).click();
  await expect(page).toHaveURL(/prop(:|%3A)plan=pro/);
  await expect(page.getByTestId("filter-chip")).toHaveText(/plan is pro/);
  const pro = await api("&prop:plan=pro");
  expect(pro.summary.visitors).toBe(1);
  await expect(card(page, "visitors")).toHaveText(String(pro.summary.visitors));
  await expect(card(page, "pageviews")).toHaveText(String(pro.summary.pageviews));
  await page.getByTestId("filter-chip").click();
  await expect(card(page, "visitors")).toHaveText(String(r.summary.visitors));

  // The filter dialog offers the keys as a "Property" dimension: plan is not pro.
  await page.getByTestId("add-filter").click();
  await page.getByTestId("filter-dimension").selectOption("prop");
  await expect(page.getByTestId("filter-property")).toBeVisible();
  await page.getByTestId("filter-property").selectOption("plan");
  await page.getByTestId("filter-operator").selectOption("!");
  await page.getByTestId("filter-value").fill("pro");
  await page.getByTestId("filter-apply").click();
  await expect(page.getByTestId("filter-chip")).toHaveText(/plan is not pro/);
  const notPro = await api("&prop:plan!=pro");
  expect(notPro.summary.visitors).toBeLessThan(r.summary.visitors);
  await expect(card(page, "visitors")).toHaveText(String(notPro.summary.visitors));
  await page.getByTestId("filter-chip").click();
  await expect(card(page, "visitors")).toHaveText(String(r.summary.visitors));

  // Entry pages carry their bounce rate, exit pages their exit rate.
  await page.getByTestId("tab-entry_page").click();
  const entry = page.getByTestId("table-entry_page");
  const home = r.entry_pages.find((row: { path: string }) => row.path === "/");
  const linked = (path: string) => ({ has: page.getByRole("link", { name: path, exact: true }) });
  await expect(entry.getByTestId("row").filter(linked("/"))).toContainText(`${Math.round(home.bounce_rate)}%`);
  await page.getByTestId("tab-exit_page").click();
  const exit = page.getByTestId("table-exit_page");
  const pricing = r.exit_pages.find((row: { path: string }) => row.path === "/pricing");
  await expect(exit.getByTestId("row").filter(linked("/pricing"))).toContainText(`${Math.round(pricing.exit_rate)}%`);

  // Details: 20 rows a page, sorted by a click on a column.
  await page.getByTestId("tab-page").click();
  const pages = page.getByTestId("table-page");
  await pages.getByTestId("details").click();
  await expect(pages.getByTestId("row")).toHaveCount(20);
  await expect(pages.getByTestId("page-at")).toHaveText("1 of 2");
  await pages.getByTestId("page-next").click();
  await expect(pages.getByTestId("row")).toHaveCount(r.pages.length - 20);
  await expect(pages.getByTestId("page-next")).toBeDisabled();
  await pages.getByTestId("page-previous").click();
  await expect(pages.getByTestId("row").first()).toContainText("/");
  await pages.getByTestId("sort-visitors").click();
  await expect(pages.getByTestId("sort-visitors")).toHaveAttribute("aria-sort", "ascending");
  await expect(pages.getByTestId("row").first().getByTestId("visitors")).toHaveText("1");
  await expect(pages.getByTestId("page-at")).toHaveText("1 of 2");

  // A custom comparison: the compared range comes from the form.
  const compare = page.getByTestId("custom-compare");
  const today = r.period.start as string;
  const weekAgo = new Date(Date.parse(today) - 7 * 86_400_000).toISOString().slice(0, 10);
  await compare.getByLabel("Compare from").fill(weekAgo);
  await compare.getByLabel("Compare until").fill(weekAgo);
  await compare.getByRole("button", { name: "Compare" }).click();
  await expect(page).toHaveURL(/compare=custom/);
  const compared = await api(`&compare=custom&compare_start=${weekAgo}&compare_end=${weekAgo}`);
  expect(compared.compared.start).toBe(weekAgo);
  await expect(page.getByTestId("stat-visitors").getByTestId("change")).not.toHaveText("not compared");
  await expect(compare.getByLabel("Compare from")).toHaveValue(weekAgo);
  expect(await page.evaluate(() => (window as any).__samePage === true)).toBe(true);
  expect(problems).toEqual([]);
});

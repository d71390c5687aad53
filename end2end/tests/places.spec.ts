import { expect, test } from "@playwright/test";
import { CHROME } from "./customer";

/**
 * Regions and cities, with the city GeoIP database the test server runs on
 * (written by `server/examples/city_mmdb.rs`): tabs of the countries panel
 * with the API's numbers, and a click on a city filters the dashboard by it.
 */
test("the countries panel has tabs for regions and cities, and a city filters", async ({ page }) => {
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of 4\d\d/.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  const domain = `places-${Date.now()}.pagepulse.test`;
  const register = await page.request.post("/api/v1/auth/register", {
    data: { email: `places-${Date.now()}@example.com`, password: "correct horse battery", name: "Owner" },
  });
  expect(register.status()).toBe(201);
  const site = await (await page.request.post("/api/v1/sites", { data: { name: "Places", domain } })).json();
  // Two in Berlin, one in Munich, one in Tallinn, one nowhere the database knows.
  for (const ip of ["198.51.100.1", "198.51.100.2", "198.51.100.70", "198.51.100.200", "10.7.0.1"]) {
    const sent = await page.request.post("/api/event", {
      headers: { "user-agent": CHROME, "content-type": "text/plain", "x-forwarded-for": ip },
      data: JSON.stringify({ n: "pageview", u: `https://${domain}/`, d: domain }),
    });
    expect(sent.status()).toBe(202);
  }
  const api = async (query: string) =>
    (await page.request.get(`/api/v1/sites/${site.id}/analytics?period=today${query}`)).json();
  const r = await api("");
  expect(r.regions).toEqual([
    { code: "DE-BE", visitors: 2 },
    { code: "DE-BY", visitors: 1 },
    { code: "EE-37", visitors: 1 },
  ]);
  expect(r.cities.map((c: { name: string }) => c.name).sort()).toEqual(["Berlin", "Munich", "Tallinn"]);

  await page.goto(`/sites/${site.id}?period=today`);
  await expect(page.locator("#visitors-chart canvas")).toHaveCount(1, { timeout: 20_000 });
  await expect(page.getByTestId("table-region")).toBeHidden();
  await page.getByTestId("tab-region").click();
  const regions = page.getByTestId("table-region").getByTestId("row");
  await expect(regions).toHaveCount(3);
  await expect(regions.first()).toContainText("DE-BE");
  await expect(regions.first().getByTestId("visitors")).toHaveText("2");

  await page.getByTestId("tab-city").click();
  const cities = page.getByTestId("table-city");
  await expect(cities.getByTestId("row")).toHaveCount(3);
  await cities.getByRole("link", { name: "Berlin" }).click();
  await expect(page).toHaveURL(/city=Berlin/);
  await expect(page.getByTestId("filter-chip")).toHaveText(/City is Berlin/);
  const filtered = await api("&city=Berlin");
  expect(filtered.summary.visitors).toBe(2);
  await expect(page.getByTestId("stat-visitors").getByTestId("value")).toHaveText("2");
  expect(problems).toEqual([]);
});

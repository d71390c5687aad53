import { expect, test, type Page } from "@playwright/test";

/**
 * The settings page comes to life on every load, and also after a form was
 * posted before it did (the browser posts it without JavaScript and lands on
 * the page again). Its resources used to be made inside the site's Suspense,
 * where the server and the browser could number them differently: hydration
 * then stopped at a later section, on some loads and not others.
 */
function watch(page: Page) {
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of 4\d\d/.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  return problems;
}

const hydrated = (page: Page) => expect(page.locator("body[data-hydrated]")).toHaveCount(1, { timeout: 20_000 });

test("the settings page hydrates on every load and after a form posted before it did", async ({ page }) => {
  const problems = watch(page);
  const stamp = Date.now();
  const register = await page.request.post("/api/v1/auth/register", {
    data: { email: `settings-${stamp}@example.com`, password: "correct horse battery", name: "Owner" },
  });
  expect(register.status()).toBe(201);
  const site = await (await page.request.post("/api/v1/sites", { data: { name: "S", domain: `settings-${stamp}.example.com` } })).json();
  const settings = `/sites/${site.id}/settings`;

  for (let i = 0; i < 6; i++) {
    await page.goto(settings);
    await hydrated(page);
    expect(problems, `load ${i + 1}`).toEqual([]);
  }

  // The wasm held back: the form posts the plain way, and the page it lands on hydrates.
  let hold = true;
  await page.route("**/pkg/*.wasm", async (route) => {
    if (hold) await new Promise((resolve) => setTimeout(resolve, 3_000));
    await route.continue().catch(() => {});
  });
  await page.goto(settings, { waitUntil: "domcontentloaded" });
  await page.getByTestId("shield-paths").fill("/admin*");
  await page.getByRole("button", { name: "Apply shields" }).click();
  hold = false;
  // Leptos sends a plain form post back to the page, which arrives with an empty query.
  await page.waitForURL(/\/settings\?$/);
  await hydrated(page);
  const rules = async () => (await (await page.request.get(`/api/v1/sites/${site.id}/shields`)).json()).paths;
  expect(await rules()).toEqual(["/admin*"]);
  expect(problems).toEqual([]);

  // Alive now: the next save goes through the page, not a new load.
  await page.evaluate(() => ((window as any).__samePage = true));
  await page.getByTestId("shield-paths").fill("/private*");
  await page.getByRole("button", { name: "Apply shields" }).click();
  await expect.poll(rules).toEqual(["/private*"]);
  expect(await page.evaluate(() => (window as any).__samePage === true)).toBe(true);
  expect(problems).toEqual([]);
});

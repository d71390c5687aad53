import { expect, test, type Page } from "@playwright/test";

async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1, { timeout: 20_000 });
}

test("an API key made on its settings page reads the Stats API until it is revoked", async ({ page, request }) => {
  test.setTimeout(90_000);
  const stamp = Date.now();
  const domain = `keys-${stamp}.example`;
  await page.goto("/register");
  await hydrated(page);
  await page.getByLabel("Name").fill("Kim Keys");
  await page.getByLabel("Email").fill(`keys-${stamp}@example.com`);
  await page.getByLabel(/^Password/).fill("a long password");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/sites$/);
  await hydrated(page);
  await page.getByLabel("Name").fill("Keys");
  await page.getByLabel("Domain").fill(domain);
  await page.getByRole("button", { name: "Add site" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await hydrated(page);

  // Goals on the site's settings page.
  const goals = page.getByTestId("goals");
  await goals.getByLabel("Event or page path").fill("Signup");
  await goals.getByRole("button", { name: "Add goal" }).click();
  await expect(page.getByTestId("goal-list")).toContainText("Signup");
  await goals.getByLabel("Kind").selectOption("page");
  await goals.getByLabel("Event or page path").fill("/blog/*");
  await goals.getByRole("button", { name: "Add goal" }).click();
  await expect(page.getByTestId("goal-list")).toContainText("Visit /blog/*");

  await page.goto("/account");
  await hydrated(page);
  await page.getByTestId("api-keys-link").click();
  await expect(page).toHaveURL(/\/settings\/api-keys$/);
  await hydrated(page);
  await expect(page.getByTestId("no-keys")).toBeVisible();
  await page.getByLabel("Name").fill("Grafana");
  await page.getByRole("button", { name: "Create key" }).click();
  const shown = page.getByTestId("new-key");
  await expect(shown).toHaveText(/^[0-9a-f]{64}$/);
  const key = (await shown.textContent())!.trim();
  await expect(page.getByTestId("key-list")).toContainText("Grafana");
  await expect(page.getByTestId("key-list")).toContainText(key.slice(0, 8));
  await expect(page.getByTestId("key-list")).not.toContainText(key);

  const headers = { authorization: `Bearer ${key}` };
  const stats = await request.get(`/api/v1/stats/aggregate?site_id=${domain}&period=day`, { headers });
  expect(stats.status()).toBe(200);
  expect(await stats.json()).toEqual({ results: { visitors: { value: 0 } } });
  const listed = await request.get(`/api/v1/sites/goals?site_id=${domain}`, { headers });
  const names = (await listed.json()).goals.map((g: { display_name: string }) => g.display_name);
  expect(names).toEqual(["Visit /blog/*", "Signup"]);

  await page.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByTestId("no-keys")).toBeVisible();
  const revoked = await request.get(`/api/v1/stats/aggregate?site_id=${domain}&period=day`, { headers });
  expect(revoked.status()).toBe(401);
});

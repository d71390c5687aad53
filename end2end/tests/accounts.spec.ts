import { expect, test, type Page } from "@playwright/test";

/**
 * Collects console errors, requests to other origins and failed responses. The
 * browser logs every 4xx as a console error, so those are kept apart: the test
 * provokes exactly the ones it expects (a field error is a 422, not a 500).
 */
function watch(page: Page, origin: string) {
  const problems: string[] = [];
  const clientErrors: number[] = [];
  page.on("console", (msg) => {
    const text = msg.text();
    if (msg.type() === "error" && !/status of 4\d\d/.test(text)) problems.push(`console: ${text}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("request", (req) => {
    if (!req.url().startsWith(origin)) problems.push(`third-party request: ${req.url()}`);
  });
  page.on("response", (res) => {
    if (res.status() >= 500) problems.push(`HTTP ${res.status()}: ${res.url()}`);
    else if (res.status() >= 400) clientErrors.push(res.status());
  });
  return { problems, clientErrors };
}

async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1, { timeout: 20_000 });
}

test("a new user signs up, adds two sites, copies the snippet, goes public, deletes one, signs out and in", async ({ page, context, baseURL }) => {
  const { problems, clientErrors } = watch(page, baseURL!);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const email = `owner-${Date.now()}@example.com`;

  // Signed out, the site list sends you to /login.
  await page.goto("/sites");
  await expect(page).toHaveURL(/\/login$/);

  await page.goto("/register");
  await hydrated(page);
  await page.getByLabel("Name").fill("Ada Owner");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel(/^Password/).fill("short");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.locator("[data-field-error=password]")).toContainText("at least 8 characters");

  await page.getByLabel(/^Password/).fill("correct horse battery");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/sites$/);
  await expect(page.getByTestId("signed-in-as")).toHaveText("Ada Owner");
  await expect(page.getByTestId("no-sites")).toBeVisible();

  // Signed in, /login sends you on to your sites.
  await page.goto("/login");
  await expect(page).toHaveURL(/\/sites$/);
  await hydrated(page);

  await page.getByLabel("Name").fill("Blog");
  await page.getByLabel("Domain").fill("not a domain");
  await page.getByRole("button", { name: "Add site" }).click();
  await expect(page.locator("[data-field-error=domain]")).toBeVisible();
  const domain = `blog-${Date.now()}.example.com`;
  await page.getByLabel("Domain").fill(`https://www.${domain}/`);
  await page.getByRole("button", { name: "Add site" }).click();
  await expect(page).toHaveURL(/\/sites\/[0-9a-f-]{36}\/settings$/);
  const siteId = page.url().split("/").at(-2)!;

  await hydrated(page);
  const snippet = page.getByTestId("snippet");
  await expect(snippet).toContainText(`data-site="${siteId}"`);
  await expect(snippet).toContainText("/js/p.js");
  await page.getByTestId("copy-snippet").click();
  await expect(page.getByTestId("copy-snippet")).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(`data-site="${siteId}"`);

  await expect(page.getByTestId("share-link")).toHaveCount(0);
  await page.getByTestId("toggle-public").click();
  await expect(page.getByTestId("share-link")).toHaveText(new RegExp(`/share/${siteId}$`));
  await expect(page.getByTestId("toggle-public")).toHaveText("Make private");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto(`/sites/${siteId}/settings`);
  await expect(page).toHaveURL(/\/login$/);

  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("invalid email or password");
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/sites$/);
  await expect(page.getByTestId("site-list")).toContainText(domain);

  // A second site: rename it, set its time zone, then delete it after confirming.
  await hydrated(page);
  const second = `shop-${Date.now()}.example.com`;
  await page.getByLabel("Name").fill("Shop");
  await page.getByLabel("Domain").fill(second);
  await page.getByRole("button", { name: "Add site" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill("Shop EU");
  await page.getByLabel(/^Time zone/).fill("Europe/Berlin");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("site-name")).toHaveText("Shop EU");
  await expect(page.getByLabel(/^Time zone/)).toHaveValue("Europe/Berlin");
  await page.getByTestId("confirm-delete").check();
  await page.getByRole("button", { name: "Delete site" }).click();
  await expect(page).toHaveURL(/\/sites$/);
  await expect(page.getByTestId("site-list")).toContainText(domain);
  await expect(page.getByTestId("site-list")).not.toContainText(second);

  expect(problems).toEqual([]);
  // Short password, bad domain, wrong password: and nothing else.
  expect(clientErrors).toEqual([422, 422, 401]);
});

test("the sign-in form works without JavaScript", async ({ browser, baseURL, request }) => {
  const email = `nojs-${Date.now()}@example.com`;
  const created = await request.post("/api/v1/auth/register", {
    data: { email, password: "correct horse battery", name: "No Script" },
  });
  expect(created.status()).toBe(201);

  const context = await browser.newContext({ javaScriptEnabled: false, baseURL });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/login\?/);
  await expect(page.getByRole("alert")).toHaveText("invalid email or password");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/sites$/);
  await expect(page.getByTestId("signed-in-as")).toHaveText("No Script");
  await context.close();
});

import { expect, test, type Page } from "@playwright/test";

async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1, { timeout: 20_000 });
}

async function signUp(page: Page, email: string, password: string) {
  await page.goto("/register");
  await hydrated(page);
  await page.getByLabel("Name").fill("Sam Sessions");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/sites$/);
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/sites$/);
}

test("signing out everywhere else and changing the password end the other sessions", async ({ browser }) => {
  // Three browsers, each hydrating several pages: more than one page's time.
  test.setTimeout(90_000);
  const email = `sessions-${Date.now()}@example.com`;
  const here = await (await browser.newContext()).newPage();
  const laptop = await (await browser.newContext()).newPage();
  const phone = await (await browser.newContext()).newPage();
  await signUp(here, email, "first password");
  await signIn(laptop, email, "first password");

  // The account page is one click from the top bar.
  await here.getByTestId("signed-in-as").click();
  await expect(here).toHaveURL(/\/account$/);
  await hydrated(here);
  await here.getByRole("button", { name: "Sign out everywhere else" }).click();
  await expect(here.getByTestId("sessions-ended")).toHaveText("1 other session(s) signed out.");
  await laptop.goto("/sites");
  await expect(laptop).toHaveURL(/\/login$/);
  await here.goto("/sites");
  await expect(here).toHaveURL(/\/sites$/);

  await signIn(phone, email, "first password");
  await here.goto("/account");
  await hydrated(here);
  await here.getByLabel("Current password").fill("not it at all");
  await here.getByLabel("New password").fill("second password");
  await here.getByRole("button", { name: "Change password" }).click();
  await expect(here.locator("[data-field-error=current_password]")).toBeVisible();
  await here.getByLabel("Current password").fill("first password");
  await here.getByRole("button", { name: "Change password" }).click();
  await expect(here.getByTestId("password-changed")).toBeVisible();
  await phone.goto("/sites");
  await expect(phone).toHaveURL(/\/login$/);
  await here.goto("/sites");
  await expect(here).toHaveURL(/\/sites$/);
  await signIn(phone, email, "second password");
});

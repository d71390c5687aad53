import { expect, test, type Page } from "@playwright/test";

/** Collects console errors and any request that leaves our own origin. */
function watch(page: Page, origin: string) {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("request", (req) => {
    const url = req.url();
    if (!url.startsWith(origin) && !url.startsWith("data:")) problems.push(`third-party request: ${url}`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return problems;
}

test("the landing page hydrates and reacts to a click", async ({ page, baseURL }) => {
  const problems = watch(page, baseURL!);
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(
    "Website analytics without cookies or personal data.",
  );
  // The hydrate entry marks the body once the wasm has taken over the page.
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1, { timeout: 20_000 });

  const toggle = page.getByTestId("toggle-stored-event");
  await expect(page.getByTestId("stored-event")).toHaveCount(0);
  await toggle.click();
  await expect(page.getByTestId("stored-event")).toBeVisible();
  await expect(page.getByTestId("stored-event")).toContainText("never stored");
  await expect(toggle).toHaveText("Hide it");
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  await toggle.click();
  await expect(page.getByTestId("stored-event")).toHaveCount(0);

  // Tailwind was compiled and served: the button has its indigo background.
  const background = await toggle.evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(background).not.toBe("rgba(0, 0, 0, 0)");

  expect(problems).toEqual([]);
});

test("the landing page is readable without JavaScript", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, baseURL });
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("without cookies");
  await expect(page.getByText("One script tag, under a kilobyte.", { exact: false })).toBeVisible();
  await context.close();
});

test("health answers ok", async ({ request }) => {
  const response = await request.get("/health");
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ status: "ok" });
});

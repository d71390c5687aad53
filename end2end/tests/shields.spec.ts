import { expect, test } from "@playwright/test";
import { CHROME } from "./customer";
import { beacons, counted, page as customerPage, personBrowser, sites, snippet } from "./plausible";

/**
 * Shields edited on the settings page take effect on the next beacon, a bad
 * entry is named beside its list, and "ignore my visits" keeps a browser's
 * pageviews from being sent at all.
 */
test.use(personBrowser);

test("shields saved on the settings page drop beacons; a bad entry is named", async ({ page }) => {
  const [site] = await sites(page.request, "shielded.pagepulse.test");
  const send = async (ip: string, path = "/") =>
    page.request.post("/api/event", {
      headers: { "user-agent": CHROME, "content-type": "text/plain", "x-forwarded-for": ip },
      data: JSON.stringify({ n: "pageview", u: `https://shielded.pagepulse.test${path}`, d: "shielded.pagepulse.test" }),
    });
  expect((await send("10.9.1.1")).headers()["x-pagepulse-dropped"]).toBeUndefined();

  await page.goto(`/sites/${site}/settings`);
  const section = page.getByTestId("shields");
  await expect(section.getByTestId("ignore-link")).toHaveAttribute("href", "/ignore");
  await section.getByTestId("shield-ips").fill("10.9.0.0/16\n192.0.2.7");
  await section.getByTestId("shield-paths").fill("/admin*");
  await section.getByTestId("shield-countries").fill("de, fr");
  await section.getByRole("button", { name: "Save shields" }).click();
  await expect(section.getByTestId("shields-saved")).toBeVisible();
  const rules = await (await page.request.get(`/api/v1/sites/${site}/shields`)).json();
  expect(rules).toEqual({ ips: ["10.9.0.0/16", "192.0.2.7"], paths: ["/admin*"], hostnames: [], countries: ["DE", "FR"] });

  for (const reply of [await send("10.9.1.1"), await send("192.0.2.8", "/admin/users")]) {
    expect(reply.status()).toBe(202);
    expect(reply.headers()["x-pagepulse-dropped"]).toBe("shield");
  }
  expect((await send("192.0.2.8")).headers()["x-pagepulse-dropped"]).toBeUndefined();

  // Saved lists come back normalised; a bad one is named beside its field.
  await page.reload();
  await expect(section.getByTestId("shield-countries")).toHaveValue("DE\nFR");
  await section.getByTestId("shield-ips").fill("10.9.0.0/40");
  await section.getByRole("button", { name: "Save shields" }).click();
  await expect(section.locator('[data-field-error="ips"]')).toContainText("10.9.0.0/40");
  const kept = await (await page.request.get(`/api/v1/sites/${site}/shields`)).json();
  expect(kept.ips).toEqual(["10.9.0.0/16", "192.0.2.7"]);
});

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

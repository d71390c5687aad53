import { expect, test } from "@playwright/test";
import { CHROME } from "./customer";
import { sites } from "./plausible";

/**
 * Shields edited on the settings page take effect on the next beacon, and a
 * bad entry is named beside its list.
 */

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
  await section.getByTestId("shield-ips").fill("10.9.0.0/16, 192.0.2.7");
  await section.getByTestId("shield-paths").fill("/admin*");
  await section.getByTestId("shield-countries").fill("de, fr");
  await section.getByRole("button", { name: "Apply shields" }).click();
  const rules = async () => (await page.request.get(`/api/v1/sites/${site}/shields`)).json();
  await expect.poll(rules).toEqual({ ips: ["10.9.0.0/16", "192.0.2.7"], paths: ["/admin*"], hostnames: [], countries: ["DE", "FR"] });

  for (const reply of [await send("10.9.1.1"), await send("192.0.2.8", "/admin/users")]) {
    expect(reply.status()).toBe(202);
    expect(reply.headers()["x-pagepulse-dropped"]).toBe("shield");
  }
  expect((await send("192.0.2.8")).headers()["x-pagepulse-dropped"]).toBeUndefined();

  // Saved lists come back normalised; a bad one is named beside its field.
  await page.reload();
  await expect(section.getByTestId("shield-countries")).toHaveValue("DE, FR");
  await section.getByTestId("shield-ips").fill("10.9.0.0/40");
  await section.getByRole("button", { name: "Apply shields" }).click();
  await expect(section.locator('[data-field-error="ips"]')).toContainText("10.9.0.0/40");
  expect((await rules()).ips).toEqual(["10.9.0.0/16", "192.0.2.7"]);
});

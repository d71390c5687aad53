import { expect, test } from "@playwright/test";
import { build } from "esbuild";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { dir } from "./customer";
import { beacons, counted, page as customerPage, personBrowser, server, sites } from "./plausible";

/**
 * Plausible's npm trackers, bundled into a customer's app as its developers
 * would, with only their endpoint option pointed at PagePulse.
 */
test.use(personBrowser);

/** Bundles `code` (an app importing the tracker) into www/<file>. */
async function bundle(file: string, code: string) {
  const result = await build({
    stdin: { contents: code, resolveDir: join(__dirname, "..", ".."), loader: "js" },
    bundle: true,
    format: "iife",
    target: "es2020",
    write: false,
    logLevel: "silent",
  });
  writeFileSync(join(dir, "www", file), result.outputFiles[0].contents);
}

const rows = (siteId: string) => counted(siteId).map((e) => [e.name, e.path, e.props && JSON.parse(e.props)]);

test("plausible-tracker (the old package) with apiHost records pageviews and custom events", async ({
  page,
  request,
}) => {
  const [site] = await sites(request, "npm-old.pagepulse.test");
  await bundle(
    "npm-old.js",
    `import Plausible from "plausible-tracker";
     const { trackPageview, trackEvent } = Plausible({ domain: "npm-old.pagepulse.test", apiHost: ${JSON.stringify(server)} });
     trackPageview();
     window.signup = () => trackEvent("Signup", { props: { plan: "pro" } });`,
  );
  await page.goto(customerPage("npm-old.pagepulse.test", "old.html", `<script defer src="/npm-old.js"></script>`));
  await expect.poll(() => rows(site)).toEqual([["pageview", "/old.html", null]]);
  await page.evaluate(() => (window as any).signup());
  await expect.poll(() => rows(site).length).toBe(2);
  expect(rows(site)[1]).toEqual(["Signup", "/old.html", { plan: "pro" }]);
});

test("@plausible-analytics/tracker (the new package) with endpoint records pageviews and custom events", async ({
  page,
  request,
}) => {
  const [site] = await sites(request, "npm-new.pagepulse.test");
  await bundle(
    "npm-new.js",
    `import { init, track } from "@plausible-analytics/tracker";
     init({ domain: "npm-new.pagepulse.test", endpoint: ${JSON.stringify(`${server}/api/event`)} });
     window.signup = () => track("Signup", { props: { plan: "pro" } });
     window.purchase = () => track("Purchase", { revenue: { amount: 15.99, currency: "USD" } });`,
  );
  const sent = beacons(page);
  await page.goto(customerPage("npm-new.pagepulse.test", "new.html", `<script defer src="/npm-new.js"></script>`));
  await expect.poll(() => rows(site)).toEqual([["pageview", "/new.html", null]]);
  await page.evaluate(() => (window as any).signup());
  await expect.poll(() => rows(site).length).toBe(2);
  expect(rows(site)[1]).toEqual(["Signup", "/new.html", { plan: "pro" }]);
  await page.evaluate(() => (window as any).purchase());
  await expect.poll(() => rows(site).length).toBe(3);
  expect(sent.find((b) => b.n === "Purchase")!.$).toEqual({ amount: 15.99, currency: "USD" });
});

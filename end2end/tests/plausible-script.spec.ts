import { expect, test, type Page } from "@playwright/test";
import { sitePort, stored } from "./customer";
import { beacons, counted, named, page as customerPage, personBrowser, server, sites, snippet, stub } from "./plausible";

/**
 * Plausible's snippets with only the host changed: /js/script.<modifiers>.js
 * with data-domain, in a person's browser on the customer's own host.
 */
test.use(personBrowser);

const rows = (siteId: string) => counted(siteId).map((e) => [e.name, e.path]);
const ready = (page: Page) => expect.poll(() => page.evaluate(() => typeof (window as any).plausible)).toBe("function");

test("script.js counts pageviews for every domain in data-domain, SPA navigations once each", async ({ page, request }) => {
  const [parent, store] = await sites(request, "base.pagepulse.test", "store.base.pagepulse.test");
  const url = customerPage(
    "store.base.pagepulse.test",
    "base.html",
    snippet("script.js", `data-domain="store.base.pagepulse.test,base.pagepulse.test"`),
  );
  const sent = beacons(page);
  await page.goto(url);
  await expect.poll(() => rows(store)).toEqual([["pageview", "/base.html"]]);
  expect(rows(parent)).toEqual([["pageview", "/base.html"]]);
  expect(sent[0]).toMatchObject({
    n: "pageview",
    u: url,
    d: "store.base.pagepulse.test,base.pagepulse.test",
    w: 1280,
  });
  expect(sent[0]).not.toHaveProperty("h");
  expect(sent[0]).not.toHaveProperty("i");

  await page.evaluate(() => history.pushState({}, "", "/pricing"));
  await expect.poll(() => rows(store).length).toBe(2);
  await page.evaluate(() => history.pushState({ again: true }, "", "/pricing"));
  // Without the hash modifier a fragment is not a page.
  await page.evaluate(() => (location.hash = "#plans"));
  // Back past both to the first page.
  await page.evaluate(() => history.go(-3));
  await expect.poll(() => rows(store).length).toBe(3);
  await page.waitForTimeout(500);
  expect(rows(store)).toEqual([
    ["pageview", "/base.html"],
    ["pageview", "/pricing"],
    ["pageview", "/base.html"],
  ]);
  // Revenue is sent only by the revenue variant.
  await page.evaluate(() => (window as any).plausible("Purchase", { revenue: { amount: 1, currency: "EUR" } }));
  await expect.poll(() => named(sent)).toContain("Purchase");
  expect(sent.find((b) => b.n === "Purchase")).not.toHaveProperty("$");
});

test("plausible.js is the same script", async ({ page, request }) => {
  const [site] = await sites(request, "legacy.pagepulse.test");
  const url = customerPage("legacy.pagepulse.test", "legacy.html", snippet("plausible.js", `data-domain="legacy.pagepulse.test"`));
  await page.goto(url);
  await expect.poll(() => rows(site)).toEqual([["pageview", "/legacy.html"]]);
});

test("hash: each fragment is a page of its own, sent with h: 1", async ({ page, request }) => {
  const [site] = await sites(request, "hash.pagepulse.test");
  const url = customerPage("hash.pagepulse.test", "app.html", snippet("script.hash.js", `data-domain="hash.pagepulse.test"`));
  const sent = beacons(page);
  await page.goto(`${url}#/start`);
  await expect.poll(() => rows(site)).toEqual([["pageview", "/app.html#/start"]]);
  await page.evaluate(() => (location.hash = "#/pricing"));
  await expect.poll(() => rows(site).length).toBe(2);
  await page.evaluate(() => (location.hash = "#/pricing"));
  await page.evaluate(() => history.pushState({}, "", "#/pricing"));
  await page.waitForTimeout(500);
  expect(rows(site)).toEqual([
    ["pageview", "/app.html#/start"],
    ["pageview", "/app.html#/pricing"],
  ]);
  expect(sent.filter((b) => b.n === "pageview").every((b) => b.h === 1)).toBe(true);
});

test("manual: no pageview until the page sends one, with its own URL and props", async ({ page, request }) => {
  const [site] = await sites(request, "manual.pagepulse.test");
  const url = customerPage("manual.pagepulse.test", "orders/123.html", snippet("script.manual.js", `data-domain="manual.pagepulse.test"`));
  await page.goto(url);
  await ready(page);
  await page.evaluate(() => history.pushState({}, "", "/orders/456.html"));
  await page.waitForTimeout(500);
  expect(rows(site)).toEqual([]);
  await page.evaluate(() =>
    (window as any).plausible("pageview", {
      u: `${location.origin}/orders/_id_.html${location.search}`,
      props: { kind: "order" },
    }),
  );
  await expect.poll(() => rows(site)).toEqual([["pageview", "/orders/_id_.html"]]);
  expect(JSON.parse(counted(site)[0].props!)).toEqual({ kind: "order" });
});

test("exclusions: data-exclude and data-include globs leave pageviews out, not events", async ({ page, request }) => {
  const [site] = await sites(request, "excl.pagepulse.test");
  const excluding = customerPage(
    "excl.pagepulse.test",
    "private/secret.html",
    snippet("script.exclusions.js", `data-domain="excl.pagepulse.test" data-exclude="/private/*, /admin**"`),
  );
  await page.goto(excluding);
  await ready(page);
  // Events on an excluded page still count.
  await page.evaluate(() => (window as any).plausible("Signup"));
  await expect.poll(() => rows(site)).toEqual([["Signup", "/private/secret.html"]]);
  for (const path of ["/private/", "/admin", "/admin/users/7", "/public", "/private/a/b"]) {
    await page.evaluate((path) => history.pushState({}, "", path), path);
  }
  await expect.poll(() => rows(site).length).toBe(3);

  const including = customerPage(
    "excl.pagepulse.test",
    "en/docs.html",
    snippet("script.exclusions.js", `data-domain="excl.pagepulse.test" data-include="/en**" data-exclude="/en/secret*"`),
  );
  await page.goto(including);
  await expect.poll(() => rows(site).length).toBe(4);
  for (const path of ["/de/docs", "/en/secret-plan", "/en/guide/start"]) {
    await page.evaluate((path) => history.pushState({}, "", path), path);
  }
  await expect.poll(() => rows(site).length).toBe(5);
  await page.waitForTimeout(500);
  expect(rows(site).sort()).toEqual([
    ["Signup", "/private/secret.html"],
    ["pageview", "/en/docs.html"],
    ["pageview", "/en/guide/start"],
    ["pageview", "/private/a/b"],
    ["pageview", "/public"],
  ]);
});

test("pageview-props: event-* attributes are props of every event, the call's own winning", async ({ page, request }) => {
  const [site] = await sites(request, "props.pagepulse.test");
  const url = customerPage(
    "props.pagepulse.test",
    "post.html",
    snippet("script.pageview-props.js", `data-domain="props.pagepulse.test" event-author="Jane Doe" event-logged_in="false"`),
  );
  await page.goto(url);
  await expect.poll(() => rows(site).length).toBe(1);
  await page.evaluate(() => (window as any).plausible("Signup", { props: { logged_in: "true", plan: "pro" } }));
  await expect.poll(() => rows(site).length).toBe(2);
  const pageview = counted(site).find((e) => e.name == "pageview")!;
  const signup = counted(site).find((e) => e.name == "Signup")!;
  expect(JSON.parse(pageview.props!)).toEqual({ author: "Jane Doe", logged_in: "false" });
  expect(JSON.parse(signup.props!)).toEqual({ author: "Jane Doe", logged_in: "true", plan: "pro" });
});

test("revenue, non-interactive events and callbacks", async ({ page, request }) => {
  const [site] = await sites(request, "revenue.pagepulse.test");
  const url = customerPage("revenue.pagepulse.test", "checkout.html", snippet("script.revenue.js", `data-domain="revenue.pagepulse.test"`));
  const sent = beacons(page);
  await page.goto(url);
  await ready(page);
  const result = await page.evaluate(
    () =>
      new Promise((resolve) =>
        (window as any).plausible("Purchase", {
          revenue: { amount: 15.99, currency: "USD" },
          props: { plan: "pro" },
          callback: resolve,
        }),
      ),
  );
  expect(result).toEqual({ status: 202 });
  await page.evaluate(() => (window as any).plausible("Autoplay", { interactive: false }));
  await expect.poll(() => rows(site).map((r) => r[0]).sort()).toEqual(["Autoplay", "Purchase", "pageview"]);
  expect(sent.find((b) => b.n === "Purchase")).toMatchObject({ $: { amount: 15.99, currency: "USD" }, p: { plan: "pro" } });
  expect(sent.find((b) => b.n === "Purchase")).not.toHaveProperty("i");
  expect(sent.find((b) => b.n === "Autoplay")).toMatchObject({ i: false });
  // Stored: the revenue as sent, and the autoplay as not an interaction.
  const events = stored(site);
  expect(events.find((e) => e.name === "Purchase")).toMatchObject({ revenue_amount: "15.99", revenue_currency: "USD", interactive: 1 });
  expect(events.find((e) => e.name === "Autoplay")).toMatchObject({ interactive: 0, revenue_amount: null });
});

test("calls queued by Plausible's stub are replayed: a 404 is a custom event", async ({ page, request }) => {
  const [site] = await sites(request, "missing.pagepulse.test");
  const url = customerPage(
    "missing.pagepulse.test",
    "gone.html",
    snippet("script.js", `data-domain="missing.pagepulse.test"`) +
      stub +
      `<script>plausible("404", { props: { path: document.location.pathname } })</script>`,
  );
  await page.goto(url);
  // Sent one after the other, stored in whichever order their requests commit.
  await expect.poll(() => rows(site).sort()).toEqual([
    ["404", "/gone.html"],
    ["pageview", "/gone.html"],
  ]);
  expect(JSON.parse(counted(site).find((e) => e.name == "404")!.props!)).toEqual({ path: "/gone.html" });
});

test("local: only the local variant counts pages on localhost", async ({ page }) => {
  const sent = beacons(page);
  await page.goto(customerPage("localhost", "plain.html", snippet("script.js", `data-domain="localhost"`)));
  await ready(page);
  await page.evaluate(() => (window as any).plausible("Signup"));
  await page.waitForTimeout(500);
  expect(sent).toEqual([]);
  const local = `http://localhost:${sitePort}/local.html`;
  customerPage("localhost", "local.html", snippet("script.local.js", `data-domain="localhost"`));
  await page.goto(local);
  await expect.poll(() => named(sent)).toEqual(["pageview"]);
  expect(sent[0]).toMatchObject({ n: "pageview", u: local, d: "localhost" });
});

test("the scripts are served precompressed", async ({ request }) => {
  const reply = await request.get(`${server}/js/script.outbound-links.hash.js`, {
    headers: { "accept-encoding": "br" },
  });
  expect(reply.status()).toBe(200);
  expect(reply.headers()["content-encoding"]).toBe("br");
  // Decoded, the minified script.
  const script = await reply.text();
  expect(script).toContain(`"/api/event"`);
  expect(script.length).toBeLessThanOrEqual(2048);
});

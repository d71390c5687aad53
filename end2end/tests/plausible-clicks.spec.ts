import { expect, test } from "@playwright/test";
import { sitePort } from "./customer";
import { beacons, counted, named, page as customerPage, personBrowser, sites, snippet } from "./plausible";

/**
 * Clicks the Plausible variants count: outbound links, file downloads and
 * tagged elements, and the navigation a click starts is neither lost nor held
 * back.
 */
test.use(personBrowser);

const elsewhere = `http://127.0.0.1:${sitePort}`;
const events = (siteId: string) =>
  counted(siteId)
    .filter((e) => e.name !== "pageview")
    .map((e) => [e.name, e.props && JSON.parse(e.props)]);
// Events stored in whichever order their requests commit, sorted to compare.
const sorted = (rows: unknown[]) => rows.map((row) => JSON.stringify(row)).sort().map((row) => JSON.parse(row));
// Records whether anything held the last click's default action back.
const watchClicks = `<script>addEventListener("click", (e) => (window.held = e.defaultPrevented))</script>`;

test("outbound-links: a click that leaves the site counts, and its navigation goes ahead at once", async ({
  page,
  context,
  request,
}) => {
  const [site] = await sites(request, "out.pagepulse.test");
  customerPage("127.0.0.1", "landing.html", "<title>Elsewhere</title>");
  const url = customerPage(
    "out.pagepulse.test",
    "links.html",
    snippet("script.outbound-links.js", `data-domain="out.pagepulse.test"`) + watchClicks,
    `<a id="tab" href="${elsewhere}/landing.html?from=tab" target="_blank">tab</a>
     <a id="middle" href="${elsewhere}/landing.html?from=middle">middle</a>
     <a id="inside" href="/links.html#top">inside</a>
     <a id="mail" href="mailto:shop@example.com">mail</a>
     <a id="away" href="${elsewhere}/landing.html?from=away">away</a>`,
  );
  await page.goto(url);
  await expect.poll(() => counted(site).length).toBe(1);

  // A new tab (target=_blank, a middle click): counted, the click untouched.
  const popup = context.waitForEvent("page");
  await page.click("#tab");
  await (await popup).close();
  expect(await page.evaluate(() => (window as any).held)).toBe(false);
  const middle = context.waitForEvent("page");
  await page.click("#middle", { button: "middle" });
  await (await middle).close();
  expect(await page.evaluate(() => (window as any).held)).toBe(false);
  // Links within the site and mailto: are not outbound; a right click is no click.
  await page.click("#inside");
  await page.click("#mail", { noWaitAfter: true });
  await page.click("#away", { button: "right" });
  await expect.poll(() => events(site).length).toBe(2);

  // Same tab: the page goes, the event still arrives.
  await page.click("#away");
  await page.waitForURL(`${elsewhere}/landing.html?from=away`);
  await expect.poll(() => events(site).length).toBe(3);
  expect(sorted(events(site))).toEqual(
    sorted([
      ["Outbound Link: Click", { url: `${elsewhere}/landing.html?from=away` }],
      ["Outbound Link: Click", { url: `${elsewhere}/landing.html?from=middle` }],
      ["Outbound Link: Click", { url: `${elsewhere}/landing.html?from=tab` }],
    ]),
  );
});

test("file-downloads: Plausible's file types by default, file-types instead, add-file-types beside them", async ({ page, request }) => {
  const [site] = await sites(request, "files.pagepulse.test");
  // Nothing navigates: the clicks are what is measured here.
  const stay = `<script>addEventListener("click", (e) => e.preventDefault())</script>`;
  const links = `<a id="pdf" href="/files/report.pdf?version=2">pdf</a>
     <a id="zip" href="${elsewhere}/files/archive.zip">zip</a>
     <a id="txt" href="/files/notes.txt">txt</a>
     <a id="py" href="/files/tool.py">py</a>
     <a id="page" href="/files/index.html">page</a>
     <a id="out" href="${elsewhere}/landing.html">out</a>`;
  const origin = `http://files.pagepulse.test:${sitePort}`;
  await page.goto(
    customerPage(
      "files.pagepulse.test",
      "downloads.html",
      snippet("script.file-downloads.js", `data-domain="files.pagepulse.test"`) + stay,
      links,
    ),
  );
  await expect.poll(() => counted(site).length).toBe(1);
  for (const id of ["#pdf", "#zip", "#txt", "#page", "#out"]) await page.click(id);
  await expect.poll(() => events(site).length).toBe(3);

  await page.goto(
    customerPage(
      "files.pagepulse.test",
      "only-text.html",
      snippet("script.file-downloads.js", `data-domain="files.pagepulse.test" file-types="txt,py"`) + stay,
      links,
    ),
  );
  await expect.poll(() => counted(site).length).toBe(5);
  for (const id of ["#pdf", "#zip", "#txt"]) await page.click(id);
  await expect.poll(() => events(site).length).toBe(4);

  await page.goto(
    customerPage(
      "files.pagepulse.test",
      "more-types.html",
      snippet("script.file-downloads.js", `data-domain="files.pagepulse.test" add-file-types="py"`) + stay,
      links,
    ),
  );
  await expect.poll(() => counted(site).length).toBe(7);
  for (const id of ["#py", "#txt", "#page"]) await page.click(id);
  await expect.poll(() => events(site).length).toBe(6);
  await page.waitForTimeout(500);
  expect(sorted(events(site))).toEqual(
    sorted([
      ["File Download", { url: `${origin}/files/tool.py` }],
      ["File Download", { url: `${origin}/files/notes.txt` }],
      // Internal and external files alike, the query left out.
      ["File Download", { url: `${elsewhere}/files/archive.zip` }],
      ["File Download", { url: `${origin}/files/notes.txt` }],
      ["File Download", { url: `${origin}/files/notes.txt` }],
      ["File Download", { url: `${origin}/files/report.pdf` }],
    ]),
  );
});

test("tagged-events: links, buttons, wrappers and forms, with props and revenue", async ({ page, request }) => {
  const [site] = await sites(request, "tags.pagepulse.test");
  customerPage("tags.pagepulse.test", "thanks.html", "<title>Thanks</title>");
  const sent = beacons(page);
  await page.goto(
    customerPage(
      "tags.pagepulse.test",
      "tags.html",
      snippet("script.tagged-events.outbound-links.revenue.js", `data-domain="tags.pagepulse.test"`) +
        `<script>addEventListener("click", (e) => e.target.closest("a") && e.preventDefault())</script>`,
      `<button id="signup" class="btn plausible-event-name=Signup+Click plausible-event-plan=pro">Sign up</button>
       <div class="card plausible-event-name--Card+Open plausible-event-position--top"><span id="inner">Open</span></div>
       <a id="docs" class="plausible-event-name=Docs" href="${elsewhere}/docs.html">Docs</a>
       <button id="buy" class="plausible-event-name=Purchase plausible-revenue-amount=10.29 plausible-revenue-currency=EUR">Buy</button>
       <button id="plain">Nothing</button>
       <form id="contact" class="plausible-event-name=Contact" action="/thanks.html"><button id="send">Send</button></form>`,
    ),
  );
  await expect.poll(() => counted(site).length).toBe(1);
  await page.click("#signup");
  await page.click("#signup", { button: "right" });
  await page.click("#inner");
  // A tagged link counts as its tag, not as an outbound click.
  await page.click("#docs");
  await page.click("#buy");
  await page.click("#plain");
  await expect.poll(() => events(site).length).toBe(4);
  // Clicking a tagged form's button submits it: one event, and the page moves on.
  await page.click("#send");
  await page.waitForURL(/thanks\.html/);
  await expect.poll(() => events(site).length).toBe(5);
  await page.waitForTimeout(500);
  expect(sorted(events(site))).toEqual(
    sorted([
      ["Card Open", { position: "top" }],
      ["Contact", null],
      ["Docs", null],
      ["Purchase", null],
      ["Signup Click", { plan: "pro" }],
    ]),
  );
  expect(named(sent)).not.toContain("Outbound Link: Click");
  expect(sent.find((b) => b.n === "Purchase")!.$).toEqual({ amount: "10.29", currency: "EUR" });
  expect(sent.find((b) => b.n === "Signup Click")).not.toHaveProperty("$");
});

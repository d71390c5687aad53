import { expect, type APIRequestContext, type Page, type Request } from "@playwright/test";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { CHROME, dir, sitePort, stored } from "./customer";

/**
 * Helpers for the Plausible-compatible tracker tests: sites on hosts of their
 * own under pagepulse.test (site domains are unique across accounts), pages
 * carrying a Plausible snippet with only the host changed, and the beacons a
 * page sends.
 */

export const server = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 8731)}`;

/**
 * A person's browser (not flagged as automated) that resolves every
 * *.pagepulse.test to loopback. The user agent is the browser's own too:
 * requests a page sends as it is left go out with it, not with the page's.
 */
export const personBrowser = {
  userAgent: CHROME,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    ignoreDefaultArgs: ["--enable-automation"],
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-blink-features=AutomationControlled",
      "--host-resolver-rules=MAP *.pagepulse.test 127.0.0.1",
      `--user-agent=${CHROME}`,
    ],
  },
};

/** Signs up and adds a site for each domain; their ids, in order. */
export async function sites(request: APIRequestContext, ...domains: string[]): Promise<string[]> {
  const email = `plausible-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  const register = await request.post("/api/v1/auth/register", {
    data: { email, password: "correct horse battery", name: "Shop Owner" },
  });
  expect(register.status()).toBe(201);
  const ids = [];
  for (const domain of domains) {
    const created = await request.post("/api/v1/sites", { data: { name: domain, domain } });
    expect(created.status()).toBe(201);
    ids.push((await created.json()).id as string);
  }
  return ids;
}

/** A Plausible snippet as Plausible documents it, pointed at PagePulse. */
export const snippet = (file: string, attributes: string) =>
  `<script defer ${attributes} src="${server}/js/${file}"></script>`;

/** Plausible's queue stub, for calls made before the script has run. */
export const stub =
  "<script>window.plausible = window.plausible || function() { (window.plausible.q = window.plausible.q || []).push(arguments) }</script>";

/** Writes www/<file> (folders made as needed); its URL on `host`. */
export function page(host: string, file: string, head: string, body = "<h1>Shop</h1>"): string {
  const path = join(dir, "www", file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `<!doctype html><html><head><title>Shop</title>${head}</head><body>${body}</body></html>`);
  return `http://${host}:${sitePort}/${file}`;
}

export type Beacon = {
  n: string;
  u: string;
  d: string;
  r?: string;
  w?: number;
  h?: number;
  p?: Record<string, string>;
  $?: { amount: number | string; currency: string };
  i?: boolean;
  sd?: number;
  e?: number;
};

/** The bodies of the beacons the page sends to Plausible's endpoint from now on. */
export function beacons(page: Page): Beacon[] {
  const sent: Beacon[] = [];
  page.on("request", (req: Request) => {
    if (req.method() === "POST" && req.url().endsWith("/api/event")) sent.push(JSON.parse(req.postData() ?? "null"));
  });
  return sent;
}

/**
 * An endpoint of our own for data-api: what it is sent, including what a page
 * sends as it is left (which Playwright does not report as the page's).
 */
export async function collector(): Promise<{ url: string; received: Beacon[]; close: () => void }> {
  const received: Beacon[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      if (req.method === "POST") received.push(JSON.parse(body));
      res.writeHead(202, { "access-control-allow-origin": "*" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api/event`, received, close: () => server.close() };
}

/** The names of the beacons sent, in order, engagement events left out. */
export const named = (sent: Beacon[]) => sent.filter((b) => b.n !== "engagement").map((b) => b.n);

/**
 * The site's stored events. Engagement reports attach to their pageview and are
 * never events of their own: one stored as an event fails the test here.
 */
export const counted = (siteId: string) => {
  const events = stored(siteId);
  expect(events.map((e) => e.name)).not.toContain("engagement");
  return events;
};

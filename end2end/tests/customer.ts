import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Helpers for the tracker tests: a customer's site on another origin
 * (shop.pagepulse.test, mapped to loopback) with the snippet pasted exactly as the
 * product gives it, and what the server stored, read from its SQLite file.
 */

export const dir = process.env.PAGEPULSE_E2E_DIR!;
export const sitePort = Number(process.env.E2E_PORT ?? 8731) + 1;
export const CHROME =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

type Stored = {
  name: string;
  path: string;
  props: string | null;
  hostname: string;
  interactive: number;
  revenue_amount: string | null;
  revenue_currency: string | null;
  scroll_depth: number | null;
  engaged_ms: number | null;
};
const COLUMNS = ["name", "path", "props", "hostname", "interactive", "revenue_amount", "revenue_currency", "scroll_depth", "engaged_ms"];

export function stored(siteId: string): Stored[] {
  const script = [
    "import json, sqlite3, sys, uuid",
    "db = sqlite3.connect(sys.argv[1])",
    "site = uuid.UUID(sys.argv[2])",
    "cols = sys.argv[3].split(',')",
    "rows = db.execute(f\"SELECT {','.join(cols)} FROM events WHERE site_id IN (?, ?) ORDER BY id\", (site.bytes, str(site))).fetchall()",
    "print(json.dumps([dict(zip(cols, r)) for r in rows]))",
  ].join("\n");
  const out = execFileSync("python3", ["-c", script, join(dir, "pagepulse.db"), siteId, COLUMNS.join(",")]);
  return JSON.parse(out.toString());
}

/** Beacon requests the page makes from now on. */
export function beaconRequests(page: Page): string[] {
  const sent: string[] = [];
  page.on("request", (req) => {
    if (req.url().includes("/api/v1/event")) sent.push(req.url());
  });
  return sent;
}

/** Signs up, adds a site for `domain`, and writes a page with its snippet. */
export async function customerPage(request: APIRequestContext, domain: string, file: string) {
  const email = `tracker-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  const register = await request.post("/api/v1/auth/register", {
    data: { email, password: "correct horse battery", name: "Shop Owner" },
  });
  expect(register.status()).toBe(201);
  const created = await request.post("/api/v1/sites", { data: { name: "Shop", domain } });
  expect(created.status()).toBe(201);
  const site = await created.json();
  writeFileSync(
    join(dir, "www", file),
    `<!doctype html><html><head><title>Shop</title>${site.tracking_snippet}</head>` +
      `<body><h1>Shop</h1></body></html>`,
  );
  return site.id as string;
}


type Past = { daysAgo: number; path: string; source: string; visitor: number };

/**
 * History for a dashboard: copies of the site's one real event (stored through
 * the beacon endpoint) moved to earlier days, with their own path, source and
 * visitor. The server clock stamps beacons, so the past can only be written.
 */
export function addHistory(siteId: string, events: Past[]) {
  const script = [
    "import json, sqlite3, sys, time, uuid",
    "db = sqlite3.connect(sys.argv[1], timeout=10)",
    "site = uuid.UUID(sys.argv[2])",
    "cols = [r[1] for r in db.execute('PRAGMA table_info(events)') if r[1] != 'id']",
    "src = db.execute(f\"SELECT {','.join(cols)} FROM events WHERE site_id IN (?, ?) LIMIT 1\", (site.bytes, str(site))).fetchone()",
    "now = int(time.time() * 1000)",
    "for e in json.loads(sys.argv[3]):",
    "    row = dict(zip(cols, src))",
    "    row.update(ts=now - e['daysAgo'] * 86400000, path=e['path'], referrer_source=e['source'], visitor_id=e['visitor'], visit_id=e['visitor'])",
    "    db.execute(f\"INSERT INTO events ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})\", [row[c] for c in cols])",
    "db.commit()",
  ].join("\n");
  execFileSync("python3", ["-c", script, join(dir, "pagepulse.db"), siteId, JSON.stringify(events)]);
}

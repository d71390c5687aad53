import { defineConfig } from "@playwright/test";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Each run gets its own scratch folder (SQLite file, pages of a customer's site)
// and ports of its own. Workers load this file again; the environment carries the
// folder made by the main process over to them.
const port = Number(process.env.E2E_PORT ?? 8731);
const sitePort = port + 1;
process.env.PAGEPULSE_E2E_DIR ??= mkdtempSync(join(tmpdir(), "pagepulse-e2e-"));
const dataDir = process.env.PAGEPULSE_E2E_DIR;
mkdirSync(join(dataDir, "www"), { recursive: true });
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "off",
    launchOptions: {
      // Debian's Chromium; Playwright never downloads a browser here.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // A customer's site on a real (non-local) host name, served from loopback.
        "--host-resolver-rules=MAP shop.pagepulse.test 127.0.0.1",
      ],
    },
  },
  webServer: [
    {
      // A small city database first (`server/examples/city_mmdb.rs`, built by
      // `cargo test --no-run`), so regions and cities can be seen.
      command: `./target/debug/examples/city_mmdb ${join(dataDir, "city.mmdb")} && exec ./target/debug/pagepulse serve`,
      cwd: "..",
      url: `${baseURL}/health`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        HOST: "127.0.0.1",
        PORT: String(port),
        BASE_URL: baseURL,
        DATABASE_URL: `sqlite://${dataDir}/pagepulse.db?mode=rwc`,
        GEOIP_DB: join(dataDir, "city.mmdb"),
        // E2E_SITE_ROOT serves another build's site (its tracker scripts, say)
        // with this binary.
        LEPTOS_SITE_ROOT: process.env.E2E_SITE_ROOT ?? "target/site",
        EVENT_RATE_LIMIT_PER_MINUTE: "10000",
        // Every test signs up from loopback: more than a real address would.
        REGISTRATION_RATE_LIMIT_PER_HOUR: "1000",
        RUST_LOG: "warn",
      },
    },
    {
      // The customer's pages: plain files written by the tracker tests.
      command: `python3 -m http.server ${sitePort} --bind 127.0.0.1 --directory ${join(dataDir, "www")}`,
      url: `http://127.0.0.1:${sitePort}/`,
      timeout: 30_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "ignore",
    },
  ],
});

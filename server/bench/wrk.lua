-- Load for `make bench-ingest` (wrk). BENCH_MODE=event POSTs tracker beacons for
-- one site, cycling through 2,000 visitors (distinct user agents), pages,
-- referrers and campaigns; BENCH_MODE=engagement sends the same beacons with
-- every other one an engagement report for the visitor's page (as Plausible's
-- tracker sends when a page is left), which updates a pageview instead of
-- inserting; BENCH_MODE=script GETs /js/p.js. Either way `done` prints one
-- machine-readable RESULT line.
local mode = os.getenv("BENCH_MODE") or "event"
local site = os.getenv("BENCH_SITE") or ""
local prepared = {}
local counter = 0

function init(args)
  if mode == "script" then
    prepared[1] = wrk.format("GET", "/js/p.js")
    return
  end
  local paths = { "/", "/pricing", "/blog/first-post", "/blog/second-post", "/docs/install", "/about" }
  local referrers = { "", "https://news.ycombinator.com/item?id=1", "https://duckduckgo.com/", "https://www.google.com/" }
  for i = 1, 2000 do
    -- In engagement mode, visitor i's engagement follows its pageview.
    local visitor = i
    local report = ""
    if mode == "engagement" then
      visitor = math.floor((i + 1) / 2)
      if i % 2 == 0 then
        report = string.format(',"n":"engagement","sd":%d,"e":%d', (i * 7) % 101, (i * 37) % 60000)
      end
    end
    local body = string.format(
      '{"s":"%s","u":"https://bench.example.com%s?utm_source=src%d","r":"%s","w":%d%s}',
      site, paths[visitor % #paths + 1], visitor % 7, referrers[visitor % #referrers + 1],
      360 + (visitor % 3) * 700, report)
    local agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0."
      .. visitor .. ".0 Safari/537.36"
    prepared[i] = wrk.format("POST", "/api/v1/event",
      { ["Content-Type"] = "text/plain", ["User-Agent"] = agent }, body)
  end
end

function request()
  counter = counter % #prepared + 1
  return prepared[counter]
end

function done(summary, latency, requests)
  io.write(string.format(
    "RESULT requests=%d duration_us=%d status_errors=%d socket_errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end

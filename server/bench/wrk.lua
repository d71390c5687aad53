-- Load for `make bench-ingest` (wrk). BENCH_MODE=event POSTs tracker beacons for
-- one site, cycling through 2,000 visitors (distinct user agents), pages,
-- referrers and campaigns; BENCH_MODE=script GETs /js/p.js. Either way `done`
-- prints one machine-readable RESULT line.
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
    local body = string.format(
      '{"s":"%s","u":"https://bench.example.com%s?utm_source=src%d","r":"%s","w":%d}',
      site, paths[i % #paths + 1], i % 7, referrers[i % #referrers + 1], 360 + (i % 3) * 700)
    local agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0."
      .. i .. ".0 Safari/537.36"
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

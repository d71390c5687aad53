#!/usr/bin/env bash
# `make bench-api`: Plausible's Stats API (v1 and v2) against the release
# server on loopback, on a site seeded by `pagepulse seed` (10 million events
# over 90 days unless BENCH_EVENTS says otherwise) and rolled up. Times
# BENCH_REPEAT requests per question over the last 90 days: unfiltered, one
# filter, two and three filters, breakdowns with and without a filter.
# Prints p50/p95 and which path answered (rollups or raw events is decided
# by the question, see src/stats/fast.rs). BENCH_DIR keeps the seeded and
# rolled-up database between runs (shared with bench-dashboard's layout).
set -euo pipefail

BIN=${BIN:-target/release/pagepulse}
EVENTS=${BENCH_EVENTS:-10000000}
DAYS=${BENCH_DAYS:-90}
REPEAT=${BENCH_REPEAT:-20}
PORT=${BENCH_PORT:-8792}
DIR=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$DIR"
DATABASE_URL=${BENCH_DATABASE_URL:-sqlite://$DIR/bench.db?mode=rwc}
BASE=http://127.0.0.1:$PORT

cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  [ -n "${BENCH_DIR:-}" ] || rm -rf "$DIR"
}
trap cleanup EXIT

# shellcheck source=server/bench/lib.sh
. "$(dirname "$0")/lib.sh"
# The benchmark asks more than a key's hourly 600.
start_server env API_RATE_LIMIT_PER_HOUR=1000000

jar=$DIR/cookies
marker=$DIR/seeded-$EVENTS-$DAYS
if [ -f "$marker" ]; then
  read -r email SITE <"$marker"
  curl -fs -c "$jar" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"correct horse battery\"}" "$BASE/api/v1/auth/login" >/dev/null
  echo "reusing $EVENTS seeded events in $DIR"
else
  email="bench-$RANDOM$RANDOM@example.com"
  SITE=$(new_site "$email")
  DATABASE_URL=$DATABASE_URL RUST_LOG=error "$BIN" seed --site "$SITE" --days "$DAYS" --events "$EVENTS"
  echo "$email $SITE" >"$marker"
fi
rolled=$DIR/rolled-$EVENTS-$DAYS-$(date -u +%F)
if [ ! -f "$rolled" ]; then
  DATABASE_URL=$DATABASE_URL RUST_LOG=error "$BIN" rollup --site "$SITE"
  touch "$rolled"
fi

domain=$(curl -fs -b "$jar" "$BASE/api/v1/sites/$SITE" | python3 -c 'import json,sys; print(json.load(sys.stdin)["domain"])')
key=$(curl -fs -b "$jar" -H 'Content-Type: application/json' -d '{"name":"bench"}' "$BASE/api/v1/api-keys" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
auth="Authorization: Bearer $key"
curl -fs -X PUT -H "$auth" -H 'Content-Type: application/json' \
  -d "{\"site_id\":\"$domain\",\"goal_type\":\"event\",\"event_name\":\"Signup\"}" "$BASE/api/v1/sites/goals" >/dev/null

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "database: ${DATABASE_URL%%\?*} ($EVENTS events over $DAYS days); $REPEAT requests per question"

end=$(date -u -d '-1 day' +%F)
start=$(date -u -d "-$DAYS days" +%F)
range="period=custom&date=$start,$end&site_id=$domain"
v2range="\"date_range\":[\"$start\",\"$end\"],\"site_id\":\"$domain\""
summary="metrics=visitors,visits,pageviews,bounce_rate,visit_duration"
v1=(
  "aggregate|aggregate?$range&$summary"
  "aggregate, 1 filter|aggregate?$range&$summary&filters=visit:referrer%3D%3Dgoogle.com"
  "aggregate, 2 filters|aggregate?$range&$summary&filters=visit:country%3D%3DDE;event:page%3D%3D/"
  "aggregate, 3 filters|aggregate?$range&$summary&filters=visit:country%3D%3DDE;visit:browser%3D%3DFirefox;event:page%3D%3D/"
  "timeseries|timeseries?$range&metrics=visitors,pageviews"
  "breakdown country|breakdown?$range&property=visit:country"
  "breakdown country, 1 filter|breakdown?$range&property=visit:country&filters=visit:referrer%3D%3Dgoogle.com"
  "breakdown page|breakdown?$range&property=event:page&limit=10"
  "breakdown page, 1 filter|breakdown?$range&property=event:page&limit=10&filters=visit:country%3D%3DDE"
  "breakdown source, 1 filter|breakdown?$range&property=visit:source&filters=visit:browser%3D%3DFirefox"
  "breakdown goal|breakdown?$range&property=event:goal&metrics=visitors,events,conversion_rate"
)
v2=(
  "query, 3 filters|{$v2range,\"metrics\":[\"visitors\",\"pageviews\",\"bounce_rate\"],\"filters\":[[\"is\",\"visit:country\",[\"GB\"]],[\"is\",\"visit:os\",[\"Linux\"]],[\"contains\",\"event:page\",[\"/\"]]]}"
  "query by day, 1 filter|{$v2range,\"metrics\":[\"visitors\",\"pageviews\"],\"dimensions\":[\"time:day\"],\"filters\":[[\"is\",\"visit:referrer\",[\"t.co\"]]]}"
)

stats() {
  python3 -c '
import sys
t = sorted(float(x) * 1000 for x in sys.argv[2:])
pick = lambda q: t[min(len(t) - 1, int(q * len(t)))]
print(f"{sys.argv[1]:<32} {pick(0.5):8.0f} ms {pick(0.95):8.0f} ms")
' "$@"
}
printf '\n%-32s %11s %11s\n' "Stats API v1 (90 days)" p50 p95
for entry in "${v1[@]}"; do
  label=${entry%%|*}
  url="$BASE/api/v1/stats/${entry#*|}"
  curl -fs -H "$auth" -o /dev/null "$url" || { echo "$label: failed: $(curl -s -H "$auth" "$url")"; continue; }
  # shellcheck disable=SC2046
  stats "$label" $(for _ in $(seq "$REPEAT"); do curl -fs -H "$auth" -o /dev/null -w '%{time_total}\n' "$url"; done)
done
printf '\n%-32s %11s %11s\n' "Stats API v2 (90 days)" p50 p95
for entry in "${v2[@]}"; do
  label=${entry%%|*}
  body=${entry#*|}
  post() { curl -fs -H "$auth" -H 'Content-Type: application/json' -d "$body" "$@" "$BASE/api/v2/query"; }
  post -o /dev/null || { echo "$label: failed: $(curl -s -H "$auth" -H 'Content-Type: application/json' -d "$body" "$BASE/api/v2/query")"; continue; }
  # shellcheck disable=SC2046
  stats "$label" $(for _ in $(seq "$REPEAT"); do post -o /dev/null -w '%{time_total}\n'; done)
done

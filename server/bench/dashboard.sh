#!/usr/bin/env bash
# `make bench-dashboard`: the release server on loopback with a site seeded by
# `pagepulse seed` (10 million events over 90 days unless BENCH_EVENTS says
# otherwise), rolled up by `pagepulse rollup` (timed), then BENCH_REPEAT timed
# requests per query to the analytics API. Prints the first request (which
# fills the counts the server keeps between reports) and p50/p95 per query; with
# BENCH_RAW=1 also before the rollup (raw events only: slow on 10M events).
# BENCH_DIR keeps the seeded (and rolled-up) database between runs.
set -euo pipefail

BIN=${BIN:-target/release/pagepulse}
EVENTS=${BENCH_EVENTS:-10000000}
DAYS=${BENCH_DAYS:-90}
REPEAT=${BENCH_REPEAT:-20}
PORT=${BENCH_PORT:-8791}
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
start_server

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

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "database: ${DATABASE_URL%%\?*} ($EVENTS events over $DAYS days); $REPEAT requests per query"
size() {
  if [[ $DATABASE_URL == sqlite* ]]; then
    echo "database size $1: $(du -m "$DIR/bench.db" | cut -f1) MB, $(( $(du -b "$DIR/bench.db" | cut -f1) / EVENTS )) bytes per event"
  fi
}
size "before the rollup"

today=$(date -u +%F)
start90=$(date -u -d "-$((DAYS - 1)) days" +%F)
queries=(
  "today|period=today"
  "7d|period=7d"
  "30d|period=30d"
  "12mo|period=12mo"
  "30d, filtered|period=30d&referrer=google.com"
  "90d|period=custom&start=$start90&end=$today"
  "90d, filtered|period=custom&start=$start90&end=$today&referrer=google.com"
)
time_queries() {
  printf '\n%s\n%-16s %10s %10s %10s\n' "$1" query first p50 p95
  for entry in "${queries[@]}"; do
    label=${entry%%|*}
    query=${entry#*|}
    url="$BASE/api/v1/sites/$SITE/analytics?$query"
    # The first request also fills what the server keeps between reports.
    first=$(curl -fs -b "$jar" -o /dev/null -w '%{time_total}' "$url")
    times=$(for _ in $(seq "$REPEAT"); do curl -fs -b "$jar" -o /dev/null -w '%{time_total}\n' "$url"; done)
    # shellcheck disable=SC2086
    python3 -c '
import sys
t = sorted(float(x) * 1000 for x in sys.argv[3:])
pick = lambda q: t[min(len(t) - 1, int(q * len(t)))]
print(f"{sys.argv[1]:<16} {float(sys.argv[2]) * 1000:7.0f} ms {pick(0.5):7.0f} ms {pick(0.95):7.0f} ms")
' "$label" "$first" $times
  done
}

[ "${BENCH_RAW:-0}" = 1 ] && time_queries "raw events only"
start=$(date +%s.%N)
DATABASE_URL=$DATABASE_URL RUST_LOG=error "$BIN" rollup --site "$SITE"
echo "rollup took $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)") s"
size "after the rollup"
time_queries "closed days rolled up, today raw"

# The reports a Plausible user filters by goal: an event goal (rollups slice
# it) and a page goal (a pattern: counted from the packed days, then kept).
for goal in '{"event_name":"Signup"}' '{"page_path":"/docs*"}'; do
  curl -fs -b "$jar" -H 'Content-Type: application/json' -d "$goal" \
    "$BASE/api/v1/sites/$SITE/goals" >/dev/null || true
done
queries=(
  "30d|period=30d"
  "30d, goal=Signup|period=30d&goal=Signup"
  "30d, page goal|period=30d&goal=Visit%20/docs*"
  "30d, page~docs|period=30d&page~docs"
  "30d, prop|period=30d&prop:plan=pro"
  "12mo, page goal|period=12mo&goal=Visit%20/docs*"
)
time_queries "with goals and filters rollups cannot slice"

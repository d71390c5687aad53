#!/usr/bin/env bash
# `make bench-delete`: deleting a large site while beacons for another site keep
# coming. The release server on loopback (SQLite in a scratch folder unless
# BENCH_DATABASE_URL says otherwise); `pagepulse seed` fills one site with
# BENCH_EVENTS events (1,000,000); wrk posts beacons for a second site, first
# alone (the baseline), then while the first site is deleted through
# DELETE /api/v1/sites/{id}. Prints beacon p50/p99 both ways and how long the
# delete took.
set -euo pipefail

BIN=${BIN:-target/release/pagepulse}
EVENTS=${BENCH_EVENTS:-1000000}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-1}
PORT=${BENCH_PORT:-8792}
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d)
DATABASE_URL=${BENCH_DATABASE_URL:-sqlite://$DIR/bench.db?mode=rwc}
BASE=http://127.0.0.1:$PORT

cleanup() {
  [ -n "${LOAD:-}" ] && kill "$LOAD" 2>/dev/null || true
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

# shellcheck source=server/bench/lib.sh
. "$HERE/lib.sh"
start_server env EVENT_RATE_LIMIT_PER_MINUTE=1000000000
jar=$DIR/cookies
DOOMED=$(new_site "bench-$RANDOM$RANDOM@example.com")
LIVE=$(curl -fs -b "$jar" -H 'Content-Type: application/json' \
  -d "{\"name\":\"Live\",\"domain\":\"live-$RANDOM.example.com\"}" "$BASE/api/v1/sites" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
DOMAIN=$(curl -fs -b "$jar" "$BASE/api/v1/sites/$LIVE" | python3 -c 'import json,sys; print(json.load(sys.stdin)["domain"])')
lua=$DIR/wrk.lua
sed "s/bench\.example\.com/$DOMAIN/" "$HERE/wrk.lua" > "$lua"

count_events() {
  case $DATABASE_URL in
    sqlite*) python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from events where site_id = (select id from sites where domain not like ?)", (sys.argv[2],)).fetchone()[0])' "$DIR/bench.db" "live-%" ;;
    *) psql "$DATABASE_URL" -tAc "select count(*) from events where site_id = '$DOOMED'" ;;
  esac
}
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" <<<"$2"; }
ms() { echo "$(( $1 / 1000 )).$(( $1 % 1000 / 100 ))"; }
summary() {
  local n errors
  n=$(field requests "$1")
  errors=$(( $(field status_errors "$1") + $(field socket_errors "$1") ))
  echo "  beacons p50/p99 $(ms "$(field p50_us "$1")") ms / $(ms "$(field p99_us "$1")") ms   ($n requests in $(( $(field duration_us "$1") / 1000000 )) s, $errors errors or non-202)"
}

DATABASE_URL=$DATABASE_URL RUST_LOG=error "$BIN" seed --site "$DOOMED" --days 30 --events "$EVENTS" >/dev/null 2>&1

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load: wrk -t$THREADS -c$CONNECTIONS"
echo "database: ${DATABASE_URL%%\?*}; site to delete: $(count_events) events"

# Warm-up, then the baseline: beacons with nothing else going on.
BENCH_MODE=event BENCH_SITE=$LIVE wrk -t1 -c8 -d2s -s "$lua" "$BASE" >/dev/null
baseline=$(BENCH_MODE=event BENCH_SITE=$LIVE wrk -t"$THREADS" -c"$CONNECTIONS" -d10s -s "$lua" "$BASE" | grep '^RESULT')

# The same load, stopped (SIGINT makes wrk report) a second after the delete answers.
BENCH_MODE=event BENCH_SITE=$LIVE wrk -t"$THREADS" -c"$CONNECTIONS" -d600s -s "$lua" "$BASE" >"$DIR/load.out" &
LOAD=$!
sleep 2
deleted=$(curl -fs -b "$jar" -X DELETE -o /dev/null -w '%{http_code} %{time_total}' "$BASE/api/v1/sites/$DOOMED")
sleep 1
kill -INT "$LOAD"
wait "$LOAD" || true
LOAD=
during=$(grep '^RESULT' "$DIR/load.out")

echo
echo "POST /api/v1/event for another site"
echo "alone:"
summary "$baseline"
echo "while the site is deleted:"
summary "$during"
echo "DELETE /api/v1/sites/{id}: status ${deleted% *}, $(python3 -c "print(f'{float(\"${deleted#* }\"):.1f}')") s; events left: $(count_events)"

#!/usr/bin/env bash
# `make bench-ingest`: the release server on loopback (SQLite in a scratch folder
# unless BENCH_DATABASE_URL says otherwise), wrk as the load, rate limiting raised.
# Prints durable events/s, p50/p99 latency, server CPU per event and, in the same
# run as this machine's ceiling, the same server's req/s on GET /js/p.js.
set -euo pipefail

BIN=${BIN:-target/release/pagepulse}
DURATION=${BENCH_DURATION:-20s}
CONNECTIONS=${BENCH_CONNECTIONS:-256}
THREADS=${BENCH_THREADS:-2}
PORT=${BENCH_PORT:-8790}
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d)
DATABASE_URL=${BENCH_DATABASE_URL:-sqlite://$DIR/bench.db?mode=rwc}
BASE=http://127.0.0.1:$PORT

cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

# shellcheck source=server/bench/lib.sh
. "$HERE/lib.sh"
start_server env EVENT_RATE_LIMIT_PER_MINUTE=1000000000
jar=$DIR/cookies
SITE=$(new_site "bench-$RANDOM@example.com")
DOMAIN=$(curl -fs -b "$jar" "$BASE/api/v1/sites/$SITE" | python3 -c 'import json,sys; print(json.load(sys.stdin)["domain"])')
sed_lua=$DIR/wrk.lua
sed "s/bench\.example\.com/$DOMAIN/" "$HERE/wrk.lua" > "$sed_lua"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
count_events() {
  case $DATABASE_URL in
    sqlite*) python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from events").fetchone()[0])' "$DIR/bench.db" ;;
    *) psql "$DATABASE_URL" -tAc 'select count(*) from events' ;;
  esac
}
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" <<<"$2"; }
run() { BENCH_MODE=$1 BENCH_SITE=$SITE wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$sed_lua" "$BASE" | grep '^RESULT'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load: wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
echo "database: ${DATABASE_URL%%\?*}"

# Warm-up: first salts, caches and pages of the database file.
BENCH_MODE=event BENCH_SITE=$SITE wrk -t1 -c8 -d2s -s "$sed_lua" "$BASE" >/dev/null

rows_before=$(count_events)
before=$(cpu_ticks)
events=$(run event)
after=$(cpu_ticks)
rows_after=$(count_events)
script=$(run script)
engagement=$(run engagement)
# Pageviews alone again, so the engagement run sits between two of them and the
# database's growth over the runs weighs on both sides alike.
again=$(run event)

hz=$(getconf CLK_TCK)
n=$(field requests "$events"); us=$(field duration_us "$events")
errors=$(( $(field status_errors "$events") + $(field socket_errors "$events") ))
rate=$(( n * 1000000 / us ))
cpu_us=$(( (after - before) * 1000000 / hz / (n > 0 ? n : 1) ))
sn=$(field requests "$script"); sus=$(field duration_us "$script")
srate=$(( sn * 1000000 / sus ))

echo
echo "POST /api/v1/event (durable: 202 only after commit)"
echo "  events/s        $rate   ($n requests, $errors errors or non-202, $(( rows_after - rows_before )) rows stored)"
echo "  latency p50/p99 $(( $(field p50_us "$events") / 1000 )).$(( $(field p50_us "$events") % 1000 / 100 )) ms / $(( $(field p99_us "$events") / 1000 )).$(( $(field p99_us "$events") % 1000 / 100 )) ms"
echo "  server CPU      ${cpu_us} µs per event"
echo "GET /js/p.js (the same server's ceiling on this machine)"
echo "  requests/s      $srate   (p50 $(( $(field p50_us "$script") / 1000 )).$(( $(field p50_us "$script") % 1000 / 100 )) ms)"
echo "ratio             $(python3 -c "print(f'{$rate / $srate:.2f}')") × the /js/p.js rate"
en=$(field requests "$engagement"); eus=$(field duration_us "$engagement")
erate=$(( en * 1000000 / eus ))
eerrors=$(( $(field status_errors "$engagement") + $(field socket_errors "$engagement") ))
echo "POST /api/v1/event, half of them engagement reports (each updates a pageview)"
echo "  beacons/s       $erate   ($en requests, $eerrors errors or non-202)"
echo "  latency p50/p99 $(( $(field p50_us "$engagement") / 1000 )).$(( $(field p50_us "$engagement") % 1000 / 100 )) ms / $(( $(field p99_us "$engagement") / 1000 )).$(( $(field p99_us "$engagement") % 1000 / 100 )) ms"
arate=$(( $(field requests "$again") * 1000000 / $(field duration_us "$again") ))
echo "  ratio           $(python3 -c "print(f'{$erate / $srate:.2f}')") × the /js/p.js rate"
echo "  against pageviews alone, before and after it ($rate and $arate events/s): $(python3 -c "print(f'{($erate * 2 - $rate - $arate) * 100 / ($rate + $arate):+.1f}')") %"
if [ $(( rows_after - rows_before )) -lt $(( n - errors )) ]; then
  echo "FAIL: fewer rows stored than events acknowledged"; exit 1
fi

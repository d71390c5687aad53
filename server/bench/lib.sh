# Shared by the bench scripts: start the release server, make an account and a site.
# Expects BIN, PORT, DATABASE_URL, BASE and a scratch folder DIR; sets SERVER.

start_server() {
  HOST=127.0.0.1 PORT=$PORT DATABASE_URL=$DATABASE_URL LEPTOS_SITE_ROOT=public \
    RUST_LOG=error "$@" "$BIN" serve &
  SERVER=$!
  for _ in $(seq 100); do curl -fs "$BASE/health" >/dev/null && break; sleep 0.1; done
}

# new_site EMAIL: registers EMAIL (cookies in $DIR/cookies) and prints a new site's id.
new_site() {
  curl -fs -c "$DIR/cookies" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"correct horse battery\",\"name\":\"Bench\"}" \
    "$BASE/api/v1/auth/register" >/dev/null
  curl -fs -b "$DIR/cookies" -H 'Content-Type: application/json' \
    -d "{\"name\":\"Bench\",\"domain\":\"bench-$RANDOM.example.com\"}" "$BASE/api/v1/sites" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

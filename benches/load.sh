#!/usr/bin/env bash
# HTTP load figures of a release build of tooken-mock, driven by wrk on 127.0.0.1.
#
#   benches/load.sh                   # 10 s a scenario
#   LOAD_SECONDS=3 benches/load.sh    # a quicker, noisier run
#
# It serves a generated snapshot of 100k tokens (one workspace, seed 1) and measures each
# scenario with wrk (1 thread, 32 connections). /healthz runs first: it does no work of ours,
# so each scenario's ratio to it compares across machines better than raw requests a second.
# Then it starts the embedded demo data and 1M tokens, for the time from exec to the first
# 200 on /readyz and the resident memory after a short load. Snapshots are kept in
# target/bench/ and reused. Set LOAD_LOG_LEVEL (default info, the server's own default) to
# change the server's log level; its logs go to target/bench/*.log.
set -euo pipefail

cd "$(dirname "$0")/.."

LOAD_SECONDS="${LOAD_SECONDS:-10}"
LOG_LEVEL="${LOAD_LOG_LEVEL:-info}"
NOW="2026-05-01T00:00:00Z"
OUT="target/bench"
BIN="target/release/tooken-mock"
# How long a server may take to print its banner: loading 1M tokens takes seconds.
START_TIMEOUT=120

# shellcheck source=benches/common.sh
source benches/common.sh
require_wrk
require_curl

millis_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# start NAME [ARGS...]: starts a server on a free port and waits for its first 200 on /readyz.
# Sets PID, PORT and READY_MS (from exec to that 200).
start() {
    local name=$1 log="$OUT/$1.log"
    shift
    local started
    : >"$log"
    started=$(date +%s%N)
    TOOKEN__LOG__LEVEL="$LOG_LEVEL" "$BIN" --now "$NOW" --port 0 "$@" >"$log" 2>&1 &
    PID=$!
    SERVER_PIDS+=("$PID")
    PORT=""
    await_ready "$PID" "$log" "$START_TIMEOUT"
    READY_MS=$(millis_since "$started")
}

rss_of() { awk '/^VmRSS:/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$1/status"; }

# load SECRET PATH [WRK ARGS...]: runs wrk against the current server (or $TARGET_PORT);
# sets RPS, P50, P99, NON_2XX, ERRORS.
load() {
    local secret=$1 path=$2 report
    shift 2
    report=$(timeout $((LOAD_SECONDS + 30)) wrk -t1 -c32 -d"${LOAD_SECONDS}s" --latency \
        -H "Authorization: Bearer $secret" "$@" "http://127.0.0.1:${TARGET_PORT:-$PORT}$path")
    RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$report")
    P50=$(awk '$1 == "50%" { print $2 }' <<<"$report")
    P99=$(awk '$1 == "99%" { print $2 }' <<<"$report")
    NON_2XX=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$report")
    NON_2XX=${NON_2XX:-0}
    # "Socket errors: connect 0, read 0, write 0, timeout 0"
    ERRORS=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' <<<"$report")
    ERRORS=${ERRORS:-0}
}

echo "building the release binary" >&2
cargo build --release --quiet
mkdir -p "$OUT"
snapshot 100000 "$OUT/tokens-100k.json"
snapshot 1000000 "$OUT/tokens-1m.json"
SECRET=$(listing_secret "$OUT/tokens-100k.json.secrets")
SECRET_1M=$(listing_secret "$OUT/tokens-1m.json.secrets")
[[ -n $SECRET && -n $SECRET_1M ]] || {
    echo "no listing secret in $OUT/*.secrets; delete them to generate again" >&2
    exit 1
}

STATUS_PAGE="/v1/tokens?status=active&per_page=25&page=3"
SCENARIOS=(
    "/healthz|healthz"
    "$STATUS_PAGE|status=active page 3"
    "/v1/tokens?per_page=100|unfiltered per_page=100"
    "/v1/tokens?name=ci&per_page=25|name=ci"
    "/v1/tokens?per_page=25|bad secret (401)"
)

echo "100k tokens, wrk -t1 -c32 -d${LOAD_SECONDS}s on $(nproc) cores" >&2
start 100k --snapshot "$OUT/tokens-100k.json"
READY_100K=$READY_MS
# A second of untimed load, so that the reference is not taken from a cold server.
timeout 30 wrk -t1 -c32 -d1s "http://127.0.0.1:$PORT/healthz" >/dev/null
printf '\n%-26s %9s %9s %9s %9s %7s %9s\n' scenario 'req/s' p50 p99 non-2xx errors '/healthz'
HEALTHZ_RPS=""
for scenario in "${SCENARIOS[@]}"; do
    path=${scenario%%|*}
    label=${scenario#*|}
    secret=$SECRET
    [[ $label == bad* ]] && secret="tok_live_NotARealSecretNotARealSecret00"
    load "$secret" "$path"
    HEALTHZ_RPS=${HEALTHZ_RPS:-$RPS}
    if [[ $path == "$STATUS_PAGE" ]]; then
        RPS_100K=$RPS
        NON_2XX_100K=$NON_2XX
    fi
    ratio=$(awk -v a="$RPS" -v b="$HEALTHZ_RPS" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    printf '%-26s %9s %9s %9s %9s %7s %9s\n' "$label" "$RPS" "$P50" "$P99" "$NON_2XX" "$ERRORS" "$ratio"
done
RSS_100K=$(rss_of "$PID")

# The yardstick: the very bytes of the status page from a static actix-web server that does
# no work (benches/ceiling), measured alternately with the mock, five rounds, medians.
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ratio_of() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
echo "building the static ceiling server" >&2
CARGO_TARGET_DIR="$PWD/target/ceiling" cargo build --release --quiet --manifest-path benches/ceiling/Cargo.toml
curl -sf -H "Authorization: Bearer $SECRET" "http://127.0.0.1:$PORT$STATUS_PAGE" >"$OUT/page.json"
CEILING_PORT=$((20000 + RANDOM % 20000))
target/ceiling/release/ceiling "$OUT/page.json" "$CEILING_PORT" >/dev/null 2>&1 &
SERVER_PIDS+=("$!")
sleep 0.5
compare() {
    local mock=() ceiling=() _
    for _ in 1 2 3 4 5; do
        load "$SECRET" "$STATUS_PAGE" "$@"
        mock+=("$RPS")
        TARGET_PORT=$CEILING_PORT load "$SECRET" "$STATUS_PAGE"
        ceiling+=("$RPS")
    done
    MOCK_RPS=$(median "${mock[@]}")
    CEILING_RPS=$(median "${ceiling[@]}")
}
compare
printf '\ntokens page, 100k tokens: %s req/s; static ceiling: %s req/s; ratio %s (goal >= 0.75)\n' \
    "$MOCK_RPS" "$CEILING_RPS" "$(ratio_of "$MOCK_RPS" "$CEILING_RPS")"
compare -H "X-Mock-Session: bench"
printf 'same page in a session (X-Mock-Session): %s req/s; static ceiling: %s req/s; ratio %s\n' \
    "$MOCK_RPS" "$CEILING_RPS" "$(ratio_of "$MOCK_RPS" "$CEILING_RPS")"

# Sessions: what a session costs until it changes something, and once it changed a token.
sessions() {
    python3 - "$PORT" "$1" "$2" <<'PY'
import http.client, json, sys
port, count, change = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "change"
conn = http.client.HTTPConnection("127.0.0.1", port)
for i in range(count):
    name = f"{'changed' if change else 'fresh'}-{i}"
    if change:
        body = json.dumps({"workspace": "ws_gen_1", "name": f"session token {i}", "scopes": ["tokens:read"]})
        conn.request("POST", "/__admin/tokens", body, {"X-Mock-Session": name, "Content-Type": "application/json"})
    else:
        conn.request("GET", "/v1/tokens?per_page=1", headers={"X-Mock-Session": name})
    response = conn.getresponse()
    response.read()
    assert response.status in (200, 201, 401), response.status
PY
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
BEFORE_KIB=$(rss_kib "$PID")
sessions 1000 fresh
FRESH_KIB=$(rss_kib "$PID")
sessions 1000 change
CHANGED_KIB=$(rss_kib "$PID")
printf 'sessions over 100k tokens: one (default) %s MiB; +1000 fresh: %s KiB each; +1000 that changed a token: %s KiB each; total %s of one session (goal <= 2)\n' \
    "$((BEFORE_KIB / 1024))" "$(((FRESH_KIB - BEFORE_KIB) / 1000))" "$(((CHANGED_KIB - FRESH_KIB) / 1000))" \
    "$(ratio_of "$CHANGED_KIB" "$BEFORE_KIB")"
stop_servers

# The other two servers, each after the same status page load as above.
start embedded
READY_EMBEDDED=$READY_MS
DEMO_SECRET=$(sed -n "s|.*Authorization: Bearer \(tok_live_[A-Za-z0-9]*\)'.*|\1|p" "$OUT/embedded.log")
load "$DEMO_SECRET" "$STATUS_PAGE"
RPS_EMBEDDED=$RPS
NON_2XX_EMBEDDED=$NON_2XX
RSS_EMBEDDED=$(rss_of "$PID")
stop_servers

# Read once first, so that exec to ready measures loading, not the disk.
cat "$OUT/tokens-1m.json" >/dev/null
start 1m --snapshot "$OUT/tokens-1m.json"
READY_1M=$READY_MS
load "$SECRET_1M" "$STATUS_PAGE"
RPS_1M=$RPS
NON_2XX_1M=$NON_2XX
RSS_1M=$(rss_of "$PID")
# The name-filter stall: the status page alone, then beside 4 clients filtering by name, the
# same filter (a UI polling) and then filters that are always different (two random letters
# and a random page, so no page is answered from the worker's cache).
beside() {
    timeout $((LOAD_SECONDS + 40)) wrk -t1 -c4 -d"$((LOAD_SECONDS + 2))s" \
        -H "Authorization: Bearer $SECRET_1M" "$@" >"$OUT/beside.txt" &
    local side=$!
    sleep 1
    load "$SECRET_1M" "$STATUS_PAGE"
    wait "$side"
    NAMED_RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$OUT/beside.txt")
}
load "$SECRET_1M" "$STATUS_PAGE"
ALONE_1M=$RPS
beside "http://127.0.0.1:$PORT/v1/tokens?name=ci"
printf '\nstatus page, 1M tokens: %s req/s alone; %s req/s beside 4 name=ci clients (%s req/s); kept %s (goal >= 0.5)\n' \
    "$ALONE_1M" "$RPS" "$NAMED_RPS" "$(ratio_of "$RPS" "$ALONE_1M")"
beside -s benches/random_names.lua "http://127.0.0.1:$PORT/v1/tokens"
printf 'status page, 1M tokens: %s req/s beside 4 clients of ever-different name filters (%s req/s, each a full scan); kept %s\n' \
    "$RPS" "$NAMED_RPS" "$(ratio_of "$RPS" "$ALONE_1M")"
# A name filter over 1M tokens on its own: one client, never answered from a cache.
name_latency() {
    local report
    report=$(timeout $((LOAD_SECONDS + 30)) wrk -t1 -c1 -d"${LOAD_SECONDS}s" --latency -s "$1" \
        -H "Authorization: Bearer $SECRET_1M" "http://127.0.0.1:$PORT/v1/tokens")
    printf 'name filter over 1M tokens, one client, %s: p50 %s, p99 %s (goal p50 <= 10 ms)\n' "$2" \
        "$(awk '$1 == "50%" { print $2 }' <<<"$report")" "$(awk '$1 == "99%" { print $2 }' <<<"$report")"
}
name_latency benches/random_names.lua "ever-different two-letter filters"
name_latency benches/ci_pages.lua "name=ci on ever-different pages"
stop_servers

row() { printf '%-10s %13s ms %20s %9s %14s\n' "$@"; }
printf '\n%-10s %16s %20s %9s %14s\n' data 'exec to ready' 'status page req/s' non-2xx 'VmRSS after'
row embedded "$READY_EMBEDDED" "$RPS_EMBEDDED" "$NON_2XX_EMBEDDED" "$RSS_EMBEDDED"
row 100k "$READY_100K" "$RPS_100K" "$NON_2XX_100K" "$RSS_100K"
row 1M "$READY_1M" "$RPS_1M" "$NON_2XX_1M" "$RSS_1M"

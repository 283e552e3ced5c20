#!/usr/bin/env bash
# Name-filter scans at 1M tokens: a release build of tooken-mock driven by wrk on 127.0.0.1.
#
#   benches/scans.sh                   # 10 s a scenario
#   SCANS_SECONDS=3 benches/scans.sh   # a quicker, noisier run
#   SCANS_BIN=path/to/tooken-mock benches/scans.sh   # another binary, not built here (to
#                                      # compare two builds in one run of the machine)
#
# Prints the median latency (p50) of:
#   - name=ci alone (a fifth of the names match), one client, a different page each request so
#     that no worker's page cache answers it;
#   - one client sending ever-different filters (two random letters, a random page);
#   - four such clients at once, each with its own seed: each one's p50, its ratio to the one
#     client alone (goal: within 2x) and its mean latency against the bound the cores set: N
#     closed-loop clients whose requests cost C ms of server CPU each cannot be answered faster
#     than one request every C / cores ms in all, so each waits at least N * C / cores ms on
#     average (a bound on the mean, not the median).
# Every client is one wrk connection (-t1 -c1) waiting for each answer before the next request.
# The snapshot (1M tokens, one workspace, seed 1) is kept in target/bench/ and reused; the
# server's log goes to target/bench/scans.log. Extra server settings pass through the
# environment (TOOKEN__STORE__SCAN_THREADS=1 benches/scans.sh).
set -euo pipefail

cd "$(dirname "$0")/.."

SECONDS_EACH="${SCANS_SECONDS:-10}"
NOW="2026-05-01T00:00:00Z"
OUT="target/bench"
BIN="${SCANS_BIN:-target/release/tooken-mock}"
SNAPSHOT="$OUT/tokens-1m.json"
# Loading 1M tokens takes seconds; a slow machine gets more.
START_TIMEOUT=180

# shellcheck source=benches/common.sh
source benches/common.sh
require_wrk
require_curl

if [[ -z ${SCANS_BIN:-} ]]; then
    echo "building the release binary" >&2
    cargo build --release --quiet
fi
[[ -x $BIN ]] || {
    echo "$BIN is not an executable" >&2
    exit 1
}
snapshot 1000000 "$SNAPSHOT"
SECRET=$(listing_secret "$SNAPSHOT.secrets")
[[ -n $SECRET ]] || {
    echo "no listing secret in $SNAPSHOT.secrets; delete it to generate again" >&2
    exit 1
}

LOG="$OUT/scans.log"
"$BIN" --now "$NOW" --port 0 --snapshot "$SNAPSHOT" >"$LOG" 2>&1 &
PID=$!
SERVER_PIDS+=("$PID")
PORT=""
await_ready "$PID" "$LOG" "$START_TIMEOUT"

# client SCRIPT SEED: one wrk connection for SECONDS_EACH seconds; prints
# "p50 non2xx requests mean".
client() {
    local report
    report=$(timeout $((SECONDS_EACH + 30)) wrk -t1 -c1 -d"${SECONDS_EACH}s" --latency \
        -s "$1" -H "Authorization: Bearer $SECRET" "http://127.0.0.1:$PORT/" -- "$2")
    awk '
        $1 == "50%" { p50 = $2 }
        $1 == "Latency" && mean == "" { mean = $2 }
        /Non-2xx or 3xx responses:/ { bad = $NF }
        / requests in / { n = $1 }
        END { print p50, (bad == "" ? 0 : bad), n, mean }' <<<"$report"
}

# CPU time the server has used, in clock ticks (user + system, /proc/PID/stat).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
TICK_MS=$(awk -v hz="$(getconf CLK_TCK)" 'BEGIN { print 1000 / hz }')
# cpu_per_request TICKS_BEFORE REQUESTS: the server's CPU milliseconds per request since then,
# which a busy machine changes far less than a latency.
cpu_per_request() {
    awk -v a="$1" -v b="$(cpu_ticks)" -v n="$2" -v t="$TICK_MS" \
        'BEGIN { printf "%.2f", (n > 0 ? (b - a) * t / n : 0) }'
}

# Milliseconds of a wrk latency (850.00us, 1.20ms, 2.00s).
ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000
        printf "%.3f", n }'
}

THREADS=$(sed -n 's/.*scan threads started.*threads=\([0-9]*\).*/\1/p' "$LOG" | head -n 1)
echo "1M tokens, $(nproc) cores, scan threads: ${THREADS:-see $LOG}, wrk -t1 -c1 -d${SECONDS_EACH}s a client"
# Untimed scans first (another seed: their pages must not be cached for the timed ones).
client benches/scans_ci.lua 99 >/dev/null

before=$(cpu_ticks)
read -r p50 bad n _ < <(client benches/scans_ci.lua 1)
printf '%-40s p50 %8s ms  (%s requests, %s non-2xx, server CPU %s ms a request; goal p50 <= 2 ms)\n' \
    "name=ci alone, a new page each time" "$(ms "$p50")" "$n" "$bad" "$(cpu_per_request "$before" "$n")"

before=$(cpu_ticks)
read -r p50 bad n mean < <(client benches/scans_filters.lua 1)
ALONE=$(ms "$p50")
ALONE_MEAN=$(ms "$mean")
printf '%-40s p50 %8s ms  (%s requests, %s non-2xx, server CPU %s ms a request)\n' \
    "1 client, ever-different filters" "$ALONE" "$n" "$bad" "$(cpu_per_request "$before" "$n")"

before=$(cpu_ticks)
CLIENTS=()
for seed in 2 3 4 5; do
    client benches/scans_filters.lua "$seed" >"$OUT/scans-client-$seed.txt" &
    CLIENTS+=("$!")
done
wait "${CLIENTS[@]}"
TOTAL=0
for seed in 2 3 4 5; do
    read -r _ _ n _ <"$OUT/scans-client-$seed.txt"
    TOTAL=$((TOTAL + n))
done
CPU4=$(cpu_per_request "$before" "$TOTAL")
CORES=$(nproc)
# The least each of 4 closed-loop clients can wait on average when the server's CPU is the
# only limit: 4 requests of CPU4 ms each share the cores (the wrk processes share them too).
BOUND=$(awk -v c="$CPU4" -v k="$CORES" 'BEGIN { printf "%.3f", 4 * c / k }')
for seed in 2 3 4 5; do
    read -r p50 bad n mean <"$OUT/scans-client-$seed.txt"
    each=$(ms "$p50")
    mean=$(ms "$mean")
    ratio=$(awk -v a="$each" -v b="$ALONE" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    bound=$(awk -v a="$mean" -v b="$BOUND" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    printf '%-40s p50 %8s ms  (%s requests, %s non-2xx) ratio to alone %s (goal <= 2); mean %s ms, %s x the bound\n' \
        "4 clients, client $((seed - 1)), ever-different" "$each" "$n" "$bad" "$ratio" "$mean" "$bound"
done
echo "4 clients: server CPU $CPU4 ms a request over $TOTAL requests; bound 4 x $CPU4 / $CORES cores = $BOUND ms a client"
awk -v b="$BOUND" -v a="$ALONE_MEAN" 'BEGIN {
    printf "that bound over one client alone (mean %s ms): %.2f, the least ratio of means the cores allow\n", a, (a > 0 ? b / a : 0) }'

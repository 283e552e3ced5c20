#!/usr/bin/env bash
# How fast a release build of tooken-mock is ready with a 1M-token snapshot, and what it holds.
#
#   benches/ready.sh                # 5 starts
#   READY_RUNS=9 benches/ready.sh   # more starts, for a steadier median
#   READY_BIN=/tmp/old benches/ready.sh   # another build (a copy of an earlier release binary),
#                                         # to compare two builds in one sitting
#
# It builds the release binary, generates target/bench/tokens-1m.json (1M tokens, one
# workspace, seed 1) if missing, and reads the file once so that it sits in the page cache.
# Then it starts the server READY_RUNS times on a free port of 127.0.0.1 and measures from exec
# to the first 200 on /readyz, polled with curl every 10 ms; it prints the minimum, median and
# maximum, the CPU time the process used until then (user and system, from /proc/PID/stat:
# steadier than the wall clock when other work shares the cores), the resident memory after
# the load (VmRSS of /proc/PID/status) as a ratio to the
# file's size, the start-up log's phases (read, parse, index), the time of a
# PUT /__admin/snapshot of the same file, and that of a SIGHUP reload (from the server's log
# lines "reloading the snapshot" and "snapshot reloaded"). Every server is stopped at the end;
# logs go to target/bench/ready-*.log.
set -euo pipefail

cd "$(dirname "$0")/.."

RUNS="${READY_RUNS:-5}"
OUT="target/bench"
BIN="${READY_BIN:-target/release/tooken-mock}"
FILE="$OUT/tokens-1m.json"
# Seconds a start or a reload may take before the bench gives up.
TIMEOUT=60

# shellcheck source=benches/common.sh
source benches/common.sh
require_curl

PID=""
now_ns() { date +%s%N; }

# A TCP port that nothing listens on at the moment.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start LOG: starts the server on a free port; sets PID, PORT and READY_MS (exec to first 200).
start() {
    local log=$1 started
    PORT=$(free_port)
    started=$(now_ns)
    "$BIN" --snapshot "$FILE" --port "$PORT" >"$log" 2>&1 &
    PID=$!
    SERVER_PIDS+=("$PID")
    await_ready "$PID" "$log" "$TIMEOUT"
    READY_MS=$((($(now_ns) - started) / 1000000))
}

# cpu_ms: the user and system CPU time of the server so far, in milliseconds.
cpu_ms() {
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 1000 / hz }' "/proc/$PID/stat"
}

# field NAME LOG: the last value of NAME=... in the log.
field() { grep -o "$1=[0-9]*" "$2" | tail -1 | cut -d= -f2; }

if [[ -z ${READY_BIN:-} ]]; then
    echo "building the release binary" >&2
    cargo build --release --quiet
fi
snapshot 1000000 "$FILE"
cat "$FILE" >/dev/null
BYTES=$(stat -L -c %s "$FILE")

echo "1M tokens ($((BYTES / 1000000)) MB), $(nproc) cores, $RUNS starts, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
TIMES=()
CPUS=()
for ((run = 1; run <= RUNS; run++)); do
    LOG="$OUT/ready-$run.log"
    start "$LOG"
    TIMES+=("$READY_MS")
    CPU_MS=$(cpu_ms)
    CPUS+=("$CPU_MS")
    RSS_KB=$(awk '/^VmRSS:/ { print $2 }' "/proc/$PID/status")
    printf 'run %d: ready %5d ms  cpu %5d ms  rss %.2fx  (read %s, parse %s, index %s ms)\n' \
        "$run" "$READY_MS" "$CPU_MS" "$(bc -l <<<"$RSS_KB * 1024 / $BYTES")" \
        "$(field read_ms "$LOG")" "$(field parse_ms "$LOG")" "$(field index_ms "$LOG")"
    ((run == RUNS)) || stop_servers
done
mapfile -t SORTED < <(printf '%s\n' "${TIMES[@]}" | sort -n)
printf 'exec to ready: min %d  median %d  max %d ms\n' \
    "${SORTED[0]}" "${SORTED[$((RUNS / 2))]}" "${SORTED[$((RUNS - 1))]}"
mapfile -t SORTED < <(printf '%s\n' "${CPUS[@]}" | sort -n)
printf 'CPU time until ready: min %d  median %d  max %d ms\n' \
    "${SORTED[0]}" "${SORTED[$((RUNS / 2))]}" "${SORTED[$((RUNS - 1))]}"
printf 'resident after load: %.2fx the file (%d MiB of %d MiB)\n' \
    "$(bc -l <<<"$RSS_KB * 1024 / $BYTES")" $((RSS_KB / 1024)) $((BYTES / 1048576))

# The last server is still running: replace its data over HTTP, then reload it on SIGHUP.
started=$(now_ns)
STATUS=$(curl -s -o /dev/null -w '%{http_code}' --max-time "$TIMEOUT" -X PUT \
    -H 'Content-Type: application/json' --data-binary "@$FILE" \
    "http://127.0.0.1:$PORT/__admin/snapshot")
[[ $STATUS == 200 ]] || {
    echo "PUT /__admin/snapshot answered $STATUS; see $LOG" >&2
    exit 1
}
printf 'PUT /__admin/snapshot of the same file: %d ms (request to response)\n' \
    $((($(now_ns) - started) / 1000000))

before=$(grep -c 'snapshot reloaded' "$LOG" || true)
started=$(now_ns)
kill -HUP "$PID"
deadline=$((SECONDS + TIMEOUT))
until (($(grep -c 'snapshot reloaded' "$LOG" || true) > before)); do
    ((SECONDS < deadline)) || {
        echo "no reload within $TIMEOUT s; see $LOG" >&2
        exit 1
    }
    sleep 0.01
done
printf 'SIGHUP reload: %d ms (signal to the log line "snapshot reloaded"; read %s, parse %s ms)\n' \
    $((($(now_ns) - started) / 1000000)) "$(field read_ms "$LOG")" "$(field parse_ms "$LOG")"

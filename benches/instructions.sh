#!/usr/bin/env bash
# Instructions a cached listing costs the server, counted by callgrind (valgrind), so the figure
# does not move with the machine's load: the status page of the embedded demo data, against the
# static-bytes server (benches/ceiling) answering the same bytes. Prints instructions per request
# for both, their ratio, and the functions of ours that cost most per request (inclusive).
#
#   benches/instructions.sh                 # 8 s of requests under callgrind per server
#   INSTR_SECONDS=4 benches/instructions.sh
#   INSTR_BIN=target/bench/tooken-mock-before benches/instructions.sh   # a binary kept aside
#
# The figure is per request, but some of the server's work goes by time (the log writer wakes
# every 20 ms, timers): compare two builds at like request counts, best run one after the
# other with INSTR_BIN naming each in turn.
#
# Needs valgrind (apt-get install valgrind) and wrk; builds the release binary and the ceiling.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${INSTR_SECONDS:-8}"
OUT=target/bench/instructions
mkdir -p "$OUT"
for tool in valgrind wrk curl; do
    command -v "$tool" >/dev/null || { echo "instructions: install $tool first (apt-get install $tool)" >&2; exit 1; }
done
BIN=${INSTR_BIN:-target/release/tooken-mock}
[[ -n "${INSTR_BIN:-}" ]] || cargo build --release --quiet
CARGO_TARGET_DIR="$PWD/target/ceiling" cargo build --release --quiet --manifest-path benches/ceiling/Cargo.toml
CEILING=target/ceiling/release/ceiling
SECRET=tok_live_AcmeAuditReadOnlyKey2026Demo0001
PAGE="/v1/tokens?status=active&per_page=2"

# total FILE: the program's total instructions in a callgrind output.
total() { callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'; }

# profile NAME PORT REQUEST_SECONDS CMD...: runs CMD under callgrind, waits for PORT, sends
# requests for REQUEST_SECONDS (0: none), stops it with SIGTERM; sets COUNT (requests sent).
profile() {
    local name=$1 port=$2 secs=$3 pid
    shift 3
    valgrind --tool=callgrind --callgrind-out-file="$OUT/$name.out" "$@" >"$OUT/$name.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 600); do
        curl -s -o /dev/null -H "Authorization: Bearer $SECRET" "http://127.0.0.1:$port$PAGE" && break
        sleep 0.1
    done
    COUNT=0
    if ((secs > 0)); then
        COUNT=$(timeout $((secs + 30)) wrk -t1 -c4 -d"${secs}s" -H "Authorization: Bearer $SECRET" \
            "http://127.0.0.1:$port$PAGE" | awk '/requests in/ { print $1 }')
    fi
    # valgrind.bin is the child that runs the server; the shell's pid is valgrind's wrapper.
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

per_request() {
    local name=$1 port=$2
    shift 2
    profile "$name-idle" "$port" 0 "$@"
    profile "$name-load" "$port" "$SECONDS_EACH" "$@"
    local idle load
    idle=$(total "$OUT/$name-idle.out")
    load=$(total "$OUT/$name-load.out")
    PER_REQUEST=$(((load - idle) / COUNT))
    REQUESTS=$COUNT
}

per_request mock 18441 "$BIN" --now 2026-05-01T00:00:00Z --port 18441
MOCK=$PER_REQUEST
MOCK_REQUESTS=$REQUESTS
curl -s -H "Authorization: Bearer $SECRET" "http://127.0.0.1:18441$PAGE" -o /dev/null || true
"$BIN" --now 2026-05-01T00:00:00Z --port 18443 >"$OUT/page-server.log" 2>&1 &
page_pid=$!
for _ in $(seq 1 100); do
    curl -sf -H "Authorization: Bearer $SECRET" "http://127.0.0.1:18443$PAGE" -o "$OUT/page.json" && break
    sleep 0.1
done
kill "$page_pid"
wait "$page_pid" 2>/dev/null || true
per_request ceiling 18442 "$CEILING" "$OUT/page.json" 18442
CEIL=$PER_REQUEST

echo "binary: $BIN"
printf 'cached status page (demo data, %s): %s instructions a request over %s requests; static ceiling: %s; ratio %s\n' \
    "$PAGE" "$MOCK" "$MOCK_REQUESTS" "$CEIL" "$(awk -v a="$CEIL" -v b="$MOCK" 'BEGIN { printf "%.3f", a / b }')"
echo "ours, inclusive instructions a request (callgrind_annotate $OUT/mock-load.out):"
callgrind_annotate --inclusive=yes "$OUT/mock-load.out" 2>/dev/null |
    awk -v n="$MOCK_REQUESTS" '/\?\?\?:[^ ]*tooken_mock::/ {
        gsub(",", "", $1); name = $0; sub(/^[^?]*\?\?\?:/, "", name); sub(/ \[.*$/, "", name);
        if (name ~ /startup|cli::|Application|signals|main/) next;
        printf "  %8d  %s\n", $1 / n, substr(name, 1, 110) }' | head -15

#!/usr/bin/env bash
# Soak test: a release build of tooken-mock under sustained load from wrk on 127.0.0.1.
#
#   benches/soak.sh                    # 60 s at 256 connections
#   SOAK_SECONDS=30 benches/soak.sh
#
# It serves a generated snapshot of 100k tokens in 4 workspaces with the clock frozen, and
# runs wrk (2 threads, 256 connections) with benches/soak.lua, which mixes listings (a status
# page, an unfiltered page, a name filter, a deep page) with requests that must fail (a bad
# query: 400, no token: 401, a secret without tokens:read: 403) and checks every status.
# The server's resident memory is sampled every 5 s.
#
# It fails (exit 1) when wrk saw any socket error (connect, read, write, timeout), when any
# answer had another status than its scenario expects, when the resident memory grew by more
# than 10% between the end of warm-up (the first sample after 10 s) and the end of the run,
# or when the server died or did not shut down cleanly.
#
# Settings: SOAK_SECONDS (default 60, at least 15), SOAK_LOG_LEVEL (the server's log level,
# default info, the server's own default, which logs every request; the script keeps the
# first 200 lines and every warning or error in target/bench/soak-server.log).
set -euo pipefail

cd "$(dirname "$0")/.."

SOAK_SECONDS="${SOAK_SECONDS:-60}"
LOG_LEVEL="${SOAK_LOG_LEVEL:-info}"
THREADS=2
CONNECTIONS=256
WARMUP_SECONDS=10
SAMPLE_SECONDS=5
MAX_GROWTH_PERCENT=10
NOW="2026-05-01T00:00:00Z"
OUT="target/bench"
BIN="target/release/tooken-mock"
SNAPSHOT="$OUT/soak.json"
SERVER_LOG="$OUT/soak-server.log"
RSS_SAMPLES="$OUT/soak-rss.txt"
WRK_REPORT="$OUT/soak-wrk.txt"
START_TIMEOUT=60

if ! [[ $SOAK_SECONDS =~ ^[0-9]+$ ]] || ((SOAK_SECONDS < WARMUP_SECONDS + SAMPLE_SECONDS)); then
    echo "SOAK_SECONDS must be a number of seconds, at least $((WARMUP_SECONDS + SAMPLE_SECONDS))" >&2
    exit 2
fi

# 256 connections on each side, plus the server's own files.
if (($(ulimit -n) < 4096)); then
    ulimit -n 4096
fi

for tool in wrk curl; do
    if ! command -v "$tool" >/dev/null; then
        echo "installing $tool" >&2
        apt-get update -qq && apt-get install -y -qq "$tool" >/dev/null
    fi
done

SERVER_PID=""
SAMPLER_PID=""
LOG_READER_PID=""
FIFO=""
cleanup() {
    if [[ -n $SAMPLER_PID ]]; then
        kill "$SAMPLER_PID" 2>/dev/null || true
        wait "$SAMPLER_PID" 2>/dev/null || true
    fi
    if [[ -n $SERVER_PID ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ -n $LOG_READER_PID ]]; then
        wait "$LOG_READER_PID" 2>/dev/null || true
    fi
    if [[ -n $FIFO ]]; then
        rm -f "$FIFO"
    fi
}
trap cleanup EXIT

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

echo "building the release binary" >&2
cargo build --release --quiet
mkdir -p "$OUT"

if [[ ! -s $SNAPSHOT || ! -s $SNAPSHOT.secrets ]]; then
    echo "generating 100k tokens into $SNAPSHOT" >&2
    "$BIN" generate --tokens 100000 --workspaces 4 --seed 1 --out "$SNAPSHOT" 2>"$SNAPSHOT.secrets"
fi
# Lines such as `  tok_live_...  ws_gen_1  active "name" [scopes]  -> 200: ...`.
secret_for() {
    awk -v outcome="-> $1" 'index($0, outcome) && $1 ~ /^tok_live_/ { print $1; exit }' "$SNAPSHOT.secrets"
}
READER_SECRET=$(secret_for 200)
NO_SCOPE_SECRET=$(secret_for 403)
if [[ -z $READER_SECRET || -z $NO_SCOPE_SECRET ]]; then
    echo "no secret answered with 200 and 403 in $SNAPSHOT.secrets; delete it to generate again" >&2
    exit 1
fi

# The server writes every log line it would write anyway; a reader keeps the first 200 and
# every warning or error, and counts them all.
# mawk reads a pipe in whole blocks unless told to read it line by line.
AWK=(awk)
if awk -W version 2>&1 | grep -q mawk; then
    AWK=(awk -W interactive)
fi
FIFO=$(mktemp -u)
mkfifo "$FIFO"
"${AWK[@]}" 'NR <= 200 || /WARN|ERROR|panicked/ { print; fflush() } END { print "(" NR " lines in all)" }' \
    <"$FIFO" >"$SERVER_LOG" &
LOG_READER_PID=$!
TOOKEN__LOG__LEVEL="$LOG_LEVEL" "$BIN" --snapshot "$SNAPSHOT" --now "$NOW" --host 127.0.0.1 --port 0 \
    >"$FIFO" 2>&1 &
SERVER_PID=$!

PORT=""
deadline=$((SECONDS + START_TIMEOUT))
until [[ -n $PORT ]] && [[ $(curl -s -o /dev/null --max-time 1 -w '%{http_code}' "http://127.0.0.1:$PORT/readyz") == 200 ]]; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "the server exited; see $SERVER_LOG" >&2
        exit 1
    fi
    if ((SECONDS >= deadline)); then
        echo "the server was not ready within $START_TIMEOUT s; see $SERVER_LOG" >&2
        exit 1
    fi
    PORT=$(sed -n 's|^  API  *http://127\.0\.0\.1:\([0-9]*\)/v1/tokens$|\1|p' "$SERVER_LOG")
    sleep 0.2
done
URL="http://127.0.0.1:$PORT"
echo "serving on $URL (pid $SERVER_PID), RSS $(mib "$(rss_kib "$SERVER_PID")") before load" >&2

# One sample every SAMPLE_SECONDS from the start of the load: "<seconds> <VmRSS in KiB>".
started=$(date +%s)
(
    while kill -0 "$SERVER_PID" 2>/dev/null; do
        echo "$(($(date +%s) - started)) $(rss_kib "$SERVER_PID")"
        sleep "$SAMPLE_SECONDS"
    done
) >"$RSS_SAMPLES" &
SAMPLER_PID=$!

echo "wrk -t$THREADS -c$CONNECTIONS -d${SOAK_SECONDS}s on $(nproc) cores" >&2
set +e
SOAK_READER_SECRET="$READER_SECRET" SOAK_NO_SCOPE_SECRET="$NO_SCOPE_SECRET" \
    timeout $((SOAK_SECONDS + 60)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SOAK_SECONDS}s" \
    --timeout 5s --latency -s benches/soak.lua "$URL" >"$WRK_REPORT" 2>&1
WRK_STATUS=$?
set -e
END_RSS=$(rss_kib "$SERVER_PID" || true)
END_AT=$(($(date +%s) - started))
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""
cat "$WRK_REPORT"

failures=()
[[ $WRK_STATUS -eq 0 ]] || failures+=("wrk exited with status $WRK_STATUS")

SERVER_ALIVE=yes
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    SERVER_ALIVE=no
    failures+=("the server died during the run")
fi

RESULT=$(grep '^soak-result ' "$WRK_REPORT" || true)
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$RESULT"; }
REQUESTS=$(field requests)
UNEXPECTED=$(field unexpected)
CONNECT=$(field connect)
READ=$(field read)
WRITE=$(field write)
TIMEOUT=$(field timeout)
if [[ -z $RESULT ]]; then
    failures+=("wrk printed no result line")
    REQUESTS=0 UNEXPECTED=0 CONNECT=0 READ=0 WRITE=0 TIMEOUT=0
fi
SOCKET_ERRORS=$((CONNECT + READ + WRITE + TIMEOUT))
((SOCKET_ERRORS == 0)) || failures+=("$SOCKET_ERRORS socket errors")
((UNEXPECTED == 0)) || failures+=("$UNEXPECTED unexpected statuses")

# Memory: the first sample at or after the warm-up, against the last one.
[[ -n $END_RSS ]] && echo "$END_AT $END_RSS" >>"$RSS_SAMPLES"
WARM_RSS=$(awk -v w="$WARMUP_SECONDS" '$1 >= w && $2 != "" { print $2; exit }' "$RSS_SAMPLES")
PEAK_RSS=$(awk '$2 > max { max = $2 } END { print max + 0 }' "$RSS_SAMPLES")
GROWTH="n/a"
if [[ -n $WARM_RSS && -n $END_RSS ]]; then
    GROWTH=$(awk -v a="$WARM_RSS" -v b="$END_RSS" 'BEGIN { printf "%+.1f", (b - a) * 100 / a }')
    if awk -v g="$GROWTH" -v max="$MAX_GROWTH_PERCENT" 'BEGIN { exit !(g > max) }'; then
        failures+=("RSS grew by $GROWTH% after warm-up (more than $MAX_GROWTH_PERCENT%)")
    fi
else
    failures+=("no RSS sample after warm-up and at the end")
fi

# SIGTERM: in-flight requests finish, then the process exits 0.
SHUTDOWN="n/a"
if [[ $SERVER_ALIVE == yes ]]; then
    kill -TERM "$SERVER_PID"
    set +e
    wait "$SERVER_PID"
    SHUTDOWN=$?
    set -e
    SERVER_PID=""
    [[ $SHUTDOWN -eq 0 ]] || failures+=("the server exited with status $SHUTDOWN on SIGTERM")
fi
wait "$LOG_READER_PID" 2>/dev/null || true
LOG_READER_PID=""
LOG_PROBLEMS=$(grep -cE 'WARN|ERROR|panicked' "$SERVER_LOG" || true)

echo
echo "RSS samples (seconds since the load started, MiB):"
awk '{ printf "  %4ss %8.1f\n", $1, $2 / 1024 }' "$RSS_SAMPLES"
echo
echo "soak summary ($SOAK_SECONDS s, $CONNECTIONS connections, 100k tokens)"
printf '  %-34s %s\n' "requests" "$REQUESTS"
printf '  %-34s %s\n' "requests/s" "$(awk -v n="$REQUESTS" -v s="$SOAK_SECONDS" 'BEGIN { printf "%.0f", n / s }')"
printf '  %-34s %s (connect %s, read %s, write %s, timeout %s)\n' "socket errors" \
    "$SOCKET_ERRORS" "$CONNECT" "$READ" "$WRITE" "$TIMEOUT"
printf '  %-34s %s\n' "unexpected statuses" "$UNEXPECTED"
printf '  %-34s %s\n' "RSS after warm-up (${WARMUP_SECONDS} s)" "$(mib "${WARM_RSS:-0}")"
printf '  %-34s %s\n' "RSS at the end" "$(mib "${END_RSS:-0}")"
printf '  %-34s %s\n' "RSS peak" "$(mib "$PEAK_RSS")"
printf '  %-34s %s%%\n' "RSS growth after warm-up" "$GROWTH"
printf '  %-34s %s\n' "exit status on SIGTERM" "$SHUTDOWN"
printf '  %-34s %s (%s)\n' "server log warnings and errors" "$LOG_PROBLEMS" "$SERVER_LOG"

if ((${#failures[@]} > 0)); then
    echo
    for failure in "${failures[@]}"; do
        echo "FAIL: $failure"
    done
    exit 1
fi
echo
echo "PASS"

#!/usr/bin/env bash
# Signals during start-up: how long a server loading a large snapshot takes to end after
# SIGTERM or SIGINT, as an ordinary process and as PID 1 of a PID namespace (root only), and
# how long the load itself takes for comparison. Prints one line per case; exits 1 if a case
# did not end with status 0 within 5 s of its signal.
#
#   benches/signals.sh                     # 1,000,000 tokens, target/debug/tooken-mock
#   SIGNALS_TOKENS=200000 BIN=target/release/tooken-mock benches/signals.sh
set -euo pipefail

cd "$(dirname "$0")/.."

TOKENS="${SIGNALS_TOKENS:-1000000}"
BIN="${BIN:-target/debug/tooken-mock}"
OUT="target/bench"
SNAPSHOT="$OUT/signals-$TOKENS.json"
mkdir -p "$OUT"
[ -x "$BIN" ] || cargo build --quiet
[ -s "$SNAPSHOT" ] || "$BIN" generate --tokens "$TOKENS" --workspaces 100 --seed 35 --out "$SNAPSHOT" 2>/dev/null

now_ms() { date +%s%3N; }
failed=0

# The time from start to the banner: what a signal would otherwise wait for.
started=$(now_ms)
"$BIN" --port 0 --snapshot "$SNAPSHOT" >"$OUT/signals-banner.txt" 2>/dev/null &
pid=$!
until grep -q "Try it" "$OUT/signals-banner.txt" 2>/dev/null; do sleep 0.05; done
echo "load of $TOKENS tokens until serving: $(( $(now_ms) - started )) ms"
kill -TERM "$pid"; wait "$pid" || true

# case NAME SIGNAL [PREFIX...]: start, signal after 1 s of loading, time the exit.
case_() {
  local name=$1 signal=$2; shift 2
  "$@" "$BIN" --port 0 --snapshot "$SNAPSHOT" >/dev/null 2>&1 &
  local launcher=$! target
  sleep 1
  target=$launcher
  if [ "$#" -gt 0 ]; then target=$(cat "/proc/$launcher/task/$launcher/children"); fi
  local sent; sent=$(now_ms)
  kill "-$signal" "$target"
  local status=0
  for _ in $(seq 1 200); do kill -0 "$launcher" 2>/dev/null || break; sleep 0.025; done
  if kill -0 "$launcher" 2>/dev/null; then
    echo "$name: still running 5 s after SIG$signal"; kill -KILL "$target" "$launcher" 2>/dev/null || true
    failed=1; wait "$launcher" 2>/dev/null || true; return
  fi
  wait "$launcher" || status=$?
  echo "$name: SIG$signal during start-up -> exit $status after $(( $(now_ms) - sent )) ms"
  [ "$status" -eq 0 ] || failed=1
}

case_ "process" TERM
case_ "process" INT
if [ "$(id -u)" -eq 0 ] && unshare --pid --fork --mount-proc true 2>/dev/null; then
  case_ "PID 1" TERM unshare --pid --fork --mount-proc
  case_ "PID 1" INT unshare --pid --fork --mount-proc
else
  echo "PID 1: skipped (needs root and unshare)"
fi
exit "$failed"

#!/usr/bin/env bash
# The cost of one cached listing of the default session, load-independent: instructions
# (valgrind --tool=callgrind) and heap allocations (valgrind --tool=dhat) of a one-worker
# server answering FEW, then MANY keep-alive requests for the same page; the difference,
# divided by MANY - FEW, is the cost of one request. Only 127.0.0.1 is reached; each run
# stops by itself.
#
# Usage: benches/hot_path.sh [BINARY]   (default: target/release/tooken-mock)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/tooken-mock}
FEW=${FEW:-200}
MANY=${MANY:-2200}
PORT=${PORT:-18391}
command -v valgrind >/dev/null || sudo apt-get install -y valgrind
command -v curl >/dev/null || sudo apt-get install -y curl
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SECRET=tok_live_AcmeAuditReadOnlyKey2026Demo0001

# Sends $1 requests over one connection once the server answers.
requests() {
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
    sleep 0.2
  done
  for _ in $(seq 1 "$1"); do
    echo "url = \"http://127.0.0.1:$PORT/v1/tokens?status=active\""
    echo "output = /dev/null"
  done > "$WORK/urls"
  curl -fs -H "Authorization: Bearer $SECRET" --config "$WORK/urls"
}

# Runs the server under "$@" for $1 requests; the tool's report goes to $WORK/report.
measure() {
  local n=$1
  shift
  TOOKEN__SERVER__WORKERS=1 "$@" "$BIN" --port "$PORT" >/dev/null 2>"$WORK/stderr" &
  local tool=$!
  requests "$n"
  sleep 1
  kill -TERM "$tool" 2>/dev/null || true
  wait "$tool" || true
}

instructions() {
  measure "$1" valgrind --tool=callgrind --callgrind-out-file=/dev/null --log-file="$WORK/report"
  grep -o 'Collected : [0-9]*' "$WORK/report" | tr -dc 0-9
}

blocks() {
  measure "$1" valgrind --tool=dhat --dhat-out-file=/dev/null --log-file="$WORK/report"
  grep -o 'Total: .* in [0-9,]* blocks' "$WORK/report" | grep -o 'in [0-9,]* blocks' | tr -dc 0-9
}

i_few=$(instructions "$FEW"); i_many=$(instructions "$MANY")
b_few=$(blocks "$FEW"); b_many=$(blocks "$MANY")
per=$((MANY - FEW))
echo "binary: $BIN"
echo "instructions (callgrind Ir) per cached listing: $(( (i_many - i_few) / per ))"
echo "heap allocations per cached listing: $(( (b_many - b_few) / per )).$(( ((b_many - b_few) % per) * 10 / per ))"

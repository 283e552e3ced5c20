#!/usr/bin/env bash
# Scale-out behind a real load balancer: three replicas of the mock on loopback, one snapshot,
# Debian's nginx in front hashing on the session name (the rule of deploy/), and fifty sessions
# changing their state through it. See docs/scale-out.md for what it checks.
#
#   tests/scaleout/run.sh                      # target/debug/tooken-mock, built if missing
#   TOOKEN_MOCK_BIN=target/dist/tooken-mock tests/scaleout/run.sh
#
# Installs nginx from Debian when it is missing. Exits non-zero on any failure and closes with
# "N passed, N failed".
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
export TOOKEN_MOCK_BIN=${TOOKEN_MOCK_BIN:-$root/target/debug/tooken-mock}

if [ ! -x "$TOOKEN_MOCK_BIN" ]; then
  (cd "$root" && cargo build --locked --bin tooken-mock)
fi
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
export NGINX_BIN=${NGINX_BIN:-$(command -v nginx || echo /usr/sbin/nginx)}

PYTHONDONTWRITEBYTECODE=1 exec python3 "$root/tests/scaleout/scaleout.py" \
  --snapshot "$root/src/store/default_snapshot.json" --nginx-conf "$root/deploy/nginx.conf"

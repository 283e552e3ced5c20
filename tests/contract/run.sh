#!/usr/bin/env bash
# Contract tests: validates the OpenAPI document, then runs schemathesis with every check on
# against a server that serves it; and fuzzes the admin API from its own document, where no
# body, however extreme its numbers, may get a 5xx or a dropped connection.
#
# By default it starts the release binary on tests/fixtures/contract.json with a frozen clock.
# To test another server with the same document, give its base URL and a secret:
#   TOOKEN_CONTRACT_URL=https://api.tooken.io/v1 TOOKEN_CONTRACT_SECRET=tok_live_... tests/contract/run.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${TOOKEN_MOCK_BIN:-$root/target/release/tooken-mock}
venv=${TOOKEN_VENV:-$root/target/venv}
examples=${TOOKEN_CONTRACT_EXAMPLES:-300}

if [ ! -x "$venv/bin/schemathesis" ] || [ ! -x "$venv/bin/openapi-spec-validator" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/tests/contract/requirements.txt"
fi

"$venv/bin/openapi-spec-validator" "$root/openapi/openapi.json" "$root/openapi/openapi.yaml"

if [ -n "${TOOKEN_CONTRACT_URL:-}" ]; then
  spec=$root/openapi/openapi.json
  url=$TOOKEN_CONTRACT_URL
  secret=${TOOKEN_CONTRACT_SECRET:?set TOOKEN_CONTRACT_SECRET to a secret with tokens:read}
else
  log=$(mktemp)
  "$bin" --port 0 --snapshot "$root/tests/fixtures/contract.json" --now 2026-05-01T00:00:00Z >"$log" 2>&1 &
  pid=$!
  trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
  port=
  for _ in $(seq 100); do
    port=$(sed -n 's|^  API  *http://127\.0\.0\.1:\([0-9]*\)/v1/tokens$|\1|p' "$log")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "the server did not start:"; cat "$log"; exit 1; }
  spec=http://127.0.0.1:$port/openapi.json
  url=http://127.0.0.1:$port/v1
  admin=http://127.0.0.1:$port
  secret=tok_live_ContractReader00000000000000000001
fi

"$venv/bin/schemathesis" run "$spec" \
  --url "$url" \
  --checks all \
  --header "Authorization: Bearer $secret" \
  --seed 20261129 \
  --max-examples "$examples" \
  --no-color

# The admin API (only on the local server): whatever the body, a clean answer, never a 5xx.
if [ -n "${admin:-}" ]; then
  "$venv/bin/schemathesis" run "$admin/__admin/openapi.json" \
    --url "$admin" \
    --checks not_a_server_error \
    --seed 20261129 \
    --max-examples "$examples" \
    --no-color
fi

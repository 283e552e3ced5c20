#!/usr/bin/env bash
# Contract tests of both OpenAPI documents, the API's (openapi/openapi.*) and the admin API's
# (openapi/admin.*):
#   1. openapi-spec-validator, redocly lint and spectral lint (spectral:oas) on the committed
#      documents, and a YAML 1.1 loader (PyYAML) reading each YAML as its JSON;
#   2. schemathesis with every check on against a server that serves them: the API, then the
#      admin API (which only the mock has), where no body, however extreme its numbers, may
#      get a 5xx or a dropped connection either.
#
# By default it starts the release binary on tests/fixtures/contract.json with a frozen clock.
# To test another server with the API's document, give its base URL and a secret:
#   TOOKEN_CONTRACT_URL=https://api.tooken.io/v1 TOOKEN_CONTRACT_SECRET=tok_live_... tests/contract/run.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/contract
bin=${TOOKEN_MOCK_BIN:-$root/target/release/tooken-mock}
venv=${TOOKEN_VENV:-$root/target/venv}
lint=${TOOKEN_LINT_DIR:-$root/target/lint}
examples=${TOOKEN_CONTRACT_EXAMPLES:-300}
documents=("$root"/openapi/openapi.json "$root"/openapi/openapi.yaml "$root"/openapi/admin.json "$root"/openapi/admin.yaml)

step() { printf '\n--- %s\n' "$1"; }

if ! "$venv/bin/python" - "$here/requirements.txt" 2>/dev/null <<'EOF'
import sys
from importlib.metadata import version
pins = [line.strip().split("==") for line in open(sys.argv[1]) if "==" in line]
sys.exit(any(version(name) != wanted for name, wanted in pins))
EOF
then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi
# The linters, at the versions pinned in tests/contract/lint/package-lock.json.
if ! cmp -s "$here/lint/package-lock.json" "$lint/package-lock.json" \
  || [ ! -x "$lint/node_modules/.bin/redocly" ] || [ ! -x "$lint/node_modules/.bin/spectral" ]; then
  mkdir -p "$lint"
  cp "$here/lint/package.json" "$here/lint/package-lock.json" "$lint/"
  npm ci --prefix "$lint" --no-audit --no-fund --loglevel=error
fi

step "openapi-spec-validator"
"$venv/bin/openapi-spec-validator" "${documents[@]}"

step "redocly lint (recommended rules)"
# Redocly's own notices (a Node.js version, an update) are no findings: no network for them.
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  "$lint/node_modules/.bin/redocly" lint --config "$here/lint/redocly.yaml" "${documents[@]}"

step "spectral lint (spectral:oas)"
"$lint/node_modules/.bin/spectral" lint --ruleset "$here/lint/.spectral.yaml" --fail-severity error \
  "${documents[@]}"

step "YAML 1.1 loader (PyYAML) reads each committed YAML as its JSON"
"$venv/bin/python" "$here/yaml11.py" \
  "$root/openapi/openapi.yaml=$root/openapi/openapi.json" \
  "$root/openapi/admin.yaml=$root/openapi/admin.json"

if [ -n "${TOOKEN_CONTRACT_URL:-}" ]; then
  spec=$root/openapi/openapi.json
  url=$TOOKEN_CONTRACT_URL
  secret=${TOOKEN_CONTRACT_SECRET:?set TOOKEN_CONTRACT_SECRET to a secret with tokens:read}
  base=
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
  base=http://127.0.0.1:$port
  spec=$base/openapi.json
  url=$base/v1
  secret=tok_live_ContractReader00000000000000000001

  step "YAML 1.1 loader (PyYAML) reads the served YAML as the served JSON"
  "$venv/bin/python" "$here/yaml11.py" "$base/openapi.yaml=$base/openapi.json" \
    "$root/openapi/admin.yaml=$base/__admin/openapi.json"
fi

step "schemathesis: the API"
"$venv/bin/schemathesis" run "$spec" \
  --url "$url" \
  --checks all \
  --header "Authorization: Bearer $secret" \
  --seed 20261129 \
  --max-examples "$examples" \
  --no-color

if [ -n "$base" ]; then
  # Last: the admin API replaces the data, moves the clock and injects faults as it goes.
  # Every session has its own tokens, and the stateful phase does not carry the session
  # selector from a DELETE to the requests it links after it: a token deleted in one session
  # is still there in another, as it must be, so use_after_free cannot judge this API.
  step "schemathesis: the admin API"
  "$venv/bin/schemathesis" --config-file "$here/admin-schemathesis.toml" \
    run "$base/__admin/openapi.json" \
    --url "$base/__admin" \
    --checks all \
    --exclude-checks use_after_free \
    --seed 20261129 \
    --max-examples "$examples" \
    --no-color
fi

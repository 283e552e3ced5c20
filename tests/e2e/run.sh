#!/usr/bin/env bash
# Browser and TypeScript checks of the API description. CI calls this after
# `cargo build --release`; it needs node/npm and installs Chromium from Debian if missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export TOOKEN_MOCK_BIN="${TOOKEN_MOCK_BIN:-$repo/target/release/tooken-mock}"
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [[ ! -x "$TOOKEN_MOCK_BIN" ]]; then
  echo "run.sh: $TOOKEN_MOCK_BIN not found; run 'cargo build --release' first" >&2
  exit 1
fi

# Playwright cannot download browsers here, so the tests drive Debian's Chromium.
if [[ ! -x "$CHROMIUM_PATH" ]]; then
  apt-get update -qq
  apt-get install -y -qq chromium
fi

cd "$here"
npm ci --no-audit --no-fund
npm run types:check
npm run typecheck
node --test swagger-ui.test.mjs cors.test.mjs sessions.test.mjs har.test.mjs

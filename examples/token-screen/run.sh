#!/usr/bin/env bash
# The token screen example against the packed npm packages: packs them (scripts/npm-pack.sh,
# with the binary $TOOKEN_MOCK_BIN), installs them over the example's dependencies, checks the
# types, runs the keep-alive test of a pooled Node client, then the Playwright suite ten times
# in a row with 4 workers and no retries. Needs node >= 20 and npm; installs Chromium from
# Debian when missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export TOOKEN_MOCK_BIN="$(realpath "${TOOKEN_MOCK_BIN:-$repo/target/dist/tooken-mock}")"
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export CI="${CI:-1}"

if [[ ! -x "$TOOKEN_MOCK_BIN" ]]; then
  echo "run.sh: $TOOKEN_MOCK_BIN not found; set TOOKEN_MOCK_BIN or run scripts/build-static.sh" >&2
  exit 1
fi
if [[ ! -x "$CHROMIUM_PATH" ]]; then
  apt-get update -qq
  apt-get install -y -qq chromium
fi

packs="$(mktemp -d)"
trap 'rm -rf "$packs"' EXIT
bash "$repo/scripts/npm-pack.sh" "$packs"

cd "$here"
npm ci --no-audit --no-fund
# The packages as a user gets them, from the tarballs; both in one install, as npm drops what
# an install does not name and package.json does not list.
npm install --no-save --no-audit --no-fund "$packs"/tooken-mock-*.tgz
npm run typecheck

node --test tests/keep-alive.test.mjs

started=$(date +%s)
npx playwright test --workers 4 --retries 0 --repeat-each 10
echo "token screen: 10 runs of the suite with 4 workers in $(( $(date +%s) - started )) s"

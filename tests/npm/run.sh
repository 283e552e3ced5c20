#!/usr/bin/env bash
# The npm packages as a user gets them: packs them (scripts/npm-pack.sh with TOOKEN_MOCK_BIN),
# installs the tarballs into a new npm project in a temporary directory, then checks there the
# launcher through npx with no Rust toolchain on PATH, signals and exit codes, start()/stop(),
# the admin client's sessions (node:test, launcher.test.mjs), the types (tsc --noEmit over the
# package and a consumer file), and a Playwright suite that imports only tooken-mock/playwright,
# run with 4 workers and --repeat-each 3 against Debian's Chromium. Also checks that the
# committed types are not stale, and lints the release workflow.
#
#   TOOKEN_MOCK_BIN=target/dist/tooken-mock tests/npm/run.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export TOOKEN_MOCK_BIN="${TOOKEN_MOCK_BIN:-$repo/target/dist/tooken-mock}"
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
[[ -x "$TOOKEN_MOCK_BIN" ]] || { echo "run.sh: $TOOKEN_MOCK_BIN not found; run scripts/build-static.sh" >&2; exit 1; }
if [[ ! -x "$CHROMIUM_PATH" ]]; then
  apt-get update -qq
  apt-get install -y -qq chromium
fi

echo "--- committed types against the documents, and the package's own declarations"
(cd "$repo/npm" && npm ci --no-audit --no-fund >/dev/null && npm run -s types:check && npm run -s typecheck)

echo "--- release workflow lint"
bash "$here/lint-workflow.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "--- pack into $work/packs"
mapfile -t tarballs < <(bash "$repo/scripts/npm-pack.sh" "$work/packs" | tail -2)
printf '  %s\n' "${tarballs[@]}"

echo "--- a new npm project: npm install of the tarballs"
project=$work/project
mkdir -p "$project"
cp -r "$here/project/." "$project/"
cd "$project"
npm init -y >/dev/null
npm pkg set type=module
npm install --no-audit --no-fund "${tarballs[@]}" \
  @playwright/test@1.65.1 typescript@5.9.3 @types/node@20.19.43
[[ -x node_modules/tooken-mock-linux-x64/bin/tooken-mock ]]

# No cargo, rustc or rustup on PATH from here on: only what npm installed.
PATH=$(tr ':' '\n' <<<"$PATH" | grep -v -e '\.cargo' -e 'rustup' | paste -sd: -)
for tool in cargo rustc; do
  if command -v "$tool" >/dev/null; then
    dir=$(dirname "$(command -v "$tool")")
    PATH=$(tr ':' '\n' <<<"$PATH" | grep -vx "$dir" | paste -sd: -)
  fi
done
export PATH
unset TOOKEN_MOCK_BIN

echo "--- tsc --noEmit over the package's types and a consumer file"
npx tsc --noEmit -p .

echo "--- launcher, signals, start()/stop(), admin client (node:test)"
node --test launcher.test.mjs

echo "--- Playwright: 4 workers, --repeat-each 3"
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
export MOCK_PORT=$(free_port) APP_PORT=$(free_port) THIRD_PORT=$(free_port) CI=1
npx playwright test --workers 4 --repeat-each 3
node -e '
  const report = JSON.parse(require("fs").readFileSync("out/tooken-mock-coverage.json", "utf8"));
  if (!(report.sessions > 0 && report.states.length > 0 && Array.isArray(report.never_met))) throw new Error("bad report");
  if (!report.states.some((s) => s.served)) throw new Error("no state served in " + JSON.stringify(report));
  console.log(`coverage report: ${report.sessions} sessions, ${report.never_met.length} of ${report.states.length} states never met`);'
echo "npm packages: ok"

#!/usr/bin/env bash
# Lints .github/workflows/*.yml against the GitHub workflow schema (check-jsonschema's vendored
# copy, installed from PyPI into target/venv), and with actionlint too where it is on PATH
# (its PyPI wrapper downloads the binary from GitHub at install time, which CI cannot reach).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv=$repo/target/venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
[[ -x $venv/bin/check-jsonschema ]] || "$venv/bin/pip" install --quiet check-jsonschema==0.39.0
cd "$repo"
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/*.yml
if command -v actionlint >/dev/null; then
  actionlint .github/workflows/*.yml
else
  echo "lint-workflow: actionlint not on PATH; schema check only"
fi

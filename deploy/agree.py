"""Checks that deploy/ describes one routing rule: reads the resolved compose file on stdin."""

import json
import re
import sys

import yaml

failures = []
nginx = open("deploy/nginx.conf").read()
key_map = re.search(r"map \$arg___session \$mock_session \{[^}]*\}", nginx)
snippet = yaml.safe_load(open("deploy/kubernetes/ingress-nginx-map.yaml"))["data"]["http-snippet"]
ingress = yaml.safe_load(open("deploy/kubernetes/ingress.yaml"))
annotation = ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/upstream-hash-by"]

def words(text):
    return text.split() if text else None

if key_map is None:
    failures.append("deploy/nginx.conf has no map from $arg___session to $mock_session")
elif words(key_map.group(0)) != words(snippet):
    failures.append("the ingress-nginx http-snippet and deploy/nginx.conf map the session differently")
if "hash $mock_session consistent;" not in nginx:
    failures.append("deploy/nginx.conf does not hash consistently on $mock_session")
if annotation != "$mock_session":
    failures.append(f"the Ingress hashes on {annotation!r}, not $mock_session")

services = json.load(sys.stdin)["services"]
replicas = sorted(name for name, s in services.items() if "TOOKEN__SNAPSHOT__PATH" in s.get("environment", {}))
servers = sorted(re.findall(r"^\s*server ([\w.-]+):8080;", nginx, re.M))
if replicas != servers:
    failures.append(f"compose runs replicas {replicas}, nginx balances over {servers}")

for failure in failures:
    print(f"FAIL {failure}")
print("deploy/ agrees with itself" if not failures else f"{len(failures)} disagreement(s)")
sys.exit(1 if failures else 0)

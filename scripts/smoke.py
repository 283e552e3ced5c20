#!/usr/bin/env python3
"""Smoke test of a built tooken-mock binary, as it ships: the command line, the embedded demo
data, a mounted snapshot, and the admin API's exposure rules beyond loopback.

    scripts/smoke.py target/dist/tooken-mock
    scripts/smoke.py --root ROOTFS --user 65532:65532 --env NAME=VALUE /tooken-mock

Every run starts from an empty environment (plus each --env), as a container does. With
--root, BINARY is a path inside ROOTFS and runs under `chroot ROOTFS` (needs root), as --user
if given: it sees nothing but the image's own files, no /tmp, /etc or /proc. The snapshot check
copies tests/fixtures/contract.json to ROOTFS/data/snapshot.json, where the image documents the
mount, and removes it afterwards. Exits 1 at the first failed check, naming it.
"""

import argparse
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

REPO = pathlib.Path(__file__).resolve().parent.parent
DEMO_SECRET = "tok_live_AcmeAuditReadOnlyKey2026Demo0001"
CONTRACT_SECRET = "tok_live_ContractReader00000000000000000001"
ADMIN_TOKEN = "smoke-test-admin-token"
TIMEOUT = 20.0


def fail(message):
    print(f"smoke: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message, detail=""):
    if not condition:
        fail(f"{message}\n{detail}".rstrip())
    print(f"smoke: ok  {message}")


class Server:
    """The binary serving on a free port; its output read on threads so it never blocks."""

    def __init__(self, command, env):
        self.process = subprocess.Popen(
            [*command, "--port", "0"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stdout, self.stderr = [], []
        for pipe, sink in ((self.process.stdout, self.stdout), (self.process.stderr, self.stderr)):
            threading.Thread(target=lambda p=pipe, s=sink: s.extend(p), daemon=True).start()
        self.base = self._wait_for_banner()

    def output(self):
        return "".join(self.stdout) + "".join(self.stderr)

    def _wait_for_banner(self):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            text = "".join(self.stdout)
            if "Try it" in text:
                for line in text.splitlines():
                    parts = line.split()
                    if parts[:1] == ["API"] and parts[1].endswith("/v1/tokens"):
                        return parts[1].removesuffix("/v1/tokens")
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        fail(f"no serving banner (exit {self.process.poll()}):\n{self.output()}")

    def wait_for_output(self, needle):
        deadline = time.monotonic() + TIMEOUT
        while needle not in self.output() and time.monotonic() < deadline:
            time.sleep(0.05)
        return needle in self.output()

    def get(self, path, bearer=None):
        request = urllib.request.Request(self.base + path)
        if bearer:
            request.add_header("Authorization", f"Bearer {bearer}")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def run(command, env):
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    return done.returncode, done.stdout, done.stderr


def check_command_line(command, env):
    code, out, _ = run([*command, "--help"], env)
    check(code == 0 and "Usage: tooken-mock" in out, "--help prints the usage")
    for name in ("serve", "check", "generate", "openapi"):
        check(f"  {name} " in out, f"--help lists the {name} command")
    code, out, _ = run([*command, "--version"], env)
    check(code == 0 and out.startswith("tooken-mock "), f"--version prints {out.strip()!r}")
    code, out, _ = run([*command, "openapi"], env)
    check(code == 0 and json.loads(out)["openapi"].startswith("3."), "openapi prints the document")
    return json.loads(out)


def check_demo_data(command, env, document):
    server = Server(command, env)
    try:
        check("(embedded demo data)" in "".join(server.stdout), "serves the embedded demo data")
        for path in ("/healthz", "/readyz", "/metrics", "/docs/"):
            check(server.get(path)[0] == 200, f"GET {path} is 200")
        status, headers, body = server.get("/v1/tokens?status=active", DEMO_SECRET)
        page = json.loads(body)
        check(status == 200 and page["meta"]["total"] > 0, "the demo secret lists tokens")
        check(all(t["status"] == "active" for t in page["data"]), "status=active filters")
        status, headers, _ = server.get("/v1/tokens")
        check(
            status == 401 and headers["Content-Type"] == "application/problem+json",
            "no secret is a 401 problem",
        )
        status, _, body = server.get("/openapi.json")
        check(status == 200 and json.loads(body) == document, "/openapi.json is the document")
    finally:
        server.stop()


def check_admin_exposure(command, env):
    beyond = {**env, "TOOKEN__SERVER__HOST": "0.0.0.0"}
    beyond.pop("TOOKEN__ADMIN__TOKEN", None)
    server = Server(command, beyond)
    try:
        check(
            server.wait_for_output("TOOKEN__ADMIN__TOKEN"),
            "beyond loopback without a token, start-up says to set TOOKEN__ADMIN__TOKEN",
        )
        status, _, body = server.get("/__admin/clock", ADMIN_TOKEN)
        check(
            status == 403
            and json.loads(body).get("code") == "admin_off"
            and "TOOKEN__ADMIN__TOKEN" in json.loads(body).get("detail", ""),
            "and the admin API is off, with a 403 admin_off naming TOOKEN__ADMIN__TOKEN",
        )
    finally:
        server.stop()
    server = Server(command, {**beyond, "TOOKEN__ADMIN__TOKEN": ADMIN_TOKEN})
    try:
        check(server.get("/__admin/clock")[0] == 401, "with a token, the admin API needs it")
        status, _, body = server.get("/__admin/clock", ADMIN_TOKEN)
        check(status == 200 and "now" in json.loads(body), "and opens with it")
    finally:
        server.stop()


def check_snapshot(command, env, root):
    fixture = REPO / "tests/fixtures/contract.json"
    with tempfile.TemporaryDirectory() as scratch:
        if root:
            host_path = root / "data/snapshot.json"
            path = "/data/snapshot.json"
        else:
            host_path = pathlib.Path(scratch) / "snapshot.json"
            path = str(host_path)
        host_path.parent.mkdir(exist_ok=True)
        shutil.copyfile(fixture, host_path)
        try:
            code, out, err = run([*command, "check", path], env)
            check(code == 0 and "valid" in out, f"check {path} accepts the file", out + err)
            server = Server(command, {**env, "TOOKEN__SNAPSHOT__PATH": path})
            try:
                status, _, body = server.get("/v1/tokens", CONTRACT_SECRET)
                check(
                    status == 200 and json.loads(body)["meta"]["total"] > 0,
                    f"TOOKEN__SNAPSHOT__PATH={path} serves that file",
                )
            finally:
                server.stop()
        finally:
            host_path.unlink()
            if root:
                host_path.parent.rmdir()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=pathlib.Path, help="run BINARY under chroot ROOT")
    parser.add_argument("--user", metavar="UID:GID", help="with --root, run as this user")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("binary")
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.env)
    command = [args.binary]
    if args.root:
        user = [f"--userspec={args.user}"] if args.user else []
        command = ["chroot", *user, str(args.root), args.binary]
    print(f"smoke: {' '.join(command)} with {env or 'an empty environment'}")
    document = check_command_line(command, env)
    check_demo_data(command, env, document)
    check_admin_exposure(command, env)
    check_snapshot(command, env, args.root)
    print("smoke: all checks passed")


if __name__ == "__main__":
    main()

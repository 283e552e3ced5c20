"""The processes and HTTP exchanges of the scale-out test: replicas, nginx, results."""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

class Deadline(Exception):
    pass


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {what}")
        else:
            self.failed += 1
            print(f"FAIL {what}{': ' + detail if detail else ''}")
        return ok


def request(base, method, path, *, session=None, via="header", body=None, secret=None, headers=None):
    """One HTTP exchange; returns (status, headers, parsed JSON or None)."""
    url = base + path
    sent = dict(headers or {})
    if session is not None and via in ("header", "both"):
        sent["X-Mock-Session"] = session
    if session is not None and via in ("query", "both"):
        url += ("&" if "?" in url else "?") + "__session=" + session
    if secret is not None:
        sent["Authorization"] = "Bearer " + secret
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            status, got, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, got, raw = error.code, error.headers, error.read()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return status, got, parsed


def die_with_parent():
    """In a child before exec: the kernel sends it SIGTERM if this test dies, even by SIGKILL."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: stop_all still stops them on every way out but SIGKILL


def start_replica(binary, snapshot, now, workdir, name, port=0):
    """A replica on 127.0.0.1:`port` (0: a free one), its output in `workdir`/`name`.log."""
    log = open(os.path.join(workdir, f"{name}.log"), "w+")
    env = dict(os.environ, TOOKEN__SERVER__WORKERS="1", TOOKEN__LOG__LEVEL="warn")
    process = subprocess.Popen(
        [binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--snapshot", snapshot, "--now", now],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        preexec_fn=die_with_parent,
    )
    return process, log


def start_nginx(binary, conf, workdir):
    """nginx in the foreground with `conf`, its logs in `workdir`."""
    return subprocess.Popen(
        [binary, "-p", workdir, "-c", conf, "-e", os.path.join(workdir, "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=open(os.path.join(workdir, "nginx.stderr"), "w"),
        preexec_fn=die_with_parent,
    )


def replica_port(log, process, until):
    """The port a replica printed in its start-up lines."""
    while time.monotonic() < until:
        log.seek(0)
        found = re.search(r"API\s+http://127\.0\.0\.1:(\d+)/v1/tokens", log.read())
        if found:
            return int(found.group(1))
        if process.poll() is not None:
            raise RuntimeError(f"replica exited with {process.returncode} before listening")
        time.sleep(0.05)
    raise Deadline("replica did not print its address")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_config(template, ports, listen, workdir):
    """deploy/nginx.conf with loopback servers, a loopback listen address and private paths."""
    text = open(template).read()
    servers = re.findall(r"^\s*server tooken-mock-\d+:8080;\n", text, re.M)
    if len(servers) != len(ports) or "listen 8080;" not in text or "http {" not in text:
        raise RuntimeError(f"{template} no longer has the servers and listen line this test replaces")
    for line, port in zip(servers, ports):
        text = text.replace(line, f"        server 127.0.0.1:{port};\n", 1)
    text = text.replace("listen 8080;", f"listen 127.0.0.1:{listen};")
    private = "".join(
        f"    {kind}_temp_path {workdir}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    text = text.replace("http {", "http {\n" + private + f"    access_log {workdir}/access.log;\n", 1)
    text = f"daemon off;\npid {workdir}/nginx.pid;\nerror_log {workdir}/error.log warn;\n" + text
    path = os.path.join(workdir, "nginx.conf")
    with open(path, "w") as out:
        out.write(text)
    return path


def wait_ready(base, until):
    while time.monotonic() < until:
        try:
            if request(base, "GET", "/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise Deadline(f"{base} was not ready in time")


def stop_all(processes):
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    end = time.monotonic() + 10
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, end - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

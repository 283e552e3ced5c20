"""Scale-out behind nginx: replicas of tooken-mock as real processes, sessions routed by name.

Starts three replicas of $TOOKEN_MOCK_BIN on loopback ports from one snapshot and one frozen
clock, and nginx ($NGINX_BIN) with deploy/nginx.conf (its servers and listen address replaced
by loopback ones). Then, through nginx, fifty named sessions change their state through the
admin API (a token, the clock, faults) and read it back, and the replicas are asked directly,
on their own ports, which sessions they hold. Then one replica is stopped: its sessions move
and start afresh, the others keep theirs; and started again: its sessions come back to it and
start afresh once more.

Every check prints a line; the run closes with "N passed, N failed" and exits non-zero if any
failed. Every process started is stopped on the way out, whatever happened; the whole run is
bounded by --deadline seconds.
"""

import argparse
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter

from harness import (
    Deadline,
    Results,
    free_port,
    nginx_config,
    replica_port,
    request,
    start_nginx,
    start_replica,
    stop_all,
    wait_ready,
)

NOW = "2026-05-01T00:00:00Z"
DEMO_SECRET = "tok_live_AcmeAuditReadOnlyKey2026Demo0001"
SESSIONS = 50
REPLICAS = 3
UNNAMED_REQUESTS = 30


def held_sessions(replicas):
    """Which replica holds each named session, asked of each replica on its own port."""
    where = {}
    for index, base in replicas.items():
        status, _, body = request(base, "GET", "/__admin/sessions")
        if status != 200:
            raise RuntimeError(f"replica {index}: GET /__admin/sessions answered {status}")
        for info in body["data"]:
            where.setdefault(info["name"], []).append(index)
    return where


def session_via(number):
    """How session `number` names itself: the header, the parameter, or both (the same name)."""
    return ("header", "query", "both")[number % 3]


def expected_now(number):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1777593600 + 3600 * (number + 1)))


def set_up(results, lb, number):
    """Session `number`: a token of its own, its clock moved, faults on every fifth one."""
    name, via = f"scale-{number:02d}", session_via(number)
    status, _, created = request(
        lb,
        "POST",
        "/__admin/tokens",
        session=name,
        via=via,
        body={"workspace": "ws_acme", "name": f"Scale token {name}", "scopes": ["tokens:read"]},
    )
    results.check(status == 201, f"{name}: POST /__admin/tokens through nginx is 201", f"got {status}")
    moved = request(lb, "POST", "/__admin/clock/advance", session=name, via=via, body={"seconds": 3600 * (number + 1)})
    results.check(moved[0] == 200, f"{name}: POST /__admin/clock/advance is 200", f"got {moved[0]}")
    if number % 5 == 0:
        faults = request(lb, "PUT", "/__admin/faults", session=name, via=via, body={"error_rate": 1.0, "error_status": 503})
        results.check(faults[0] == 200, f"{name}: PUT /__admin/faults is 200", f"got {faults[0]}")
    return {"name": name, "via": via, "secret": created["secret"] if created else None, "faulted": number % 5 == 0}


def own_state(lb, session):
    """A session read through nginx: its clock, error rate, a listing's status, the Scale tokens listed."""
    name, via = session["name"], session["via"]
    _, _, clock = request(lb, "GET", "/__admin/clock", session=name, via=via)
    _, _, faults = request(lb, "GET", "/__admin/faults", session=name, via=via)
    status, _, page = request(lb, "GET", "/v1/tokens?per_page=100", session=name, via=via, secret=session["secret"])
    if session["faulted"] and faults and faults.get("error_rate") == 1.0:
        listed = None  # every API request of this session is answered 503
    else:
        listed = sorted(t["name"] for t in (page or {}).get("data", []) if t["name"].startswith("Scale token"))
    return {
        "now": (clock or {}).get("now"),
        "error_rate": (faults or {}).get("error_rate"),
        "status": status,
        "listed": listed,
    }


def check_own_state(results, lb, session, number, context):
    name = session["name"]
    state = own_state(lb, session)
    results.check(state["now"] == expected_now(number), f"{name}{context}: its clock is {expected_now(number)}", str(state["now"]))
    if session["faulted"]:
        results.check(
            state["error_rate"] == 1.0 and state["status"] == 503,
            f"{name}{context}: its faults answer its API requests 503",
            f"error_rate {state['error_rate']}, status {state['status']}",
        )
    else:
        results.check(
            state["status"] == 200 and state["listed"] == [f"Scale token {name}"],
            f"{name}{context}: its secret lists its own token and no other session's",
            f"status {state['status']}, listed {state['listed']}",
        )


def check_fresh(results, lb, session, number):
    name = session["name"]
    state = own_state(lb, dict(session, faulted=False, secret=DEMO_SECRET))
    mine = request(lb, "GET", "/v1/tokens", session=name, via=session["via"], secret=session["secret"])[0]
    results.check(
        state["now"] == NOW and state["error_rate"] == 0.0 and state["status"] == 200 and state["listed"] == [] and mine == 401,
        f"{name}: moved, it starts afresh (configured clock, no faults, its token unknown)",
        f"now {state['now']}, error_rate {state['error_rate']}, status {state['status']}, listed {state['listed']}, own secret {mine}",
    )


def run(args, results, workdir, processes):
    until = time.monotonic() + args.deadline
    replicas, logs = {}, {}
    for index in range(1, REPLICAS + 1):
        process, log = start_replica(args.binary, args.snapshot, NOW, workdir, f"replica-{index}")
        processes[f"replica {index}"] = process
        logs[index] = log
    for index in range(1, REPLICAS + 1):
        port = replica_port(logs[index], processes[f"replica {index}"], until)
        replicas[index] = f"http://127.0.0.1:{port}"
        wait_ready(replicas[index], until)
    listen = free_port()
    conf = nginx_config(args.nginx_conf, [int(b.rsplit(":", 1)[1]) for b in replicas.values()], listen, workdir)
    processes["nginx"] = start_nginx(args.nginx, conf, workdir)
    lb = f"http://127.0.0.1:{listen}"
    wait_ready(lb, until)
    print(f"replicas {', '.join(replicas.values())}; nginx {lb}")

    sessions = [set_up(results, lb, number) for number in range(SESSIONS)]
    for number, session in enumerate(sessions):
        check_own_state(results, lb, session, number, "")

    where = held_sessions(replicas)
    names = [s["name"] for s in sessions]
    results.check(
        all(len(where.get(name, [])) == 1 for name in names),
        f"each of the {SESSIONS} sessions lives on exactly one replica, whichever way it named itself",
        str({n: where.get(n) for n in names if len(where.get(n, [])) != 1}),
    )
    spread = Counter(where[name][0] for name in names if len(where.get(name, [])) == 1)
    print(f"sessions per replica: {dict(sorted(spread.items()))}")
    results.check(len(spread) == REPLICAS, "the named sessions spread over every replica", str(dict(spread)))

    # A request giving both, with different names, is served in the parameter's session: it
    # must be routed there too, or it would meet a fresh copy of that session elsewhere.
    pair = next(
        ((a, b) for a in range(SESSIONS) for b in range(SESSIONS) if where[names[a]] != where[names[b]]),
        None,
    )
    if results.check(pair is not None, "two sessions on different replicas exist"):
        a, b = pair
        _, _, clock = request(lb, "GET", f"/__admin/clock?__session={names[b]}", headers={"X-Mock-Session": names[a]})
        results.check(
            (clock or {}).get("now") == expected_now(b),
            f"header {names[a]} with __session={names[b]} reaches {names[b]}, as the mock serves it",
            str(clock),
        )
        results.check(held_sessions(replicas) == where, "that request created no session anywhere else")

    # A Link keeps __session; a client that also sends the header follows it to the same replica.
    status, got, _ = request(lb, "GET", "/v1/tokens?per_page=10", session=names[1], via="query", secret=sessions[1]["secret"])
    nxt = re.search(r"<([^>]+)>;\s*rel=\"next\"", got.get("Link", "") if got else "")
    if results.check(status == 200 and nxt is not None, f"{names[1]}: a first page has a next link", f"status {status}"):
        url = urllib.parse.urljoin(lb + "/v1/tokens", nxt.group(1))
        follow = urllib.request.Request(url, headers={"Authorization": "Bearer " + sessions[1]["secret"], "X-Mock-Session": names[1]})
        with urllib.request.urlopen(follow, timeout=10) as response:
            results.check(
                response.status == 200 and "__session=" + names[1] in url,
                f"{names[1]}: its next link keeps __session and is served through nginx (header sent too)",
                url,
            )

    # Requests naming no session: empty key, so nginx spreads them round-robin.
    before = {i: len(request(b, "GET", "/__admin/requests?limit=1000")[2]["data"]) for i, b in replicas.items()}
    for _ in range(UNNAMED_REQUESTS):
        request(lb, "GET", "/v1/tokens?per_page=1", secret=DEMO_SECRET)
    after = {i: len(request(b, "GET", "/__admin/requests?limit=1000")[2]["data"]) for i, b in replicas.items()}
    served = {i: after[i] - before[i] for i in replicas}
    print(f"requests without a session, per replica's default session: {served}")
    results.check(
        sum(served.values()) == UNNAMED_REQUESTS and all(n > 0 for n in served.values()),
        f"{UNNAMED_REQUESTS} requests naming no session spread over every replica's default session",
        str(served),
    )

    # Stop the replica holding the most sessions: only its sessions move.
    stopped = spread.most_common(1)[0][0]
    process = processes.pop(f"replica {stopped}")
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=15)
    results.check(code == 0, f"replica {stopped} stops on SIGTERM with exit code 0", str(code))
    survivors = {i: b for i, b in replicas.items() if i != stopped}
    moved = [n for n, s in enumerate(sessions) if where[s["name"]] == [stopped]]
    kept = [n for n, s in enumerate(sessions) if where[s["name"]] != [stopped]]
    print(f"stopped replica {stopped}: {len(moved)} sessions move, {len(kept)} stay")
    for number in kept:
        check_own_state(results, lb, sessions[number], number, " (another replica stopped)")
    for number in moved:
        check_fresh(results, lb, sessions[number], number)
    now_where = held_sessions(survivors)
    results.check(
        all(now_where.get(names[n]) == where[names[n]] for n in kept),
        "the sessions of the running replicas stayed where they were",
        str({names[n]: now_where.get(names[n]) for n in kept if now_where.get(names[n]) != where[names[n]]}),
    )
    results.check(
        all(len(now_where.get(names[n], [])) == 1 for n in moved),
        "each moved session now lives on exactly one running replica",
        str({names[n]: now_where.get(names[n]) for n in moved}),
    )

    # Changes made to a moved session now live on the replica it moved to.
    for number in moved:
        request(lb, "POST", "/__admin/clock/advance", session=names[number], via=sessions[number]["via"], body={"seconds": 7})
    port = int(replicas[stopped].rsplit(":", 1)[1])
    process, _ = start_replica(args.binary, args.snapshot, NOW, workdir, f"replica-{stopped}-again", port)
    processes[f"replica {stopped}"] = process
    wait_ready(replicas[stopped], until)
    back = replica_returns(lb, replicas[stopped], sessions[moved[0]], until) if moved else 0.0
    print(f"replica {stopped} is back on port {port}; nginx sent sessions to it again after {back:.1f} s")
    for number in moved:
        state = own_state(lb, dict(sessions[number], faulted=False, secret=DEMO_SECRET))
        returned = held_sessions({stopped: replicas[stopped]})
        results.check(
            names[number] in returned and state["now"] == NOW,
            f"{names[number]}: back on its replica once it returns, it starts afresh again",
            f"held there: {names[number] in returned}, now {state['now']}",
        )
    for number in kept:
        check_own_state(results, lb, sessions[number], number, " (a replica returned)")
    if time.monotonic() > until:
        raise Deadline(f"the run took longer than {args.deadline} s")


def replica_returns(lb, base, session, until):
    """Seconds until nginx, retrying a server it saw fail (fail_timeout), routes to it again."""
    start = time.monotonic()
    while time.monotonic() < until:
        request(lb, "GET", "/__admin/clock", session=session["name"], via=session["via"])
        if session["name"] in held_sessions({0: base}):
            return time.monotonic() - start
        time.sleep(0.25)
    raise Deadline("nginx never routed to the returned replica")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshot", required=True)
    parser.add_argument("--nginx-conf", required=True)
    parser.add_argument("--binary", default=os.environ.get("TOOKEN_MOCK_BIN", "target/debug/tooken-mock"))
    parser.add_argument("--nginx", default=os.environ.get("NGINX_BIN", "nginx"))
    parser.add_argument("--deadline", type=float, default=180.0, help="seconds the whole run may take")
    args = parser.parse_args()

    def out_of_time(*_):
        raise Deadline(f"the run took longer than {args.deadline} s")

    def stopped(number, _):
        raise Deadline(f"stopped by signal {number}")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.signal(signal.SIGTERM, stopped)
    signal.signal(signal.SIGHUP, stopped)
    signal.alarm(int(args.deadline) + 30)
    results, processes = Results(), {}
    workdir = tempfile.mkdtemp(prefix="tooken-scaleout-")
    try:
        run(args, results, workdir, processes)
    except (Exception, KeyboardInterrupt) as error:  # any failure counts; the processes still stop
        results.check(False, "the run completed", f"{type(error).__name__}: {error}")
        for name in sorted(os.listdir(workdir)):
            if name.endswith(".log") or name.endswith(".stderr"):
                tail = open(os.path.join(workdir, name), errors="replace").read()[-2000:]
                print(f"--- {name}\n{tail}")
    finally:
        signal.alarm(0)
        stop_all(processes)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())

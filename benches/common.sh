# Sourced by the bench scripts (load.sh, scans.sh, ready.sh) for what each needs alike: the
# tools, the servers stopped on exit, the generated snapshots and a secret that lists tokens.
# The sourcing script sets BIN (the binary under test) before calling `snapshot`.

# require_wrk: wrk, installed from Debian's package when missing.
require_wrk() {
    command -v wrk >/dev/null || {
        echo "installing wrk (Debian package)" >&2
        { apt-get update -qq && apt-get install -y -qq wrk; } >/dev/null || {
            echo "wrk is missing and could not be installed: apt-get install -y wrk" >&2
            exit 1
        }
    }
}

# require_curl: curl, or a clear stop.
require_curl() {
    command -v curl >/dev/null || {
        echo "curl is missing: apt-get install -y curl" >&2
        exit 1
    }
}

# The servers a script started (it appends each PID): all stopped by stop_servers, which runs
# on exit and may be called between runs.
SERVER_PIDS=()
stop_servers() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    SERVER_PIDS=()
}
trap stop_servers EXIT

# snapshot TOKENS FILE: writes FILE (TOKENS tokens, one workspace, seed 1) and FILE.secrets
# (generate's list of secrets) unless both exist, so every script reuses the same files.
snapshot() {
    local tokens=$1 file=$2
    mkdir -p "$(dirname "$file")"
    if [[ ! -s $file || ! -s $file.secrets ]]; then
        echo "generating $tokens tokens into $file" >&2
        "$BIN" generate --tokens "$tokens" --workspaces 1 --seed 1 --out "$file" 2>"$file.secrets"
    fi
}

# listing_secret SECRETS: a secret that lists tokens (active, with tokens:read, answered 200).
listing_secret() {
    grep -E '^ +tok_live_[A-Za-z0-9]+ +ws_gen_1 +active .*\[([^]]* )?tokens:read( [^]]*)?\] +-> 200' "$1" |
        awk '{ print $1; exit }'
}

# await_ready PID LOG TIMEOUT: waits until the server PID, logging to LOG, answers 200 on
# /readyz, polling every 10 ms; when PORT is empty it is read from the log's banner (a server
# started with --port 0). Stops the script, naming LOG, when the server exits or is not ready
# within TIMEOUT seconds.
await_ready() {
    local pid=$1 log=$2 timeout=$3
    local deadline=$((SECONDS + timeout))
    until [[ -n $PORT ]] &&
        [[ $(curl -s -o /dev/null --max-time 1 -w '%{http_code}' "http://127.0.0.1:$PORT/readyz") == 200 ]]; do
        kill -0 "$pid" 2>/dev/null || {
            echo "the server exited; see $log" >&2
            exit 1
        }
        ((SECONDS < deadline)) || {
            echo "the server was not ready within $timeout s; see $log" >&2
            exit 1
        }
        [[ -n $PORT ]] || PORT=$(sed -n 's|^  API  *http://127\.0\.0\.1:\([0-9]*\)/v1/tokens$|\1|p' "$log")
        sleep 0.01
    done
}

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

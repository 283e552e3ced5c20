#!/usr/bin/env bash
# Fuzzes the query parser and the snapshot loader with libFuzzer, each for a bounded time.
#
#   fuzz/run.sh                  every target, FUZZ_SECONDS (default 60) each
#   fuzz/run.sh snapshot         one target
#   FUZZ_SECONDS=20 fuzz/run.sh
#
# cargo-fuzz needs nightly-only compiler flags. The script uses the nightly toolchain when
# rustup has it (installing it once if it can); without it, it asks the default toolchain to
# accept the flags with RUSTC_BOOTSTRAP=1, and stops with an explanation if that fails too.
#
# Settings: FUZZ_SECONDS (per target), FUZZ_SANITIZER (default none: the project's code
# forbids unsafe, so the bugs looked for are panics, and an unsanitized build fuzzes faster;
# set address to look at dependencies' unsafe code too), FUZZ_JOBS (parallel workers, default 1),
# FUZZ_TOOLCHAIN (a rustup toolchain to use instead, such as stable: with RUSTC_BOOTSTRAP=1
# unless it is a nightly).
#
# Crashes land in fuzz/artifacts/<target>/; reproduce one with
#   cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>
# The corpora grow in fuzz/corpus/<target>/, seeded from fuzz/seeds/<target>/.

set -euo pipefail

seconds="${FUZZ_SECONDS:-60}"
sanitizer="${FUZZ_SANITIZER:-none}"
jobs="${FUZZ_JOBS:-1}"
fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$fuzz_dir")"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(query snapshot)
fi

if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
    echo "FUZZ_SECONDS must be a positive number of seconds, not '$seconds'" >&2
    exit 2
fi
if ! [[ "$jobs" =~ ^[1-9][0-9]*$ ]]; then
    echo "FUZZ_JOBS must be a positive number, not '$jobs'" >&2
    exit 2
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

# The toolchain: nightly when there is one, else the default one with RUSTC_BOOTSTRAP=1.
toolchain=()
if [ -n "${FUZZ_TOOLCHAIN:-}" ]; then
    toolchain=(+"$FUZZ_TOOLCHAIN")
    case "$FUZZ_TOOLCHAIN" in
        nightly*) ;;
        *) export RUSTC_BOOTSTRAP=1 ;;
    esac
elif rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    toolchain=(+nightly)
elif command -v rustup >/dev/null && rustup toolchain install nightly --profile minimal; then
    toolchain=(+nightly)
else
    echo "== no nightly toolchain: trying the default one with RUSTC_BOOTSTRAP=1"
    export RUSTC_BOOTSTRAP=1
fi
if ! rustc "${toolchain[@]}" -Z help >/dev/null 2>&1; then
    echo "cargo fuzz needs a Rust toolchain that takes -Z flags: a nightly one" >&2
    echo "(rustup toolchain install nightly), or one that honours RUSTC_BOOTSTRAP=1." >&2
    exit 1
fi
echo "== toolchain: $(rustc "${toolchain[@]}" --version)${RUSTC_BOOTSTRAP:+ with RUSTC_BOOTSTRAP=1}"

cd "$root"
failed=()
for target in "${targets[@]}"; do
    if [ ! -f "$fuzz_dir/fuzz_targets/$target.rs" ]; then
        echo "no fuzz target '$target' (have: $(basename -s .rs "$fuzz_dir"/fuzz_targets/*.rs | tr '\n' ' '))" >&2
        exit 2
    fi
    corpus="$fuzz_dir/corpus/$target"
    mkdir -p "$corpus"
    cp -n "$fuzz_dir/seeds/$target"/* "$corpus/" 2>/dev/null || true

    echo "== building $target"
    if ! cargo "${toolchain[@]}" fuzz build --sanitizer "$sanitizer" "$target"; then
        echo "cargo fuzz could not build $target: see the errors above" >&2
        exit 1
    fi

    echo "== fuzzing $target for ${seconds}s"
    log="$(mktemp)"
    set +e
    parallel=()
    if [ "$jobs" -gt 1 ]; then
        parallel=(--jobs "$jobs")
    fi
    cargo "${toolchain[@]}" fuzz run --sanitizer "$sanitizer" "${parallel[@]}" "$target" -- \
        -max_total_time="$seconds" -dict="$fuzz_dir/dicts/$target.dict" -print_final_stats=1 \
        2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    runs="$(grep -Eo 'Done [0-9]+ runs' "$log" | tail -1 || true)"
    rm -f "$log"
    if [ "$status" -ne 0 ]; then
        echo "== $target FAILED (exit $status): see fuzz/artifacts/$target/" >&2
        failed+=("$target")
    else
        echo "== $target passed: ${runs:-no run count} in ${seconds}s, corpus of $(ls "$corpus" | wc -l) inputs"
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found crashes in: ${failed[*]}" >&2
    exit 1
fi
echo "fuzzing found no crash in: ${targets[*]}"

#!/usr/bin/env bash
# Builds a fully static Linux binary of tooken-mock: glibc linked in (`+crt-static`, a
# static-pie), symbols stripped, no dynamic dependencies. It runs on any x86_64 Linux and in a
# `FROM scratch` image. Writes target/dist/tooken-mock, checks that it is static, prints its
# size, then runs the smoke test (scripts/smoke.py) against it.
#
#   scripts/build-static.sh              # build, check, smoke test
#   TOOKEN_SMOKE=0 scripts/build-static.sh   # build and check only
#
# `--target` is given explicitly so that RUSTFLAGS reach only the binary's own code: build
# scripts and proc-macros are built for the host as usual, and stay dynamic.
# A static binary cannot `dlsym` glibc's getrandom(), so the getrandom crate would fall back
# to reading /dev/urandom, a file a bare chroot does not have: `getrandom_backend` makes it
# call getrandom(2) directly (Linux 3.17 and later).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
target=x86_64-unknown-linux-gnu
out=$root/target/dist/tooken-mock
cd "$root"

start=$(date +%s)
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static --cfg getrandom_backend=\"linux_getrandom\"" \
  cargo build --locked --profile static --target "$target" --bin tooken-mock
echo "build-static: cargo build took $(($(date +%s) - start)) s"

mkdir -p "$(dirname "$out")"
cp "target/$target/static/tooken-mock" "$out"

# `file` says "static-pie linked" (or "statically linked"); glibc's ldd says "statically
# linked" or "not a dynamic executable" and, for the latter, exits 1.
kind=$(file -b "$out")
echo "build-static: $kind"
case $kind in
  *"static-pie linked"* | *"statically linked"*) ;;
  *) echo "build-static: $out is not static" >&2; exit 1 ;;
esac
ldd_says=$(ldd "$out" 2>&1 || true)
echo "build-static: ldd: $ldd_says"
case $ldd_says in
  *"not a dynamic executable"* | *"statically linked"*) ;;
  *) echo "build-static: ldd lists dynamic dependencies" >&2; exit 1 ;;
esac
case $kind in
  *", stripped"*) ;;
  *) echo "build-static: $out is not stripped" >&2; exit 1 ;;
esac

bytes=$(stat -c %s "$out")
echo "build-static: $out is $bytes bytes ($((bytes / 1024)) KiB)"

if [ "${TOOKEN_SMOKE:-1}" != 0 ]; then
  python3 "$root/scripts/smoke.py" "$out"
fi

#!/usr/bin/env bash
# Builds the container image from the Containerfile with podman, then checks it without running
# a container (CI machines cannot): its configuration (entrypoint, command, user, port,
# environment), and its filesystem, exported from a created container and smoke-tested with the
# binary found inside it, under chroot as the image's user with the image's environment.
#
#   scripts/image.sh                          # builds localhost/tooken-mock:latest and checks it
#   TOOKEN_IMAGE=localhost/tooken-mock:ci scripts/image.sh
#   PODMAN="podman --storage-driver vfs" scripts/image.sh   # where overlay mounts are refused
#
# Installs Debian's podman when it is missing. Builds the static binary first
# (scripts/build-static.sh; nothing to do when it is up to date). The chroot needs root; as
# another user the extracted binary runs directly instead.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
image=${TOOKEN_IMAGE:-localhost/tooken-mock:latest}
cd "$root"

if ! command -v podman >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq podman
fi
read -r -a podman <<<"${PODMAN:-podman}"

TOOKEN_SMOKE=0 bash scripts/build-static.sh

start=$(date +%s)
"${podman[@]}" build --file Containerfile --tag "$image" .
echo "image: built $image in $(($(date +%s) - start)) s"

fail() { echo "image: FAILED: $*" >&2; exit 1; }
config() { "${podman[@]}" image inspect --format "$1" "$image"; }

entrypoint=$(config '{{json .Config.Entrypoint}}')
command=$(config '{{json .Config.Cmd}}')
user=$(config '{{.Config.User}}')
ports=$(config '{{range $port, $_ := .Config.ExposedPorts}}{{$port}} {{end}}')
mapfile -t env < <(config '{{range .Config.Env}}{{println .}}{{end}}' | sed '/^$/d')
echo "image: entrypoint $entrypoint, command $command, user $user, ports $ports"
printf 'image: env %s\n' "${env[@]}"
[ "$entrypoint" = '["/tooken-mock"]' ] || fail "entrypoint is $entrypoint"
[ "$command" = '["serve"]' ] || fail "command is $command"
[[ $user =~ ^[1-9][0-9]*:[1-9][0-9]*$ ]] || fail "user $user is not a numeric non-root uid:gid"
[ "$ports" = '8080/tcp ' ] || fail "exposed ports are $ports"
printf '%s\n' "${env[@]}" | grep -qx 'TOOKEN__SERVER__HOST=0.0.0.0' || fail "host is not 0.0.0.0"
printf '%s\n' "${env[@]}" | grep -qx 'TOOKEN__SERVER__PORT=8080' || fail "port is not 8080"

# The exported tree becomes `/` for the image's user: it must be able to enter it.
rootfs=$(mktemp -d)
chmod 755 "$rootfs"
trap 'rm -rf "$rootfs"' EXIT
container=$("${podman[@]}" create "$image")
trap '"${podman[@]}" rm --force "$container" >/dev/null; rm -rf "$rootfs"' EXIT
"${podman[@]}" export "$container" | tar -x -C "$rootfs"
files=$(cd "$rootfs" && find . -mindepth 1 | sort | tr '\n' ' ')
echo "image: files $files"
[ "$files" = './tooken-mock ' ] || fail "the image holds more than the binary: $files"
cmp "$rootfs/tooken-mock" target/dist/tooken-mock || fail "the binary differs from target/dist"
echo "image: the binary is target/dist/tooken-mock, $(stat -c %s "$rootfs/tooken-mock") bytes"

env_args=()
for variable in "${env[@]}"; do env_args+=(--env "$variable"); done
if [ "$(id -u)" = 0 ]; then
  python3 scripts/smoke.py --root "$rootfs" --user "$user" "${env_args[@]}" /tooken-mock
else
  python3 scripts/smoke.py "${env_args[@]}" "$rootfs/tooken-mock"
fi
echo "image: $image passed"

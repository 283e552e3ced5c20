#!/usr/bin/env bash
# Packs the npm packages into OUTDIR: tooken-mock (the JavaScript side) and the platform
# package of this machine (tooken-mock-linux-x64) holding the native binary.
#
#   scripts/npm-pack.sh OUTDIR                                  # builds the static binary first
#   TOOKEN_MOCK_BIN=target/dist/tooken-mock scripts/npm-pack.sh OUTDIR
#   TOOKEN_MOCK_PLATFORM=linux-arm64 TOOKEN_MOCK_BIN=... scripts/npm-pack.sh OUTDIR  # release
#
# Checks that every package's version, and the versions the main package pins, equal
# Cargo.toml's. Prints the paths of the tarballs, one a line, last.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: scripts/npm-pack.sh OUTDIR}
platform=${TOOKEN_MOCK_PLATFORM:-linux-x64}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$root"

if [[ -z "${TOOKEN_MOCK_BIN:-}" ]]; then
  TOOKEN_SMOKE=0 bash scripts/build-static.sh
  TOOKEN_MOCK_BIN=$root/target/dist/tooken-mock
fi
[[ -x "$TOOKEN_MOCK_BIN" ]] || { echo "npm-pack: $TOOKEN_MOCK_BIN is not an executable" >&2; exit 1; }

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
node - "$version" "$platform" <<'JS'
const fs = require("node:fs");
const [version, platform] = process.argv.slice(2);
const main = JSON.parse(fs.readFileSync("npm/tooken-mock/package.json", "utf8"));
const problems = [];
if (main.version !== version) problems.push(`npm/tooken-mock is ${main.version}`);
for (const [name, pinned] of Object.entries(main.optionalDependencies)) {
  if (pinned !== version) problems.push(`tooken-mock pins ${name} at ${pinned}`);
}
const dir = `npm/tooken-mock-${platform}`;
if (fs.existsSync(dir)) {
  const pkg = JSON.parse(fs.readFileSync(`${dir}/package.json`, "utf8"));
  if (pkg.version !== version) problems.push(`${dir} is ${pkg.version}`);
}
if (!(`tooken-mock-${platform}` in main.optionalDependencies)) problems.push(`no optional dependency on tooken-mock-${platform}`);
if (problems.length) {
  console.error(`npm-pack: Cargo.toml is ${version}, but ${problems.join("; ")}`);
  process.exit(1);
}
JS

# The platform package: checked in for linux-x64; made from it for the release's other targets.
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
package=$staging/tooken-mock-$platform
cp -r npm/tooken-mock-linux-x64 "$package"
rm -f "$package/bin/.gitignore"
if [[ $platform != linux-x64 ]]; then
  os=${platform%-*} cpu=${platform#*-} node -e '
    const fs = require("node:fs"); const file = process.argv[1];
    const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
    pkg.name = `tooken-mock-${process.env.os}-${process.env.cpu}`;
    pkg.os = [process.env.os]; pkg.cpu = [process.env.cpu];
    pkg.description = pkg.description.replace("Linux x64", `${process.env.os} ${process.env.cpu}`);
    if (process.env.os === "win32") pkg.files = ["bin/tooken-mock.exe", "README.md"];
    fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");' "$package/package.json"
  perl -pi -e "s/^# tooken-mock-linux-x64/# tooken-mock-$platform/" "$package/README.md"
fi
binary_name=tooken-mock
[[ $platform == win32-* ]] && binary_name=tooken-mock.exe
install -m 0755 "$TOOKEN_MOCK_BIN" "$package/bin/$binary_name"

# The JavaScript is plain ESM with .d.ts beside it: nothing to compile.
tarballs=()
for dir in "$package" npm/tooken-mock; do
  tarballs+=("$out/$(cd "$dir" && npm pack --silent --pack-destination "$out" | tail -1)")
done
printf '%s\n' "${tarballs[@]}"

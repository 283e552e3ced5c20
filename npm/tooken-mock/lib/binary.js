// Finds the native tooken-mock binary: TOOKEN_MOCK_BINARY, else the platform package that npm
// installed as an optional dependency (tooken-mock-linux-x64, ...).
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** The platforms that have a package, by `${process.platform}-${process.arch}`. */
export const PLATFORMS = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "win32-x64"];

const OTHER_WAYS = [
  "Other ways to run tooken-mock:",
  "  - the container image: podman build -t tooken-mock . (or docker build -f Containerfile -t tooken-mock .)",
  "    in a clone of the repository, then run it with -p 8080:8080",
  "  - with a Rust toolchain: cargo install --locked --git <the repository's URL> tooken-mock,",
  "    or cargo install --locked --path . in a clone",
  "  then point TOOKEN_MOCK_BINARY at the binary to keep using this package.",
].join("\n");

/** Thrown when no binary can be found; `message` says why and what to do. */
export class BinaryNotFoundError extends Error {
  constructor(message) {
    super(message);
    this.name = "BinaryNotFoundError";
  }
}

/**
 * The path of the native binary.
 * @param {NodeJS.ProcessEnv} [env] where to read TOOKEN_MOCK_BINARY (default process.env)
 * @returns {string}
 * @throws {BinaryNotFoundError}
 */
export function binaryPath(env = process.env) {
  const override = env.TOOKEN_MOCK_BINARY;
  if (override) {
    if (!existsSync(override)) {
      throw new BinaryNotFoundError(`TOOKEN_MOCK_BINARY names ${override}, which does not exist.`);
    }
    return override;
  }
  const platform = `${process.platform}-${process.arch}`;
  if (!PLATFORMS.includes(platform)) {
    throw new BinaryNotFoundError(
      `tooken-mock has no binary package for this platform (${platform}); ` +
        `packages exist for ${PLATFORMS.join(", ")}.\n${OTHER_WAYS}`,
    );
  }
  const name = `tooken-mock-${platform}`;
  let manifest;
  try {
    manifest = require.resolve(`${name}/package.json`);
  } catch {
    throw new BinaryNotFoundError(
      `the package ${name} (the binary for ${platform}) is not installed. It is an optional ` +
        `dependency of tooken-mock: reinstall without --omit=optional / --no-optional, and ` +
        `with a lockfile made on any platform (npm install tooken-mock again if it was made ` +
        `before this platform was supported).\n${OTHER_WAYS}`,
    );
  }
  const binary = join(dirname(manifest), "bin", process.platform === "win32" ? "tooken-mock.exe" : "tooken-mock");
  if (!existsSync(binary)) {
    throw new BinaryNotFoundError(`${name} is installed but has no ${binary}.\n${OTHER_WAYS}`);
  }
  return binary;
}

// What the browser tests share: the server binary and how to start and stop it, the browser and
// how to launch it, and the demo secret they authenticate with.
import { spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
// TOOKEN_MOCK_BIN is taken relative to the current directory, like any path given on a shell;
// the default is relative to this file so that `node --test` works from anywhere.
export const BIN = process.env.TOOKEN_MOCK_BIN
  ? resolve(process.env.TOOKEN_MOCK_BIN)
  : resolve(here, "../../target/release/tooken-mock");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENSHOTS = resolve(here, "screenshots");
export const SECRET = "tok_live_AcmeAuditReadOnlyKey2026Demo0001";
// Frozen so that expiry-dependent demo data gives the same list on every run.
export const NOW = "2026-05-01T00:00:00Z";

export const STEP_TIMEOUT = 15_000; // any single wait on the page or the server

/**
 * Starts the server on a free port and resolves `ready` with its base URL once the banner names
 * it. `env` is added to this process's environment (settings such as `TOOKEN__CORS__...`).
 * The server is killed when this process exits, so a test that dies mid-way leaves none behind.
 */
export function startServer({ env = {} } = {}) {
  const child = spawn(BIN, ["--port", "0", "--now", NOW], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  process.once("exit", () => child.kill("SIGKILL"));
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4000); // last lines only, for the failure message
  });
  const ready = new Promise((resolveUrl, reject) => {
    let stdout = "";
    const timer = setTimeout(
      () => reject(new Error(`no banner within ${STEP_TIMEOUT} ms:\n${stdout}\n${stderr}`)),
      STEP_TIMEOUT,
    );
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${BIN}: ${err.message}`));
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (${code ?? signal}):\n${stdout}\n${stderr}`));
    });
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const match = stdout.match(/^\s+API\s+(http:\/\/127\.0\.0\.1:\d+)\/v1\/tokens$/m);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
  });
  // Keep reading stdout after the banner so the server never blocks on a full pipe.
  ready.then(() => child.stdout.resume(), () => {});
  return { child, ready };
}

/** SIGTERM, then SIGKILL if the server has not exited in time. */
export async function stopServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once("exit", done));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Bounds a promise that has no timeout of its own (closing the browser). */
export function within(ms, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Headless Debian Chromium, with a fresh temporary profile and nothing running in the background. */
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    timeout: STEP_TIMEOUT,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Closes the browser (bounded) and stops the servers that were started; never throws. */
export async function cleanUp(browser, ...servers) {
  await within(10_000, browser?.close() ?? Promise.resolve()).catch(() => {});
  for (const server of servers) {
    if (server) await stopServer(server.child);
  }
}

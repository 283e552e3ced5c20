// start(): runs the mock server on a free port for a test run and resolves once it is ready.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { binaryPath } from "./binary.js";

export { binaryPath, BinaryNotFoundError, PLATFORMS } from "./binary.js";

/** How much of the server's standard error a failure reports, in bytes. */
const STDERR_TAIL_BYTES = 8192;
const POLL_MS = 20;

/**
 * Starts the server and resolves once it listens with its data loaded.
 * @param {import("./index.js").StartOptions} [options]
 * @returns {Promise<import("./index.js").MockServer>}
 */
export async function start(options = {}) {
  const { args = [], env = {}, snapshot, now, port = 0, timeoutMs = 15_000 } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`start(): port must be an integer from 0 to 65535, not ${port}`);
  }
  const binary = binaryPath({ ...process.env, ...env });
  const dir = await mkdtemp(join(tmpdir(), "tooken-mock-"));
  const readyFile = join(dir, "ready.json");
  const argv = ["serve", "--port", String(port), "--ready-file", readyFile];
  if (snapshot !== undefined) argv.push("--snapshot", snapshot);
  if (now !== undefined) argv.push("--now", now);
  argv.push(...args);

  // Standard output (the banner, the log) is not read: the ready file says what start() needs.
  // Standard error is drained into a bounded tail, reported if the server fails to start.
  const child = spawn(binary, argv, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let tail = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => {
    tail = (tail + chunk).slice(-STDERR_TAIL_BYTES);
  });
  const exited = new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (error) => resolve({ error }));
  });
  // A server must not outlive the process that started it (a crashed globalSetup, say).
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const cleanUp = async () => {
    process.removeListener("exit", killOnExit);
    await rm(dir, { recursive: true, force: true });
  };

  let ready;
  try {
    ready = await waitForReadyFile(readyFile, exited, timeoutMs);
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
    await cleanUp();
    const stderr = tail.trim();
    error.message += stderr ? `\nserver stderr:\n${stderr}` : "\n(the server wrote nothing to stderr)";
    error.stderr = tail;
    throw error;
  }

  let stopping;
  return {
    url: ready.url,
    apiUrl: ready.api,
    adminUrl: ready.admin,
    docsUrl: ready.docs,
    openapiUrl: ready.openapi,
    version: ready.version,
    pid: ready.pid,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await exited;
        await cleanUp();
      })();
      return stopping;
    },
  };
}

async function waitForReadyFile(path, exited, timeoutMs) {
  let outcome;
  exited.then((value) => {
    outcome = value;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return JSON.parse(await readFile(path, "utf8"));
    } catch (error) {
      if (error.code !== "ENOENT") throw error;
    }
    if (outcome) {
      const how = outcome.error
        ? `could not be run: ${outcome.error.message}`
        : outcome.signal
          ? `was ended by ${outcome.signal}`
          : `exited with code ${outcome.code}`;
      throw new Error(`tooken-mock ${how} before it was ready`);
    }
    if (Date.now() > deadline) {
      throw new Error(`tooken-mock was not ready within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

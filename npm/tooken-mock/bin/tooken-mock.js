#!/usr/bin/env node
// Runs the native tooken-mock binary with this process's arguments and standard streams.
// SIGTERM, SIGINT and SIGHUP are passed on to it, so stopping `npx tooken-mock` stops the
// server (and SIGHUP reloads its snapshot); its exit code (or the signal that ended it) becomes
// this process's.
//
// npx runs this file through `sh -c`, and a SIGTERM sent to npx reaches that shell, which dies
// of it without passing it on: this process is then orphaned. It watches for that (its parent
// changes) and stops the server as if it had got SIGTERM itself.
import { spawn } from "node:child_process";
import { binaryPath, BinaryNotFoundError } from "../lib/binary.js";

let binary;
try {
  binary = binaryPath();
} catch (error) {
  if (error instanceof BinaryNotFoundError) {
    process.stderr.write(`tooken-mock: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

const child = spawn(binary, process.argv.slice(2), { stdio: "inherit" });
const FORWARDED = ["SIGTERM", "SIGINT", "SIGHUP"];
const forward = (signal) => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const signal of FORWARDED) process.on(signal, forward);

const PARENT_POLL_MS = 200;
const parent = process.ppid;
const orphanWatch = setInterval(() => {
  if (process.ppid !== parent) {
    clearInterval(orphanWatch);
    forward("SIGTERM");
  }
}, PARENT_POLL_MS);
orphanWatch.unref();

child.on("error", (error) => {
  process.stderr.write(`tooken-mock: cannot run ${binary}: ${error.message}\n`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  if (signal) {
    // Die of the same signal, so that the caller sees what the server saw.
    for (const s of FORWARDED) process.removeListener(s, forward);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});

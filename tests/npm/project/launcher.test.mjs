// The installed package, outside Playwright: the launcher run through npx (no Rust toolchain on
// PATH), signals and exit codes, start()/stop(), and the admin client's sessions.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { start } from "tooken-mock";
import { createAdminClient } from "tooken-mock/client";

const ENV = { ...process.env };

/** Runs `npx tooken-mock ...args` in this project; resolves with its exit code and signal. */
function npx(args, { onSpawn } = {}) {
  const child = spawn("npx", ["tooken-mock", ...args], { env: ENV, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  onSpawn?.(child);
  return new Promise((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr, child })),
  );
}

async function waitFor(predicate, what, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = predicate();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ${what} within ${ms} ms`);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("npx tooken-mock --version runs the packaged binary with no Rust toolchain on PATH", async () => {
  for (const tool of ["cargo", "rustc"]) {
    const found = await new Promise((resolve) =>
      spawn("sh", ["-c", `command -v ${tool}`], { env: ENV }).on("exit", (code) => resolve(code === 0)),
    );
    assert.equal(found, false, `${tool} is on PATH`);
  }
  const { code, stdout } = await npx(["--version"]);
  assert.equal(code, 0);
  const { version } = JSON.parse(readFileSync("node_modules/tooken-mock/package.json", "utf8"));
  assert.equal(stdout.trim(), `tooken-mock ${version}`);
});

/** Starts `npx tooken-mock` in a process group of its own; resolves once its server is ready. */
async function serveThroughNpx() {
  const readyFile = join(mkdtempSync(join(tmpdir(), "npx-ready-")), "ready.json");
  const child = spawn("npx", ["tooken-mock", "--port", "0", "--ready-file", readyFile], {
    env: ENV,
    stdio: "ignore",
    detached: true,
  });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const ready = await waitFor(() => existsSync(readyFile) && JSON.parse(readFileSync(readyFile, "utf8")), "ready file");
  assert.notEqual(ready.pid, child.pid, "the server is a process of its own");
  assert.equal((await fetch(`${ready.url}/readyz`)).status, 200);
  return { child, exited, ready, readyFile };
}

test("Ctrl-C (SIGINT to the foreground process group) stops the server", async () => {
  const { child, exited, ready, readyFile } = await serveThroughNpx();

  process.kill(-child.pid, "SIGINT");
  const { code, signal } = await exited;

  // npm ends as a program interrupted by Ctrl-C should (exit status 130 in a shell).
  assert.ok(signal === "SIGINT" || code === 130, `npx ended with ${code ?? signal}`);
  await waitFor(() => !alive(ready.pid), `end of server process ${ready.pid}`, 5_000);
  assert.equal(existsSync(readyFile), false, "the server removed its ready file");
});

test("SIGTERM to the npx process alone leaves no server behind", async () => {
  const { child, exited, ready, readyFile } = await serveThroughNpx();

  child.kill("SIGTERM");
  const { code, signal } = await exited;

  // npm re-raises the signal it got (exit status 143 in a shell).
  assert.ok(signal === "SIGTERM" || code === 143, `npx ended with ${code ?? signal}`);
  await waitFor(() => !alive(ready.pid), `end of server process ${ready.pid}`, 5_000);
  await waitFor(() => !existsSync(readyFile), "removal of the ready file", 5_000);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  test(`${signal} to the launcher stops the server gracefully and the launcher dies of it or exits 0`, async () => {
    const readyFile = join(mkdtempSync(join(tmpdir(), "launcher-ready-")), "ready.json");
    const child = spawn("node", ["node_modules/tooken-mock/bin/tooken-mock.js", "--port", "0", "--ready-file", readyFile], {
      env: ENV,
      stdio: "ignore",
    });
    const exited = new Promise((resolve) => child.on("exit", (code, sig) => resolve({ code, sig })));
    const ready = await waitFor(() => existsSync(readyFile) && JSON.parse(readFileSync(readyFile, "utf8")), "ready file");

    child.kill(signal);
    const { code, sig } = await exited;

    // The server exits 0 on SIGTERM and SIGINT (graceful), and so does the launcher.
    assert.equal(code, 0, `signal ${sig}`);
    assert.equal(alive(ready.pid), false);
  });
}

test("SIGHUP to the launcher reaches the server, which reloads and goes on serving", async () => {
  const readyFile = join(mkdtempSync(join(tmpdir(), "launcher-ready-")), "ready.json");
  const child = spawn("node", ["node_modules/tooken-mock/bin/tooken-mock.js", "--port", "0", "--ready-file", readyFile], {
    env: ENV,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (c) => (stderr += c));
  const exited = new Promise((resolve) => child.on("exit", (code, sig) => resolve({ code, sig })));
  const ready = await waitFor(() => existsSync(readyFile) && JSON.parse(readFileSync(readyFile, "utf8")), "ready file");

  child.kill("SIGHUP");
  await waitFor(() => /nothing to reload/.test(stderr), "the server's answer to SIGHUP", 10_000);
  const health = await fetch(`${ready.url}/healthz`);
  assert.equal(health.status, 200);
  assert.equal(alive(ready.pid), true);

  child.kill("SIGTERM");
  const { code, sig } = await exited;
  assert.equal(code, 0, `signal ${sig}`);
  assert.equal(alive(ready.pid), false);
});

test("without its platform package the launcher names the platform and the other ways in; TOOKEN_MOCK_BINARY overrides", async () => {
  // The package alone, in a project where npm did not install the platform package.
  const isolated = mkdtempSync(join(tmpdir(), "no-platform-"));
  cpSync("node_modules/tooken-mock", join(isolated, "node_modules/tooken-mock"), { recursive: true });
  const launcher = join(isolated, "node_modules/tooken-mock/bin/tooken-mock.js");
  const run = (env) =>
    new Promise((resolve) => {
      const child = spawn("node", [launcher, "--version"], { env: { ...ENV, ...env }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c) => (stdout += c));
      child.stderr.on("data", (c) => (stderr += c));
      child.on("exit", (code) => resolve({ code, stdout, stderr }));
    });

  const missing = await run({});
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, new RegExp(`tooken-mock-${process.platform}-${process.arch}`));
  assert.match(missing.stderr, /container image/);
  assert.match(missing.stderr, /cargo install --locked/);
  assert.match(missing.stderr, /TOOKEN_MOCK_BINARY/);

  const binary = join(process.cwd(), `node_modules/tooken-mock-${process.platform}-${process.arch}/bin/tooken-mock`);
  const overridden = await run({ TOOKEN_MOCK_BINARY: binary });
  assert.equal(overridden.code, 0, overridden.stderr);
  assert.match(overridden.stdout, /^tooken-mock \d+\.\d+\.\d+/);

  const wrong = await run({ TOOKEN_MOCK_BINARY: join(isolated, "nothing-here") });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /TOOKEN_MOCK_BINARY names .*nothing-here/);
});

test("the server's non-zero exit code passes through npx", async () => {
  const usage = await npx(["--port", "not-a-port"]);
  assert.equal(usage.code, 2, usage.stderr);
  const check = await npx(["check", "no-such-snapshot.json"]);
  assert.equal(check.code, 1, check.stderr);
  assert.match(check.stderr, /no-such-snapshot\.json/);
});

test("start() serves on a free port, rejects with the server's stderr, and stop() ends it", async () => {
  const [a, b] = await Promise.all([start(), start({ now: "2026-05-01T00:00:00Z" })]);
  try {
    assert.notEqual(a.url, b.url);
    assert.match(a.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(a.apiUrl, `${a.url}/v1/tokens`);
    assert.equal(a.adminUrl, `${a.url}/__admin`);
    assert.equal((await fetch(`${a.url}/readyz`)).status, 200);
    const clock = await (await fetch(`${b.adminUrl}/clock`)).json();
    assert.equal(clock.now, "2026-05-01T00:00:00Z");
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
  assert.equal(alive(a.pid) || alive(b.pid), false);
  await assert.rejects(fetch(`${a.url}/readyz`));

  await assert.rejects(start({ snapshot: "no-such-snapshot.json" }), (error) => {
    assert.match(error.message, /exited with code/);
    assert.match(error.message, /no-such-snapshot\.json/);
    return true;
  });
  await assert.rejects(start({ env: { TOOKEN__SERVER__KEEP_ALIVE_SECS: "-1" } }), /keep_alive_secs/);
});

test("the admin client acts on its session only: a created token and a moved clock", async () => {
  const server = await start({ now: "2026-05-01T00:00:00Z" });
  try {
    const mine = createAdminClient({ baseUrl: server.url, session: "node-test.a" });
    const theirs = createAdminClient({ baseUrl: server.url, session: "node-test.b" });
    const created = await mine.POST("/tokens", {
      body: { workspace: "ws_acme", name: "Made by the client", scopes: ["tokens:read"] },
    });
    assert.equal(created.response.status, 201, JSON.stringify(created.error));
    const secret = created.data.secret;
    const moved = await mine.POST("/clock/advance", { body: { seconds: 86_400 } });
    assert.equal(moved.data.now, "2026-05-02T00:00:00Z");

    const list = (session) =>
      fetch(`${server.apiUrl}?name=${encodeURIComponent("Made by the client")}`, {
        headers: { Authorization: `Bearer ${secret}`, ...(session ? { "X-Mock-Session": session } : {}) },
      });
    const inSession = await list("node-test.a");
    assert.equal(inSession.status, 200);
    assert.deepEqual((await inSession.json()).data.map((t) => t.name), ["Made by the client"]);
    assert.equal((await list()).status, 401, "the default session does not know the secret");
    assert.equal((await list("node-test.b")).status, 401, "another session does not know it");

    const defaultClock = await (await fetch(`${server.adminUrl}/clock`)).json();
    assert.equal(defaultClock.now, "2026-05-01T00:00:00Z");
    assert.equal((await theirs.GET("/clock")).data.now, "2026-05-01T00:00:00Z");
  } finally {
    await server.stop();
  }
  assert.throws(() => createAdminClient({ baseUrl: "http://127.0.0.1:1", session: "no spaces" }), /session must be/);
});

// Pooled Node clients against the mock: bursts of requests separated by idle gaps around a
// keep-alive timeout never meet a connection the server is closing. The pool is an `http.Agent`
// like Node's own global one (keepAlive, an idle timeout of 5 s); it reads the server's
// `Keep-Alive: timeout=N` and closes its idle sockets a second before, so the server never
// closes one of the pool's sockets itself: such a close, landing as a request is written, is
// the ECONNRESET of pooled clients. Run: node --test tests/keep-alive.test.mjs (TOOKEN_MOCK_BIN
// names the binary; KEEP_ALIVE_IGNORE_HINT=1 hides the header from the agent, to see the closes
// it prevents).
import { spawn } from "node:child_process";
import http from "node:http";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";

const BIN = resolve(process.env.TOOKEN_MOCK_BIN ?? "../../target/debug/tooken-mock");
const BURST = 16;
const SOCKETS = 8;
// Node's global agent (Node >= 19) keeps idle sockets 5 s.
const AGENT_IDLE_MS = 5000;

/** A port free at the time of asking. */
function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
    probe.on("error", fail);
  });
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** GET `url` through `agent`; resolves with the status, rejects with the socket error. */
function get(url, agent, onSocket = () => {}) {
  return new Promise((done, fail) => {
    const request = http.get(url, { agent }, (res) => {
      if (process.env.KEEP_ALIVE_IGNORE_HINT === "1") delete res.headers["keep-alive"];
      res.resume();
      res.on("end", () => done(res.statusCode));
    });
    request.on("error", fail);
    request.on("socket", onSocket);
  });
}

/**
 * Starts the mock with `env`, then sends a burst after each of `gaps` (ms) through one pooled
 * agent; returns what failed and how many sockets the server closed (its FIN, seen as "end").
 */
async function bursts(t, env, gaps) {
  const port = await freePort();
  const server = spawn(BIN, ["--port", String(port)], {
    stdio: "ignore",
    env: { ...process.env, ...env },
  });
  t.after(() => server.kill("SIGTERM"));
  const base = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    try {
      await get(`${base}/healthz`, undefined);
      break;
    } catch (error) {
      if (tries > 100) throw error;
      await sleep(100);
    }
  }
  const agent = new http.Agent({ keepAlive: true, timeout: AGENT_IDLE_MS, maxSockets: SOCKETS });
  t.after(() => agent.destroy());
  const watched = new WeakSet();
  let closedByServer = 0;
  const watch = (socket) => {
    if (watched.has(socket)) return;
    watched.add(socket);
    socket.on("end", () => (closedByServer += 1));
  };
  const failures = [];
  let answered = 0;
  for (const gap of [0, ...gaps]) {
    await sleep(gap);
    const burst = await Promise.allSettled(
      Array.from({ length: BURST }, () => get(`${base}/healthz`, agent, watch)),
    );
    for (const outcome of burst) {
      if (outcome.status === "fulfilled" && outcome.value === 200) answered += 1;
      else failures.push(`after ${gap} ms idle: ${outcome.reason?.code ?? outcome.value}`);
    }
  }
  console.log(`${answered} answered, ${failures.length} failed, ${closedByServer} closed by the server`);
  return { failures, closedByServer };
}

test("with a timeout shorter than the pool's, the pool closes its idle sockets first", async (t) => {
  // 2 s: the agent takes the hint and closes idle sockets after 1 s; gaps from 1.9 s to 2.6 s
  // straddle the server's own close (its clock ticks every 500 ms).
  const gaps = Array.from({ length: 15 }, (_, i) => 1900 + i * 50);
  const { failures, closedByServer } = await bursts(
    t,
    { TOOKEN__SERVER__KEEP_ALIVE_SECS: "2" },
    gaps,
  );
  assert.deepEqual(failures, []);
  assert.equal(closedByServer, 0, "the agent closes its idle sockets before the server does");
});

test("with the default timeout, gaps around the pool's 5 s are never cut by the server", async (t) => {
  const { failures, closedByServer } = await bursts(t, {}, [4800, 5100, 5400]);
  assert.deepEqual(failures, []);
  assert.equal(closedByServer, 0, "the server keeps idle connections past the pool's 5 s");
});

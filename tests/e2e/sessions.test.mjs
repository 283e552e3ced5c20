// Two browser contexts, as two parallel Playwright workers would have, each in its own session
// (`X-Mock-Session` through `extraHTTPHeaders`): one revokes a token and moves its clock, the
// other sees neither (sessions and single-token changes, rules 36-38 of docs/behaviour.md).
// Then `__session` in the query, for requests that must not be preflighted. Run with
// `node --test sessions.test.mjs`.
import http from "node:http";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { NOW, SECRET, STEP_TIMEOUT, cleanUp, launchChromium, startServer, within } from "./helpers.mjs";

const SUITE_TIMEOUT = 45_000;
const PAGE_TIMEOUT = 10_000;

const CI_DEPLOY = "tok_a1b2c3d4e5f6g7h8i9j0k1l2"; // active at NOW, revoked by worker-a
const CI_PIPELINE = "CI Pipeline Token"; // expires 2027-09-03: expired at worker-a's new time
const AUDIT_KEY = "Read-Only Audit Key"; // the token of SECRET: its last use shows each clock
const LATER = "2028-01-01T00:00:00Z";

/** A page whose script lists the tokens and writes what it read into `<output id="result">`. */
function listPage(url, init) {
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Tokens, as a front-end lists them</title>
<output id="result"></output>
<script type="module">
  let result;
  try {
    const response = await fetch(${JSON.stringify(url)}, ${JSON.stringify(init)});
    const body = await response.json();
    result = {
      status: response.status,
      session: response.headers.get("X-Mock-Session"),
      tokens: Object.fromEntries((body.data ?? []).map((t) => [t.name, t])),
    };
  } catch (err) {
    result = { error: \`\${err.name}: \${err.message}\` };
  }
  document.getElementById("result").textContent = JSON.stringify(result);
  document.body.dataset.done = "true";
</script>
</html>
`;
}

/** Serves `pages` (path to HTML) on another origin than the API's. */
async function startPageServer(pages) {
  const server = http.createServer((req, res) => {
    const html = pages.get(new URL(req.url, "http://page.invalid").pathname);
    res.writeHead(html === undefined ? 404 : 200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(html ?? "");
  });
  await new Promise((listening, failed) => {
    server.once("error", failed);
    server.listen(0, "127.0.0.1", listening);
  });
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/** Opens `url` in `context` and returns what its script wrote. */
async function readPage(context, url) {
  const page = await context.newPage();
  try {
    await page.goto(url);
    await page.locator("body[data-done]").waitFor({ state: "attached" });
    const result = JSON.parse(await page.locator("#result").textContent());
    assert.equal(result.error, undefined, "the page's fetch failed");
    return result;
  } finally {
    await page.close();
  }
}

/** The test's own call of the admin API in `session` (none: the default session). */
async function admin(api, method, path, { session, body } = {}) {
  const headers = { "Content-Type": "application/json" };
  if (session) headers["X-Mock-Session"] = session;
  const res = await fetch(`${api}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(STEP_TIMEOUT),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe("Sessions: parallel browser contexts do not see each other", { timeout: SUITE_TIMEOUT }, () => {
  let server;
  let api;
  let pageServer;
  let browser;
  const contexts = {};
  const pages = new Map();

  before(async () => {
    server = startServer();
    api = await server.ready;
    pageServer = await startPageServer(pages);
    browser = await launchChromium();
    for (const name of ["worker-a", "worker-b"]) {
      contexts[name] = await browser.newContext({ extraHTTPHeaders: { "X-Mock-Session": name } });
      contexts[name].setDefaultTimeout(PAGE_TIMEOUT);
    }
    const init = { headers: { Authorization: `Bearer ${SECRET}` } };
    pages.set("/list.html", listPage(`${api}/v1/tokens?per_page=100`, init));
  });

  after(async () => {
    for (const context of Object.values(contexts)) await within(5_000, context.close()).catch(() => {});
    pageServer?.server.closeAllConnections();
    await within(5_000, new Promise((closed) => pageServer?.server.close(closed) ?? closed())).catch(() => {});
    await cleanUp(browser, server);
  });

  it("answers each context in its own session", async () => {
    const a = await readPage(contexts["worker-a"], `${pageServer.origin}/list.html`);
    const b = await readPage(contexts["worker-b"], `${pageServer.origin}/list.html`);

    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    // Exposed by CORS, so the page can tell which session answered.
    assert.equal(a.session, "worker-a");
    assert.equal(b.session, "worker-b");
    assert.equal(a.tokens["CI Deploy Token"].status, "active");
    assert.equal(b.tokens["CI Deploy Token"].status, "active");
  });

  it("keeps one context's revoke and clock move out of the other", async () => {
    // worker-a revokes from a page of its own (same origin as the admin API, so the context's
    // X-Mock-Session header is all that names the session), and the test moves its clock.
    const page = await contexts["worker-a"].newPage();
    await page.goto(`${api}/healthz`);
    const revoked = await page.evaluate(async (id) => {
      const res = await fetch(`/__admin/tokens/${id}`, {
        method: "PATCH",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ status: "revoked" }),
      });
      return { status: res.status, body: await res.json() };
    }, CI_DEPLOY);
    await page.close();
    assert.equal(revoked.status, 200);
    assert.equal(revoked.body.status, "revoked");
    const moved = await admin(api, "PUT", "/__admin/clock", { session: "worker-a", body: { now: LATER } });
    assert.equal(moved.status, 200);

    const a = await readPage(contexts["worker-a"], `${pageServer.origin}/list.html`);
    const b = await readPage(contexts["worker-b"], `${pageServer.origin}/list.html`);

    assert.equal(a.tokens["CI Deploy Token"].status, "revoked");
    assert.equal(a.tokens[CI_PIPELINE].status, "expired");
    assert.equal(a.tokens[AUDIT_KEY].last_used_at, LATER);
    assert.equal(b.tokens["CI Deploy Token"].status, "active");
    assert.equal(b.tokens[CI_PIPELINE].status, "active");
    assert.equal(b.tokens[AUDIT_KEY].last_used_at, NOW);
    // Nor does the default session, which no context named.
    assert.equal((await admin(api, "GET", "/__admin/clock")).body.now, NOW);
    assert.equal((await admin(api, "GET", "/__admin/clock", { session: "worker-b" })).body.now, NOW);
    const sessions = (await admin(api, "GET", "/__admin/sessions")).body.data.map((s) => s.name);
    assert.deepEqual(sessions, ["worker-a", "worker-b"]);
  });

  it("takes __session in the query where no preflight may be sent", async () => {
    // A simple request (no custom header at all): the browser sends it without asking first.
    pages.set("/forced.html", listPage(`${api}/v1/tokens?__code=429&__session=worker-c`, {}));
    const context = await browser.newContext();
    try {
      const shown = await readPage(context, `${pageServer.origin}/forced.html`);
      assert.equal(shown.status, 429);
      assert.equal(shown.session, "worker-c");
    } finally {
      await within(5_000, context.close()).catch(() => {});
    }

    const journal = (await admin(api, "GET", "/__admin/requests", { session: "worker-c" })).body.data;
    assert.deepEqual(journal.map((e) => `${e.method} ${e.status}`), ["GET 429"]);
    const coverage = (await admin(api, "GET", "/__admin/coverage", { session: "worker-c" })).body;
    const served = coverage.states.filter((s) => s.served).map((s) => s.state);
    assert.deepEqual(served, ["429.rate_limited"]);
  });
});

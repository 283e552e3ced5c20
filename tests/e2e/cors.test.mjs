// Calls the API from a page on another origin, the way a front-end under development does, and
// checks what the browser lets that page see (CORS of the API; mock controls); and that the same
// page cannot reach the admin API, which the server's own origin still can.
// Run with `node --test cors.test.mjs`.
import http from "node:http";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { SECRET, STEP_TIMEOUT, cleanUp, launchChromium, startServer, within } from "./helpers.mjs";

const SUITE_TIMEOUT = 45_000; // with the clean-up bounds, the file ends well within a minute
const PAGE_TIMEOUT = 10_000; // a local server answers at once; the page says when it is done

const AUTHORIZATION = `Bearer ${SECRET}`;

/**
 * A page whose script makes one `fetch(url, init)` and writes what it could read into `<output>`
 * elements: status, exposed headers, the number of items, the error code, or the error thrown.
 */
function fetchPage(url, init) {
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Cross-origin call of tooken-mock</title>
<dl>
  <dt>Status</dt><dd><output id="status"></output></dd>
  <dt>Link</dt><dd><output id="link"></output></dd>
  <dt>X-Request-Id</dt><dd><output id="request-id"></output></dd>
  <dt>Retry-After</dt><dd><output id="retry-after"></output></dd>
  <dt>Preference-Applied</dt><dd><output id="preference-applied"></output></dd>
  <dt>RateLimit-Limit, -Remaining, -Reset</dt>
  <dd><output id="ratelimit-limit"></output> <output id="ratelimit-remaining"></output>
    <output id="ratelimit-reset"></output></dd>
  <dt>Items</dt><dd><output id="items"></output></dd>
  <dt>Code</dt><dd><output id="code"></output></dd>
  <dt>Error</dt><dd><output id="error"></output></dd>
</dl>
<script type="module">
  const show = (id, value) => {
    document.getElementById(id).textContent = value ?? "";
  };
  try {
    const response = await fetch(${JSON.stringify(url)}, ${JSON.stringify(init)});
    show("status", response.status);
    show("link", response.headers.get("Link"));
    show("request-id", response.headers.get("X-Request-Id"));
    show("retry-after", response.headers.get("Retry-After"));
    show("preference-applied", response.headers.get("Preference-Applied"));
    for (const part of ["Limit", "Remaining", "Reset"]) {
      show(\`ratelimit-\${part.toLowerCase()}\`, response.headers.get(\`RateLimit-\${part}\`));
    }
    const body = await response.json();
    show("items", Array.isArray(body.data) ? body.data.length : "");
    show("code", body.code);
  } catch (err) {
    show("error", \`\${err.name}: \${err.message}\`);
  }
  document.body.dataset.done = "true";
</script>
</html>
`;
}

/** Serves `pages` (path to HTML) on 127.0.0.1 at a free port: another origin than the API's. */
async function startPageServer(pages) {
  const server = http.createServer((req, res) => {
    const html = pages.get(new URL(req.url, "http://page.invalid").pathname);
    if (html === undefined) {
      res.writeHead(req.url === "/favicon.ico" ? 204 : 404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
    res.end(html);
  });
  await new Promise((listening, failed) => {
    server.once("error", failed);
    server.listen(0, "127.0.0.1", listening);
  });
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

async function stopPageServer(pageServer) {
  if (!pageServer) return;
  pageServer.server.closeAllConnections();
  await within(5_000, new Promise((closed) => pageServer.server.close(closed))).catch(() => {});
}

/** The server's journal of recent requests, oldest first, as `METHOD status` of `/v1/tokens`. */
async function apiRequests(api) {
  const res = await fetch(`${api}/__admin/requests`, { signal: AbortSignal.timeout(STEP_TIMEOUT) });
  assert.equal(res.status, 200, "GET /__admin/requests");
  const { data } = await res.json();
  return data
    .filter((entry) => entry.path === "/v1/tokens")
    .reverse()
    .map((entry) => `${entry.method} ${entry.status}`);
}

/** The admin clock, read by this process (no Origin: not a page). */
async function adminClock(api) {
  const res = await fetch(`${api}/__admin/clock`, { signal: AbortSignal.timeout(STEP_TIMEOUT) });
  assert.equal(res.status, 200, "GET /__admin/clock");
  return res.json();
}

async function clearRequests(api) {
  const res = await fetch(`${api}/__admin/requests`, {
    method: "DELETE",
    signal: AbortSignal.timeout(STEP_TIMEOUT),
  });
  assert.equal(res.status, 204, "DELETE /__admin/requests");
}

/**
 * Opens `url` in a fresh context (so no preflight is answered from the cache of an earlier case),
 * waits for the page's fetch to settle and returns what the page shows, with the console lines.
 * No request is routed through Playwright: with routing on, it answers CORS preflights itself
 * and the server's own answer would never be tested.
 */
async function openPage(browser, url) {
  const context = await browser.newContext();
  context.setDefaultTimeout(PAGE_TIMEOUT);
  const consoleLines = [];
  const pageErrors = [];
  try {
    const page = await context.newPage();
    page.on("console", (message) => consoleLines.push(message.text()));
    page.on("pageerror", (err) => pageErrors.push(err.message));
    await page.goto(url);
    await page.locator("body[data-done]").waitFor({ state: "attached" });
    const shown = await page
      .locator("output")
      .evaluateAll((outputs) => Object.fromEntries(outputs.map((o) => [o.id, o.textContent])));
    assert.deepEqual(pageErrors, [], "uncaught errors in the page");
    return { shown, consoleLines };
  } finally {
    await within(5_000, context.close()).catch(() => {});
  }
}

/** The target of the `Link` entry with relation `rel`, or undefined. */
function linkTarget(link, rel) {
  for (const part of link.split(/,\s*(?=<)/)) {
    const match = part.match(/^<([^>]*)>(.*)$/);
    if (match && new RegExp(`;\\s*rel="${rel}"`).test(match[2])) return match[1];
  }
  return undefined;
}

const LIST = "/v1/tokens?per_page=10";

describe("CORS: the API called from a page on another origin", { timeout: SUITE_TIMEOUT }, () => {
  let server;
  let api;
  let pageServer;
  let browser;
  const pages = new Map();

  before(async () => {
    server = startServer();
    api = await server.ready;
    pageServer = await startPageServer(pages);
    assert.notEqual(new URL(pageServer.origin).origin, new URL(api).origin);
    browser = await launchChromium();
  });

  after(async () => {
    await stopPageServer(pageServer);
    await cleanUp(browser, server);
  });

  it("lets the page read the list, its Link and X-Request-Id", async () => {
    pages.set("/list.html", fetchPage(`${api}${LIST}`, { headers: { Authorization: AUTHORIZATION } }));
    await clearRequests(api);

    const { shown } = await openPage(browser, `${pageServer.origin}/list.html`);

    assert.equal(shown.error, "", "the fetch failed");
    assert.equal(shown.status, "200");
    assert.match(shown.link, /rel="next"/);
    assert.equal(linkTarget(shown.link, "next"), "/v1/tokens?page=2&per_page=10");
    assert.match(shown["request-id"], /^req_[a-z0-9]{24}$/);
    assert.equal(shown.items, "10");
    // Authorization is not a CORS-safelisted header: the browser asked first, and got a 204.
    assert.deepEqual(await apiRequests(api), ["OPTIONS 204", "GET 200"]);
  });

  it("lets the page send Prefer after a preflight and read Retry-After, Preference-Applied", async () => {
    pages.set(
      "/rate-limited.html",
      fetchPage(`${api}${LIST}`, {
        headers: { Authorization: AUTHORIZATION, Prefer: "code=429" },
        // Credentials included: only allowed with the origin reflected, never with `*`.
        credentials: "include",
      }),
    );
    await clearRequests(api);

    const { shown } = await openPage(browser, `${pageServer.origin}/rate-limited.html`);

    assert.equal(shown.error, "", "the fetch failed");
    assert.equal(shown.status, "429");
    assert.match(shown["retry-after"], /^[1-9]\d*$/);
    assert.equal(shown["preference-applied"], "code=429");
    assert.equal(shown.code, "rate_limited");
    assert.match(shown["request-id"], /^req_[a-z0-9]{24}$/);
    assert.deepEqual(await apiRequests(api), ["OPTIONS 204", "GET 429"]);
  });

  it("answers ?__code=429 without a preflight", async () => {
    pages.set("/rate-limited-query.html", fetchPage(`${api}${LIST}&__code=429`, {}));
    await clearRequests(api);

    const { shown } = await openPage(browser, `${pageServer.origin}/rate-limited-query.html`);

    assert.equal(shown.error, "", "the fetch failed");
    assert.equal(shown.status, "429");
    assert.match(shown["retry-after"], /^[1-9]\d*$/);
    assert.equal(shown["preference-applied"], "code=429");
    // A GET with no header beyond the safelisted ones is sent as it is.
    assert.deepEqual(await apiRequests(api), ["GET 429"]);
  });

  it("lets the page send the headers browser SDKs add (traceparent, baggage) after a preflight", async () => {
    pages.set(
      "/traced.html",
      fetchPage(`${api}${LIST}`, {
        headers: {
          Authorization: AUTHORIZATION,
          traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
          baggage: "userId=alice",
          "sentry-trace": "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
        },
      }),
    );
    await clearRequests(api);

    const { shown } = await openPage(browser, `${pageServer.origin}/traced.html`);

    assert.equal(shown.error, "", "the fetch failed");
    assert.equal(shown.status, "200");
    assert.equal(shown.items, "10");
    assert.deepEqual(await apiRequests(api), ["OPTIONS 204", "GET 200"]);
  });

  it("keeps the admin API from the page: no read, no change, even without a preflight", async () => {
    const clockBefore = await adminClock(api);
    pages.set("/admin-read.html", fetchPage(`${api}/__admin/snapshot`, {}));
    // text/plain needs no preflight: only the server's refusal stops the change.
    pages.set(
      "/admin-write.html",
      fetchPage(`${api}/__admin/clock/advance`, {
        method: "POST",
        headers: { "Content-Type": "text/plain" },
        body: JSON.stringify({ seconds: 86400 }),
      }),
    );

    for (const path of ["/admin-read.html", "/admin-write.html"]) {
      const { shown, consoleLines } = await openPage(browser, `${pageServer.origin}${path}`);

      assert.match(shown.error, /^TypeError: /, path);
      assert.equal(shown.status, "", path);
      assert.ok(
        consoleLines.some((line) => /blocked by CORS policy/.test(line)),
        `${path}: no CORS error in the console:\n${consoleLines.join("\n")}`,
      );
    }
    assert.deepEqual(await adminClock(api), clockBefore, "the clock was moved");
  });

  it("lets the server's own origin (Swagger UI's) call the admin API", async () => {
    const context = await browser.newContext();
    context.setDefaultTimeout(PAGE_TIMEOUT);
    try {
      const page = await context.newPage();
      await page.goto(`${api}/docs/`);
      // A POST from the page sends Origin, which is the server's own.
      const answer = await page.evaluate(async () => {
        const response = await fetch("/__admin/clock", {
          method: "PUT",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ now: "2026-05-01T00:00:00Z" }),
        });
        return { status: response.status, body: await response.json() };
      });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.now, "2026-05-01T00:00:00Z");
    } finally {
      await within(5_000, context.close()).catch(() => {});
    }
  });

  describe("with a list of allowed origins (TOOKEN__CORS__ALLOWED_ORIGINS)", () => {
    let restricted;
    let restrictedApi;
    let allowedPageServer;

    before(async () => {
      // A second page server gives an origin that differs from the first only by its port.
      allowedPageServer = await startPageServer(pages);
      restricted = startServer({
        env: {
          TOOKEN__CORS__ALLOWED_ORIGINS: `https://app.example.com, ${allowedPageServer.origin}`,
          TOOKEN__ADMIN__CORS_ORIGINS: allowedPageServer.origin,
          // Rate limiting on, for the RateLimit-* headers the page should be able to read.
          TOOKEN__RATE_LIMIT__REQUESTS_PER_MINUTE: "100",
        },
      });
      restrictedApi = await restricted.ready;
      pages.set(
        "/restricted.html",
        fetchPage(`${restrictedApi}${LIST}`, { headers: { Authorization: AUTHORIZATION } }),
      );
    });

    after(async () => {
      await stopPageServer(allowedPageServer);
      if (restricted) await cleanUp(undefined, restricted);
    });

    it("blocks a page whose origin is not listed", async () => {
      await clearRequests(restrictedApi);

      const { shown, consoleLines } = await openPage(browser, `${pageServer.origin}/restricted.html`);

      assert.match(shown.error, /^TypeError: /);
      assert.equal(shown.status, "");
      assert.equal(shown.items, "");
      assert.ok(
        consoleLines.some((line) => /blocked by CORS policy/.test(line) && line.includes(pageServer.origin)),
        `no CORS error in the console:\n${consoleLines.join("\n")}`,
      );
      // The preflight was refused, so the browser never sent the GET itself.
      const seen = await apiRequests(restrictedApi);
      assert.equal(seen.length, 1, `requests seen: ${seen}`);
      assert.match(seen[0], /^OPTIONS /);
    });

    it("lets a listed origin call and read RateLimit-*", async () => {
      await clearRequests(restrictedApi);

      const { shown } = await openPage(browser, `${allowedPageServer.origin}/restricted.html`);

      assert.equal(shown.error, "", "the fetch failed");
      assert.equal(shown.status, "200");
      assert.equal(linkTarget(shown.link, "next"), "/v1/tokens?page=2&per_page=10");
      assert.equal(shown.items, "10");
      assert.equal(shown["ratelimit-limit"], "100");
      assert.match(shown["ratelimit-remaining"], /^\d+$/);
      assert.match(shown["ratelimit-reset"], /^\d+$/);
      assert.deepEqual(await apiRequests(restrictedApi), ["OPTIONS 204", "GET 200"]);
    });

    it("lets an origin of TOOKEN__ADMIN__CORS_ORIGINS call the admin API, and no other", async () => {
      pages.set(
        "/admin-listed.html",
        fetchPage(`${restrictedApi}/__admin/faults`, {
          method: "PUT",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ error_rate: 0 }),
        }),
      );

      const listed = await openPage(browser, `${allowedPageServer.origin}/admin-listed.html`);
      const other = await openPage(browser, `${pageServer.origin}/admin-listed.html`);

      assert.equal(listed.shown.error, "", "the fetch failed");
      assert.equal(listed.shown.status, "200");
      assert.match(other.shown.error, /^TypeError: /);
    });
  });
});

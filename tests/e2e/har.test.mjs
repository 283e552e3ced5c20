// A HAR written by the mock (`GET /__admin/requests?format=har`) loaded into Chromium through
// Playwright's HAR reader (`routeFromHAR`), the path a browser suite replays recorded traffic
// by: with the server stopped, navigations are answered from the file alone, status and body
// as the mock sent them. Chromium's DevTools import is a UI action with no headless
// counterpart; the file is also validated against the HAR 1.2 JSON Schema in tests/api/har.rs.
// Run with `node --test har.test.mjs`.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { SECRET, STEP_TIMEOUT, cleanUp, launchChromium, startServer, within } from "./helpers.mjs";

const SUITE_TIMEOUT = 45_000;

describe("a HAR written by the mock", { timeout: SUITE_TIMEOUT }, () => {
  let server;
  let browser;
  let base;
  let harPath;
  const sent = {};

  before(async () => {
    server = startServer();
    base = await server.ready;
    for (const [path, headers] of [
      ["/v1/tokens?status=active", { Authorization: `Bearer ${SECRET}` }],
      ["/v1/tokens", {}],
    ]) {
      const response = await fetch(base + path, { headers, signal: AbortSignal.timeout(STEP_TIMEOUT) });
      sent[path] = { status: response.status, body: await response.text() };
    }
    const har = await fetch(`${base}/__admin/requests?format=har`).then((r) => r.text());
    assert.ok(!har.includes(SECRET), "the HAR holds no secret");
    harPath = join(await mkdtemp(join(tmpdir(), "tooken-har-")), "mock.har");
    await writeFile(harPath, har);
    // Stopped: from here on, only the HAR can answer.
    await cleanUp(null, server);
    browser = await launchChromium();
  });

  after(() => cleanUp(browser));

  it("answers Chromium's navigations from the file, status and body as sent", async () => {
    const context = await browser.newContext();
    await context.routeFromHAR(harPath, { notFound: "abort" });
    const page = await context.newPage();
    for (const [path, expected] of Object.entries(sent)) {
      const response = await within(STEP_TIMEOUT, page.goto(base + path));
      assert.equal(response.status(), expected.status, path);
      assert.equal(await response.text(), expected.body, path);
    }
    await context.close();
  });
});

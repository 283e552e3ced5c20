// tooken-mock/playwright: `test` with a `mock` fixture giving every test its own session, and
// `webServer()` for playwright.config.
import { createHash } from "node:crypto";
import { test as base, expect } from "@playwright/test";
import { createAdminClient, SESSION_HEADER } from "../client.js";

export { expect };

/** The attachment each test's coverage is saved as. */
export const COVERAGE_ATTACHMENT = "tooken-mock-coverage";
/** Where the mock is when TOOKEN_MOCK_URL is not set. */
export const DEFAULT_URL = "http://127.0.0.1:8080";

/**
 * The mock's base URL: `TOOKEN_MOCK_URL`, else http://127.0.0.1:8080.
 * @returns {string}
 */
export function mockUrl() {
  return (process.env.TOOKEN_MOCK_URL || DEFAULT_URL).replace(/\/+$/, "");
}

/**
 * A session name unique to this test, its retry and its repeat, across workers:
 * `pw-<worker>-<12 hex of the test id>-r<retry>-<repeat>` (1 to 64 of [A-Za-z0-9._-]).
 * @param {import("@playwright/test").TestInfo} testInfo
 */
export function sessionName(testInfo) {
  const id = createHash("sha256").update(testInfo.testId).digest("hex").slice(0, 12);
  return `pw-${testInfo.workerIndex}-${id}-r${testInfo.retry}-${testInfo.repeatEachIndex}`;
}

/**
 * Adds `X-Mock-Session: <session>` to the requests of `context`'s pages whose origin is the
 * mock's, and to no others. Other routes registered later run first; this one composes with
 * them through route.fallback().
 * @param {import("@playwright/test").BrowserContext} context
 * @param {{ url: string, session: string }} mock
 */
export async function routeMock(context, { url, session }) {
  const origin = new URL(url).origin;
  await context.route(
    (requestUrl) => requestUrl.origin === origin,
    (route) =>
      route.fallback({
        headers: { ...route.request().headers(), [SESSION_HEADER.toLowerCase()]: session },
      }),
  );
}

export const test = base.extend({
  mock: async ({}, use, testInfo) => {
    const url = mockUrl();
    const session = sessionName(testInfo);
    const client = createAdminClient({ baseUrl: url, session, adminToken: process.env.TOOKEN_MOCK_ADMIN_TOKEN });
    // A session left by an earlier run of the same suite (a reused server) is dropped first.
    await client
      .DELETE("/sessions/{name}", { params: { path: { name: session } } })
      .catch((error) => {
        throw new Error(
          `tooken-mock is not reachable at ${url} (${error.cause?.code ?? error.message}): start it ` +
            `with webServer() in playwright.config, or set TOOKEN_MOCK_URL`,
        );
      });
    await use({ url, session, client });
    const { data } = await client.GET("/coverage").catch(() => ({}));
    if (data) {
      await testInfo.attach(COVERAGE_ATTACHMENT, {
        body: JSON.stringify({ session, ...data }),
        contentType: "application/json",
      });
    }
    await client.DELETE("/sessions/{name}", { params: { path: { name: session } } }).catch(() => {});
  },
  context: async ({ context, mock }, use) => {
    await routeMock(context, mock);
    await use(context);
  },
});

/**
 * A Playwright `webServer` entry that starts the mock through the package's launcher and
 * waits for /readyz. Sets TOOKEN_MOCK_URL for the workers unless it is set already.
 * @param {import("./index.js").WebServerOptions} [options]
 */
export function webServer(options = {}) {
  const { port = 8080, args = [], env, timeout = 30_000, reuseExistingServer = !process.env.CI } = options;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`webServer(): port must be an integer from 1 to 65535, not ${port}`);
  }
  const url = `http://127.0.0.1:${port}`;
  process.env.TOOKEN_MOCK_URL ??= url;
  const quoted = args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`));
  return {
    command: ["npx", "tooken-mock", "--port", String(port), ...quoted].join(" "),
    url: `${url}/readyz`,
    reuseExistingServer,
    timeout,
    stdout: "ignore",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    // The per-request log would fill Playwright's output; warnings and errors still show.
    env: { TOOKEN__LOG__LEVEL: "warn", ...env },
  };
}

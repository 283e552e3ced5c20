// Drives the Swagger UI served at /docs/ the way a person would: authorize with a demo secret,
// try GET /tokens, and read the result off the page. Run with `node --test swagger-ui.test.mjs`.
import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
// TOOKEN_MOCK_BIN is taken relative to the current directory, like any path given on a shell;
// the default is relative to this file so that `node --test` works from anywhere.
const BIN = process.env.TOOKEN_MOCK_BIN
  ? resolve(process.env.TOOKEN_MOCK_BIN)
  : resolve(here, "../../target/release/tooken-mock");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOTS = resolve(here, "screenshots");
const SECRET = "tok_live_AcmeAuditReadOnlyKey2026Demo0001";
// Frozen so that expiry-dependent demo data gives the same list on every run.
const NOW = "2026-05-01T00:00:00Z";

const STEP_TIMEOUT = 15_000; // any single wait on the page or the server
const SUITE_TIMEOUT = 90_000; // with the clean-up bounds below, the file ends within two minutes

/** Starts the server on a free port and resolves with its base URL once the banner names it. */
function startServer() {
  const child = spawn(BIN, ["--port", "0", "--now", NOW], { stdio: ["ignore", "pipe", "pipe"] });
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
async function stopServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once("exit", done));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Bounds a promise that has no timeout of its own (closing the browser). */
function within(ms, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe("Swagger UI at /docs/", { timeout: SUITE_TIMEOUT }, () => {
  let server;
  let browser;
  let page;
  let baseUrl;
  let failed = false;
  const pageErrors = [];

  before(async () => {
    server = startServer();
    // A test that dies mid-way must not leave the server running.
    process.once("exit", () => server.child.kill("SIGKILL"));
    baseUrl = await server.ready;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      timeout: STEP_TIMEOUT,
      // launch() gives every run a fresh temporary profile, so no stored auth leaks in.
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
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(STEP_TIMEOUT);
    // The page must work offline: anything outside this server is refused, not waited for.
    await context.route(
      (url) => url.origin !== baseUrl,
      (route) => route.abort(),
    );
    page = await context.newPage();
    page.on("pageerror", (err) => pageErrors.push(err.message));
  });

  after(async () => {
    try {
      if (failed && page) {
        await mkdir(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: resolve(SCREENSHOTS, "failure.png"), fullPage: true });
      }
    } catch {
      // the screenshot is a debugging aid; never let it hide the real failure
    } finally {
      await within(10_000, browser?.close() ?? Promise.resolve()).catch(() => {});
      if (server) await stopServer(server.child);
    }
  });

  const operation = () => page.locator("#operations-Tokens-listTokens");

  /** Expands GET /tokens and fills the form for `status=active`, without a name filter. */
  async function prepareListTokens() {
    const op = operation();
    await op.locator(".opblock-summary-control").click();
    await op.locator('.opblock-summary-control[aria-expanded="true"]').waitFor();
    // Try-it-out may already be on (tryItOutEnabled); only a "Try it out" button turns it on.
    const tryOut = op.locator("button.try-out__btn");
    if ((await tryOut.textContent()).trim() === "Try it out") await tryOut.click();
    await op.locator('tr[data-param-name="status"] select').selectOption("active");
    // The spec's example for `name` ("ci") is prefilled by Swagger UI; clear it to list all.
    await op.locator('tr[data-param-name="name"] input').fill("");
  }

  /** Clicks Execute and returns what the page shows of the live response. */
  async function execute() {
    const op = operation();
    await op.locator("button.execute").click();
    const live = op.locator(".live-responses-table tbody tr.response");
    await live.waitFor();
    return {
      code: (await live.locator(".response-col_status").textContent()).trim(),
      body: await live.locator(".response-col_description .microlight").first().textContent(),
      curl: await op.locator(".curl-command .curl").textContent(),
      url: await op.locator(".request-url pre").textContent(),
    };
  }

  it("authorizes with a demo secret and lists the tokens", async () => {
    try {
      await page.goto(`${baseUrl}/docs/`);
      await page.locator(".auth-wrapper button.authorize").click();
      const dialog = page.locator(".modal-ux");
      await dialog.locator("#auth-bearer-value").fill(SECRET);
      await dialog.getByRole("button", { name: "Apply credentials" }).click();
      // Once accepted, the dialog swaps the form for a Logout ("Remove authorization") button.
      await dialog.getByRole("button", { name: "Remove authorization" }).waitFor();
      await dialog.getByRole("button", { name: "Close" }).click();
      await dialog.waitFor({ state: "detached" });
      await page.locator(".auth-wrapper button.authorize.locked").waitFor();

      await prepareListTokens();
      const shown = await execute();
      assert.equal(shown.code, "200");
      assert.match(shown.body, /"Read-Only Audit Key"/);
      assert.match(shown.body, /"CI Deploy Token"/);
      assert.match(shown.body, /"total_pages": \d+/);
      assert.match(shown.curl, new RegExp(`Authorization: Bearer ${SECRET}`));
      assert.match(shown.url, /\/v1\/tokens\?page=1&per_page=25&status=active$/);
      assert.deepEqual(pageErrors, [], "uncaught errors in the page");

      // From the padlock at the top down to the live response; the rest is static docs.
      const bottom = await operation()
        .locator(".live-responses-table")
        .evaluate((el) => el.getBoundingClientRect().bottom + window.scrollY);
      await mkdir(SCREENSHOTS, { recursive: true });
      await page.screenshot({
        path: resolve(SCREENSHOTS, "swagger-ui.png"),
        fullPage: true,
        clip: { x: 0, y: 0, width: 1280, height: Math.ceil(bottom) + 16 },
      });
    } catch (err) {
      failed = true;
      throw err;
    }
  });

  it("keeps the authorization after a reload (persistAuthorization)", async () => {
    try {
      // Drop the deep link (#/Tokens/listTokens) so the reloaded page starts collapsed, as before.
      await page.evaluate(() => history.replaceState(null, "", location.pathname));
      await page.reload();
      await page.locator(".auth-wrapper button.authorize.locked").waitFor();
      // The stored secret is actually sent, not just shown as a locked padlock.
      await prepareListTokens();
      const shown = await execute();
      assert.equal(shown.code, "200");
      assert.match(shown.curl, new RegExp(`Authorization: Bearer ${SECRET}`));
      assert.match(shown.body, /"Read-Only Audit Key"/);
    } catch (err) {
      failed = true;
      throw err;
    }
  });
});

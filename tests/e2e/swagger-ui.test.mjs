// Drives the Swagger UI served at /docs/ the way a person would: authorize with a demo secret,
// try GET /tokens, and read the result off the page. Run with `node --test swagger-ui.test.mjs`.
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { SCREENSHOTS, SECRET, STEP_TIMEOUT, cleanUp, launchChromium, startServer } from "./helpers.mjs";

const SUITE_TIMEOUT = 90_000; // with the clean-up bounds below, the file ends within two minutes

describe("Swagger UI at /docs/", { timeout: SUITE_TIMEOUT }, () => {
  let server;
  let browser;
  let page;
  let baseUrl;
  let failed = false;
  const pageErrors = [];

  before(async () => {
    server = startServer();
    baseUrl = await server.ready;
    // launch() gives every run a fresh temporary profile, so no stored auth leaks in.
    browser = await launchChromium();
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
      await cleanUp(browser, server);
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

// Every state of the token screen, each test in its own session of the mock: tokens are created,
// clocks moved and faults set through `mock.client`; a state the API only shows on demand is
// asked for with `Prefer`. Only `tooken-mock/playwright` is imported.
import { expect, test } from "tooken-mock/playwright";

type Mock = Parameters<Parameters<typeof test>[2]>[0]["mock"];
type Page = Parameters<Parameters<typeof test>[2]>[0]["page"];

const WORKSPACE = "ws_acme";

/** Creates a token in the test's session and returns its secret. */
async function createToken(
  mock: Mock,
  name: string,
  options: { scopes?: string[]; expires_at?: string | null } = {},
): Promise<string> {
  const { data, error } = await mock.client.POST("/tokens", {
    body: { workspace: WORKSPACE, name, scopes: options.scopes ?? ["tokens:read"], ...options },
  });
  expect(error, JSON.stringify(error)).toBeUndefined();
  return data!.secret;
}

/** Opens the screen (once per test) and loads the list with these filters. */
async function load(
  page: Page,
  fields: { secret?: string; name?: string; status?: string; perPage?: string },
) {
  if (page.url() === "about:blank") await page.goto("/");
  await page.getByLabel("Secret").fill(fields.secret ?? "");
  await page.getByLabel("Name").fill(fields.name ?? "");
  await page.getByLabel("Status").selectOption(fields.status ?? "");
  await page.getByLabel("Per page").selectOption(fields.perPage ?? "10");
  await page.getByRole("button", { name: "Load" }).click();
}

const rows = (page: Page) => page.locator("#tokens tbody tr");
const state = (page: Page) => page.getByRole("status");

test("lists the session's tokens page by page, following Link", async ({ page, mock }) => {
  const secret = await createToken(mock, "Pager 1");
  for (let i = 2; i <= 7; i++) await createToken(mock, `Pager ${i}`);

  await load(page, { secret, name: "Pager", perPage: "3" });
  await expect(state(page)).toHaveText("7 tokens");
  await expect(page.getByText("Page 1 of 3")).toBeVisible();
  await expect(rows(page)).toHaveCount(3);
  await expect(page.getByRole("button", { name: "Previous" })).toBeDisabled();

  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByText("Page 2 of 3")).toBeVisible();
  await expect(rows(page)).toHaveCount(3);
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByText("Page 3 of 3")).toBeVisible();
  await expect(rows(page)).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Next" })).toBeDisabled();

  await page.getByRole("button", { name: "Previous" }).click();
  await expect(page.getByText("Page 2 of 3")).toBeVisible();
});

test("filters by status and name, and shows a token expiring as the clock moves", async ({
  page,
  mock,
}) => {
  const frozen = await mock.client.PUT("/clock", { body: { now: "2026-05-01T00:00:00Z" } });
  expect(frozen.response.status).toBe(200);
  const secret = await createToken(mock, "Filter reader");
  await createToken(mock, "Filter short-lived", { expires_at: "2026-05-02T00:00:00Z" });
  const revoked = await mock.client.POST("/tokens", {
    body: { workspace: WORKSPACE, name: "Filter revoked", scopes: ["tokens:read"] },
  });
  const patched = await mock.client.PATCH("/tokens/{id}", {
    params: { path: { id: revoked.data!.token.id } },
    body: { status: "revoked" },
  });
  expect(patched.response.status).toBe(200);

  await load(page, { secret, name: "Filter", status: "active" });
  await expect(rows(page)).toHaveCount(2);

  await load(page, { secret, name: "Filter", status: "revoked" });
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText("Filter revoked");

  await load(page, { secret, name: "Filter", status: "expired" });
  await expect(state(page)).toHaveText("No tokens match these filters.");

  const moved = await mock.client.POST("/clock/advance", { body: { seconds: 2 * 86_400 } });
  expect(moved.response.status).toBe(200);
  await load(page, { secret, name: "Filter", status: "expired" });
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText("Filter short-lived");
  await expect(rows(page).first()).toContainText("expired");
});

test("an empty list says so", async ({ page, mock }) => {
  const secret = await createToken(mock, "Lonely reader");

  await load(page, { secret, name: "no token has this name" });

  await expect(state(page)).toHaveText("No tokens match these filters.");
  await expect(page.locator("#tokens")).toBeHidden();
});

test("a missing, wrong or revoked secret shows the 401", async ({ page, mock }) => {
  const { data } = await mock.client.POST("/tokens", {
    body: { workspace: WORKSPACE, name: "Soon revoked", scopes: ["tokens:read"] },
  });
  const revoked = await mock.client.PATCH("/tokens/{id}", {
    params: { path: { id: data!.token.id } },
    body: { status: "revoked" },
  });
  expect(revoked.response.status).toBe(200);

  for (const secret of ["", "tok_live_NotASecretAnyTokenHas0000000000", data!.secret]) {
    await load(page, { secret });
    await expect(state(page)).toHaveAttribute("data-kind", "unauthorized");
    await expect(state(page)).toContainText("The secret was refused");
  }
});

test("a secret without tokens:read shows the 403", async ({ page, mock }) => {
  const secret = await createToken(mock, "Writer only", { scopes: ["tokens:write"] });

  await load(page, { secret });

  await expect(state(page)).toHaveAttribute("data-kind", "forbidden");
  await expect(state(page)).toContainText("may not list tokens");
});

test("a 429 shows when to retry, from Retry-After", async ({ page, mock }) => {
  const secret = await createToken(mock, "Busy reader");
  // Asked of the mock with Prefer (rule 28), on this page's API requests only.
  await page.route(`${mock.url}/v1/tokens**`, (route) =>
    route.fallback({ headers: { ...route.request().headers(), prefer: "code=429" } }),
  );
  const answered = page.waitForResponse((res) => res.url().startsWith(`${mock.url}/v1/tokens`));

  await load(page, { secret });

  const retryAfter = (await answered).headers()["retry-after"];
  expect(retryAfter).toMatch(/^\d+$/);
  await expect(state(page)).toHaveText(`Too many requests: try again in ${retryAfter} s.`);
});

for (const status of [500, 503] as const) {
  test(`a ${status} shows an error`, async ({ page, mock }) => {
    const secret = await createToken(mock, "Unlucky reader");
    const set = await mock.client.PUT("/faults", {
      body: { latency_ms: { fixed: 0, jitter: 0 }, error_rate: 1, error_status: status },
    });
    expect(set.response.status).toBe(200);

    await load(page, { secret });

    await expect(state(page)).toHaveAttribute("data-kind", "error");
    await expect(state(page)).toHaveText(
      status === 503
        ? "The service is unavailable; try again shortly."
        : "Something went wrong (500).",
    );
  });
}

test("a slow answer shows a spinner until the list arrives", async ({ page, mock }) => {
  const secret = await createToken(mock, "Patient reader");
  const set = await mock.client.PUT("/faults", {
    body: { latency_ms: { fixed: 1500, jitter: 0 }, error_rate: 0 },
  });
  expect(set.response.status).toBe(200);

  await load(page, { secret, name: "Patient" });

  await expect(page.locator("#state .spinner")).toBeVisible();
  await expect(state(page)).toHaveText("Loading tokens…");
  await expect(state(page)).toHaveText("1 tokens", { timeout: 10_000 });
  await expect(page.locator("#state .spinner")).toHaveCount(0);
});

test("the CDN never sees the session selector nor a preflight", async ({ page, mock }) => {
  const cdn = process.env.CDN_URL!;
  const secret = await createToken(mock, "Logo watcher");

  await load(page, { secret, name: "Logo watcher" });
  await expect(rows(page)).toHaveCount(1);
  await expect
    .poll(() => page.locator("#logo").evaluate((img: HTMLImageElement) => img.naturalWidth))
    .toBeGreaterThan(0);

  const seen: { method: string; url: string; headers: Record<string, string> }[] = await (
    await fetch(`${cdn}/__log`)
  ).json();
  expect(seen.some((entry) => entry.method === "GET" && entry.url === "/logo.svg")).toBe(true);
  for (const entry of seen) {
    expect(entry.method, JSON.stringify(entry)).not.toBe("OPTIONS");
    expect(Object.keys(entry.headers), JSON.stringify(entry)).not.toContain("x-mock-session");
  }
});

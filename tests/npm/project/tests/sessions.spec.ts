import { test, expect } from "tooken-mock/playwright";

const thirdOrigin = `http://127.0.0.1:${process.env.THIRD_PORT}`;

test("a page on another origin lists the tokens of its test's session, as of its clock", async ({ page, mock }) => {
  const create = (name: string, expires_at: string | null) =>
    mock.client.POST("/tokens", { body: { workspace: "ws_acme", name, scopes: ["tokens:read"], expires_at } });
  const reader = await create(`reader ${mock.session}`, null);
  expect(reader.response.status).toBe(201);
  const short = await create(`short ${mock.session}`, "2026-05-02T00:00:00Z");
  expect(short.response.status).toBe(201);
  const secret = reader.data!.secret;
  const open = () =>
    page.goto(`/?mock=${encodeURIComponent(mock.url)}&secret=${secret}&name=${mock.session}&tag=${mock.session}`);

  await open();
  await expect(page.locator("#status")).toHaveText("200");
  // Both were created at the frozen clock's time: the API orders them by their random ids.
  await expect(page.locator("#tokens li")).toHaveCount(2);
  expect((await page.locator("#tokens li").allTextContents()).sort()).toEqual([
    `reader ${mock.session}`,
    `short ${mock.session}`,
  ]);

  const moved = await mock.client.POST("/clock/advance", { body: { seconds: 2 * 86_400 } });
  expect(moved.data?.now).toBe("2026-05-03T00:00:00Z");
  await open();
  await expect(page.locator("#tokens li")).toHaveText([`reader ${mock.session}`]);

  // Outside the session the token does not exist, and the clock has not moved.
  const outside = await fetch(`${mock.url}/v1/tokens`, { headers: { Authorization: `Bearer ${secret}` } });
  expect(outside.status).toBe(401);
  const clock = await (await fetch(`${mock.url}/__admin/clock`)).json();
  expect(clock.now).toBe("2026-05-01T00:00:00Z");
});

test("the third-party origin the page loads from never sees the session header nor a preflight", async ({ page, mock }) => {
  const reader = await mock.client.POST("/tokens", {
    body: { workspace: "ws_acme", name: `reader ${mock.session}`, scopes: ["tokens:read"] },
  });
  await page.goto(`/?mock=${encodeURIComponent(mock.url)}&secret=${reader.data!.secret}&name=${mock.session}&tag=${mock.session}`);
  await expect(page.locator("#status")).toHaveText("200");
  await expect(page.locator("#tokens li")).toHaveText([`reader ${mock.session}`]);

  const seen: { method: string; path: string; headers: Record<string, string> }[] = await (
    await fetch(`${thirdOrigin}/__log?tag=${mock.session}`)
  ).json();
  expect(seen.map((r) => `${r.method} ${r.path}`).sort()).toEqual(["GET /pixel.gif", "POST /beacon"]);
  for (const request of seen) expect(Object.keys(request.headers)).not.toContain("x-mock-session");
});

test("a page on the mock's own origin is in the test's session too", async ({ page, mock }) => {
  await mock.client.POST("/clock/advance", { body: { seconds: 3_600 } });
  await page.goto(`${mock.url}/__admin/clock`);
  const shown = JSON.parse((await page.locator("body").textContent()) ?? "{}");
  expect(shown.now).toBe("2026-05-01T01:00:00Z");
});

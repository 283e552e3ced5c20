// Compiled with tsc --noEmit only: the package's types as a TypeScript user meets them.
import { start, type MockServer, type StartOptions } from "tooken-mock";
import { createAdminClient, type AdminClient, type components } from "tooken-mock/client";
import type { paths as ApiPaths } from "tooken-mock/types";
import { test, expect, webServer, type Mock } from "tooken-mock/playwright";
import CoverageReporter from "tooken-mock/playwright/reporter";

const options: StartOptions = { port: 0, now: "2026-05-01T00:00:00Z", args: ["--generate", "50"], timeoutMs: 5000 };
export async function useIt(): Promise<void> {
  const server: MockServer = await start(options);
  const client: AdminClient = createAdminClient({ baseUrl: server.url, session: "worker-1" });
  const body: components["schemas"]["NewTokenBody"] = { workspace: "ws_acme", name: "typed", scopes: ["tokens:read"] };
  const { data, error } = await client.POST("/tokens", { body });
  const secret: string | undefined = data?.secret;
  const status: number | undefined = error?.status;
  const coverage = await client.GET("/coverage");
  const covered: number | undefined = coverage.data?.covered;
  // @ts-expect-error: the admin document has no such path
  await client.GET("/no-such-path");
  // @ts-expect-error: scopes is required
  await client.POST("/tokens", { body: { workspace: "ws_acme", name: "x" } });
  type ListResponse = ApiPaths["/tokens"]["get"]["responses"][200]["content"]["application/json"];
  const page: ListResponse["data"] = [];
  console.log(secret, status, covered, page.length);
  await server.stop();
}

test("typed fixture", async ({ mock, page }) => {
  const m: Mock = mock;
  await m.client.POST("/clock/advance", { body: { seconds: 60 } });
  expect(typeof m.session).toBe("string");
  await page.goto(m.url);
});

export const entry = webServer({ port: 9000, args: ["--snapshot", "tokens.json"] });
export const reporter = new CoverageReporter({ outputFile: "out.json" });

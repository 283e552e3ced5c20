import type { BrowserContext, TestInfo, TestType, PlaywrightTestArgs, PlaywrightTestOptions, PlaywrightWorkerArgs, PlaywrightWorkerOptions } from "@playwright/test";
import type { AdminClient } from "../client.js";

export { expect } from "@playwright/test";

/** What the `mock` fixture gives each test. */
export interface Mock {
  /** The mock's base URL: `TOOKEN_MOCK_URL`, else `http://127.0.0.1:8080`. */
  url: string;
  /** This test's session: unique across workers, retries and `--repeat-each`. */
  session: string;
  /** The admin client, bound to `session` (`mock.client.POST("/tokens", { body })`). */
  client: AdminClient;
}

/** Playwright's `test` with the `mock` fixture; `context` (and so `page`) routes the session header to the mock. */
export const test: TestType<PlaywrightTestArgs & PlaywrightTestOptions & { mock: Mock }, PlaywrightWorkerArgs & PlaywrightWorkerOptions>;

/** The name of the attachment holding each test's coverage, `tooken-mock-coverage`. */
export const COVERAGE_ATTACHMENT: "tooken-mock-coverage";
/** `http://127.0.0.1:8080`. */
export const DEFAULT_URL: string;
/** The mock's base URL: `TOOKEN_MOCK_URL`, else {@link DEFAULT_URL}. */
export function mockUrl(): string;
/** `pw-<worker>-<12 hex of the test id>-r<retry>-<repeat>`. */
export function sessionName(testInfo: TestInfo): string;
/** Routes `X-Mock-Session` into `context`'s requests to the mock's origin only (for contexts a test makes itself). */
export function routeMock(context: BrowserContext, mock: Pick<Mock, "url" | "session">): Promise<void>;

/** Options of {@link webServer}. */
export interface WebServerOptions {
  /** Port of the mock (default 8080); also sets `TOOKEN_MOCK_URL` unless set. */
  port?: number;
  /** Extra arguments of `tooken-mock` (`["--snapshot", "fixtures/tokens.json"]`). */
  args?: string[];
  /** Environment of the server process, over Playwright's (`TOOKEN__LOG__LEVEL` is `warn` unless given). */
  env?: Record<string, string>;
  /** Milliseconds to wait for `/readyz` (default 30000). */
  timeout?: number;
  /** Use a mock already listening on the port (default: unless `CI` is set). */
  reuseExistingServer?: boolean;
}

/** A `webServer` entry of playwright.config: `npx tooken-mock --port N ...`, ready at `/readyz`. */
export function webServer(options?: WebServerOptions): {
  command: string;
  url: string;
  reuseExistingServer: boolean;
  timeout: number;
  stdout: "ignore";
  stderr: "pipe";
  gracefulShutdown: { signal: "SIGTERM"; timeout: number };
  env: Record<string, string>;
};

/** Options of {@link start}. */
export interface StartOptions {
  /** Extra command-line arguments of `tooken-mock serve` (`["--generate", "500"]`). */
  args?: string[];
  /** Environment variables added to this process's (`{ TOOKEN__RATE_LIMIT__REQUESTS_PER_MINUTE: "0" }`). */
  env?: Record<string, string>;
  /** A JSON snapshot file to serve instead of the demo data (`--snapshot`). */
  snapshot?: string;
  /** Freeze the clock at this RFC 3339 time (`--now 2026-05-01T00:00:00Z`). */
  now?: string;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Milliseconds to wait for the server to be ready before rejecting (default 15000). */
  timeoutMs?: number;
}

/** A running server, as {@link start} resolves it. */
export interface MockServer {
  /** Base URL, `http://127.0.0.1:PORT`: what `TOOKEN_MOCK_URL` and `createAdminClient` take. */
  url: string;
  /** `{url}/v1/tokens`. */
  apiUrl: string;
  /** `{url}/__admin`, the admin API's server. */
  adminUrl: string;
  /** `{url}/docs/`, Swagger UI. */
  docsUrl: string;
  /** `{url}/openapi.json`. */
  openapiUrl: string;
  /** The server's version. */
  version: string;
  /** The server's process id. */
  pid: number;
  /** Sends SIGTERM and resolves once the server has exited; calling it again is harmless. */
  stop(): Promise<void>;
}

/**
 * Starts the native server (`tooken-mock serve --ready-file ...`) and resolves once it listens
 * with its data loaded. Rejects, with the tail of the server's standard error in the message
 * and in `stderr`, if it exits first or is not ready within `timeoutMs`.
 */
export function start(options?: StartOptions): Promise<MockServer>;

/** Thrown when the native binary cannot be found; the message names the platform and what to do. */
export class BinaryNotFoundError extends Error {}

/** The platforms with a binary package, as `${process.platform}-${process.arch}`. */
export const PLATFORMS: readonly string[];

/** The native binary: `TOOKEN_MOCK_BINARY`, else the installed platform package's. */
export function binaryPath(env?: Record<string, string | undefined>): string;

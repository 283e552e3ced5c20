import type { Client } from "openapi-fetch";
import type { paths } from "./admin.js";

export type { paths, components, operations } from "./admin.js";

/** The admin API's server path, `/__admin`, as in the admin document's `servers`. */
export const ADMIN_PATH: "/__admin";
/** The session selector header, `X-Mock-Session`. */
export const SESSION_HEADER: "X-Mock-Session";

/** Options of {@link createAdminClient}. */
export interface AdminClientOptions {
  /** The mock's base URL (`http://127.0.0.1:8080`); `/__admin` is added unless it ends with it. */
  baseUrl: string;
  /**
   * The session every call acts on, sent as `X-Mock-Session`: 1 to 64 of `[A-Za-z0-9._-]`,
   * created on first use. Without it, calls act on the default session.
   */
  session?: string;
  /** The fetch to send with (default `globalThis.fetch`). */
  fetch?: (input: Request) => Promise<Response>;
  /** `admin.token`, sent as `Authorization: Bearer`: needed only when the mock listens beyond loopback. */
  adminToken?: string;
}

/** An openapi-fetch client of the admin API: paths as in `openapi/admin.json` (`client.POST("/tokens", { body })`). */
export type AdminClient = Client<paths>;

/**
 * A client of the admin API whose every request carries `X-Mock-Session: <session>`.
 * @throws {TypeError} when `baseUrl` is not an http(s) URL or `session` is not a valid name.
 */
export function createAdminClient(options: AdminClientOptions): AdminClient;

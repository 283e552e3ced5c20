// createAdminClient(): an openapi-fetch client of the admin API, bound to one session.
import createClient from "openapi-fetch";

/** The admin API's server path, as in openapi/admin.json's `servers`. */
export const ADMIN_PATH = "/__admin";
/** The session selector header. */
export const SESSION_HEADER = "X-Mock-Session";
const SESSION_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * @param {import("./client.js").AdminClientOptions} options
 * @returns {import("./client.js").AdminClient}
 */
export function createAdminClient({ baseUrl, session, fetch, adminToken }) {
  if (typeof baseUrl !== "string" || !/^https?:\/\//.test(baseUrl)) {
    throw new TypeError(`createAdminClient: baseUrl must be an http(s) URL, not ${JSON.stringify(baseUrl)}`);
  }
  if (session !== undefined && !SESSION_NAME.test(session)) {
    throw new TypeError(
      `createAdminClient: session must be 1 to 64 of A-Z, a-z, 0-9, '.', '_' and '-', not ${JSON.stringify(session)}`,
    );
  }
  const origin = baseUrl.replace(/\/+$/, "");
  const headers = {};
  if (session !== undefined) headers[SESSION_HEADER] = session;
  if (adminToken) headers.Authorization = `Bearer ${adminToken}`;
  return createClient({
    baseUrl: origin.endsWith(ADMIN_PATH) ? origin : origin + ADMIN_PATH,
    headers,
    ...(fetch ? { fetch } : {}),
  });
}

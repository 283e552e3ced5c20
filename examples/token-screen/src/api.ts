// The API's typed client: openapi-fetch over the types openapi-typescript generates from
// openapi/openapi.json, as the `tooken-mock` package ships them (`tooken-mock/types`), so every
// path, parameter and body is checked by tsc.
import createClient from "openapi-fetch";
import type { components, paths } from "tooken-mock/types";

export type Token = components["schemas"]["Token"];
export type Status = components["schemas"]["Status"];
export type Query = NonNullable<paths["/tokens"]["get"]["parameters"]["query"]>;

/** What one listing came to: a page of tokens, or the state the screen shows instead. */
export type Outcome =
  | { kind: "page"; tokens: Token[]; page: number; totalPages: number; total: number; links: Links }
  | { kind: "unauthorized"; detail: string }
  | { kind: "forbidden"; detail: string }
  | { kind: "rate-limited"; retryAfterSecs: number }
  | { kind: "error"; status: number; detail: string };

/** The `Link` header's targets (RFC 8288) by relation, as query parameters for the next call. */
export type Links = Partial<Record<"first" | "prev" | "next" | "last", Query>>;

/** A client of the API at `baseUrl` (the mock's origin followed by `/v1`). */
export function tokensClient(baseUrl: string) {
  const client = createClient<paths>({ baseUrl });

  return async function list(secret: string, query: Query): Promise<Outcome> {
    const headers = secret ? { Authorization: `Bearer ${secret}` } : undefined;
    const { data, error, response } = await client.GET("/tokens", {
      params: { query },
      headers,
    });
    if (data) {
      return {
        kind: "page",
        tokens: data.data,
        page: data.meta.page,
        totalPages: data.meta.total_pages,
        total: data.meta.total,
        links: parseLinks(response.headers.get("Link")),
      };
    }
    const detail = (error as { detail?: string } | undefined)?.detail ?? response.statusText;
    switch (response.status) {
      case 401:
        return { kind: "unauthorized", detail };
      case 403:
        return { kind: "forbidden", detail };
      case 429:
        return {
          kind: "rate-limited",
          retryAfterSecs: Number(response.headers.get("Retry-After") ?? "0"),
        };
      default:
        return { kind: "error", status: response.status, detail };
    }
  };
}

/** `<url>; rel="next", ...` to the query of each relation. */
export function parseLinks(header: string | null): Links {
  const links: Links = {};
  for (const part of header?.split(",") ?? []) {
    const match = /<([^>]*)>\s*;\s*rel="?([a-z]+)"?/.exec(part.trim());
    if (!match) continue;
    const rel = match[2] as keyof Links;
    const params = new URL(match[1], "http://link.invalid").searchParams;
    const query: Query = {};
    if (params.has("page")) query.page = Number(params.get("page"));
    if (params.has("per_page")) query.per_page = Number(params.get("per_page"));
    const status = params.get("status");
    if (status) query.status = status as Status;
    const name = params.get("name");
    if (name) query.name = name;
    links[rel] = query;
  }
  return links;
}

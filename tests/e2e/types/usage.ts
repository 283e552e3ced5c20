// A small client written against the generated types. `npm run typecheck` compiles it, so a
// change to the OpenAPI document that breaks callers fails CI instead of surprising them.
import type { components, paths } from "./tooken";

type ListTokens = paths["/tokens"]["get"];
export type ListTokensQuery = NonNullable<ListTokens["parameters"]["query"]>;
export type TokenList = ListTokens["responses"][200]["content"]["application/json"];
export type Problem = components["schemas"]["Problem"];
export type Token = components["schemas"]["Token"];

/** Builds `GET {baseUrl}/tokens?...` with only the query parameters the spec declares. */
export function listTokensRequest(
  baseUrl: string,
  secret: string,
  query: ListTokensQuery = {},
): { url: string; init: RequestInit } {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const search = params.size > 0 ? `?${params}` : "";
  return {
    url: `${baseUrl}/tokens${search}`,
    init: { method: "GET", headers: { Authorization: `Bearer ${secret}` } },
  };
}

/** Lists one page; any non-200 answer is an RFC 9457 problem and is thrown as such. */
export async function listTokens(
  baseUrl: string,
  secret: string,
  query?: ListTokensQuery,
): Promise<TokenList> {
  const { url, init } = listTokensRequest(baseUrl, secret, query);
  const response = await fetch(url, init);
  if (response.status !== 200) throw (await response.json()) as Problem;
  return (await response.json()) as TokenList;
}

/** Pages left after this one, as the contract defines it. */
export function remainingPages(list: TokenList): number {
  return Math.max(list.meta.total_pages - list.meta.page, 0);
}

export function expiryLabel(token: Token): string {
  const expiresAt: string | null = token.expires_at;
  return expiresAt === null ? "never expires" : `expires ${expiresAt}`;
}

// Compile-time checks: each line below must be rejected, or tsc fails on an unused directive.
export function rejectedByTheTypes(baseUrl: string, secret: string, token: Token): void {
  // @ts-expect-error "paused" is not a token status
  listTokensRequest(baseUrl, secret, { status: "paused" });
  // @ts-expect-error the spec declares no `sort` parameter
  listTokensRequest(baseUrl, secret, { sort: "name" });
  // @ts-expect-error expires_at is null for tokens that never expire
  const expiresAt: string = token.expires_at;
  void expiresAt;
}

// Accepted: every status the spec lists, with the other typed parameters.
export const examples: ListTokensQuery[] = [
  { status: "active", page: 1, per_page: 25 },
  { status: "expired", name: "ci" },
  { status: "revoked" },
];

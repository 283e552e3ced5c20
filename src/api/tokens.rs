//! `GET /v1/tokens`: the handler, its response types and its `Link` header.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

use super::error::{ApiError, Problem};
use super::links::links;
use super::request_id::RequestId;
use super::AppState;
use crate::domain::{ListQuery, Scope, Status, Timestamp, Token};
use crate::mock::{self, MockState};
use crate::store::actor::{List, ListError, RecordUse};
use crate::store::Page;

// It borrows from the store's copy of the token, so that a page is written without a
// string of its own per field.
/// A token of the workspace. Never carries its secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Token)]
pub struct TokenView<'a> {
    /// The unique identifier for the token. Format: `tok_a1b2c3d4e5f6g7h8i9j0k1l2`.
    #[schema(
        pattern = "^tok_[a-z0-9]{24}$",
        example = "tok_a1b2c3d4e5f6g7h8i9j0k1l2"
    )]
    pub id: &'a str,
    /// The human-readable name assigned to the token at creation.
    #[schema(min_length = 1, max_length = 256, example = "CI Deploy Token")]
    pub name: &'a str,
    /// The list of permission scopes granted to this token (for example,
    /// `["tokens:read", "tokens:write"]`).
    #[schema(value_type = Vec<String>, example = json!(["tokens:read", "tokens:write"]))]
    pub scopes: &'a [Scope],
    /// The current state of the token. One of `active`, `expired`, or `revoked`.
    pub status: Status,
    /// ISO 8601 datetime when the token was created.
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2026-01-15T09:00:00Z")]
    pub created_at: DateTime<Utc>,
    /// ISO 8601 datetime when the token expires. `null` if the token has no expiration.
    #[serde(serialize_with = "optional_timestamp")]
    #[schema(value_type = Option<String>, format = DateTime, required = true, example = "2027-01-15T09:00:00Z")]
    pub expires_at: Option<DateTime<Utc>>,
    /// ISO 8601 datetime of the most recent authenticated request made with this token.
    /// `null` if the token has never been used.
    #[serde(serialize_with = "optional_timestamp")]
    #[schema(value_type = Option<String>, format = DateTime, required = true, example = "2026-04-27T14:32:00Z")]
    pub last_used_at: Option<DateTime<Utc>>,
    /// The email address of the workspace member who created the token.
    #[schema(format = Email, example = "alice@example.com")]
    pub created_by: &'a str,
}

impl<'a> From<&'a Token> for TokenView<'a> {
    fn from(token: &'a Token) -> TokenView<'a> {
        TokenView {
            id: token.id.as_str(),
            name: &token.name,
            scopes: &token.scopes,
            status: token.status,
            created_at: token.created_at,
            expires_at: token.expires_at,
            last_used_at: token.last_used_at,
            created_by: &token.created_by,
        }
    }
}

fn timestamp<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(Timestamp::new(at).as_str())
}

fn optional_timestamp<S: Serializer>(
    at: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => timestamp(at, serializer),
        None => serializer.serialize_none(),
    }
}

/// Pagination metadata for the current response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// The page returned. Starts at 1.
    #[schema(format = Int64, minimum = 1, maximum = 4294967295_u64, example = 1)]
    pub page: u32,
    /// The number of items returned per page.
    #[schema(minimum = 1, maximum = 100, example = 25)]
    pub per_page: u32,
    /// The total number of tokens matching the current filter, across all pages.
    #[schema(minimum = 0, example = 2)]
    pub total: u64,
    /// The number of pages, `ceil(total / per_page)`; 0 when nothing matches. The pages
    /// that remain after this one are `max(total_pages - page, 0)`.
    #[schema(minimum = 0, example = 1)]
    pub total_pages: u64,
}

/// A page of the workspace's tokens.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenList<'a> {
    /// An array of token objects for the current page.
    pub data: Vec<TokenView<'a>>,
    /// Pagination metadata for the current response.
    pub meta: Meta,
}

/// The query parameters of `GET /tokens`, for the document only: the query string is parsed
/// strictly by [`ListQuery`], which reports every bad parameter at once.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListParams {
    /// The page number to retrieve. Starts at 1. Use alongside `per_page` to paginate through
    /// results. A page past the end returns an empty `data` array with the real totals.
    #[param(format = Int64, minimum = 1, maximum = 4294967295_u64, default = 1, example = 1)]
    page: Option<u32>,
    /// Number of tokens to return per page. Minimum is 1, maximum is 100.
    #[param(minimum = 1, maximum = 100, default = 25, example = 25)]
    per_page: Option<u32>,
    /// Filter tokens by their current status. Accepted values are `active`, `expired`, and
    /// `revoked`. Omit this parameter to return tokens in all states.
    status: Option<Status>,
    /// Filter tokens by name using a partial, case-insensitive match. For example, `?name=ci`
    /// returns tokens named `ci-deploy` and `CI Pipeline Token`. Matching uses Unicode NFC and
    /// full case folding (`STRASSE` matches `Straße`), without locale rules; `%`, `_` and `*`
    /// are literal characters. Up to 256 characters; empty means no filter.
    #[param(max_length = 256)]
    name: Option<String>,
}

/// List tokens
///
/// The GET /tokens endpoint returns all tokens that belong to your workspace. You can filter
/// results by status or name, and paginate through large sets using the page and per_page
/// query parameters. The response always includes a meta object so you know the total number
/// of tokens and how many pages remain.
///
/// Required scope: `tokens:read`
#[utoipa::path(
    get,
    path = "/tokens",
    operation_id = "listTokens",
    tag = "Tokens",
    params(ListParams),
    security(("bearerAuth" = ["tokens:read"])),
    responses(
        (status = 200, description = "A page of the workspace's tokens, ordered by `created_at`, then `id`.",
            body = TokenList,
            headers(
                ("Link" = String, description = "RFC 8288 links to the `first`, `prev`, `next` and `last` pages, as relative references that keep `per_page`, `status` and `name`."),
                ("X-Request-Id" = String, description = "The caller's own `X-Request-Id` when it is 1 to 64 of `[A-Za-z0-9._-]`, else a generated `req_` id."),
                ("Cache-Control" = String, description = "Always `no-store`."),
            ),
            examples(
                ("vendor" = (summary = "The vendor's example: two active tokens", value = json!({
                    "data": [
                        {"id": "tok_a1b2c3d4e5f6g7h8i9j0k1l2", "name": "CI Deploy Token", "scopes": ["tokens:read", "tokens:write"], "status": "active", "created_at": "2026-01-15T09:00:00Z", "expires_at": "2027-01-15T09:00:00Z", "last_used_at": "2026-04-27T14:32:00Z", "created_by": "alice@example.com"},
                        {"id": "tok_b2c3d4e5f6g7h8i9j0k1l2m3", "name": "Read-Only Audit Key", "scopes": ["tokens:read"], "status": "active", "created_at": "2026-02-01T12:00:00Z", "expires_at": null, "last_used_at": null, "created_by": "bob@example.com"}
                    ],
                    "meta": {"page": 1, "per_page": 25, "total": 2, "total_pages": 1}
                }))),
                ("empty" = (summary = "Nothing matches the filters", value = json!({
                    "data": [],
                    "meta": {"page": 1, "per_page": 25, "total": 0, "total_pages": 0}
                }))),
                ("last_page" = (summary = "The last page of a longer list", value = json!({
                    "data": [
                        {"id": "tok_z39f70xqas159xepnik8wpvt", "name": "Year-end report", "scopes": ["tokens:read", "billing:read"], "status": "active", "created_at": "2026-10-01T09:00:00Z", "expires_at": "2026-12-31T00:00:00Z", "last_used_at": null, "created_by": "carol@example.com"}
                    ],
                    "meta": {"page": 2, "per_page": 25, "total": 26, "total_pages": 2}
                })))
            )
        ),
        (status = 400, description = "One or more query parameters are invalid; `errors` names every one.",
            body = Problem, content_type = "application/problem+json",
            headers(("X-Request-Id" = String, description = "The request's id, also in the body.")),
            example = json!({"type": "about:blank", "title": "Bad Request", "status": 400, "detail": "The query has 2 invalid parameters.", "code": "invalid_parameter", "request_id": "req_3f9a1c7b2e8d4a6f0b5c9e1d", "errors": [{"parameter": "per_page", "detail": "must be an integer between 1 and 100"}, {"parameter": "status", "detail": "must be one of active, expired, revoked"}]})
        ),
        (status = 401, description = "No bearer token (`missing_token`), or one that is unknown, revoked or expired (`invalid_token`).",
            body = Problem, content_type = "application/problem+json",
            headers(
                ("WWW-Authenticate" = String, description = "`Bearer realm=\"tooken\"`, with `error=\"invalid_token\"` and `error_description` when a token was sent."),
                ("X-Request-Id" = String, description = "The request's id, also in the body."),
            ),
            example = json!({"type": "about:blank", "title": "Unauthorized", "status": 401, "detail": "Send a bearer token in the Authorization header.", "code": "missing_token", "request_id": "req_3f9a1c7b2e8d4a6f0b5c9e1d"})
        ),
        (status = 403, description = "The token lacks the `tokens:read` scope (`insufficient_scope`).",
            body = Problem, content_type = "application/problem+json",
            headers(
                ("WWW-Authenticate" = String, description = "`Bearer realm=\"tooken\", error=\"insufficient_scope\", scope=\"tokens:read\"`."),
                ("X-Request-Id" = String, description = "The request's id, also in the body."),
            ),
            example = json!({"type": "about:blank", "title": "Forbidden", "status": 403, "detail": "The token lacks the tokens:read scope.", "code": "insufficient_scope", "request_id": "req_3f9a1c7b2e8d4a6f0b5c9e1d"})
        ),
        (status = 429, description = "Too many requests (`rate_limited`); retry after `Retry-After` seconds.",
            body = Problem, content_type = "application/problem+json",
            headers(
                ("Retry-After" = u32, description = "Seconds to wait before retrying."),
                ("X-Request-Id" = String, description = "The request's id, also in the body."),
            ),
            example = json!({"type": "about:blank", "title": "Too Many Requests", "status": 429, "detail": "Too many requests; retry after 30 seconds.", "code": "rate_limited", "request_id": "req_3f9a1c7b2e8d4a6f0b5c9e1d"})
        ),
        (status = 500, description = "An internal error (`internal`); the cause is logged, never sent.",
            body = Problem, content_type = "application/problem+json",
            headers(("X-Request-Id" = String, description = "The request's id, also in the body.")),
            example = json!({"type": "about:blank", "title": "Internal Server Error", "status": 500, "detail": "Something went wrong on our side.", "code": "internal", "request_id": "req_3f9a1c7b2e8d4a6f0b5c9e1d"})
        ),
    )
)]
pub async fn list_tokens(
    req: HttpRequest,
    request_id: RequestId,
    state: web::Data<AppState>,
    mock: web::Data<MockState>,
) -> HttpResponse {
    mock::around(&req, &request_id, &mock, || async {
        list(&req, &state)
            .await
            .unwrap_or_else(|error| error.into_response(&request_id))
    })
    .await
}

async fn list(req: &HttpRequest, state: &AppState) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let principal = state.credentials.load().authenticate(req.headers(), now)?;
    req.extensions_mut().insert(principal.token.clone());
    let used = state.track_last_used.then(|| principal.token.clone());

    let checked = principal
        .require_list_scope()
        .map_err(ApiError::from)
        .and_then(|()| {
            ListQuery::parse(req.query_string(), state.limits).map_err(ApiError::InvalidParameters)
        });
    let query = match checked {
        Ok(query) => query,
        Err(error) => {
            if let Some(token) = used {
                state.store.do_send(RecordUse { token, at: now });
            }
            return Err(error);
        }
    };
    let message = List {
        digest: principal.digest,
        query: query.clone(),
        now,
        track_last_used: state.track_last_used,
    };
    let page = match state.store.send(message).await {
        Ok(Ok(page)) => page,
        Ok(Err(ListError::Auth(error))) => return Err(error.into()),
        Ok(Err(ListError::Failed(error))) => return Err(ApiError::Unavailable(error.to_string())),
        Err(error) => return Err(ApiError::Unavailable(error.to_string())),
    };
    Ok(respond(&query, page))
}

fn respond(query: &ListQuery, page: Page) -> HttpResponse {
    let total_pages = page.total.div_ceil(u64::from(query.per_page));
    let body = TokenList {
        data: page.tokens.iter().map(TokenView::from).collect(),
        meta: Meta {
            page: query.page,
            per_page: query.per_page,
            total: page.total,
            total_pages,
        },
    };
    let mut response = HttpResponse::Ok();
    if let Ok(link) = HeaderValue::from_str(&links(query, total_pages)) {
        response.insert_header((header::LINK, link));
    }
    response.json(body)
}

//! `GET /v1/tokens`: the handler, its response types and its `Link` header.
//!
//! A listing is decided by the worker's store actor, which admits or refuses it; an admitted
//! one is answered with this worker's written page of the same state ([`page_cache`]), or
//! listed by the store and written here. [`settle`] turns the outcome into the response, the
//! coverage state and the token the journal names, in one place.

use actix::Addr;
use actix_web::http::header::{self, ContentType, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use serde::Serialize;

use super::page_cache::{self, Rendered};
use super::ApiSettings;
use crate::domain::{ListQuery, QueryString, TokenId, TokenView};
use crate::http::bearer::Caller;
use crate::http::links::links;
use crate::http::{ApiError, Problem};
use crate::session::coverage::{PageShape, State};
use crate::session::{with_selected, Coverage};
use crate::store::actor::{Admitted, Kept, List, Refusal, StoreActor, Target};
use crate::store::scan::Waiting;
use crate::store::Page;

/// Pagination metadata for the current response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Meta {
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
pub(crate) struct TokenList<'a> {
    /// An array of token objects for the current page.
    pub data: Vec<TokenView<'a>>,
    /// Pagination metadata for the current response.
    pub meta: Meta,
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
    params(ListQuery),
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
pub(crate) async fn list_tokens(
    req: HttpRequest,
    query: QueryString,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    // Borrowed from the request: an extractor would write the reference count of each.
    let api = app_data::<ApiSettings>(&req)?;
    let store = app_data::<Addr<StoreActor>>(&req)?;
    // Dropped with this request when its client leaves: a scan not started yet is skipped.
    let waiting = Waiting::default();
    let (message, link_suffix) = with_selected(&req, |selected| {
        let session = &selected.session;
        let link_suffix = selected.link_suffix();
        let message = List {
            // The store actor holds the default session's store: the message only names it,
            // so the store's reference count is not written (a named session's is).
            store: match session.name {
                None => Target::Default,
                Some(_) => Target::Session(session.store.clone()),
            },
            presented: caller.presented,
            query: ListQuery::read(&query, api.limits),
            now: session.clock.now(),
            track_last_used: api.track_last_used,
            client: waiting.presence(),
            kept: Kept {
                find: page_cache::get,
                link_suffix: link_suffix.clone(),
            },
        };
        (message, link_suffix)
    })?;
    let listing = store
        .send(message)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    let outcome = match listing.outcome {
        Ok(admitted) => serve(store, admitted, &link_suffix).await,
        Err(refusal) => Err(refusal),
    };
    settle(&req, listing.token, outcome)
}

/// The application's `T`, borrowed.
fn app_data<T: 'static>(req: &HttpRequest) -> Result<&T, ApiError> {
    req.app_data::<web::Data<T>>()
        .map(|data| data.get_ref())
        .ok_or_else(|| ApiError::Internal("the API's application data is missing".to_owned()))
}

/// A page served, with the query it answers.
struct Served {
    query: ListQuery,
    rendered: Rendered,
}

/// The page of an admitted listing: this worker's written page of the same state, or else
/// the page listed by the store and written here.
async fn serve(
    store: &Addr<StoreActor>,
    admitted: Admitted<Rendered>,
    link_suffix: &str,
) -> Result<Served, Refusal> {
    let (stamp, page) = match admitted {
        Admitted::Kept { query, page } => {
            return Ok(Served {
                query,
                rendered: page,
            })
        }
        Admitted::ToList { stamp, page } => (stamp, page),
    };
    let listed = store.send(page).await.map_err(|_| Refusal::Failed)??;
    let rendered = render(&listed.query, &listed.page, link_suffix);
    if let Some(stamp) = stamp {
        page_cache::keep(stamp, link_suffix, &rendered);
    }
    Ok(Served {
        query: listed.query,
        rendered,
    })
}

/// The one place a listing's outcome becomes its response, its coverage state and what the
/// journal names it by (the token that authenticated).
fn settle(
    req: &HttpRequest,
    token: Option<TokenId>,
    outcome: Result<Served, Refusal>,
) -> Result<HttpResponse, ApiError> {
    if let Some(token) = token {
        req.extensions_mut().insert(token);
    }
    // The session borrowed again (the handler's borrow could not span its await).
    with_selected(req, |selected| {
        settle_in(&selected.session.coverage, outcome)
    })?
}

/// [`settle`], with the coverage of the request's session.
fn settle_in(
    coverage: &Coverage,
    outcome: Result<Served, Refusal>,
) -> Result<HttpResponse, ApiError> {
    match outcome {
        Ok(Served { query, rendered }) => {
            coverage.record_page(PageShape {
                page: query.page,
                per_page: query.per_page,
                total: rendered.total,
                shown: rendered.shown,
                status: query.status,
                named: query.name.is_some(),
            });
            let mut response = HttpResponse::Ok();
            response.content_type(ContentType::json());
            if let Some(link) = rendered.link {
                response.insert_header((header::LINK, link));
            }
            Ok(response.body(rendered.body))
        }
        Err(Refusal::Query(errors)) => {
            coverage.record_bad_parameters(&errors);
            Err(ApiError::InvalidParameters(errors))
        }
        Err(Refusal::Auth(error)) => {
            coverage.record_auth(error);
            Err(ApiError::Auth(error))
        }
        Err(Refusal::Busy) => {
            coverage.record(State::Unavailable);
            Err(ApiError::ScansBusy)
        }
        Err(Refusal::Failed) => {
            // A page written by a listing that panicked half-way is not trusted.
            page_cache::clear();
            coverage.record(State::Unavailable);
            Err(ApiError::Unavailable(
                "the store failed (panicked) while listing this page".to_owned(),
            ))
        }
    }
}

/// Writes a page for the wire, straight from the store's tokens.
fn render(query: &ListQuery, page: &Page, link_suffix: &str) -> Rendered {
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
    let mut bytes = Vec::with_capacity(128 + 320 * page.tokens.len());
    serde_json::to_writer(&mut bytes, &body).expect("a page serialises");
    Rendered {
        body: Bytes::from(bytes),
        link: HeaderValue::from_str(&links(query, total_pages, link_suffix)).ok(),
        total: page.total,
        shown: page.tokens.len(),
    }
}

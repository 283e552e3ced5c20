//! `GET /v1/tokens`: the handler, its response types and its `Link` header.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

use super::error::ApiError;
use super::request_id::RequestId;
use super::AppState;
use crate::domain::{format_timestamp, ListQuery, Status, Token};
use crate::store::actor::{List, RecordUse};
use crate::store::Page;

/// A token, as the API shows it: never its secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    /// The unique identifier for the token.
    pub id: String,
    /// The human-readable name assigned to the token at creation.
    pub name: String,
    /// The permission scopes granted to this token.
    pub scopes: Vec<String>,
    /// The current state of the token.
    pub status: Status,
    /// When the token was created.
    pub created_at: String,
    /// When the token expires; null if it never does.
    pub expires_at: Option<String>,
    /// When the token last authenticated a request; null if never.
    pub last_used_at: Option<String>,
    /// The e-mail address of the workspace member who created the token.
    pub created_by: String,
}

impl From<Token> for TokenView {
    fn from(token: Token) -> TokenView {
        TokenView {
            id: token.id.as_str().to_owned(),
            name: token.name,
            scopes: token.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            status: token.status,
            created_at: format_timestamp(&token.created_at),
            expires_at: token.expires_at.as_ref().map(format_timestamp),
            last_used_at: token.last_used_at.as_ref().map(format_timestamp),
            created_by: token.created_by,
        }
    }
}

/// Pagination metadata.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Meta {
    /// The page returned, starting at 1.
    pub page: u32,
    /// The number of items returned per page.
    pub per_page: u32,
    /// The total number of tokens matching the current filter, across all pages.
    pub total: u64,
    /// The number of pages: `ceil(total / per_page)`, 0 when nothing matches.
    pub total_pages: u64,
}

/// A page of tokens.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenList {
    /// The tokens of the current page.
    pub data: Vec<TokenView>,
    /// Pagination metadata.
    pub meta: Meta,
}

/// Lists the tokens of the caller's workspace.
pub async fn list_tokens(
    req: HttpRequest,
    request_id: RequestId,
    state: web::Data<AppState>,
) -> HttpResponse {
    list(&req, &state)
        .await
        .unwrap_or_else(|error| error.into_response(&request_id))
}

async fn list(req: &HttpRequest, state: &AppState) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let principal = state.credentials.authenticate(req.headers(), now)?;
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
        workspace: principal.workspace,
        query: query.clone(),
        now,
        used,
    };
    let page = state
        .store
        .send(message)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(respond(&query, page))
}

fn respond(query: &ListQuery, page: Page) -> HttpResponse {
    let total_pages = page.total.div_ceil(u64::from(query.per_page));
    let body = TokenList {
        data: page.tokens.into_iter().map(TokenView::from).collect(),
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

/// Characters kept as they are in a query value; everything else is percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The RFC 8288 `Link` header: relative references that keep `per_page`, `status`, `name`.
pub fn links(query: &ListQuery, total_pages: u64) -> String {
    let mut kept = format!("&per_page={}", query.per_page);
    if let Some(status) = query.status {
        kept.push_str(&format!("&status={status}"));
    }
    if let Some(name) = &query.name {
        kept.push_str(&format!(
            "&name={}",
            utf8_percent_encode(&name.raw, QUERY_VALUE)
        ));
    }
    let link = |page: u64, rel: &str| format!("</v1/tokens?page={page}{kept}>; rel=\"{rel}\"");
    let page = u64::from(query.page);
    let mut parts = vec![link(1, "first")];
    if page > 1 {
        parts.push(link(page - 1, "prev"));
    }
    if page < total_pages {
        parts.push(link(page + 1, "next"));
    }
    if total_pages >= 1 {
        parts.push(link(total_pages, "last"));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::links;
    use crate::domain::{ListQuery, QueryLimits};

    fn query(raw: &str) -> ListQuery {
        ListQuery::parse(
            raw,
            QueryLimits {
                default_per_page: 25,
                max_per_page: 100,
            },
        )
        .unwrap()
    }

    #[test]
    fn a_middle_page_links_to_all_four_neighbours_keeping_the_filters() {
        let header = links(
            &query("page=2&per_page=10&status=active&name=CI+b%C3%B6t"),
            3,
        );
        assert_eq!(
            header,
            "</v1/tokens?page=1&per_page=10&status=active&name=CI%20b%C3%B6t>; rel=\"first\", \
             </v1/tokens?page=1&per_page=10&status=active&name=CI%20b%C3%B6t>; rel=\"prev\", \
             </v1/tokens?page=3&per_page=10&status=active&name=CI%20b%C3%B6t>; rel=\"next\", \
             </v1/tokens?page=3&per_page=10&status=active&name=CI%20b%C3%B6t>; rel=\"last\""
        );
    }

    #[test]
    fn an_empty_result_links_only_to_the_first_page() {
        assert_eq!(
            links(&query(""), 0),
            "</v1/tokens?page=1&per_page=25>; rel=\"first\""
        );
    }
}

//! `/__admin/sessions` and `/__admin/coverage`: the sessions that exist, and which states of
//! the API a session's client has been served.

use actix_web::{delete, get, web, HttpResponse};
use serde::Serialize;

use crate::domain::ParamError;
use crate::http::{ApiError, Problem};
use crate::session::coverage::CoverageReport;
use crate::session::{Selected, SessionInfo, SessionName, Sessions};

/// The named sessions, by name.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct SessionList {
    pub data: Vec<SessionInfo>,
}

/// List the named sessions
///
/// The default session is always there and is not listed. At most `sessions.max` named
/// sessions exist (default 1000): past it, the least recently used is dropped. A session
/// unused for `sessions.idle_ttl_secs` (default 1800) is dropped, and its name, used again,
/// starts a new session.
#[utoipa::path(tag = "Sessions",
    responses((status = 200, description = "The named sessions, by name.", body = SessionList,
        example = json!({"data": [{"name": "worker-0", "created_at": "2026-11-30T09:00:00Z", "last_used_at": "2026-11-30T09:05:00Z", "tokens_changed": 2}]}))))]
#[get("/sessions")]
pub(crate) async fn list(sessions: web::Data<Sessions>) -> HttpResponse {
    HttpResponse::Ok().json(SessionList {
        data: sessions.list(),
    })
}

/// Drop a named session
///
/// Its data, clock, faults, journal and coverage go with it; the next request that names it
/// starts it anew from the configured data.
#[utoipa::path(tag = "Sessions",
    params(("name" = String, Path, description = "The session's name.", pattern = "^[A-Za-z0-9._-]{1,64}$")),
    responses((status = 204, description = "Dropped."),
              (status = 400, description = "Not a session name; `errors` names `name`.", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No session of that name.", body = Problem, content_type = "application/problem+json")))]
#[delete("/sessions/{name}")]
pub(crate) async fn drop_session(
    name: web::Path<String>,
    sessions: web::Data<Sessions>,
) -> Result<HttpResponse, ApiError> {
    let name = name.into_inner();
    let parsed = SessionName::parse(&name).ok_or_else(|| {
        ApiError::InvalidParameters(vec![ParamError::new("name", SessionName::RULE)])
    })?;
    if sessions.remove(&parsed) {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NoSuchSession(name))
    }
}

/// Which states of `GET /v1/tokens` the session has served
///
/// Every state a client of the API may have to render, whether this session's client was
/// served it and how often: pages (non-empty, empty, past the end, last), each status filter,
/// a name filter with and without matches, a 400 for each parameter, each 401, 403, 429, 500,
/// 503 and a delayed response. A forced response (`Prefer: code=...`, `__code`, `example`)
/// counts for the state it shows. Run a test suite in a session, then read which states its
/// UI never met.
#[utoipa::path(tag = "Coverage", params(Selected),
    responses((status = 200, description = "Every state, whether it was served and how often.", body = CoverageReport,
        example = json!({"covered": 2, "total": 23, "states": [
            {"state": "page.non_empty", "description": "200 with at least one token", "served": true, "count": 12},
            {"state": "page.empty_list", "description": "200 where nothing matches (total 0)", "served": false, "count": 0},
            {"state": "401.revoked", "description": "401 for a revoked token", "served": true, "count": 1}]}))))]
#[get("/coverage")]
pub(crate) async fn coverage(selected: Selected) -> HttpResponse {
    HttpResponse::Ok().json(selected.session.coverage.report())
}

/// Forget the session's coverage
///
/// Every state counts from zero again.
#[utoipa::path(tag = "Coverage", params(Selected),
    responses((status = 204, description = "Cleared.")))]
#[delete("/coverage")]
pub(crate) async fn clear_coverage(selected: Selected) -> HttpResponse {
    selected.session.coverage.clear();
    HttpResponse::NoContent().finish()
}

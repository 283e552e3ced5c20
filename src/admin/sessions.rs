//! `/__admin/sessions` and `/__admin/coverage`: the sessions that exist, and which states of
//! the API a session's client has been served.

use actix_web::{web, HttpResponse};

use crate::http::{ApiError, Problem};
use crate::session::coverage::CoverageReport;
use crate::session::{Selected, SessionInfo, SessionName, Sessions};

/// List the named sessions (the default session is always there and is not listed).
#[utoipa::path(get, path = "/__admin/sessions", tag = "Sessions",
    responses((status = 200, description = "The named sessions, by name.", body = Vec<SessionInfo>)))]
pub async fn list(sessions: web::Data<Sessions>) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "data": sessions.list() }))
}

/// Drop a named session and everything it holds.
#[utoipa::path(delete, path = "/__admin/sessions/{name}", tag = "Sessions",
    params(("name" = String, Path, description = "The session's name.", pattern = "^[A-Za-z0-9._-]{1,64}$")),
    responses((status = 204, description = "Dropped."),
              (status = 404, description = "No session of that name.", body = Problem, content_type = "application/problem+json")))]
pub async fn drop_session(
    name: web::Path<String>,
    sessions: web::Data<Sessions>,
) -> Result<HttpResponse, ApiError> {
    let name = name.into_inner();
    match SessionName::parse(&name) {
        Some(parsed) if sessions.remove(&parsed) => Ok(HttpResponse::NoContent().finish()),
        _ => Err(ApiError::NoSuchSession(name)),
    }
}

/// Which states of `GET /v1/tokens` the session has served, and how often.
#[utoipa::path(get, path = "/__admin/coverage", tag = "Coverage", params(Selected),
    responses((status = 200, description = "Every state, whether it was served and how often.", body = CoverageReport)))]
pub async fn coverage(selected: Selected) -> HttpResponse {
    HttpResponse::Ok().json(selected.session.coverage.report())
}

/// Forget the session's coverage.
#[utoipa::path(delete, path = "/__admin/coverage", tag = "Coverage", params(Selected),
    responses((status = 204, description = "Cleared.")))]
pub async fn clear_coverage(selected: Selected) -> HttpResponse {
    selected.session.coverage.clear();
    HttpResponse::NoContent().finish()
}

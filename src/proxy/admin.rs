//! What the proxy serves itself: the probes `/healthz` and `/readyz`, `/metrics` and
//! `GET /__admin/violations`.
//!
//! Violations name requests made with the real API's data, so they are guarded like the
//! mock's admin API, by the same rule ([`AdminAccess`]): open on loopback; beyond it only with
//! `Authorization: Bearer <admin.token>`, and a 403 `admin_off` without a token. The `Host`
//! check, the request id and the problems are the shell's (`http::middleware::common`).

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::forward::ProxyState;
use crate::http::access::AdminAccess;
use crate::http::ApiError;

/// `GET /healthz`: the process answers (the upstream is not asked).
pub(super) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// `GET /readyz`: ready to forward, which it is once it listens (the contract is compiled
/// before the port opens; the upstream is not asked, so that an orchestrator does not take
/// the proxy out of service for the upstream's trouble, which each request reports itself).
pub(super) async fn readyz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ready" }))
}

/// `GET /metrics`: the proxy's Prometheus text exposition.
pub(super) async fn metrics(state: web::Data<ProxyState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.violations.render())
}

/// `GET /__admin/violations`: counts by rule and the recent violations, newest first.
pub(super) async fn violations(
    req: HttpRequest,
    state: web::Data<ProxyState>,
    access: web::Data<AdminAccess>,
) -> Result<HttpResponse, ApiError> {
    access.check(req.headers())?;
    Ok(HttpResponse::Ok().json(state.violations.report()))
}

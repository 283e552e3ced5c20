//! `/healthz`, `/readyz` and `/metrics`, outside the API.

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::error::ApiError;
use super::request_id::RequestId;
use super::AppState;
use crate::store::actor::Counts;

/// The process answers.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Data is loaded and served (it is loaded before the listener opens). A refused reload is
/// shown here while the previous data keeps serving.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let status = state.status.load();
    HttpResponse::Ok().json(json!({
        "status": "ready",
        "tokens": status.tokens,
        "workspaces": status.workspaces,
        "last_reload_error": status.last_reload_error,
    }))
}

/// Prometheus text exposition.
pub async fn metrics(state: web::Data<AppState>, request_id: RequestId) -> HttpResponse {
    match state.store.send(Counts(state.clock.now())).await {
        Ok(counts) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4")
            .body(state.metrics.render(&counts)),
        Err(e) => ApiError::Unavailable(e.to_string()).into_response(&request_id),
    }
}

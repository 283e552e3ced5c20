//! `/healthz` and `/readyz`, outside the API.

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::AppState;

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

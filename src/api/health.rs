//! `/healthz` and `/readyz`, outside the API.

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::AppState;

/// The process answers.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Data is loaded and served (it is loaded before the listener opens).
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ready", "tokens": state.token_count }))
}

//! `/healthz`, `/readyz` and `/metrics`, outside the API.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::metrics::Metrics;
use crate::session::Sessions;

/// The process answers.
pub(super) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Data is loaded and served (it is loaded before the listener opens). A refused reload is
/// shown here while the previous data keeps serving.
pub(super) async fn readyz(sessions: web::Data<Sessions>) -> HttpResponse {
    let status = sessions.load_status();
    HttpResponse::Ok().json(json!({
        "status": "ready",
        "tokens": status.tokens,
        "workspaces": status.workspaces,
        "last_reload_error": status.last_reload_error,
    }))
}

/// Prometheus text exposition; token gauges count the default session's data at its clock.
pub(super) async fn metrics(
    sessions: web::Data<Sessions>,
    metrics: web::Data<Metrics>,
) -> HttpResponse {
    // Counting every workspace and writing the text takes time at 50k workspaces: off the
    // worker, so /healthz and listings on it are not held up.
    let session = sessions.default_session().clone();
    let text = web::block(move || {
        let counts = session.store.counts(session.clock.now());
        metrics.render(&counts)
    })
    .await;
    match text {
        Ok(text) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4")
            .body(text),
        Err(_) => HttpResponse::ServiceUnavailable().finish(),
    }
}

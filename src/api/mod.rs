//! The HTTP layer: routes, shared state, and the responses every route has in common.

pub mod error;
mod health;
mod links;
mod middleware;
pub mod openapi;
pub mod request_id;
pub mod tokens;

use std::sync::Arc;

use actix::Addr;
use actix_web::{web, HttpResponse};
use arc_swap::ArcSwap;

use crate::auth::Credentials;
use crate::clock::Clock;
use crate::domain::QueryLimits;
use crate::metrics::Metrics;
use crate::store::actor::{LoadStatus, StoreActor};
use error::ApiError;
use request_id::RequestId;

pub use middleware::{common as common_middleware, limits as limits_middleware};

/// What every handler shares.
pub struct AppState {
    pub store: Addr<StoreActor>,
    /// Replaced whole, with the store, when the data changes.
    pub credentials: Arc<ArcSwap<Credentials>>,
    pub status: Arc<ArcSwap<LoadStatus>>,
    pub clock: Arc<Clock>,
    pub limits: QueryLimits,
    pub track_last_used: bool,
    pub metrics: Arc<Metrics>,
    pub request_limits: RequestLimits,
}

/// Sizes past which a request is refused before any handler runs.
#[derive(Clone, Copy, Debug)]
pub struct RequestLimits {
    pub max_query_bytes: usize,
    pub max_header_bytes: usize,
}

/// Mounts the API, the documents and the probes on an app.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/v1/tokens")
            .route(web::get().to(tokens::list_tokens))
            .route(web::head().to(tokens::list_tokens))
            .default_service(web::to(method_not_allowed)),
    )
    .route("/openapi.json", web::get().to(openapi::json))
    .route("/openapi.yaml", web::get().to(openapi::yaml))
    .route("/docs", web::get().to(openapi::docs_redirect))
    .route("/healthz", web::get().to(health::healthz))
    .route("/readyz", web::get().to(health::readyz))
    .route("/metrics", web::get().to(health::metrics));
}

/// The answer for every path nothing else claims.
pub async fn not_found(request_id: RequestId) -> HttpResponse {
    ApiError::NotFound.into_response(&request_id)
}

async fn method_not_allowed(request_id: RequestId) -> HttpResponse {
    ApiError::MethodNotAllowed.into_response(&request_id)
}

//! The vendor's API and what sits beside it: `GET /v1/tokens`, its documents and the probes.

mod health;
pub(crate) mod index;
pub(crate) mod openapi;
pub(crate) mod page_cache;
pub(crate) mod tokens;

use actix_web::{middleware::from_fn, web};

use crate::domain::QueryLimits;
use crate::http::ApiError;
use crate::mock;

/// The settings the API's handlers read.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ApiSettings {
    pub limits: QueryLimits,
    /// Whether authenticating sets the token's `last_used_at`.
    pub(crate) track_last_used: bool,
}

/// Mounts the API (wrapped in the mock controls), the documents and the probes.
pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/v1/tokens")
            .wrap(from_fn(mock::controls))
            .wrap(from_fn(crate::http::forwarded::prefix_links))
            .route(web::get().to(tokens::list_tokens))
            .route(web::head().to(tokens::list_tokens))
            .default_service(web::to(|| async {
                Err::<actix_web::HttpResponse, _>(ApiError::MethodNotAllowed("GET, HEAD"))
            })),
    )
    .route("/", web::get().to(index::index))
    .route("/openapi.json", web::get().to(openapi::json))
    .route("/openapi.yaml", web::get().to(openapi::yaml))
    .route("/docs", web::get().to(openapi::docs_redirect))
    .route("/healthz", web::get().to(health::healthz))
    .route("/readyz", web::get().to(health::readyz))
    .route("/metrics", web::get().to(health::metrics));
}

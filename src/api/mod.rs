//! The vendor's API and what sits beside it: `GET /v1/tokens`, its documents and the probes.

mod health;
pub(crate) mod index;
pub(crate) mod openapi;
pub(crate) mod page_cache;
pub(crate) mod routes;
pub(crate) mod tokens;

use actix_web::web;

use crate::domain::QueryLimits;

/// The settings the API's handlers read.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ApiSettings {
    pub limits: QueryLimits,
    /// Whether authenticating sets the token's `last_used_at`.
    pub(crate) track_last_used: bool,
}

/// Mounts the API (the listing wrapped in the mock controls), the documents and the probes,
/// from the one list of its routes ([`routes::ROUTES`]).
pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    routes::mount(cfg);
}

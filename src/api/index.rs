//! `GET /`: where everything is, for a newcomer who opens the server's address. The URLs are
//! relative to the server (a proxy that strips a path prefix and says so in
//! `X-Forwarded-Prefix` gets them with the prefix, [`crate::http::forwarded_prefix`]).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::admin::{Access, AdminState, PREFIX};
use crate::http::forwarded_prefix;

/// The body of `GET /`.
#[derive(Debug, Serialize)]
pub(crate) struct Index {
    /// One sentence about the server.
    pub service: &'static str,
    /// The API's listing endpoint.
    pub api: String,
    /// Swagger UI.
    pub docs: String,
    /// The API's OpenAPI document, JSON and YAML.
    pub openapi: [String; 2],
    /// The admin API's routes, or why it is off.
    pub admin: String,
    /// The admin API's document, when the admin API is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_openapi: Option<String>,
    /// Liveness and readiness probes, Prometheus metrics.
    pub healthz: String,
    pub readyz: String,
    pub metrics: String,
}

/// `GET /`: a JSON index of the server's URLs.
pub(crate) async fn index(req: HttpRequest, admin: Option<web::Data<AdminState>>) -> HttpResponse {
    let base = forwarded_prefix(&req).unwrap_or_default();
    let at = |path: &str| format!("{base}{path}");
    let off = admin.is_none_or(|a| a.access == Access::Off);
    let index = Index {
        service: "tooken-mock: a mock of the Tooken API's GET /v1/tokens",
        api: at("/v1/tokens"),
        docs: at("/docs/"),
        openapi: [at("/openapi.json"), at("/openapi.yaml")],
        admin: if off {
            "off: the server listens beyond loopback; set admin.token (TOOKEN__ADMIN__TOKEN)"
                .to_owned()
        } else {
            at(&format!("{PREFIX}/"))
        },
        admin_openapi: (!off).then(|| at(&format!("{PREFIX}/openapi.json"))),
        healthz: at("/healthz"),
        readyz: at("/readyz"),
        metrics: at("/metrics"),
    };
    HttpResponse::Ok().json(index)
}

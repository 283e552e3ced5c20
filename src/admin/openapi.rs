//! The admin API's own OpenAPI document, served at `/__admin/openapi.json` and kept out of
//! the API's document, which describes only what the real API has.

use actix_web::HttpResponse;
use utoipa::OpenApi;

/// The admin API of tooken-mock.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "tooken-mock admin API",
        version = "1.0.0",
        description = "Controls of the mock server: reset and replace its data, move its \
            clock, read the requests it answered, and inject latency and errors. Open on \
            loopback; beyond loopback it needs `Authorization: Bearer <admin.token>`."
    ),
    paths(
        super::data::reset,
        super::data::export,
        super::data::replace,
        super::clock::read,
        super::clock::freeze,
        super::clock::advance,
        super::clock::release,
        super::controls::requests,
        super::controls::clear_requests,
        super::controls::faults,
        super::controls::set_faults,
        super::controls::fail_store,
    ),
    components(schemas(
        crate::api::error::Problem,
        crate::domain::ParamError,
        crate::mock::faults::Latency,
    ))
)]
pub struct AdminDoc;

/// `/__admin/openapi.json`, generated once per process.
pub async fn json() -> HttpResponse {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = DOCUMENT.get_or_init(|| AdminDoc::openapi().to_pretty_json().unwrap_or_default());
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body.clone())
}

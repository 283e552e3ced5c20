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
            clock, read the requests it answered, inject latency and errors, change single \
            tokens, list sessions and read which states of the API a session was served. \
            Every call acts on the session named by `X-Mock-Session` or `__session` (the \
            default session without one). Open on \
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
        super::sessions::list,
        super::sessions::drop_session,
        super::sessions::coverage,
        super::sessions::clear_coverage,
        super::tokens::create,
        super::tokens::change,
        super::tokens::delete,
    ),
    components(schemas(
        crate::http::Problem,
        crate::domain::ParamError,
        crate::domain::TokenView,
        crate::domain::Status,
        crate::session::faults::Latency,
        crate::session::coverage::StateReport,
    ))
)]
pub struct AdminDoc;

/// `/__admin/openapi.json`, generated once per process.
pub async fn json() -> HttpResponse {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = DOCUMENT.get_or_init(|| {
        AdminDoc::openapi()
            .to_pretty_json()
            .expect("the admin document serialises to JSON")
    });
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body.clone())
}

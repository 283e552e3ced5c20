//! The admin API's own OpenAPI document, served at `/__admin/openapi.json` and kept out of
//! the API's document, which describes only what the real API has.

use actix_web::HttpResponse;
use serde_json::json;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{RefOr, ResponseBuilder, Schema};
use utoipa::{Modify, OpenApi};

use crate::session::coverage::State;
use crate::session::SESSION_PARAMETER;

/// The admin API of tooken-mock.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "tooken-mock admin API",
        version = "1.0.0",
        description = "Controls of the mock server: reset and replace its data, move its \
            clock, read the requests it answered, inject latency and errors, change single \
            tokens, list sessions and read which states of the API a session was served.\n\n\
            **Sessions.** Every call acts on the session named by the header \
            `X-Mock-Session` or the query parameter `__session` (1 to 64 of \
            `[A-Za-z0-9._-]`; the query parameter wins; anything else is a 400 naming it), \
            or on the default session without one, and on that session only. A named session \
            is created on first use from the configured snapshot, clock and faults, and owns \
            its data, clock, faults, journal, rate-limit windows, recorded uses and coverage. \
            At most `sessions.max` named sessions exist (default 1000; the least recently used \
            is dropped first), and one unused for `sessions.idle_ttl_secs` (default 1800) is \
            dropped. A reset or replace acts on its own session only: resetting the default \
            session reads the configured snapshot again, and new sessions fork that; a watched \
            file's reload is served by the default session and new sessions, while existing \
            named sessions keep their data until reset or dropped.\n\n\
            Open on loopback; beyond loopback it needs `Authorization: Bearer <admin.token>`."
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
    modifiers(&SessionSelector),
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

/// Documents what every session-aware operation shares: the 400 for a bad selector. And
/// names every coverage state, so that a client can rely on them.
struct SessionSelector;

impl Modify for SessionSelector {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                if takes_selector(operation) {
                    document_bad_selector(operation);
                }
            }
        }
        let report = openapi
            .components
            .as_mut()
            .and_then(|c| c.schemas.get_mut("StateReport"));
        if let Some(RefOr::T(Schema::Object(report))) = report {
            if let Some(RefOr::T(Schema::Object(state))) = report.properties.get_mut("state") {
                let names = State::ALL.iter().map(|s| json!(s.name())).collect();
                state.enum_values = Some(names);
            }
        }
    }
}

fn takes_selector(operation: &Operation) -> bool {
    operation
        .parameters
        .iter()
        .flatten()
        .any(|p| p.name == SESSION_PARAMETER)
}

const BAD_SELECTOR: &str = "A bad `X-Mock-Session` or `__session` (not 1 to 64 of \
    `[A-Za-z0-9._-]`, or given twice): `errors` names it, and nothing is done.";

fn document_bad_selector(operation: &mut Operation) {
    let responses = &mut operation.responses.responses;
    match responses.get_mut("400") {
        Some(RefOr::T(response)) => {
            response.description = format!("{} Or: {BAD_SELECTOR}", response.description);
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            let example = json!({"type": "about:blank", "title": "Bad Request", "status": 400,
                "detail": "The query has 1 invalid parameter.", "code": "invalid_parameter",
                "request_id": "req_3f9a1c7b2e8d4a6f0b5c9e1d",
                "errors": [{"parameter": "X-Mock-Session",
                    "detail": "must be 1 to 64 of A-Z, a-z, 0-9, '.', '_' and '-'"}]});
            let content = ContentBuilder::new()
                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    "Problem",
                ))))
                .example(Some(example))
                .build();
            let response = ResponseBuilder::new()
                .description(BAD_SELECTOR)
                .content("application/problem+json", content)
                .build();
            responses.insert("400".to_owned(), RefOr::T(response));
        }
    }
}

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

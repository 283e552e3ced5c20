//! The admin API's own OpenAPI document, served at `/__admin/openapi.json` and kept out of
//! the API's document, which describes only what the real API has.

use std::sync::OnceLock;

use actix_web::HttpResponse;
use serde_json::json;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Response, ResponseBuilder, Schema};
use utoipa::{Modify, OpenApi};

use crate::openapi::{NoLicense, SpecDocuments};
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
            On loopback the admin API is open. Beyond loopback it needs \
            `Authorization: Bearer <admin.token>` (RFC 6750); without an `admin.token` it is \
            not served there at all."
    ),
    servers((url = "/__admin", description = "This tooken-mock server")),
    components(schemas(
        crate::http::Problem,
        crate::domain::ParamError,
        crate::domain::TokenView,
        crate::domain::Status,
        crate::session::faults::Latency,
        crate::session::coverage::StateReport,
    )),
    tags(
        (name = "Data", description = "The tokens served: reset, export, replace"),
        (name = "Clock", description = "The one clock every status and timestamp follows"),
        (name = "Requests", description = "The journal of recent API requests"),
        (name = "Faults", description = "Latency and errors injected into API responses"),
        (name = "Tokens", description = "Single tokens: create, change, delete"),
        (name = "Sessions", description = "Named sessions, each a world of its own"),
        (name = "Coverage", description = "Which states of the API a session was served"),
    )
)]
pub(crate) struct AdminDoc;

/// The security scheme's name in the document.
const ADMIN_TOKEN: &str = "adminToken";

/// Declares the bearer scheme and lets every operation be called with it or (on loopback)
/// without; every operation may then answer 401.
struct AdminToken;

impl Modify for AdminToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            ADMIN_TOKEN,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The configured `admin.token` (`TOOKEN__ADMIN__TOKEN`). Needed when the \
                         server listens beyond loopback; on loopback no token is asked for.",
                    ))
                    .build(),
            ),
        );
        let unauthorized = json!({
            "description": "Beyond loopback: no `Authorization: Bearer` with the admin token \
                (`missing_token`) or another token (`invalid_token`).",
            "headers": {"WWW-Authenticate": {
                "description": "The RFC 6750 challenge.",
                "schema": {"type": "string"}
            }},
            "content": {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"}
            }}
        });
        let unauthorized: Response =
            serde_json::from_value(unauthorized).expect("a literal response object");
        components
            .responses
            .insert("Unauthorized".to_owned(), RefOr::T(unauthorized));
        let requirements = json!([{}, {ADMIN_TOKEN: []}]);
        openapi.security =
            Some(serde_json::from_value(requirements).expect("literal security requirements"));
        for operation in operations(openapi) {
            operation.responses.responses.insert(
                "401".to_owned(),
                RefOr::Ref(utoipa::openapi::Ref::from_response_name("Unauthorized")),
            );
        }
    }
}

/// Every operation of the document (the admin API uses these five methods).
fn operations(
    openapi: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
    })
}

/// Documents what every session-aware operation shares: the 400 for a bad selector. And
/// names every coverage state, so that a client can rely on them.
struct SessionSelector;

impl Modify for SessionSelector {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for operation in operations(openapi) {
            if takes_selector(operation) {
                document_bad_selector(operation);
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

/// The admin document in both serialisations, generated once per process.
pub(crate) fn documents() -> &'static SpecDocuments {
    static DOCUMENTS: OnceLock<SpecDocuments> = OnceLock::new();
    DOCUMENTS.get_or_init(|| {
        let mut document = AdminDoc::openapi();
        super::routes::document(&mut document);
        // After the operations are in: each modifier acts on every operation.
        for modifier in [&AdminToken as &dyn Modify, &SessionSelector, &NoLicense] {
            modifier.modify(&mut document);
        }
        let document = serde_json::to_value(document).expect("the admin document serialises");
        SpecDocuments::from_value(&document)
    })
}

/// `GET /__admin/`: every operation of the admin document as `METHOD /__admin/path` with its
/// summary, and where the document is.
pub(crate) async fn routes(req: actix_web::HttpRequest) -> HttpResponse {
    let base = crate::http::forwarded_prefix(&req).unwrap_or_default();
    let document: serde_json::Value = serde_json::from_str(&documents().json).unwrap_or_default();
    let mut routes = Vec::new();
    if let Some(paths) = document["paths"].as_object() {
        for (path, operations) in paths {
            for (method, operation) in operations.as_object().into_iter().flatten() {
                if operation.is_object() && method != "parameters" {
                    routes.push(serde_json::json!({
                        "method": method.to_ascii_uppercase(),
                        "path": format!("{base}{}{path}", super::PREFIX),
                        "summary": operation["summary"],
                    }));
                }
            }
        }
    }
    HttpResponse::Ok().json(serde_json::json!({
        "document": format!("{base}{}/openapi.json", super::PREFIX),
        "docs": format!("{base}/docs/"),
        "routes": routes,
    }))
}

/// `/__admin/openapi.json`.
pub(crate) async fn json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(documents().json.clone())
}

#[cfg(test)]
mod tests {
    use super::documents;

    const REGENERATE: &str = "regenerate them with: cargo run -- openapi --admin > \
        openapi/admin.json && cargo run -- openapi --admin --format yaml > openapi/admin.yaml";

    #[test]
    fn the_committed_admin_documents_match_the_generated_ones() {
        let docs = documents();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi");
        let json = std::fs::read_to_string(format!("{dir}/admin.json")).unwrap_or_default();
        let yaml = std::fs::read_to_string(format!("{dir}/admin.yaml")).unwrap_or_default();
        assert!(
            json == format!("{}\n", docs.json),
            "openapi/admin.json is stale; {REGENERATE}"
        );
        assert!(
            yaml == docs.yaml,
            "openapi/admin.yaml is stale; {REGENERATE}"
        );
    }

    #[test]
    fn every_operation_may_answer_401_and_400_for_a_bad_session_name() {
        let doc: serde_json::Value = serde_json::from_str(&documents().json).expect("JSON");
        assert_eq!(doc["servers"][0]["url"], "/__admin");
        assert_eq!(doc["security"], serde_json::json!([{}, {"adminToken": []}]));
        assert_eq!(
            doc["components"]["securitySchemes"]["adminToken"]["scheme"],
            "bearer"
        );
        let paths = doc["paths"].as_object().expect("paths");
        for (path, item) in paths {
            for (method, operation) in item.as_object().expect("a path item") {
                let unauthorized = &operation["responses"]["401"]["$ref"];
                assert_eq!(
                    unauthorized, "#/components/responses/Unauthorized",
                    "{method} {path}"
                );
                let selects = operation["parameters"]
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|p| p["name"] == "__session"));
                if selects {
                    let bad = &operation["responses"]["400"];
                    assert!(bad.is_object(), "{method} {path} documents its 400");
                }
            }
        }
    }
}

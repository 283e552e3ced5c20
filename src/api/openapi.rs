//! The OpenAPI document, generated from the handler and model annotations, and built once.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::{Config, SwaggerUi, Url};

use super::tokens::{Meta, TokenList};
use crate::domain::TokenView;
use crate::domain::{ListQuery, ParamError, QueryLimits, Status};
use crate::http::Problem;
use crate::openapi::NoLicense;
pub(crate) use crate::openapi::SpecDocuments;

/// The API's document: `GET /tokens` under the servers `/v1` (this mock) and production.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tooken API",
        version = "1.0.0",
        description = "Lists the API tokens of a workspace.\n\n\
            Every request authenticates with `Authorization: Bearer <secret>`; listing tokens \
            needs the `tokens:read` scope. Errors are RFC 9457 problems \
            (`application/problem+json`) with a machine-readable `code` and the `request_id`.\n\n\
            The first server is the local tooken-mock; the second is the production API, so the \
            same document drives contract tests against both."
    ),
    servers(
        (url = "/v1", description = "This tooken-mock server"),
        (url = "https://api.tooken.io/v1", description = "Production")
    ),
    paths(super::tokens::list_tokens),
    components(schemas(TokenList, TokenView, Meta, Status, Problem, ParamError)),
    modifiers(&BearerAuth, &NoLicense),
    tags((name = "Tokens", description = "API tokens of the caller's workspace"))
)]
pub(crate) struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearerAuth",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("tok_live_…")
                    .description(Some(
                        "A token secret, `tok_live_` followed by 24 or more letters or digits. \
                         Listing needs a token with the `tokens:read` scope. The mock's demo \
                         data answers to `tok_live_AcmeAuditReadOnlyKey2026Demo0001` (200), \
                         `tok_live_AcmeDeployOnlyNoTokensRead000003` (403, no `tokens:read`) \
                         and `tok_live_AcmeRevokedToken401Demo000000004` (401, revoked).",
                    ))
                    .build(),
            ),
        );
    }
}

impl SpecDocuments {
    /// Generates the document with the API's own limits (the committed `openapi/` copies).
    pub(crate) fn build() -> SpecDocuments {
        SpecDocuments::build_for(QueryLimits::DEFAULT)
    }

    /// Generates the document for the configured page sizes, and both serialisations.
    pub(crate) fn build_for(limits: QueryLimits) -> SpecDocuments {
        let mut doc = ApiDoc::openapi();
        if let Some(get) = doc
            .paths
            .paths
            .get_mut("/tokens")
            .and_then(|p| p.get.as_mut())
        {
            get.parameters = Some(ListQuery::parameters(limits));
        }
        // Serialising a document of plain strings, maps and numbers cannot fail.
        let document = serde_json::to_value(doc).expect("the OpenAPI document serialises to JSON");
        SpecDocuments::from_value(&document)
    }
}

/// `/openapi.json`.
pub(crate) async fn json(docs: web::Data<SpecDocuments>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(docs.json.clone())
}

/// `/openapi.yaml`.
pub(crate) async fn yaml(docs: web::Data<SpecDocuments>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/yaml")
        .body(docs.yaml.clone())
}

/// `/docs` sends browsers to `/docs/`, where Swagger UI's relative asset paths resolve. The
/// `Location` is relative (`docs/`, RFC 9110 §10.2.2), so it resolves behind a proxy that
/// serves the server under a path prefix too.
pub(crate) async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "docs/"))
        .finish()
}

/// Swagger UI on the served document (and the admin API's, when it is on), remembering the
/// secret entered in "Authorize".
pub(crate) fn swagger_ui(with_admin: bool) -> SwaggerUi {
    let mut urls = vec![Url::new("Tooken API", "/openapi.json")];
    if with_admin {
        urls.push(Url::new("tooken-mock admin API", "/__admin/openapi.json"));
    }
    SwaggerUi::new("/docs/{_:.*}").config(
        Config::new(urls)
            .persist_authorization(true)
            // No call to the public validator: the mock works offline and keeps its URL local.
            .validator_url("none")
            .try_it_out_enabled(true)
            .display_request_duration(true),
    )
}

#[cfg(test)]
mod tests {
    use super::SpecDocuments;

    const REGENERATE: &str = "regenerate them with: cargo run -- openapi > openapi/openapi.json \
                              && cargo run -- openapi --format yaml > openapi/openapi.yaml";

    #[test]
    fn the_committed_documents_match_the_generated_ones() {
        let docs = SpecDocuments::build();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi");
        let json = std::fs::read_to_string(format!("{dir}/openapi.json")).unwrap_or_default();
        let yaml = std::fs::read_to_string(format!("{dir}/openapi.yaml")).unwrap_or_default();
        assert!(
            json == format!("{}\n", docs.json),
            "openapi/openapi.json is stale; {REGENERATE}"
        );
        assert!(
            yaml == docs.yaml,
            "openapi/openapi.yaml is stale; {REGENERATE}"
        );
    }

    #[test]
    fn the_document_is_openapi_3_1_with_the_mock_server_first() {
        let doc: serde_json::Value = serde_json::from_str(&SpecDocuments::build().json).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["servers"][0]["url"], "/v1");
        assert_eq!(doc["servers"][1]["url"], "https://api.tooken.io/v1");
        let get = &doc["paths"]["/tokens"]["get"];
        for status in ["200", "400", "401", "403", "429", "500"] {
            assert!(
                get["responses"][status].is_object(),
                "response {status} is documented"
            );
        }
    }
}

#[cfg(test)]
mod limits {
    use super::SpecDocuments;
    use crate::domain::QueryLimits;

    #[test]
    fn the_documented_per_page_follows_the_configured_limits() {
        let limits = QueryLimits {
            default_per_page: 10,
            max_per_page: 40,
        };
        let doc: serde_json::Value =
            serde_json::from_str(&SpecDocuments::build_for(limits).json).unwrap();
        let per_page = &doc["paths"]["/tokens"]["get"]["parameters"][1];
        assert_eq!(per_page["name"], "per_page");
        assert_eq!(per_page["schema"]["maximum"], 40);
        assert_eq!(per_page["schema"]["default"], 10);
        assert_eq!(per_page["example"], 10);
    }
}

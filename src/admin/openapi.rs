//! The admin API's own OpenAPI document, served at `/__admin/openapi.json` and kept out of
//! the API's document, which describes only what the real API has.

use std::borrow::Cow;

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ObjectBuilder, OneOfBuilder, SchemaType, Type,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr, Response, Schema};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

use crate::admin::AdminState;
use crate::api::openapi::{NoLicense, SpecDocuments};
use crate::api::tokens::TokenView;

/// The admin API of tooken-mock.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "tooken-mock admin API",
        version = "1.0.0",
        description = "Controls of the mock server: reset and replace its data, move its \
            clock, read the requests it answered, and inject latency and errors.\n\n\
            On loopback the admin API is open. Beyond loopback it needs \
            `Authorization: Bearer <admin.token>` (RFC 6750); without an `admin.token` it is \
            not served there at all."
    ),
    servers((url = "/__admin", description = "This tooken-mock server")),
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
        crate::domain::Status,
        crate::mock::faults::Latency,
    )),
    modifiers(&AdminToken, &NoLicense),
    tags(
        (name = "Data", description = "The tokens served: reset, export, replace"),
        (name = "Clock", description = "The one clock every status and timestamp follows"),
        (name = "Requests", description = "The journal of recent API requests"),
        (name = "Faults", description = "Latency and errors injected into API responses"),
    )
)]
pub struct AdminDoc;

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
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                operation.responses.responses.insert(
                    "401".to_owned(),
                    RefOr::Ref(utoipa::openapi::Ref::from_response_name("Unauthorized")),
                );
            }
        }
    }
}

/// A snapshot, in any of the three shapes `PUT /__admin/snapshot`, `--snapshot` and
/// `tooken-mock check` take; `GET /__admin/snapshot` writes the first. What JSON Schema cannot
/// say (unique ids and secrets, `expires_at` after `created_at`) is checked on load and
/// answered with 422.
pub struct SnapshotSchema;

impl PartialSchema for SnapshotSchema {
    fn schema() -> RefOr<Schema> {
        let tokens = || ArrayBuilder::new().items(Ref::from_schema_name("SnapshotToken"));
        let workspaces = ArrayBuilder::new().items(Ref::from_schema_name("SnapshotWorkspace"));
        // `meta` may be any value, which utoipa writes as a schema without a type.
        let shape = |field: &str, list: ArrayBuilder| {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property(field, list)
                .required(field)
                .property(
                    "meta",
                    ObjectBuilder::new()
                        .schema_type(SchemaType::AnyValue)
                        .description(Some("Ignored.")),
                )
                .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        };
        OneOfBuilder::new()
            .description(Some(
                "A snapshot: `{\"workspaces\": [...]}`; or an API response \
                 `{\"data\": [...], \"meta\": {...}}`, loaded as workspace `ws_default`; or a \
                 bare array of tokens, loaded as `ws_default`.",
            ))
            .item(shape("workspaces", workspaces))
            .item(shape("data", tokens()))
            .item(tokens())
            .into()
    }
}

impl ToSchema for SnapshotSchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Snapshot")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        let workspace = json!({
            "type": "object",
            "description": "A workspace and its tokens.",
            "required": ["id", "name", "tokens"],
            "properties": {
                "id": {"type": "string", "pattern": "^ws_[a-z0-9_]{1,64}$", "example": "ws_acme"},
                "name": {"type": "string", "minLength": 1, "maxLength": 256, "example": "Acme Inc."},
                "tokens": {"type": "array", "items": {"$ref": "#/components/schemas/SnapshotToken"}}
            },
            "additionalProperties": false
        });
        // The API's token, with the secret that authenticates as it.
        let mut token = serde_json::to_value(<TokenView<'static> as PartialSchema>::schema())
            .unwrap_or_default();
        token["description"] = json!(
            "A token as the API lists it, plus the secret that authenticates as it: `secret`, \
             or its SHA-256 digest `secret_sha256` (as exports write it), not both."
        );
        token["properties"]["scopes"]["uniqueItems"] = json!(true);
        token["properties"]["scopes"]["items"]["pattern"] =
            json!("^[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$");
        token["properties"]["secret"] = json!({
            "type": ["string", "null"],
            "pattern": "^tok_live_[A-Za-z0-9]{24,}$",
            "example": "tok_live_AcmeCiDeployToken2027Expiry00002"
        });
        token["properties"]["secret_sha256"] = json!({
            "type": ["string", "null"],
            "pattern": "^[0-9a-f]{64}$"
        });
        let mut token = schema(token);
        // Not a secret and its digest both. utoipa's schema types have no field for `not`,
        // but write their extensions flat into the schema, as keywords.
        if let RefOr::T(Schema::Object(object)) = &mut token {
            object
                .extensions
                .get_or_insert_with(Default::default)
                .insert(
                    "not".to_owned(),
                    json!({
                        "required": ["secret", "secret_sha256"],
                        "properties": {
                            "secret": {"type": "string"},
                            "secret_sha256": {"type": "string"}
                        }
                    }),
                );
        }
        schemas.push(("SnapshotWorkspace".to_owned(), schema(workspace)));
        schemas.push(("SnapshotToken".to_owned(), token));
    }
}

fn schema(value: Value) -> RefOr<Schema> {
    serde_json::from_value(value).expect("a literal schema object")
}

/// The admin document as served where the journal keeps `journal_capacity` entries: that is
/// the largest `limit` of `GET /__admin/requests`.
pub fn documents(journal_capacity: usize) -> SpecDocuments {
    let mut document = serde_json::to_value(AdminDoc::openapi()).unwrap_or_default();
    if let Some(parameters) = document["paths"]["/requests"]["get"]["parameters"].as_array_mut() {
        for parameter in parameters.iter_mut().filter(|p| p["name"] == "limit") {
            parameter["schema"]["maximum"] = json!(journal_capacity);
        }
    }
    SpecDocuments::from_value(&document)
}

/// `/__admin/openapi.json`.
pub async fn json(admin: web::Data<AdminState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(documents(admin.journal_capacity).json)
}

#[cfg(test)]
mod tests {
    use config::Environment;
    use serde_json::Value;

    use super::documents;
    use crate::settings::{Overrides, Settings};

    const REGENERATE: &str = "regenerate them with: cargo run -- openapi --admin > \
        openapi/admin.json && cargo run -- openapi --admin --format yaml > openapi/admin.yaml";

    fn default_capacity() -> usize {
        let no_variables = Environment::with_prefix("TOOKEN").source(Some(Default::default()));
        Settings::load_from(&Overrides::default(), no_variables)
            .expect("the default settings")
            .admin
            .journal_capacity
    }

    #[test]
    fn the_committed_admin_documents_match_the_generated_ones() {
        let docs = documents(default_capacity());
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
    fn the_largest_limit_documented_is_the_journal_capacity() {
        for capacity in [1, 1000, 100_000] {
            let doc: Value = serde_json::from_str(&documents(capacity).json).expect("JSON");
            let limit = &doc["paths"]["/requests"]["get"]["parameters"][0];
            assert_eq!(limit["name"], "limit");
            assert_eq!(limit["schema"]["maximum"], capacity);
            assert_eq!(limit["schema"]["minimum"], 1);
        }
    }
}

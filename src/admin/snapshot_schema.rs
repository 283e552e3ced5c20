//! The JSON Schema of a snapshot in the admin document, for `PUT` and `GET /__admin/snapshot`.
//! Snapshots are read by hand (see `store::snapshot`) so that every problem is reported with
//! its location; this schema states the same shapes for clients and contract tests.

use std::borrow::Cow;

use serde_json::{json, Value};
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ObjectBuilder, OneOfBuilder, SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use crate::domain::TokenView;

/// A snapshot, in any of the three shapes `PUT /__admin/snapshot`, `--snapshot` and
/// `tooken-mock check` take; `GET /__admin/snapshot` writes the first. What JSON Schema cannot
/// say (unique ids and secrets, `expires_at` after `created_at`) is checked on load and
/// answered with 422.
pub(crate) struct SnapshotSchema;

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
             or its SHA-256 digest `secret_sha256` (as exports write it), not both. \
             `expires_at` and `last_used_at` may be left out, which reads as null."
        );
        // A snapshot may leave out the two nullable times: omitted reads as null.
        if let Some(required) = token["required"].as_array_mut() {
            required.retain(|field| field != "expires_at" && field != "last_used_at");
        }
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

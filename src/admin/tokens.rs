//! `/__admin/tokens`: create, change and delete single tokens of a session. Each change is
//! checked by the snapshot rules (a 422 names every field) and is seen by the session's very
//! next request, in listings, counts, links and authentication.

use actix_web::{delete, patch, post, web, HttpResponse};
use serde::Serialize;
use serde_json::{json, Map, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use super::body::JsonBody;
use crate::domain::{ParamError, Status, TokenView};
use crate::http::{ApiError, Problem};
use crate::session::Selected;
use crate::store::ChangeError;

/// A token just created, with its secret: shown this once, only its digest is kept.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct Created<'a> {
    #[schema(value_type = crate::domain::TokenView)]
    pub token: TokenView<'a>,
    /// The bearer secret that authenticates as the token.
    #[schema(example = "tok_live_Q3x9Zr7LmP2vK8sT4nW6yB1cD5fG0hJ")]
    pub secret: String,
}

/// The fields of a new token. Every problem (a missing field, a wrong type, a value that
/// breaks the snapshot rules, a field that cannot be given such as `id` or `secret`) is
/// reported at once in a 422, each by its location.
///
/// A name in the admin document only: the body is read as a JSON object and checked whole
/// (as a one-token snapshot), so no type holds it and its schema is written out.
pub(super) struct NewTokenBody;

impl PartialSchema for NewTokenBody {
    fn schema() -> RefOr<Schema> {
        written(json!({
            "type": "object",
            "description": "The fields of a new token. Every problem (a missing field, a wrong type, a value that\nbreaks the snapshot rules, a field that cannot be given such as `id` or `secret`) is\nreported at once in a 422, each by its location.",
            "required": ["workspace", "name", "scopes"],
            "properties": {
                "workspace": {
                    "type": "string",
                    "description": "The id of a workspace of the session.",
                    "example": "ws_acme",
                    "pattern": "^ws_[a-z0-9_]{1,64}$"
                },
                "name": {"type": "string", "example": "Playwright token", "maxLength": 256, "minLength": 1},
                "scopes": scopes(json!(["tokens:read"])),
                "status": {
                    "$ref": "#/components/schemas/Status",
                    "description": "`active` (the default), `expired` or `revoked`."
                },
                "created_at": {
                    "type": "string",
                    "format": "date-time",
                    "description": "Defaults to the session's clock. A token created after the clock cannot authenticate\nuntil the clock reaches it (401 \"token is not valid yet\").",
                    "example": "2026-05-01T00:00:00Z"
                },
                "expires_at": {
                    "type": ["string", "null"],
                    "format": "date-time",
                    "description": "After `created_at`; `null` (the default) never expires.",
                    "example": "2027-05-01T00:00:00Z"
                },
                "created_by": {
                    "type": "string",
                    "format": "email",
                    "description": "Defaults to `admin@example.com`.",
                    "example": "alice@example.com"
                }
            },
            "example": {
                "workspace": "ws_acme",
                "name": "Playwright token",
                "scopes": ["tokens:read"],
                "expires_at": "2027-05-01T00:00:00Z"
            }
        }))
    }
}

impl ToSchema for NewTokenBody {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((Status::name().into_owned(), Status::schema()));
    }
}

/// The fields of a token to change; those omitted stay as they are. Any other field (`id`,
/// `created_at`, `created_by`, `secret`) is refused. Every problem is reported at once in a
/// 422, each by its location.
///
/// A name in the admin document only, like [`NewTokenBody`].
pub(super) struct TokenPatch;

impl PartialSchema for TokenPatch {
    fn schema() -> RefOr<Schema> {
        written(json!({
            "type": "object",
            "description": "The fields of a token to change; those omitted stay as they are. Any other field (`id`,\n`created_at`, `created_by`, `secret`) is refused. Every problem is reported at once in a\n422, each by its location.",
            "properties": {
                "name": {"type": "string", "example": "Renamed token", "maxLength": 256, "minLength": 1},
                "scopes": scopes(json!(["tokens:read", "tokens:write"])),
                "status": {"$ref": "#/components/schemas/Revoked", "description": "Only `revoked`."},
                "expires_at": {
                    "type": ["string", "null"],
                    "format": "date-time",
                    "description": "After `created_at`; `null` never expires.",
                    "example": "2027-01-01T00:00:00Z"
                },
                "last_used_at": {
                    "type": ["string", "null"],
                    "format": "date-time",
                    "description": "Not before `created_at`; `null` never used.",
                    "example": "2026-05-01T00:00:00Z"
                }
            },
            "example": {"status": "revoked"}
        }))
    }
}

impl ToSchema for TokenPatch {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        let revoked = json!({
            "type": "string",
            "description": "The only status a change may set: a revoked token cannot be brought back.",
            "enum": ["revoked"]
        });
        schemas.push(("Revoked".to_owned(), written(revoked)));
    }
}

/// A list of scopes, each `resource:action`.
fn scopes(example: Value) -> Value {
    json!({
        "type": "array",
        "items": {
            "type": "string",
            "description": "A scope: `resource:action`, each part a lowercase letter, then lowercase letters, digits\nor `_`.",
            "example": "tokens:read",
            "pattern": "^[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$"
        },
        "description": "Each `resource:action` in lowercase.",
        "example": example
    })
}

/// A schema written out as JSON. The values are literals of this module, read back by the
/// tests of the admin document.
fn written(schema: Value) -> RefOr<Schema> {
    serde_json::from_value(schema).expect("a schema written in this module is a valid schema")
}

fn refused(error: ChangeError) -> ApiError {
    match error {
        ChangeError::NoSuchToken(id) => ApiError::NoSuchToken(id),
        ChangeError::Invalid(problems) => ApiError::InvalidChange(
            problems
                .into_iter()
                .map(|p| ParamError::new(&p.location, p.message))
                .collect(),
        ),
    }
}

/// Create a token in a workspace of the session.
///
/// Answers with the token and a newly generated secret, shown this once.
#[utoipa::path(tag = "Tokens", params(Selected),
    request_body = NewTokenBody,
    responses((status = 201, description = "The token and its secret, shown this once.", body = Created,
                example = json!({"token": {"id": "tok_k3v9x2m7q1w8e5r4t6y0u2i9", "name": "Playwright token", "scopes": ["tokens:read"], "status": "active", "created_at": "2026-05-01T00:00:00Z", "expires_at": "2027-05-01T00:00:00Z", "last_used_at": null, "created_by": "admin@example.com"}, "secret": "tok_live_Q3x9Zr7LmP2vK8sT4nW6yB1cD5fG0hJa"})),
              (status = 400, description = "The body is not a JSON object.", body = Problem, content_type = "application/problem+json"),
              (status = 413, description = "Larger than admin.max_body_bytes.", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Every field that breaks the snapshot rules (code `invalid_token_change`); nothing was changed.", body = Problem, content_type = "application/problem+json",
                example = json!({"type": "about:blank", "title": "Unprocessable Entity", "status": 422, "detail": "The change has 2 problem(s); nothing was changed.", "code": "invalid_token_change", "request_id": "req_3f9a1c7b2e8d4a6f0b5c9e1d", "errors": [{"parameter": "scopes[0]", "detail": "must be resource:action in lowercase, such as tokens:read"}, {"parameter": "expires_at", "detail": "must be after created_at"}]}))))]
#[post("/tokens")]
pub(crate) async fn create(
    selected: Selected,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let session = &selected.session;
    let created = session
        .store
        .create(&body, session.clock.now())
        .map_err(refused)?;
    Ok(HttpResponse::Created().json(Created {
        token: TokenView::from(&created.token),
        secret: created.secret,
    }))
}

/// Change a token.
///
/// Its `name`, `scopes`, `status` (to `revoked`), `expires_at` or `last_used_at`, checked by
/// the snapshot rules.
#[utoipa::path(tag = "Tokens",
    params(("id" = String, Path, description = "The token's id.", pattern = "^tok_[a-z0-9]{24}$"), Selected),
    request_body = TokenPatch,
    responses((status = 200, description = "The token as changed.", body = crate::domain::TokenView),
              (status = 400, description = "The body is not a JSON object.", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such token in the session.", body = Problem, content_type = "application/problem+json"),
              (status = 413, description = "Larger than admin.max_body_bytes.", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Every field that breaks the snapshot rules (code `invalid_token_change`); nothing was changed.", body = Problem, content_type = "application/problem+json",
                example = json!({"type": "about:blank", "title": "Unprocessable Entity", "status": 422, "detail": "The change has 2 problem(s); nothing was changed.", "code": "invalid_token_change", "request_id": "req_3f9a1c7b2e8d4a6f0b5c9e1d", "errors": [{"parameter": "scopes[0]", "detail": "must be resource:action in lowercase, such as tokens:read"}, {"parameter": "expires_at", "detail": "must be after created_at"}]}))))]
#[patch("/tokens/{id}")]
pub(crate) async fn change(
    selected: Selected,
    id: web::Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let changed = selected.session.store.patch(&id, &body).map_err(refused)?;
    Ok(HttpResponse::Ok().json(TokenView::from(&changed.token)))
}

/// Delete a token.
///
/// It is no longer listed, counted or able to authenticate.
#[utoipa::path(tag = "Tokens",
    params(("id" = String, Path, description = "The token's id.", pattern = "^tok_[a-z0-9]{24}$"), Selected),
    responses((status = 204, description = "Deleted."),
              (status = 404, description = "No such token in the session.", body = Problem, content_type = "application/problem+json")))]
#[delete("/tokens/{id}")]
pub(crate) async fn delete(
    selected: Selected,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    selected.session.store.delete(&id).map_err(refused)?;
    Ok(HttpResponse::NoContent().finish())
}

//! `/__admin/tokens`: create, change and delete single tokens of a session. Each change is
//! checked by the snapshot rules (a 422 names every field) and is seen by the session's very
//! next request, in listings, counts, links and authentication.

use actix_web::{web, HttpResponse};
use serde::Serialize;
use serde_json::{Map, Value};

use super::body::JsonBody;
use crate::domain::{ParamError, TokenView};
use crate::http::{ApiError, Problem};
use crate::session::Selected;
use crate::store::ChangeError;

/// A token just created, with its secret: shown this once, only its digest is kept.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Created<'a> {
    #[schema(value_type = crate::domain::TokenView)]
    pub token: TokenView<'a>,
    /// The bearer secret that authenticates as the token.
    #[schema(example = "tok_live_Q3x9Zr7LmP2vK8sT4nW6yB1cD5fG0hJ")]
    pub secret: String,
}

/// The fields of a new token. Every problem (a missing field, a wrong type, a value that
/// breaks the snapshot rules, a field that cannot be given such as `id` or `secret`) is
/// reported at once in a 422, each by its location.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)] // a schema only: the body is read as a JSON object and checked whole
#[schema(example = json!({"workspace": "ws_acme", "name": "Playwright token", "scopes": ["tokens:read"], "expires_at": "2027-05-01T00:00:00Z"}))]
pub struct NewTokenBody {
    /// The id of a workspace of the session.
    #[schema(pattern = "^ws_[a-z0-9_]{1,64}$", example = "ws_acme")]
    workspace: String,
    #[schema(min_length = 1, max_length = 256, example = "Playwright token")]
    name: String,
    /// Each `resource:action` in lowercase.
    #[schema(inline, example = json!(["tokens:read"]))]
    scopes: Vec<ScopeText>,
    /// `active` (the default), `expired` or `revoked`.
    #[schema(value_type = Option<crate::domain::Status>)]
    status: Option<String>,
    /// Defaults to the session's clock. A token created after the clock cannot authenticate
    /// until the clock reaches it (401 "token is not valid yet").
    #[schema(format = DateTime, example = "2026-05-01T00:00:00Z")]
    created_at: Option<String>,
    /// After `created_at`; `null` (the default) never expires.
    #[schema(format = DateTime, example = "2027-05-01T00:00:00Z")]
    expires_at: Option<String>,
    /// Defaults to `admin@example.com`.
    #[schema(format = Email, example = "alice@example.com")]
    created_by: Option<String>,
}

/// A scope: `resource:action`, each part a lowercase letter, then lowercase letters, digits
/// or `_`.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)] // a schema only
#[schema(value_type = String, pattern = "^[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$", example = "tokens:read")]
pub struct ScopeText(String);

/// The only status a change may set: a revoked token cannot be brought back.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)] // a schema only
#[schema(rename_all = "lowercase")]
pub enum Revoked {
    Revoked,
}

/// The fields of a token to change; those omitted stay as they are. Any other field (`id`,
/// `created_at`, `created_by`, `secret`) is refused. Every problem is reported at once in a
/// 422, each by its location.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)] // a schema only: the body is read as a JSON object and checked whole
#[schema(example = json!({"status": "revoked"}))]
pub struct TokenPatch {
    #[schema(min_length = 1, max_length = 256, example = "Renamed token")]
    name: Option<String>,
    /// Each `resource:action` in lowercase.
    #[schema(inline, example = json!(["tokens:read", "tokens:write"]))]
    scopes: Option<Vec<ScopeText>>,
    /// Only `revoked`.
    status: Option<Revoked>,
    /// After `created_at`; `null` never expires.
    #[schema(value_type = Option<String>, format = DateTime, example = "2027-01-01T00:00:00Z")]
    expires_at: Option<Option<String>>,
    /// Not before `created_at`; `null` never used.
    #[schema(value_type = Option<String>, format = DateTime, example = "2026-05-01T00:00:00Z")]
    last_used_at: Option<Option<String>>,
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

/// Create a token in a workspace of the session; answers it with a new secret.
#[utoipa::path(post, path = "/__admin/tokens", tag = "Tokens", params(Selected),
    request_body = NewTokenBody,
    responses((status = 201, description = "The token and its secret, shown this once.", body = Created,
                example = json!({"token": {"id": "tok_k3v9x2m7q1w8e5r4t6y0u2i9", "name": "Playwright token", "scopes": ["tokens:read"], "status": "active", "created_at": "2026-05-01T00:00:00Z", "expires_at": "2027-05-01T00:00:00Z", "last_used_at": null, "created_by": "admin@example.com"}, "secret": "tok_live_Q3x9Zr7LmP2vK8sT4nW6yB1cD5fG0hJa"})),
              (status = 400, description = "The body is not a JSON object.", body = Problem, content_type = "application/problem+json"),
              (status = 413, description = "Larger than admin.max_body_bytes.", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Every field that breaks the snapshot rules (code `invalid_token_change`); nothing was changed.", body = Problem, content_type = "application/problem+json",
                example = json!({"type": "about:blank", "title": "Unprocessable Entity", "status": 422, "detail": "The change has 2 problem(s); nothing was changed.", "code": "invalid_token_change", "request_id": "req_3f9a1c7b2e8d4a6f0b5c9e1d", "errors": [{"parameter": "scopes[0]", "detail": "must be resource:action in lowercase, such as tokens:read"}, {"parameter": "expires_at", "detail": "must be after created_at"}]}))))]
pub async fn create(
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

/// Change a token's `name`, `scopes`, `status` (to `revoked`), `expires_at` or `last_used_at`.
#[utoipa::path(patch, path = "/__admin/tokens/{id}", tag = "Tokens",
    params(("id" = String, Path, description = "The token's id.", pattern = "^tok_[a-z0-9]{24}$"), Selected),
    request_body = TokenPatch,
    responses((status = 200, description = "The token as changed.", body = crate::domain::TokenView),
              (status = 400, description = "The body is not a JSON object.", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such token in the session.", body = Problem, content_type = "application/problem+json"),
              (status = 413, description = "Larger than admin.max_body_bytes.", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Every field that breaks the snapshot rules (code `invalid_token_change`); nothing was changed.", body = Problem, content_type = "application/problem+json",
                example = json!({"type": "about:blank", "title": "Unprocessable Entity", "status": 422, "detail": "The change has 2 problem(s); nothing was changed.", "code": "invalid_token_change", "request_id": "req_3f9a1c7b2e8d4a6f0b5c9e1d", "errors": [{"parameter": "scopes[0]", "detail": "must be resource:action in lowercase, such as tokens:read"}, {"parameter": "expires_at", "detail": "must be after created_at"}]}))))]
pub async fn change(
    selected: Selected,
    id: web::Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let changed = selected.session.store.patch(&id, &body).map_err(refused)?;
    Ok(HttpResponse::Ok().json(TokenView::from(&changed.token)))
}

/// Delete a token: it is no longer listed, counted or able to authenticate.
#[utoipa::path(delete, path = "/__admin/tokens/{id}", tag = "Tokens",
    params(("id" = String, Path, description = "The token's id.", pattern = "^tok_[a-z0-9]{24}$"), Selected),
    responses((status = 204, description = "Deleted."),
              (status = 404, description = "No such token in the session.", body = Problem, content_type = "application/problem+json")))]
pub async fn delete(selected: Selected, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    selected.session.store.delete(&id).map_err(refused)?;
    Ok(HttpResponse::NoContent().finish())
}

//! `/__admin/tokens`: create, change and delete single tokens of a session. Each change is
//! checked by the snapshot rules (a 422 names every field) and is seen by the session's very
//! next request, in listings, counts, links and authentication.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Deserializer, Serialize};
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

/// The fields of a new token.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenBody {
    /// The id of a workspace of the session.
    #[schema(example = "ws_acme")]
    workspace: String,
    #[schema(min_length = 1, max_length = 256, example = "Playwright token")]
    name: String,
    #[schema(example = json!(["tokens:read"]))]
    scopes: Vec<String>,
    /// `active` (the default), `expired` or `revoked`.
    #[schema(value_type = Option<crate::domain::Status>)]
    status: Option<String>,
    /// Defaults to the session's clock.
    #[schema(format = DateTime, example = "2026-05-01T00:00:00Z")]
    created_at: Option<String>,
    /// After `created_at`; `null` (the default) never expires.
    #[schema(format = DateTime, example = "2027-05-01T00:00:00Z")]
    expires_at: Option<String>,
    /// Defaults to `admin@example.com`.
    #[schema(format = Email, example = "alice@example.com")]
    created_by: Option<String>,
}

/// The fields of a token to change; those omitted stay as they are.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenPatch {
    #[schema(min_length = 1, max_length = 256, example = "Renamed token")]
    name: Option<String>,
    #[schema(example = json!(["tokens:read", "tokens:write"]))]
    scopes: Option<Vec<String>>,
    /// Only `revoked`: a token cannot be brought back.
    #[schema(example = "revoked")]
    status: Option<String>,
    /// After `created_at`; `null` never expires.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = DateTime, example = "2027-01-01T00:00:00Z")]
    expires_at: Option<Option<String>>,
    /// Not before `created_at`; `null` never used.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = DateTime, example = "2026-05-01T00:00:00Z")]
    last_used_at: Option<Option<String>>,
}

/// A field that is present, even as `null`, is `Some`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// The fields given, as the store checks them.
fn fields(pairs: Vec<(&str, Option<Value>)>) -> Map<String, Value> {
    pairs
        .into_iter()
        .filter_map(|(key, value)| Some((key.to_owned(), value?)))
        .collect()
}

impl NewTokenBody {
    fn into_fields(self) -> Map<String, Value> {
        fields(vec![
            ("workspace", Some(self.workspace.into())),
            ("name", Some(self.name.into())),
            ("scopes", Some(self.scopes.into())),
            ("status", self.status.map(Value::from)),
            ("created_at", self.created_at.map(Value::from)),
            ("expires_at", self.expires_at.map(Value::from)),
            ("created_by", self.created_by.map(Value::from)),
        ])
    }
}

impl TokenPatch {
    fn into_fields(self) -> Map<String, Value> {
        fields(vec![
            ("name", self.name.map(Value::from)),
            ("scopes", self.scopes.map(Value::from)),
            ("status", self.status.map(Value::from)),
            ("expires_at", self.expires_at.map(Value::from)),
            ("last_used_at", self.last_used_at.map(Value::from)),
        ])
    }
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
    responses((status = 201, description = "The token and its secret, shown this once.", body = Created),
              (status = 400, description = "Not JSON, or a field of the wrong type.", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Every field that breaks the snapshot rules.", body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    selected: Selected,
    JsonBody(body): JsonBody<NewTokenBody>,
) -> Result<HttpResponse, ApiError> {
    let session = &selected.session;
    let created = session
        .store
        .create(&body.into_fields(), session.clock.now())
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
              (status = 404, description = "No such token in the session.", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Every field that breaks the snapshot rules.", body = Problem, content_type = "application/problem+json")))]
pub async fn change(
    selected: Selected,
    id: web::Path<String>,
    JsonBody(body): JsonBody<TokenPatch>,
) -> Result<HttpResponse, ApiError> {
    let changed = selected
        .session
        .store
        .patch(&id, &body.into_fields())
        .map_err(refused)?;
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

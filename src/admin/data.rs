//! `/__admin/reset` and `/__admin/snapshot`: a session's data replaced, atomically, or read.

use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header::ContentType;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::body::{read_body, BodyLimit};
use crate::admin::AdminState;
use crate::domain::ParamError;
use crate::http::{ApiError, Problem};
use crate::metrics::{LoadKind, Metrics};
use crate::session::{LoadStatus, Selected, Sessions};
use crate::store::snapshot::{Snapshot, SnapshotError};
use crate::store::source::LoadError;
use crate::store::Index;

/// What the session serves after a change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct Loaded {
    #[schema(example = 49)]
    pub tokens: usize,
    #[schema(example = 3)]
    pub workspaces: usize,
}

impl From<&Index> for Loaded {
    fn from(index: &Index) -> Loaded {
        Loaded {
            tokens: index.token_count(),
            workspaces: index.workspace_count(),
        }
    }
}

impl From<LoadStatus> for Loaded {
    fn from(status: LoadStatus) -> Loaded {
        Loaded {
            tokens: status.tokens,
            workspaces: status.workspaces,
        }
    }
}

/// The first `listed` problems of a refused snapshot, and how many there were.
fn problems(error: SnapshotError, listed: usize) -> ApiError {
    let total = error.0.len();
    ApiError::InvalidSnapshot {
        errors: error
            .0
            .into_iter()
            .take(listed)
            .map(|p| ParamError::new(&p.location, p.message))
            .collect(),
        total,
    }
}

/// Back to the configured data, clock and faults, with an empty journal and coverage.
///
/// For the default session the configured source is read again (so a changed file is picked
/// up) and becomes what new sessions fork; a named session forks the configured data anew.
#[utoipa::path(tag = "Data", params(Selected),
    responses((status = 200, description = "What the session now serves.", body = Loaded),
              (status = 422, description = "The configured file has become invalid; nothing was changed.", body = Problem, content_type = "application/problem+json")))]
#[post("/reset")]
pub(crate) async fn reset(
    selected: Selected,
    sessions: web::Data<Sessions>,
    admin: web::Data<AdminState>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, ApiError> {
    let session = &selected.session;
    let index = if session.name.is_none() {
        let source = admin.source.clone();
        // Reading, validating and indexing a large file takes time: off the worker threads.
        let loaded = web::block(move || source.load().map(|s| Arc::new(Index::new(s))))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let index = match loaded {
            Ok(index) => index,
            Err(LoadError::Invalid { source, .. }) => {
                metrics.record_load(LoadKind::Admin, false);
                return Err(problems(source, admin.max_problems));
            }
            Err(other) => return Err(ApiError::Internal(other.to_string())),
        };
        metrics.record_load(LoadKind::Admin, true);
        sessions.replace_configured(index.clone());
        index
    } else {
        sessions.configured()
    };
    session.reset(&index, sessions.settings());
    Ok(HttpResponse::Ok().json(Loaded::from(index.as_ref())))
}

/// The session's whole state, in snapshot format; secrets appear as `secret_sha256` digests.
///
/// Every workspace and token the session serves, with each token's current `last_used_at`.
/// The export authenticates the same secrets when it is loaded again.
#[utoipa::path(tag = "Data", params(Selected),
    responses((status = 200, description = "A snapshot of everything the session serves (`{\"workspaces\": [...]}`), which `PUT /__admin/snapshot`, `--snapshot` and `check` accept as it is.", content_type = "application/json", body = super::snapshot_schema::SnapshotSchema)))]
#[get("/snapshot")]
pub(crate) async fn export(selected: Selected) -> Result<HttpResponse, ApiError> {
    let store = selected.session.store.clone();
    let bytes = web::block(move || store.export())
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(bytes))
}

/// Replace the session's whole state with a snapshot (any of the three shapes), atomically.
///
/// A snapshot with problems is refused whole with every problem and its JSON location, and
/// the old data keeps serving.
#[utoipa::path(tag = "Data", params(Selected),
    request_body(content = super::snapshot_schema::SnapshotSchema, content_type = "application/json", description = "A snapshot."),
    responses((status = 200, description = "What the session now serves.", body = Loaded),
              (status = 413, description = "Larger than admin.max_body_bytes.", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Every problem with its location; the old state keeps serving.", body = Problem, content_type = "application/problem+json")))]
#[put("/snapshot")]
pub(crate) async fn replace(
    req: HttpRequest,
    selected: Selected,
    metrics: web::Data<Metrics>,
    admin: web::Data<AdminState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let mut payload: Payload = payload.into_inner();
    let body = read_body(&req, &mut payload, BodyLimit::Snapshot).await?;
    let parsed = web::block(move || Snapshot::parse(&body).map(|s| Arc::new(Index::new(s))))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    match parsed {
        Ok(index) => {
            selected.session.store.replace(&index);
            metrics.record_load(LoadKind::Admin, true);
            Ok(HttpResponse::Ok().json(Loaded::from(index.as_ref())))
        }
        Err(error) => {
            metrics.record_load(LoadKind::Admin, false);
            Err(problems(error, admin.max_problems))
        }
    }
}

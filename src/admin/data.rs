//! `/__admin/reset` and `/__admin/snapshot`: replace the served data, atomically, or read it.

use actix_web::http::header::ContentType;
use actix_web::{web, HttpResponse};
use futures_util::StreamExt;
use serde::Serialize;

use crate::admin::AdminState;
use crate::api::error::ApiError;
use crate::api::request_id::RequestId;
use crate::api::AppState;
use crate::domain::ParamError;
use crate::metrics::LoadKind;
use crate::mock::MockState;
use crate::store::actor::{Export, LoadStatus, Replace};
use crate::store::snapshot::{Snapshot, SnapshotError};
use crate::store::source::LoadError;

/// What is served after a change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Loaded {
    #[schema(example = 49)]
    pub tokens: usize,
    #[schema(example = 3)]
    pub workspaces: usize,
}

impl From<LoadStatus> for Loaded {
    fn from(status: LoadStatus) -> Loaded {
        Loaded {
            tokens: status.tokens,
            workspaces: status.workspaces,
        }
    }
}

fn problems(error: SnapshotError) -> ApiError {
    ApiError::InvalidSnapshot(
        error
            .0
            .into_iter()
            .map(|p| ParamError {
                parameter: p.location,
                detail: p.message,
            })
            .collect(),
    )
}

async fn install(app: &AppState, snapshot: Snapshot) -> Result<Loaded, ApiError> {
    app.store
        .send(Replace(snapshot, LoadKind::Admin))
        .await
        .map(Loaded::from)
        .map_err(|e| ApiError::Unavailable(e.to_string()))
}

/// Back to the configured data, clock and faults, with an empty journal.
///
/// Loads the configured source again (the snapshot file, generated data or the embedded demo
/// data), sets the clock and the fault settings back to their configured values and empties
/// the journal. If the file has become invalid, nothing changes.
#[utoipa::path(post, path = "/reset", tag = "Data",
    responses((status = 200, description = "What is now served.", body = Loaded),
              (status = 422, description = "The configured file has become invalid; nothing was changed.", body = crate::api::error::Problem, content_type = "application/problem+json")))]
pub async fn reset(
    app: web::Data<AppState>,
    admin: web::Data<AdminState>,
    mock: web::Data<MockState>,
    id: RequestId,
) -> HttpResponse {
    let source = admin.source.clone();
    // Reading and validating a large file takes time: keep it off the worker threads.
    let loaded = match web::block(move || source.load()).await {
        Ok(Ok(snapshot)) => install(&app, snapshot).await,
        Ok(Err(LoadError::Invalid { source, .. })) => Err(problems(source)),
        Ok(Err(other)) => Err(ApiError::Internal(other.to_string())),
        Err(e) => Err(ApiError::Internal(e.to_string())),
    };
    match loaded {
        Ok(loaded) => {
            match admin.configured_now {
                Some(at) => app.clock.freeze(at),
                None => app.clock.release(),
            }
            mock.faults.set(admin.configured_faults);
            mock.journal.clear();
            HttpResponse::Ok().json(loaded)
        }
        Err(error) => {
            app.metrics.record_load(LoadKind::Admin, false);
            error.into_response(&id)
        }
    }
}

/// The whole state, in snapshot format; secrets appear as `secret_sha256` digests.
///
/// Every workspace and token served, with each token's current `last_used_at`. The export
/// loads again unchanged through `PUT /__admin/snapshot` or `--snapshot`, and authenticates
/// the same secrets.
#[utoipa::path(get, path = "/snapshot", tag = "Data",
    responses((status = 200, description = "A snapshot of everything served, in the `workspaces` shape.", content_type = "application/json", body = super::openapi::SnapshotSchema)))]
pub async fn export(app: web::Data<AppState>, id: RequestId) -> HttpResponse {
    match app.store.send(Export).await {
        Ok(bytes) => HttpResponse::Ok()
            .content_type(ContentType::json())
            .body(bytes),
        Err(e) => ApiError::Unavailable(e.to_string()).into_response(&id),
    }
}

/// Replace the whole state with a snapshot (any of the three shapes), atomically.
///
/// A snapshot with problems is refused whole with every problem and its JSON location, and
/// the old data keeps serving.
#[utoipa::path(put, path = "/snapshot", tag = "Data",
    request_body(content = super::openapi::SnapshotSchema, content_type = "application/json", description = "A snapshot."),
    responses((status = 200, description = "What is now served.", body = Loaded),
              (status = 413, description = "Larger than admin.max_body_bytes.", body = crate::api::error::Problem, content_type = "application/problem+json"),
              (status = 422, description = "Every problem with its location; the old state keeps serving.", body = crate::api::error::Problem, content_type = "application/problem+json")))]
pub async fn replace(
    app: web::Data<AppState>,
    admin: web::Data<AdminState>,
    mut payload: web::Payload,
    id: RequestId,
) -> HttpResponse {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return ApiError::InvalidParameters(vec![ParamError {
                parameter: "body".to_owned(),
                detail: "could not be read".to_owned(),
            }])
            .into_response(&id);
        };
        if body.len() + chunk.len() > admin.max_body_bytes {
            return ApiError::PayloadTooLarge(admin.max_body_bytes).into_response(&id);
        }
        body.extend_from_slice(&chunk);
    }
    let parsed = match web::block(move || Snapshot::parse(&body)).await {
        Ok(Ok(snapshot)) => install(&app, snapshot).await,
        Ok(Err(error)) => Err(problems(error)),
        Err(e) => Err(ApiError::Internal(e.to_string())),
    };
    match parsed {
        Ok(loaded) => HttpResponse::Ok().json(loaded),
        Err(error) => {
            app.metrics.record_load(LoadKind::Admin, false);
            error.into_response(&id)
        }
    }
}

//! `/__admin/clock`: read, freeze, move and release the one clock.

use actix_web::{web, HttpResponse};
use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::api::error::ApiError;
use crate::api::request_id::RequestId;
use crate::api::AppState;
use crate::domain::{format_timestamp, parse_timestamp, ParamError};

/// The clock as every request sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClockState {
    /// The current time of the mock.
    #[schema(format = DateTime, example = "2026-05-01T00:00:00Z")]
    pub now: String,
    /// Whether the clock stands still.
    pub frozen: bool,
}

/// A time to freeze the clock at.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FreezeAt {
    /// An RFC 3339 time.
    #[schema(format = DateTime, example = "2026-05-01T00:00:00Z")]
    pub now: String,
}

/// How far to move the clock.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    /// Seconds to move by; negative moves back.
    #[schema(example = 86400)]
    pub seconds: i64,
}

fn state(app: &AppState) -> HttpResponse {
    HttpResponse::Ok().json(ClockState {
        now: format_timestamp(&app.clock.now()),
        frozen: app.clock.is_frozen(),
    })
}

/// Read the clock.
///
/// The time every status and timestamp is computed against, and whether it stands still.
#[utoipa::path(get, path = "/clock", tag = "Clock",
    responses((status = 200, description = "The clock.", body = ClockState)))]
pub async fn read(app: web::Data<AppState>) -> HttpResponse {
    state(&app)
}

/// Freeze the clock at a time.
///
/// Statuses follow at once: an `active` token whose `expires_at` is at or before the new
/// time lists as `expired` and no longer authenticates.
#[utoipa::path(put, path = "/clock", tag = "Clock", request_body = FreezeAt,
    responses((status = 200, description = "The clock, frozen.", body = ClockState),
              (status = 400, description = "Not an RFC 3339 time.", body = crate::api::error::Problem, content_type = "application/problem+json")))]
pub async fn freeze(
    app: web::Data<AppState>,
    body: web::Json<FreezeAt>,
    id: RequestId,
) -> HttpResponse {
    match parse_timestamp(&body.now) {
        Some(at) => {
            app.clock.freeze(at);
            state(&app)
        }
        None => ApiError::InvalidParameters(vec![ParamError {
            parameter: "now".to_owned(),
            detail: "must be an RFC 3339 time such as 2026-05-01T00:00:00Z".to_owned(),
        }])
        .into_response(&id),
    }
}

/// Move the clock forward (or back), frozen or running.
///
/// A frozen clock stays frozen at the new time; a running one keeps running from it.
#[utoipa::path(post, path = "/clock/advance", tag = "Clock", request_body = Advance,
    responses((status = 200, description = "The clock, moved.", body = ClockState),
              (status = 400, description = "Out of range.", body = crate::api::error::Problem, content_type = "application/problem+json")))]
pub async fn advance(
    app: web::Data<AppState>,
    body: web::Json<Advance>,
    id: RequestId,
) -> HttpResponse {
    // A hundred years either way is plenty and keeps every time representable.
    const LIMIT: i64 = 100 * 366 * 86_400;
    if body.seconds.abs() > LIMIT {
        return ApiError::InvalidParameters(vec![ParamError {
            parameter: "seconds".to_owned(),
            detail: format!("must be between -{LIMIT} and {LIMIT}"),
        }])
        .into_response(&id);
    }
    app.clock.advance(Duration::seconds(body.seconds));
    state(&app)
}

/// Return to real time.
///
/// The clock follows the system's UTC time again.
#[utoipa::path(delete, path = "/clock", tag = "Clock",
    responses((status = 200, description = "The clock, following real UTC time.", body = ClockState)))]
pub async fn release(app: web::Data<AppState>) -> HttpResponse {
    app.clock.release();
    state(&app)
}

//! `/__admin/clock`: read, freeze, move and release a session's clock.

use actix_web::{delete, get, post, put, HttpResponse};
use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::body::JsonBody;
use crate::clock::{EARLIEST, LATEST};
use crate::domain::{format_timestamp, parse_timestamp, ParamError};
use crate::http::{ApiError, Problem};
use crate::session::Selected;

/// The furthest the clock may be moved in one call, in seconds (a hundred years either way
/// keeps every time representable).
pub(super) const MAX_ADVANCE_SECS: i64 = 100 * 366 * 86_400;

/// The clock as every request of the session sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct ClockState {
    /// The current time of the session.
    #[schema(format = DateTime, example = "2026-05-01T00:00:00Z")]
    pub now: String,
    /// Whether the clock stands still.
    pub frozen: bool,
}

/// A time to freeze the clock at.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct FreezeAt {
    /// An RFC 3339 time.
    #[schema(format = DateTime, example = "2026-05-01T00:00:00Z")]
    pub now: String,
}

/// How far to move the clock.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Advance {
    /// Seconds to move by; negative moves back.
    #[schema(minimum = -3_162_240_000_i64, maximum = 3_162_240_000_i64, example = 86400)]
    pub seconds: i64,
}

fn state(selected: &Selected) -> HttpResponse {
    let clock = &selected.session.clock;
    HttpResponse::Ok().json(ClockState {
        now: format_timestamp(&clock.now()),
        frozen: clock.is_frozen(),
    })
}

/// Read the clock.
///
/// The time every status and timestamp of the session is computed against, and whether it
/// stands still.
#[utoipa::path(tag = "Clock", params(Selected),
    responses((status = 200, description = "The clock.", body = ClockState)))]
#[get("/clock")]
pub(crate) async fn read(selected: Selected) -> HttpResponse {
    state(&selected)
}

/// Freeze the clock at a time.
///
/// Statuses follow at once: an `active` token whose `expires_at` is at or before the new
/// time lists as `expired` and no longer authenticates.
#[utoipa::path(tag = "Clock", params(Selected), request_body = FreezeAt,
    responses((status = 200, description = "The clock, frozen.", body = ClockState),
              (status = 400, description = "Not an RFC 3339 time.", body = Problem, content_type = "application/problem+json")))]
#[put("/clock")]
pub(crate) async fn freeze(
    selected: Selected,
    JsonBody(body): JsonBody<FreezeAt>,
) -> Result<HttpResponse, ApiError> {
    let at = parse_timestamp(&body.now).ok_or_else(|| {
        ApiError::InvalidBody(vec![ParamError::new(
            "now",
            "must be an RFC 3339 time such as 2026-05-01T00:00:00Z",
        )])
    })?;
    selected.session.clock.freeze(at);
    Ok(state(&selected))
}

/// Move the clock forward (or back), frozen or running.
///
/// A frozen clock stays frozen at the new time; a running one keeps running from it.
#[utoipa::path(tag = "Clock", params(Selected), request_body = Advance,
    responses((status = 200, description = "The clock, moved.", body = ClockState),
              (status = 400, description = "Out of range.", body = Problem, content_type = "application/problem+json")))]
#[post("/clock/advance")]
pub(crate) async fn advance(
    selected: Selected,
    JsonBody(body): JsonBody<Advance>,
) -> Result<HttpResponse, ApiError> {
    let out_of_range = || {
        ApiError::InvalidBody(vec![ParamError::new(
            "seconds",
            format!("must be between -{MAX_ADVANCE_SECS} and {MAX_ADVANCE_SECS}"),
        )])
    };
    if !(-MAX_ADVANCE_SECS..=MAX_ADVANCE_SECS).contains(&body.seconds) {
        return Err(out_of_range());
    }
    let by = Duration::try_seconds(body.seconds).ok_or_else(out_of_range)?;
    if !selected.session.clock.advance(by) {
        return Err(ApiError::InvalidBody(vec![ParamError::new(
            "seconds",
            format!("would move the clock outside {EARLIEST} to {LATEST}"),
        )]));
    }
    Ok(state(&selected))
}

/// Return to real time.
///
/// The session's clock follows the system's UTC time again.
#[utoipa::path(tag = "Clock", params(Selected),
    responses((status = 200, description = "The clock, following real UTC time.", body = ClockState)))]
#[delete("/clock")]
pub(crate) async fn release(selected: Selected) -> HttpResponse {
    selected.session.clock.release();
    state(&selected)
}

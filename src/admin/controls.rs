//! `/__admin/requests` and `/__admin/faults`: the journal and the injected faults.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::admin::AdminState;
use crate::api::error::ApiError;
use crate::api::request_id::RequestId;
use crate::api::AppState;
use crate::domain::{decode_query, ParamError};
use crate::mock::faults::FaultConfig;
use crate::mock::journal::JournalEntry;
use crate::mock::MockState;
use crate::store::actor::FailNextList;

/// Recent requests, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RequestList {
    pub data: Vec<JournalEntry>,
}

/// How many entries to return (read by hand, so that a bad value is a problem naming it).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct RequestsQuery {
    /// 1 to the journal's capacity (default: 100, or the capacity if smaller).
    #[param(minimum = 1, example = 20)]
    limit: Option<usize>,
}

/// List recent requests (never a secret: tokens are named by id).
#[utoipa::path(get, path = "/__admin/requests", tag = "Requests", params(RequestsQuery),
    responses((status = 200, description = "Recent requests, newest first.", body = RequestList),
              (status = 400, description = "Bad limit.", body = crate::api::error::Problem, content_type = "application/problem+json")))]
pub async fn requests(
    mock: web::Data<MockState>,
    admin: web::Data<AdminState>,
    req: HttpRequest,
    id: RequestId,
) -> HttpResponse {
    let capacity = admin.journal_capacity;
    let given = decode_query(req.query_string())
        .into_iter()
        .find(|(key, _)| key.as_deref() == Ok("limit"))
        .map(|(_, value)| {
            value
                .ok()
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0)
        });
    let limit = given.unwrap_or(capacity.min(100));
    if !(1..=capacity).contains(&limit) {
        return ApiError::InvalidParameters(vec![ParamError {
            parameter: "limit".to_owned(),
            detail: format!(
                "must be an integer between 1 and {}",
                admin.journal_capacity
            ),
        }])
        .into_response(&id);
    }
    HttpResponse::Ok().json(RequestList {
        data: mock.journal.recent(limit),
    })
}

/// Clear the journal.
#[utoipa::path(delete, path = "/__admin/requests", tag = "Requests",
    responses((status = 204, description = "Cleared.")))]
pub async fn clear_requests(mock: web::Data<MockState>) -> HttpResponse {
    mock.journal.clear();
    HttpResponse::NoContent().finish()
}

/// Read latency and injected errors.
#[utoipa::path(get, path = "/__admin/faults", tag = "Faults",
    responses((status = 200, description = "The fault settings.", body = FaultConfig)))]
pub async fn faults(mock: web::Data<MockState>) -> HttpResponse {
    HttpResponse::Ok().json(mock.faults.get())
}

/// Set latency and injected errors for every API request.
#[utoipa::path(put, path = "/__admin/faults", tag = "Faults", request_body = FaultConfig,
    responses((status = 200, description = "The new fault settings.", body = FaultConfig),
              (status = 400, description = "Out of range; `errors` names each field.", body = crate::api::error::Problem, content_type = "application/problem+json")))]
pub async fn set_faults(
    mock: web::Data<MockState>,
    body: web::Json<FaultConfig>,
    id: RequestId,
) -> HttpResponse {
    let problems = body.problems();
    if !problems.is_empty() {
        let errors = problems
            .into_iter()
            .map(|(field, detail)| ParamError {
                parameter: field.path().to_owned(),
                detail,
            })
            .collect();
        return ApiError::InvalidParameters(errors).into_response(&id);
    }
    mock.faults.set(body.into_inner());
    HttpResponse::Ok().json(mock.faults.get())
}

/// Make the next listing fail inside the store: that request gets a 503 problem, the store
/// restarts from its tokens, and the requests after it are answered as before.
#[utoipa::path(post, path = "/__admin/faults/store-failure", tag = "Faults",
    responses((status = 202, description = "The next listing will fail.")))]
pub async fn fail_store(app: web::Data<AppState>) -> HttpResponse {
    app.store.do_send(FailNextList);
    HttpResponse::Accepted().finish()
}

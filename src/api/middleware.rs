//! What every response gets: an `X-Request-Id`, `Cache-Control: no-store`, a log line and an
//! entry in the journal of recent requests.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    HeaderName, HeaderValue, ACCESS_CONTROL_REQUEST_METHOD, CACHE_CONTROL,
};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage};

use super::error::ApiError;
use super::request_id::{RequestId, X_REQUEST_ID};
use super::{AppState, RequestLimits};
use crate::domain::{format_timestamp, TokenId};
use crate::mock::journal::JournalEntry;
use crate::mock::MockState;

/// Assigns the request id, stamps the common headers, logs one line and journals the request.
/// Neither the line nor the journal holds the `Authorization` header; a token is named by id.
pub async fn common(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let id = RequestId::from_header(req.headers().get(X_REQUEST_ID).map(|v| v.as_bytes()));
    req.extensions_mut().insert(id.clone());
    let preflight = req.method() == Method::OPTIONS
        && req.headers().contains_key(ACCESS_CONTROL_REQUEST_METHOD);

    let mut res = next.call(req).await?.map_into_left_body();

    // The CORS layer answers a preflight with 200, or a plain-text 400 when it refuses one:
    // 204 says there is no body to read, and a refusal is a problem like every other error.
    if preflight && res.status() == StatusCode::OK {
        *res.response_mut().status_mut() = StatusCode::NO_CONTENT;
    } else if preflight && res.status() == StatusCode::BAD_REQUEST {
        let response = ApiError::CorsRefused.into_response(&id);
        res = res.into_response(response).map_into_right_body();
    }
    let headers = res.headers_mut();
    if let Ok(value) = HeaderValue::from_str(id.as_str()) {
        headers.insert(HeaderName::from_static(X_REQUEST_ID), value);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));

    let request = res.request();
    let token = request
        .extensions()
        .get::<TokenId>()
        .map(|t| t.as_str().to_owned());
    let elapsed = started.elapsed();
    let status = res.status().as_u16();
    tracing::info!(
        request_id = %id,
        method = %request.method(),
        path = request.path(),
        status,
        duration_us = elapsed.as_micros() as u64,
        token = token.as_deref().unwrap_or("-"),
        "request"
    );
    let app = request.app_data::<web::Data<AppState>>();
    if let Some(app) = app {
        let route = request.match_pattern();
        let route = route.as_deref().unwrap_or("unmatched");
        app.metrics
            .observe_request(route, res.status().as_str(), elapsed.as_secs_f64());
    }
    let mock = request.app_data::<web::Data<MockState>>();
    if let (Some(app), Some(mock)) = (app, mock) {
        if !request.path().starts_with("/__admin") {
            mock.journal.record(JournalEntry {
                at: format_timestamp(&app.clock.now()),
                method: request.method().to_string(),
                path: request.path().to_owned(),
                query: request.query_string().to_owned(),
                status,
                duration_ms: elapsed.as_secs_f64() * 1000.0,
                request_id: id.to_string(),
                token_id: token,
            });
        }
    }
    Ok(res)
}

/// Refuses a query string or headers past the configured sizes. Mounted inside the CORS
/// layer, so that a browser can read the refusal.
pub async fn limits(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let refusal = req
        .app_data::<web::Data<AppState>>()
        .and_then(|app| oversized(&req, app.request_limits));
    match refusal {
        Some(error) => {
            let id = req
                .extensions()
                .get::<RequestId>()
                .cloned()
                .unwrap_or_else(RequestId::generate);
            let response = error.into_response(&id);
            Ok(req.into_response(response).map_into_right_body())
        }
        None => Ok(next.call(req).await?.map_into_left_body()),
    }
}

/// Refuses a query string or headers past the configured sizes.
fn oversized(req: &ServiceRequest, limits: RequestLimits) -> Option<ApiError> {
    if req.query_string().len() > limits.max_query_bytes {
        return Some(ApiError::UriTooLong(limits.max_query_bytes));
    }
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    (header_bytes > limits.max_header_bytes)
        .then_some(ApiError::HeadersTooLarge(limits.max_header_bytes))
}

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

use super::request_id::{RequestId, X_REQUEST_ID};
use super::AppState;
use crate::domain::{format_timestamp, TokenId};
use crate::mock::journal::{JournalEntry, Record};
use crate::mock::MockState;

/// Assigns the request id, stamps the common headers, logs one line and journals the request.
/// Neither the line nor the journal holds the `Authorization` header; a token is named by id.
pub async fn common(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let id = RequestId::from_header(req.headers().get(X_REQUEST_ID).map(|v| v.as_bytes()));
    req.extensions_mut().insert(id.clone());
    let preflight = req.method() == Method::OPTIONS
        && req.headers().contains_key(ACCESS_CONTROL_REQUEST_METHOD);

    let mut res = next.call(req).await?;

    // The CORS layer answers a preflight with 200; 204 says there is no body to read.
    if preflight && res.status() == StatusCode::OK {
        *res.response_mut().status_mut() = StatusCode::NO_CONTENT;
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
    let mock = request.app_data::<web::Data<MockState>>();
    if let (Some(app), Some(mock)) = (app, mock) {
        if !request.path().starts_with("/__admin") {
            mock.journal.do_send(Record(JournalEntry {
                at: format_timestamp(&app.clock.now()),
                method: request.method().to_string(),
                path: request.path().to_owned(),
                query: request.query_string().to_owned(),
                status,
                duration_ms: elapsed.as_secs_f64() * 1000.0,
                request_id: id.to_string(),
                token_id: token,
            }));
        }
    }
    Ok(res)
}

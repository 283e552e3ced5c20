//! What every response gets: an `X-Request-Id`, `Cache-Control: no-store`, a log line.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, CACHE_CONTROL};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

use super::request_id::{RequestId, X_REQUEST_ID};
use crate::domain::TokenId;

/// Assigns the request id, stamps the common headers and logs one line per request. The
/// line never holds the `Authorization` header; the token is named by its id only.
pub async fn common(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let id = RequestId::from_header(req.headers().get(X_REQUEST_ID).map(|v| v.as_bytes()));
    req.extensions_mut().insert(id.clone());
    let method = req.method().clone();
    let path = req.path().to_owned();

    let mut res = next.call(req).await?;

    let headers = res.headers_mut();
    if let Ok(value) = HeaderValue::from_str(id.as_str()) {
        headers.insert(HeaderName::from_static(X_REQUEST_ID), value);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let token = res
        .request()
        .extensions()
        .get::<TokenId>()
        .map(|t| t.as_str().to_owned());
    tracing::info!(
        request_id = %id,
        %method,
        path,
        status = res.status().as_u16(),
        duration_us = started.elapsed().as_micros() as u64,
        token = token.as_deref().unwrap_or("-"),
        "request"
    );
    Ok(res)
}

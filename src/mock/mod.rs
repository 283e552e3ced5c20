//! Mock controls: what frontend teams use to make every state of their UI appear on demand.
//! Forced responses and delays per request (`Prefer`, `__code`, `__delay`), global latency and
//! injected errors, rate limiting, and a journal of recent requests.
//!
//! None of it costs the plain `GET /v1/tokens` path more than a header lookup and a few atomic
//! loads when it is not in use.

pub mod faults;
pub mod forced;
pub mod journal;
pub mod prefer;
pub mod rate_limit;

use std::future::Future;

use actix_web::http::header::{HeaderName, HeaderValue, AUTHORIZATION};
use actix_web::{HttpRequest, HttpResponse};

use crate::api::error::ApiError;
use crate::api::request_id::RequestId;
use crate::auth::bearer_secret;
use crate::domain::{ParamError, SecretDigest};
use forced::Unavailable;
use prefer::Controls;
use rate_limit::Decision;

pub use faults::Faults;
pub use forced::ForcedResponses;
pub use rate_limit::RateLimiter;

/// Everything the mock controls share across workers.
pub struct MockState {
    pub faults: Faults,
    pub forced: ForcedResponses,
    pub rate_limiter: Option<RateLimiter>,
    pub journal: journal::Journal,
}

/// Answers an API request through the mock controls: per-request controls and latency first,
/// then a forced response, the rate limit or an injected fault, or else the real answer.
pub async fn around<F, Fut>(
    req: &HttpRequest,
    request_id: &RequestId,
    mock: &MockState,
    real: F,
) -> HttpResponse
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = HttpResponse>,
{
    let controls = match Controls::parse(req, &mock.forced) {
        Ok(controls) => controls,
        Err(errors) => return ApiError::InvalidParameters(errors).into_response(request_id),
    };
    let delay = controls.delay.unwrap_or_default() + mock.faults.latency();
    if !delay.is_zero() {
        // A timer, not a sleeping thread: other requests on this worker go on meanwhile.
        actix_web::rt::time::sleep(delay).await;
    }
    let limit = mock
        .rate_limiter
        .as_ref()
        .map(|limiter| limiter.check(credentials_key(req)));

    let mut response = if controls.forces_response() {
        forced(&controls, mock, request_id)
    } else if let Some(refused) = limit.filter(|d| !d.allowed) {
        ApiError::RateLimited(refused.reset).into_response(request_id)
    } else if let Some(status) = mock.faults.injected_error() {
        ApiError::Injected(status).into_response(request_id)
    } else {
        real().await
    };
    controls.mark_applied(&mut response);
    if let Some(decision) = limit {
        rate_limit_headers(&mut response, decision);
    }
    response
}

fn forced(controls: &Controls, mock: &MockState, request_id: &RequestId) -> HttpResponse {
    let code = controls.code.unwrap_or(200);
    let example = controls.example.as_ref();
    match mock
        .forced
        .response(code, example.map(|(_, name)| name.as_str()), request_id)
    {
        Ok(response) => response,
        Err(Unavailable::Code(detail) | Unavailable::Example(detail)) => {
            let parameter = example.map_or("Prefer".to_owned(), |(parameter, _)| parameter.clone());
            let detail = if parameter == "Prefer" {
                format!("example {detail}")
            } else {
                detail
            };
            ApiError::InvalidParameters(vec![ParamError { parameter, detail }])
                .into_response(request_id)
        }
    }
}

/// Rate-limit windows are kept per secret (however the header spells the scheme), hashed so
/// that no secret is held; anything that is not one bearer secret shares one window per form.
fn credentials_key(req: &HttpRequest) -> SecretDigest {
    let mut values = req.headers().get_all(AUTHORIZATION);
    match (values.next(), values.next()) {
        (Some(value), None) => match bearer_secret(value.as_bytes()) {
            Some(secret) => SecretDigest::of(secret),
            None => SecretDigest::of(value.as_bytes()),
        },
        (None, _) => SecretDigest::of(b""),
        (Some(_), Some(_)) => SecretDigest::of(b"\n"),
    }
}

fn rate_limit_headers(response: &mut HttpResponse, decision: Decision) {
    let headers = response.headers_mut();
    for (name, value) in [
        ("ratelimit-limit", decision.limit.into()),
        ("ratelimit-remaining", decision.remaining.into()),
        ("ratelimit-reset", decision.reset),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
}

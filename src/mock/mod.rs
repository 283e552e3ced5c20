//! Mock controls: what frontend teams use to make every state of their UI appear on demand,
//! as a middleware around `GET /v1/tokens`. Forced responses and delays per request
//! (`Prefer`, `__code`, `__example`, `__delay`), and the session's latency, injected errors
//! and rate limit.
//!
//! None of it costs the plain path more than a header lookup, a substring test of the query
//! and a few atomic loads when it is not in use.

pub(crate) mod forced;
pub(crate) mod prefer;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage, HttpRequest, HttpResponse};
use serde_json::Value;

use crate::domain::ParamError;
use crate::http::bearer::Caller;
use crate::http::{ApiError, RequestId};
use crate::session::coverage::{PageShape, State};
use crate::session::rate_limit::Decision;
use crate::session::{with_selected, Selected, Session, SESSION_HEADER};
use forced::ForcedResponses;
use prefer::Controls;

/// Answers an API request through the mock controls: per-request controls and latency first,
/// then a forced response, the rate limit or an injected fault, or else the real answer.
///
/// The session is borrowed from the request for each step ([`with_selected`]), never held:
/// a clone would write its reference count, which every worker writes for the default
/// session, and a borrow of the request cannot span the delay's wait.
pub(crate) async fn controls(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // Another method is a 405 whatever the controls say: the resource does not answer it.
    if ![Method::GET, Method::HEAD].contains(req.method()) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    // The caller is read once, for the rate limit here and the store behind the handler.
    let caller = Caller::of(req.headers());
    req.extensions_mut().insert(caller);
    let prepared = with_selected(req.request(), |selected| {
        let controls = prepare(req.request())?;
        let delay = controls.delay.unwrap_or_default() + selected.session.faults.latency();
        Ok((controls, delay))
    });
    let (controls, delay) = match prepared.and_then(|prepared| prepared) {
        Ok(prepared) => prepared,
        Err(error) => return Ok(req.error_response(error)),
    };
    if !delay.is_zero() {
        // A timer, not a sleeping thread: other requests on this worker go on meanwhile.
        actix_web::rt::time::sleep(delay).await;
        let _ = with_selected(req.request(), |selected| {
            selected.session.coverage.record(State::Delayed);
        });
    }
    let decided = with_selected(req.request(), |selected| {
        decide(req.request(), selected, &controls, caller)
    });
    let Decided {
        answer,
        limit,
        session_name,
    } = match decided {
        Ok(decided) => decided,
        Err(error) => return Ok(req.error_response(error)),
    };
    let mut res = match answer {
        Answer::Forced(response) => req.into_response(response),
        Answer::Refused(error) => req.error_response(error),
        Answer::Real => next.call(req).await?.map_into_boxed_body(),
    };
    controls.mark_applied(res.response_mut());
    if let Some(value) = session_name {
        // Tells a page which session answered (exposed to cross-origin scripts by CORS).
        res.headers_mut()
            .insert(HeaderName::from_static(SESSION_HEADER), value);
    }
    if let Some(decision) = limit {
        rate_limit_headers(res.response_mut(), decision);
    }
    Ok(res)
}

/// What the controls decided for a request, once its delay is over.
struct Decided {
    answer: Answer,
    /// The rate limit's decision, when the session limits the rate.
    limit: Option<Decision>,
    /// `X-Mock-Session` of the answer: the name of a named session.
    session_name: Option<HeaderValue>,
}

/// How a request is answered.
enum Answer {
    /// A documented example, forced by the request.
    Forced(HttpResponse),
    /// A refusal: the rate limit or an injected fault.
    Refused(ApiError),
    /// The real answer, by the handler.
    Real,
}

/// Decides, against the request's session, a forced response, the rate limit or an
/// injected fault, in this order, and counts what it shows.
fn decide(req: &HttpRequest, selected: &Selected, controls: &Controls, caller: Caller) -> Decided {
    let session = &selected.session;
    let limit = session
        .rate_limiter
        .as_ref()
        .map(|limiter| limiter.check(caller.window));
    let answer = if let Some(body) = controls.forced_body.clone() {
        let code = controls.code.unwrap_or(200);
        record_forced(session, code, &body);
        let request_id = req
            .extensions()
            .get::<RequestId>()
            .cloned()
            .unwrap_or_else(RequestId::generate);
        let forced = req
            .app_data::<web::Data<ForcedResponses>>()
            .map(|f| f.response(code, body, &request_id, &selected.link_suffix()));
        match forced {
            Some(response) => Answer::Forced(response),
            None => Answer::Refused(ApiError::Internal("no forced responses".to_owned())),
        }
    } else if let Some(refused) = limit.filter(|d| !d.allowed) {
        session.coverage.record(State::RateLimited);
        Answer::Refused(ApiError::RateLimited(refused.reset))
    } else if let Some(status) = session.faults.injected_error() {
        session.coverage.record(match status {
            503 => State::Unavailable,
            _ => State::Internal,
        });
        Answer::Refused(ApiError::Injected(status))
    } else {
        Answer::Real
    };
    let session_name = session
        .name
        .as_ref()
        .and_then(|name| HeaderValue::from_str(name.as_str()).ok());
    Decided {
        answer,
        limit,
        session_name,
    }
}

fn prepare(req: &HttpRequest) -> Result<Controls, ApiError> {
    let forced = req
        .app_data::<web::Data<ForcedResponses>>()
        .ok_or_else(|| ApiError::Internal("no forced responses".to_owned()))?;
    Controls::parse(req, forced).map_err(ApiError::InvalidParameters)
}

/// A forced response counts for the state it shows.
fn record_forced(session: &Session, code: u16, body: &Value) {
    let coverage = &session.coverage;
    match code {
        200 => {
            let meta = &body["meta"];
            let number = |key: &str| meta[key].as_u64().unwrap_or(0);
            coverage.record_page(PageShape {
                page: u32::try_from(number("page")).unwrap_or(1),
                per_page: u32::try_from(number("per_page")).unwrap_or(1),
                total: number("total"),
                shown: body["data"].as_array().map_or(0, Vec::len),
                status: None,
                named: false,
            });
        }
        400 => {
            let errors: Vec<ParamError> = body["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e["parameter"].as_str())
                .map(|p| ParamError::new(p, ""))
                .collect();
            coverage.record_bad_parameters(&errors);
        }
        401 => coverage.record(match body["code"].as_str() {
            Some("missing_token") => State::MissingToken,
            _ => State::InvalidToken,
        }),
        403 => coverage.record(State::InsufficientScope),
        429 => coverage.record(State::RateLimited),
        503 => coverage.record(State::Unavailable),
        _ => coverage.record(State::Internal),
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

#[cfg(test)]
mod tests;

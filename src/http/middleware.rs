//! What every request gets: its query decoded once (`query::of`). What every response gets:
//! an `X-Request-Id`, `Cache-Control: no-store`, the keep-alive
//! timeout (`Keep-Alive: timeout=N`, `keep_alive::announce`), errors rendered as
//! problems carrying that id, one log line, the request metrics and the observers' look.
//!
//! One layer does all of it, with the `Host` check and the settling of CORS answers: every
//! layer costs each request a boxed future and a second pass when a handler waits. The mock,
//! its admin API and the proxy all run inside it; an answer the proxy relays (`Relayed`)
//! goes out as the upstream gave it.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, CACHE_CONTROL, CONTENT_LENGTH};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{web, Error, HttpMessage};

use super::error::ApiError;
use super::request_id::{RequestId, X_REQUEST_ID};
use super::{body_deadline, cors, host, keep_alive, query, RequestLimits};
use crate::domain::{cut_to, marked, TokenId};
use crate::metrics::Metrics;

/// Told of every request once its response is final (the sessions' journal), with the time
/// spent answering it. Mounted as app data: `web::Data<dyn RequestObserver>`.
pub trait RequestObserver: Send + Sync {
    /// Looks at a response as it is sent (problems rendered, common headers stamped);
    /// `elapsed` runs from the request's arrival at the middleware.
    fn observe(&self, res: &ServiceResponse<BoxBody>, elapsed: Duration);
}

/// Decides, once at the start of every request and before any route runs, what the layers
/// and handlers inside read from its extensions (the session it selects). Mounted as app
/// data: `web::Data<dyn RequestContext>`. A decision that refuses the request is stored, not
/// answered: the layer that needs it turns it into the response, so a path that needs no
/// session is not refused for a bad selector.
pub(crate) trait RequestContext: Send + Sync {
    /// Puts the decisions about `req` into its extensions.
    fn decide(&self, req: &ServiceRequest);
}

/// Assigns the request id, decodes the query ([`query::decode`]), decides the request's context ([`RequestContext`]), refuses a `Host` the policy does not allow
/// ([`host::refusal`]), settles CORS answers ([`cors::settle`]), renders errors as problems
/// with the id, stamps the common headers, logs one line, counts the request and shows the
/// final response to the [`RequestObserver`]. The line never holds the `Authorization`
/// header; a token is named by its id.
pub(crate) async fn common(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    // In flight until this future ends: answered, failed, or dropped with its client.
    let _in_flight = req
        .app_data::<web::Data<Metrics>>()
        .map(|metrics| metrics.begin_request());
    let id = RequestId::from_header(
        req.headers()
            .get(HeaderName::from_static(X_REQUEST_ID))
            .map(|v| v.as_bytes()),
    );
    req.extensions_mut().insert(id.clone());
    let limits = req
        .app_data::<web::Data<RequestLimits>>()
        .map(|limits| *limits.as_ref());
    // The query, decoded once for every reader inside (`query::of` reads it).
    let max_query_bytes = limits.map_or(usize::MAX, |limits| limits.max_query_bytes);
    query::decode(req.request(), max_query_bytes);
    // What the layers and handlers inside read, decided before any of them runs. Borrowed:
    // the application's data is shared by every worker, and a clone writes its count.
    if let Some(context) = req.app_data::<web::Data<dyn RequestContext>>() {
        context.decide(&req);
    }
    if let Some(limits) = limits {
        body_deadline::limit(&mut req, limits.body_timeout);
    }
    let preflight = cors::is_preflight(&req);
    let mut res = match host::refusal(&req) {
        Some(refusal) => req.error_response(refusal),
        // Every inner layer answers its errors as responses (`req.error_response`), which
        // come back here to be rendered.
        None => next.call(req).await?.map_into_boxed_body(),
    };
    if res.response().extensions().contains::<Relayed>() {
        // Another server's answer goes out as it came: no id, no `Cache-Control` of ours.
        keep_alive::announce(&mut res);
        return Ok(finish(res, &id, started));
    }
    if let Err(refusal) = cors::settle(preflight, res.response_mut()) {
        let (request, _) = res.into_parts();
        res = ServiceResponse::from_err(refusal, request);
    }

    // Errors are rendered here, once, with this request's id; a cause no client is sent is
    // logged here, once, with the same id.
    let rendered = res
        .response()
        .error()
        .and_then(|error| error.as_error::<ApiError>())
        .map(|error| {
            if let Some(cause) = error.cause_to_log() {
                tracing::error!(request_id = id.as_str(), cause, "request failed");
            }
            error.render(&id)
        });
    if let Some(mut response) = rendered {
        // Headers set on the way out (CORS, rate limits, Preference-Applied) stay.
        for (name, value) in res.headers() {
            if !response.headers().contains_key(name) && name != CONTENT_LENGTH {
                response.headers_mut().append(name.clone(), value.clone());
            }
        }
        res = res.into_response(response);
    }
    let headers = res.headers_mut();
    if let Ok(value) = HeaderValue::from_str(id.as_str()) {
        headers.insert(HeaderName::from_static(X_REQUEST_ID), value);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    keep_alive::announce(&mut res);
    Ok(finish(res, &id, started))
}

/// Logs the request's one line, counts it and shows the final response to the
/// [`RequestObserver`].
fn finish(
    res: ServiceResponse<BoxBody>,
    id: &RequestId,
    started: Instant,
) -> ServiceResponse<BoxBody> {
    let request = res.request();
    let elapsed = started.elapsed();
    let status_code = res.status();
    let status = status_code.as_u16();
    let extensions = request.extensions();
    let token = extensions.get::<TokenId>().map(TokenId::as_str);
    let upstream = extensions.get::<Upstream>();
    let max_logged = request
        .app_data::<web::Data<RequestLimits>>()
        .map_or(usize::MAX, |limits| limits.max_logged_bytes);
    let path = match cut_to(request.path(), max_logged) {
        (whole, 0) => Cow::Borrowed(whole),
        (kept, cut) => Cow::Owned(marked(kept, cut)),
    };
    tracing::info!(
        request_id = id.as_str(),
        method = request.method().as_str(),
        path = &*path,
        status,
        duration_us = elapsed.as_micros() as u64,
        token = token.unwrap_or("-"),
        // Only on a request the proxy forwarded; absent from every other line.
        upstream_status = upstream.and_then(|u| u.status),
        upstream_duration_us = upstream.map(|u| u.duration_us),
        upstream_request_id = upstream.and_then(|u| u.request_id.as_deref()),
        violations = upstream.map(|u| u.violations),
        "request"
    );
    drop(extensions);
    if let Some(metrics) = request.app_data::<web::Data<Metrics>>() {
        let route = request.match_pattern();
        metrics.observe_request(
            route.as_deref().unwrap_or("unmatched"),
            status_code.as_str(),
            elapsed.as_secs_f64(),
        );
    }
    if request
        .app_data::<web::Data<dyn RequestObserver>>()
        .is_none()
    {
        return res;
    }
    let res = with_sent_body(res);
    // Borrowed, as above: no reference count of the observer is written.
    if let Some(observer) = res.request().app_data::<web::Data<dyn RequestObserver>>() {
        observer.observe(&res, elapsed);
    }
    res
}

/// Marks a response relayed from another server (the proxy's forwarded answers, in their
/// extensions): it goes out as it came, with only the keep-alive announcement added, and is
/// logged and counted like every other.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Relayed;

/// What the proxy learnt from the upstream about a request it forwarded, put in the
/// request's extensions: the request's one log line carries it (`upstream_status`,
/// `upstream_duration_us`, `upstream_request_id`, `violations`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Upstream {
    /// The upstream's status code; `None` when it gave no answer (unreachable, timed out).
    pub(crate) status: Option<u16>,
    /// From sending the request to the answer's last byte (or the failure), in microseconds.
    pub(crate) duration_us: u64,
    /// The upstream's own `X-Request-Id`, when it sent one.
    pub(crate) request_id: Option<String>,
    /// How many contract violations the answer showed.
    pub(crate) violations: usize,
}

/// A response body held whole in memory, as it is sent: put in the response's extensions
/// for the [`RequestObserver`] (a streamed body is not).
#[derive(Clone, Debug)]
pub struct SentBody(pub Bytes);

/// The response with its body, when it is whole bytes (every API answer is), also in
/// [`SentBody`]: the bytes are shared, not copied.
fn with_sent_body(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let (request, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let response = match body.try_into_bytes() {
        Ok(bytes) => {
            let mut response = head.set_body(BoxBody::new(bytes.clone()));
            response.extensions_mut().insert(SentBody(bytes));
            response
        }
        Err(body) => head.set_body(body),
    };
    ServiceResponse::new(request, response)
}

/// Refuses a query string or headers past the configured sizes. Mounted inside each CORS
/// layer, so that a browser can read the refusal.
pub(crate) async fn limits(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let refusal = req
        .app_data::<web::Data<RequestLimits>>()
        .and_then(|limits| oversized(&req, limits));
    match refusal {
        Some(error) => Ok(req.error_response(error)),
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}

/// Refuses a query string or headers past the configured sizes.
fn oversized(req: &ServiceRequest, limits: &RequestLimits) -> Option<ApiError> {
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

#[cfg(test)]
mod tests;

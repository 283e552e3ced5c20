//! CORS (the Fetch standard) as the API and the admin API apply it: which pages on other
//! origins may call, which request headers they may send and which response headers they may
//! read; and how a preflight is answered (204, or a 403 problem when refused).

use actix_cors::{Cors, CorsError};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, ACCESS_CONTROL_REQUEST_METHOD};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::HttpResponse;

use super::ApiError;

/// The methods a page may use: those of the API and of the admin API.
const METHODS: [&str; 6] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

/// The response headers a page's script may read.
const EXPOSED: [&str; 8] = [
    "link",
    "retry-after",
    "x-request-id",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
    "preference-applied",
    "x-mock-session",
];

/// CORS of the API: any origin (reflected, with credentials) or the listed ones; any request
/// header a preflight asks for (browser SDKs add `traceparent`, `baggage`, `sentry-trace`,
/// CSRF headers) or the listed ones.
pub(crate) fn api(origins: Option<&[String]>, headers: Option<&[String]>) -> Cors {
    let cors = match origins {
        None => Cors::default().allowed_origin_fn(|_, _| true),
        Some(list) => list
            .iter()
            .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin)),
    };
    with_headers(cors, headers)
        // A page on an origin not listed gets a response without CORS headers, which its
        // browser keeps from it; a refused preflight is a 403 (see [`settle`]).
        .block_on_origin_mismatch(false)
}

/// CORS of the admin API for the origins of `admin.cors_origins`: any header, every method.
/// Other origins never reach it (see `admin::origin`).
pub(crate) fn listed(origins: &[String]) -> Cors {
    let cors = origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin));
    with_headers(cors, None).block_on_origin_mismatch(true)
}

fn with_headers(cors: Cors, headers: Option<&[String]>) -> Cors {
    let cors = match headers {
        None => cors.allow_any_header(),
        Some(list) => cors.allowed_headers(
            list.iter()
                .filter_map(|name| HeaderName::from_bytes(name.as_bytes()).ok()),
        ),
    };
    cors.supports_credentials()
        .allowed_methods(METHODS)
        .expose_headers(EXPOSED.map(HeaderName::from_static))
        .max_age(600)
}

/// The paths that need no credentials: the index, the documents, Swagger UI, the probes and
/// the metrics. Their answers allow any origin the API allows, without credentials.
pub(crate) fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/" | "/docs" | "/openapi.json" | "/openapi.yaml" | "/healthz" | "/readyz" | "/metrics"
    ) || path.starts_with("/docs/")
}

/// Middleware around the API's CORS layer: on [`is_public`] paths, the answer (a preflight's
/// included) never carries `Access-Control-Allow-Credentials`.
pub(crate) async fn public_without_credentials(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let public = is_public(req.path());
    let mut res = next.call(req).await?;
    if public {
        res.headers_mut()
            .remove(header::ACCESS_CONTROL_ALLOW_CREDENTIALS);
    }
    Ok(res)
}

/// How a CORS layer's answer goes out, applied to every response by
/// [`super::middleware::common`]: a preflight it allowed is answered 204 (there is no body to
/// read), and one it refused becomes a 403 `cors_refused` problem like every other error,
/// without CORS headers, so the browser keeps the page from going on.
///
/// `Err` is that problem; the response is otherwise changed in place.
pub(crate) fn settle(preflight: bool, res: &mut HttpResponse) -> Result<(), ApiError> {
    if res
        .error()
        .and_then(|e| e.as_error::<CorsError>())
        .is_some()
    {
        return Err(ApiError::CorsRefused);
    }
    if preflight && res.status() == StatusCode::OK {
        *res.status_mut() = StatusCode::NO_CONTENT;
    }
    Ok(())
}

/// `OPTIONS` with `Access-Control-Request-Method`: a browser asking before the real request.
pub(crate) fn is_preflight(req: &ServiceRequest) -> bool {
    req.method() == Method::OPTIONS && req.headers().contains_key(ACCESS_CONTROL_REQUEST_METHOD)
}

/// Whether `origin` (`scheme://host[:port]`) is the server's own, as a page served by it
/// (Swagger UI at `/docs/`) sends it: the same host and port as the request's `Host`.
pub(crate) fn is_same_origin(origin: &[u8], req: &ServiceRequest) -> bool {
    let Some(host) = req.headers().get(header::HOST) else {
        return false;
    };
    let authority = origin
        .strip_prefix(b"http://")
        .or_else(|| origin.strip_prefix(b"https://"));
    authority.is_some_and(|a| a.eq_ignore_ascii_case(host.as_bytes()))
}

//! What the proxy serves itself: `/healthz`, `/metrics`, `GET /__admin/violations`,
//! problems for every other path, and the `Host` check that guards them all.
//!
//! Violations name requests made with the real API's data, so they are guarded like the
//! mock's admin API: open on loopback; beyond it only with `Authorization: Bearer
//! <admin.token>`, and not served at all without a token.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, ALLOW, AUTHORIZATION, HOST};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpRequest, HttpResponse};
use serde_json::json;
use subtle::ConstantTimeEq;

use super::forward::ProxyState;
use super::problem::problem;
use crate::http::host::HostPolicy;
use crate::http::keep_alive;
use crate::http::request_id::{RequestId, X_REQUEST_ID};

/// Who may read the violations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdminAccess {
    /// Listening on loopback: anyone on this machine.
    Open,
    /// Beyond loopback: only with this bearer token.
    Token(String),
    /// Beyond loopback without a token: answered 404.
    Off,
}

fn request_id(req: &HttpRequest) -> RequestId {
    RequestId::from_header(
        req.headers()
            .get(HeaderName::from_static(X_REQUEST_ID))
            .map(|v| v.as_bytes()),
    )
}

/// `GET /healthz`: the process answers (the upstream is not asked).
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// `GET /metrics`: the proxy's Prometheus text exposition.
pub async fn metrics(state: web::Data<ProxyState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.violations.render())
}

/// `GET /__admin/violations`: counts by rule and the recent violations, newest first.
pub async fn violations(
    req: HttpRequest,
    state: web::Data<ProxyState>,
    access: web::Data<AdminAccess>,
) -> HttpResponse {
    let id = request_id(&req);
    match access.get_ref() {
        AdminAccess::Open => {}
        AdminAccess::Off => {
            return problem(
                StatusCode::FORBIDDEN,
                "admin_off",
                "The admin API is off: the proxy listens beyond loopback and admin.token is \
                 not set. Set admin.token (TOOKEN__ADMIN__TOKEN, 8 or more characters) and send \
                 it as Authorization: Bearer <token>, or listen on loopback.",
                id.as_str(),
                &[],
            )
        }
        AdminAccess::Token(token) => {
            let given = req
                .headers()
                .get(AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, secret)| secret.trim().as_bytes());
            let allowed = given.is_some_and(|given| bool::from(given.ct_eq(token.as_bytes())));
            if !allowed {
                let mut response = problem(
                    StatusCode::UNAUTHORIZED,
                    "missing_token",
                    "Send the admin token (admin.token) as a bearer token.",
                    id.as_str(),
                    &[],
                );
                response.headers_mut().insert(
                    actix_web::http::header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(r#"Bearer realm="tooken-mock admin""#),
                );
                return response;
            }
        }
    }
    let mut response = HttpResponse::Ok().json(state.violations.report());
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    response
}

/// 405 for a method the path does not answer.
pub async fn get_only(req: HttpRequest) -> HttpResponse {
    let mut response = problem(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This resource answers GET only.",
        request_id(&req).as_str(),
        &[],
    );
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static("GET"));
    response
}

/// 404 for every path the proxy does not serve.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    problem(
        StatusCode::NOT_FOUND,
        "not_found",
        "There is nothing at this path; the proxy forwards /v1/tokens.",
        request_id(&req).as_str(),
        &[],
    )
}

/// Refuses a request whose `Host` the server's [`HostPolicy`] does not allow (403
/// `forbidden_host`), before anything is forwarded: the proxy holds the real API's data and a
/// caller's credentials, so a page on a rebound domain must not reach it. `/healthz` is
/// answered whatever the `Host`, as orchestrators call it by address. Every answer announces
/// the keep-alive timeout ([`keep_alive::announce`]).
pub async fn check_host(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let refused = match req.app_data::<web::Data<HostPolicy>>() {
        Some(policy) if req.path() != "/healthz" => req
            .headers()
            .get_all(HOST)
            .any(|value| !policy.allows(value.as_bytes())),
        _ => false,
    };
    if refused {
        let response = problem(
            StatusCode::FORBIDDEN,
            "forbidden_host",
            "The Host header names neither loopback nor a host listed in server.allowed_hosts.",
            request_id(req.request()).as_str(),
            &[],
        );
        let mut res = req.into_response(response);
        keep_alive::announce(&mut res);
        return Ok(res);
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    keep_alive::announce(&mut res);
    Ok(res)
}

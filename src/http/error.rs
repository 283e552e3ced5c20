//! The API's errors, each rendered once as an RFC 9457 problem (`application/problem+json`).

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, HttpResponseBuilder, ResponseError};
use serde::Serialize;

use super::request_id::RequestId;
use crate::domain::{AuthError, ParamError, REQUIRED_SCOPE};

/// The media type of every error body.
pub(crate) const PROBLEM_JSON: &str = "application/problem+json";

/// The `Retry-After` of a documented 429 and of injected 503s, in seconds.
pub(crate) const RETRY_AFTER_SECS: u64 = 30;

/// The `Retry-After` of a 503 `scans_busy`, in seconds: a scan takes milliseconds, so the
/// queue has room again well within it.
pub(crate) const SCANS_BUSY_RETRY_AFTER_SECS: u64 = 1;

/// Everything a request can fail with. Handlers return it as their error; the common
/// middleware renders it with the request's id (see [`ApiError::render`]).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `invalid_parameter`: every bad query parameter (or control header).
    #[error("invalid query parameters")]
    InvalidParameters(Vec<ParamError>),
    /// 400 `invalid_parameter`: every bad field of a JSON request body, named by its JSON location
    /// (`latency_ms.fixed`), or `body` when the body as a whole is unreadable.
    #[error("invalid request body")]
    InvalidBody(Vec<ParamError>),
    /// 401 `missing_token` / `invalid_token`, or 403 `insufficient_scope`.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// 403 `cors_refused`: a CORS preflight for an origin, method or header not allowed.
    #[error("CORS preflight refused")]
    CorsRefused,
    /// 403 `cors_refused`: a page on another origin calling the admin API, which answers its
    /// own origin and those of `admin.cors_origins` only.
    #[error("cross-origin admin request refused")]
    AdminOriginRefused,
    /// 403 `admin_off`: the admin API is off (listening beyond loopback without
    /// `admin.token`); the detail names the setting that turns it on.
    #[error("admin API off")]
    AdminOff,
    /// 404 `not_found`: no resource at this path.
    #[error("not found")]
    NotFound,
    /// 404 `not_found`: no token with this id in the session's data.
    #[error("no such token")]
    NoSuchToken(String),
    /// 404 `not_found`: no session with this name.
    #[error("no such session")]
    NoSuchSession(String),
    /// 405 `method_not_allowed`: the resource answers only the methods listed (`Allow`).
    #[error("method not allowed")]
    MethodNotAllowed(&'static str),
    /// 403 `forbidden_host`: a `Host` that names neither loopback nor an allowed host.
    #[error("forbidden host")]
    ForbiddenHost,
    /// 422 `invalid_token_change`: a token change that breaks the snapshot rules.
    #[error("invalid token change")]
    InvalidChange(Vec<ParamError>),
    /// 414 `uri_too_long`: a query string over the limit, in bytes.
    #[error("URI too long")]
    UriTooLong(usize),
    /// 408 `request_timeout`: the body did not arrive whole within `server.body_timeout_ms`;
    /// the connection is closed.
    #[error("request body timeout")]
    BodyTimeout,
    /// 431 `headers_too_large`: request headers over the limit, in bytes.
    #[error("request headers too large")]
    HeadersTooLarge(usize),
    /// 413 `payload_too_large`: a body over `limit` bytes, the value of `setting`.
    #[error("payload too large")]
    PayloadTooLarge { limit: usize, setting: &'static str },
    /// 422 `invalid_snapshot`: a snapshot given to the admin API has `total` problems, of
    /// which the first ones are listed.
    #[error("invalid snapshot")]
    InvalidSnapshot {
        errors: Vec<ParamError>,
        total: usize,
    },
    /// 429 `rate_limited`: over the per-secret limit; retry after this many seconds.
    #[error("rate limited")]
    RateLimited(u64),
    /// 500 `internal` or 503 `unavailable`, injected by the fault settings.
    #[error("injected fault")]
    Injected(u16),
    /// 503 `unavailable`: a background task could not answer.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 503 `scans_busy`: a name filter found every scan thread busy and the queue of scans
    /// waiting for one full (`store.scan_queue`); retry after
    /// [`SCANS_BUSY_RETRY_AFTER_SECS`].
    #[error("name-filter scans busy")]
    ScansBusy,
    /// 500 `internal`: the cause is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
    /// 504 `upstream_timeout` (proxy): the upstream did not answer within
    /// `upstream.timeout_ms`; the cause is logged, never sent.
    #[error("upstream timeout: {0}")]
    UpstreamTimeout(String),
    /// 502 `upstream_unreachable` (proxy): the upstream could not be reached; the cause is
    /// logged.
    #[error("upstream unreachable: {0}")]
    UpstreamUnreachable(String),
    /// 502 `upstream_invalid` (proxy): the upstream's answer could not be read; the cause is
    /// logged.
    #[error("upstream answer unreadable: {0}")]
    UpstreamInvalid(String),
    /// 502 `upstream_too_large` (proxy): the upstream's body is larger than this many bytes
    /// (`upstream.max_response_bytes`).
    #[error("upstream body too large")]
    UpstreamTooLarge(usize),
    /// 502 `contract_violation` (proxy, `--strict`): the upstream answered `upstream_status`,
    /// breaking the rules of the API's contract listed in `violations` (a JSON array), which
    /// the problem carries as members of its own.
    #[error("contract violation")]
    ContractViolation {
        upstream_status: u16,
        violations: serde_json::Value,
    },
}

/// An RFC 9457 problem details object.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Problem {
    /// Always `about:blank`: the status code says what happened.
    #[schema(example = "about:blank")]
    pub r#type: &'static str,
    /// The reason phrase of the status.
    #[schema(example = "Bad Request")]
    pub title: &'static str,
    /// The HTTP status code.
    #[schema(example = 400)]
    pub status: u16,
    /// One sentence about this occurrence.
    #[schema(example = "The query has 1 invalid parameter.")]
    pub detail: String,
    /// A machine-readable code.
    #[schema(example = "invalid_parameter")]
    pub code: &'static str,
    /// The `X-Request-Id` of the request.
    #[schema(example = "req_3f9a1c7b2e8d4a6f0b5c9e1d")]
    pub request_id: String,
    /// Every bad parameter (400 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub errors: Option<Vec<ParamError>>,
}

impl ApiError {
    /// The status code of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidParameters(_) | ApiError::InvalidBody(_) => StatusCode::BAD_REQUEST,
            ApiError::Auth(AuthError::InsufficientScope) => StatusCode::FORBIDDEN,
            ApiError::ForbiddenHost => StatusCode::FORBIDDEN,
            ApiError::NoSuchToken(_) | ApiError::NoSuchSession(_) => StatusCode::NOT_FOUND,
            ApiError::InvalidChange(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Auth(_) => StatusCode::UNAUTHORIZED,
            ApiError::CorsRefused | ApiError::AdminOriginRefused => StatusCode::FORBIDDEN,
            ApiError::AdminOff => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            ApiError::HeadersTooLarge(_) => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::InvalidSnapshot { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Injected(503) | ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::ScansBusy => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Injected(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::UpstreamTimeout(_) => StatusCode::GATEWAY_TIMEOUT,
            ApiError::UpstreamUnreachable(_)
            | ApiError::UpstreamInvalid(_)
            | ApiError::UpstreamTooLarge(_)
            | ApiError::ContractViolation { .. } => StatusCode::BAD_GATEWAY,
        }
    }

    /// The machine-readable `code` of the problem.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidParameters(_) | ApiError::InvalidBody(_) => "invalid_parameter",
            ApiError::ForbiddenHost => "forbidden_host",
            ApiError::NoSuchToken(_) | ApiError::NoSuchSession(_) => "not_found",
            ApiError::InvalidChange(_) => "invalid_token_change",
            ApiError::Auth(AuthError::Missing) => "missing_token",
            ApiError::Auth(AuthError::InsufficientScope) => "insufficient_scope",
            ApiError::Auth(_) => "invalid_token",
            ApiError::CorsRefused | ApiError::AdminOriginRefused => "cors_refused",
            ApiError::AdminOff => "admin_off",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::BodyTimeout => "request_timeout",
            ApiError::UriTooLong(_) => "uri_too_long",
            ApiError::HeadersTooLarge(_) => "headers_too_large",
            ApiError::InvalidSnapshot { .. } => "invalid_snapshot",
            ApiError::RateLimited(_) => "rate_limited",
            ApiError::Injected(503) | ApiError::Unavailable(_) => "unavailable",
            ApiError::ScansBusy => "scans_busy",
            ApiError::Injected(_) | ApiError::Internal(_) => "internal",
            ApiError::UpstreamTimeout(_) => "upstream_timeout",
            ApiError::UpstreamUnreachable(_) => "upstream_unreachable",
            ApiError::UpstreamInvalid(_) => "upstream_invalid",
            ApiError::UpstreamTooLarge(_) => "upstream_too_large",
            ApiError::ContractViolation { .. } => "contract_violation",
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::InvalidParameters(errors) if errors.len() == 1 => {
                "The query has 1 invalid parameter.".to_owned()
            }
            ApiError::InvalidParameters(errors) => {
                format!("The query has {} invalid parameters.", errors.len())
            }
            ApiError::InvalidBody(errors) if errors.len() == 1 => {
                "The request body has 1 invalid field.".to_owned()
            }
            ApiError::InvalidBody(errors) => {
                format!("The request body has {} invalid fields.", errors.len())
            }
            ApiError::ForbiddenHost => "The Host header names neither loopback nor a host \
                listed in server.allowed_hosts."
                .to_owned(),
            ApiError::NoSuchToken(id) => format!("There is no token {id} in this session."),
            ApiError::NoSuchSession(name) => format!("There is no session named {name}."),
            ApiError::InvalidChange(errors) => format!(
                "The change has {} problem(s); nothing was changed.",
                errors.len()
            ),
            ApiError::Auth(AuthError::Missing) => {
                "Send a bearer token in the Authorization header.".to_owned()
            }
            ApiError::Auth(AuthError::InsufficientScope) => {
                format!("The token lacks the {REQUIRED_SCOPE} scope.")
            }
            ApiError::Auth(cause) => format!("The {cause}."),
            ApiError::CorsRefused => {
                "The CORS settings do not allow this origin, method or header.".to_owned()
            }
            ApiError::AdminOriginRefused => "The admin API answers pages of its own origin \
                only; list other origins in admin.cors_origins."
                .to_owned(),
            ApiError::AdminOff => "The admin API is off: the server listens beyond loopback \
                and admin.token is not set. Set admin.token (TOOKEN__ADMIN__TOKEN, 8 or more \
                characters) and send it as Authorization: Bearer <token>, or listen on loopback."
                .to_owned(),
            ApiError::NotFound => "There is nothing at this path.".to_owned(),
            ApiError::MethodNotAllowed(allow) => format!("This resource answers {allow} only."),
            ApiError::UriTooLong(limit) => {
                format!("The query string is longer than the limit of {limit} bytes.")
            }
            ApiError::HeadersTooLarge(limit) => {
                format!("The request headers are larger than the limit of {limit} bytes.")
            }
            ApiError::PayloadTooLarge { limit, setting } => {
                format!("The body is larger than the limit of {limit} bytes ({setting}).")
            }
            ApiError::BodyTimeout => "The request body did not arrive whole within \
                server.body_timeout_ms."
                .to_owned(),
            ApiError::InvalidSnapshot { errors, total } if errors.len() < *total => {
                format!(
                    "The snapshot has {total} problem(s), the first {} listed \
                     (snapshot.max_problems); nothing was changed.",
                    errors.len()
                )
            }
            ApiError::InvalidSnapshot { total, .. } => {
                format!("The snapshot has {total} problem(s); nothing was changed.")
            }
            ApiError::RateLimited(after) => {
                format!("Too many requests; retry after {after} seconds.")
            }
            ApiError::Injected(503) | ApiError::Unavailable(_) => {
                "The service is unavailable; try again shortly.".to_owned()
            }
            ApiError::ScansBusy => format!(
                "Every name-filter scan thread is busy and store.scan_queue scans are waiting; \
                 retry after {SCANS_BUSY_RETRY_AFTER_SECS} second(s)."
            ),
            ApiError::Injected(_) | ApiError::Internal(_) => {
                "Something went wrong on our side.".to_owned()
            }
            ApiError::UpstreamTimeout(_) => {
                "The upstream did not answer within upstream.timeout_ms.".to_owned()
            }
            ApiError::UpstreamUnreachable(_) => "The upstream could not be reached.".to_owned(),
            ApiError::UpstreamInvalid(_) => "The upstream's answer could not be read.".to_owned(),
            ApiError::UpstreamTooLarge(limit) => {
                format!("The upstream's body is larger than upstream.max_response_bytes ({limit}).")
            }
            ApiError::ContractViolation { violations, .. } => {
                match violations.as_array().map_or(0, Vec::len) {
                    1 => "The upstream's response breaks 1 rule of the API's contract.".to_owned(),
                    n => format!("The upstream's response breaks {n} rules of the API's contract."),
                }
            }
        }
    }

    /// What the log must say of this error, once, with the request's id: the cause of a 500 or
    /// a 503 that no client is sent.
    pub(crate) fn cause_to_log(&self) -> Option<&str> {
        match self {
            ApiError::Internal(cause)
            | ApiError::Unavailable(cause)
            | ApiError::UpstreamTimeout(cause)
            | ApiError::UpstreamUnreachable(cause)
            | ApiError::UpstreamInvalid(cause) => Some(cause),
            _ => None,
        }
    }

    /// The status and headers of the problem, without its body.
    fn head(&self) -> HttpResponseBuilder {
        let status = self.status();
        let mut response = HttpResponse::build(status);
        response.content_type(PROBLEM_JSON);
        if let Some(challenge) = challenge(self) {
            response.insert_header((header::WWW_AUTHENTICATE, challenge));
        }
        match self {
            ApiError::MethodNotAllowed(allow) => {
                response.insert_header((header::ALLOW, HeaderValue::from_static(allow)));
            }
            ApiError::RateLimited(after) => {
                response.insert_header((header::RETRY_AFTER, HeaderValue::from(*after)));
            }
            ApiError::Injected(503) | ApiError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS)));
            }
            ApiError::ScansBusy => {
                let after = HeaderValue::from(SCANS_BUSY_RETRY_AFTER_SECS);
                response.insert_header((header::RETRY_AFTER, after));
            }
            // The rest of the body may still come: the connection cannot carry another request.
            ApiError::BodyTimeout => {
                response.force_close();
            }
            _ => {}
        }
        response
    }

    /// Renders the problem for the request `request_id`. Logs nothing: the common middleware
    /// logs [`ApiError::cause_to_log`] once, with the same id.
    pub fn render(&self, request_id: &RequestId) -> HttpResponse {
        let status = self.status();
        let mut response = self.head();
        let problem = Problem {
            r#type: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: self.detail(),
            code: self.code(),
            request_id: request_id.to_string(),
            errors: match self {
                ApiError::InvalidParameters(errors)
                | ApiError::InvalidBody(errors)
                | ApiError::InvalidSnapshot { errors, .. }
                | ApiError::InvalidChange(errors) => Some(errors.clone()),
                _ => None,
            },
        };
        match self {
            // RFC 9457 §3.2: extension members beside the standard ones.
            ApiError::ContractViolation {
                upstream_status,
                violations,
            } => {
                let mut body = serde_json::to_value(problem).unwrap_or_default();
                if let Some(members) = body.as_object_mut() {
                    members.insert("upstream_status".to_owned(), (*upstream_status).into());
                    members.insert("violations".to_owned(), violations.clone());
                }
                response.json(body)
            }
            _ => response.json(problem),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    /// The status and headers only, with no side effect: the body needs the request's id,
    /// which only the common middleware knows, so it renders the problem there, once (see
    /// `http::middleware::common`).
    fn error_response(&self) -> HttpResponse {
        self.head().finish()
    }
}

/// The `WWW-Authenticate` challenge of a 401 or 403 (RFC 6750 §3).
pub(crate) fn challenge(error: &ApiError) -> Option<String> {
    match error {
        ApiError::Auth(AuthError::Missing) => Some(r#"Bearer realm="tooken""#.to_owned()),
        ApiError::Auth(AuthError::InsufficientScope) => Some(format!(
            r#"Bearer realm="tooken", error="insufficient_scope", scope="{REQUIRED_SCOPE}""#
        )),
        ApiError::Auth(cause) => Some(format!(
            r#"Bearer realm="tooken", error="invalid_token", error_description="{cause}""#
        )),
        _ => None,
    }
}

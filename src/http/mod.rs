//! What every route shares and nothing else: the request id, the one error type rendered as
//! an RFC 9457 problem, bearer credentials, admin access, `Prefer`, CORS, the `Host` check,
//! the 405 and `Allow` of every route list, and the middleware that stamps every response.
//! The mock, its admin API and the proxy are sets of routes on this one shell.
//! It depends on no route module; `api`, `admin` and `mock` depend on it.

pub(crate) mod access;
pub(crate) mod bearer;
pub(crate) mod body_deadline;
pub(crate) mod cors;
pub(crate) mod error;
pub(crate) mod forwarded;
pub(crate) mod host;
pub(crate) mod keep_alive;
pub(crate) mod links;
pub(crate) mod methods;
pub mod middleware;
pub(crate) mod prefer;
pub(crate) mod query;
pub(crate) mod request_id;

pub(crate) use error::{ApiError, Problem, PROBLEM_JSON};
pub(crate) use forwarded::forwarded_prefix;
pub use request_id::RequestId;

/// Sizes past which a request is refused before any handler runs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RequestLimits {
    /// The longest query string accepted, in bytes (414 past it).
    pub(crate) max_query_bytes: usize,
    /// The largest total of request headers accepted, in bytes (431 past it).
    pub(crate) max_header_bytes: usize,
    /// How long a request body has to arrive whole (408 past it).
    pub body_timeout: std::time::Duration,
    /// The most bytes of a client-given value (the path) a log line holds (`log.max_field_bytes`).
    pub(crate) max_logged_bytes: usize,
}

/// The answer for every path nothing else claims: 404 `not_found`.
pub(crate) async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

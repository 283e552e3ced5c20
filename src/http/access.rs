//! Who may use the mock-control routes (the mock's `/__admin/`, the proxy's
//! `/__admin/violations`): one rule for both servers.
//!
//! They hold requests made with real data and change what the mock answers, so on loopback
//! anyone on this machine may call them; beyond loopback only the holder of `admin.token`,
//! sent as `Authorization: Bearer <admin.token>` ([`super::bearer`]); and beyond loopback
//! without a token nobody: every call is a 403 `admin_off` naming the setting.

use actix_web::http::header::HeaderMap;

use super::bearer::Credentials;
use super::ApiError;

/// Who may use the mock-control routes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AdminAccess {
    /// Listening on loopback: anyone on this machine.
    Open,
    /// Listening beyond loopback: only with this bearer token.
    Token(String),
    /// Listening beyond loopback without a token: every call is refused.
    Off,
}

impl AdminAccess {
    /// The rule of a server that listens on loopback or beyond it, with `admin.token` (empty
    /// when not set).
    pub(crate) fn new(on_loopback: bool, token: Option<&str>) -> AdminAccess {
        match (on_loopback, token) {
            (true, _) => AdminAccess::Open,
            (false, None) => AdminAccess::Off,
            (false, Some(token)) => AdminAccess::Token(token.to_owned()),
        }
    }

    /// Lets a request with these headers in, or says why not: 403 `admin_off`, 401
    /// `missing_token` without a bearer secret, 401 `invalid_token` for another secret or
    /// several `Authorization` fields.
    pub(crate) fn check(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        match self {
            AdminAccess::Open => Ok(()),
            AdminAccess::Off => Err(ApiError::AdminOff),
            AdminAccess::Token(token) => Credentials::of(headers)
                .check(token.as_bytes())
                .map_err(ApiError::Auth),
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderMap, HeaderValue, AUTHORIZATION};

    use super::AdminAccess;

    #[test]
    fn loopback_is_open_and_beyond_it_the_token_decides() {
        assert_eq!(AdminAccess::new(true, None), AdminAccess::Open);
        assert_eq!(AdminAccess::new(false, None), AdminAccess::Off);
        let access = AdminAccess::new(false, Some("admin-token"));
        let mut headers = HeaderMap::new();
        assert!(access.check(&headers).is_err());
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_static("bearer admin-token"),
        );
        assert!(access.check(&headers).is_ok());
    }
}

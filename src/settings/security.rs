//! The settings that decide who may call the server: the `Host` values it answers
//! (`server.allowed_hosts`), and which pages on other origins may call the API
//! (`cors.allowed_origins`, `cors.allowed_headers`) and the admin API (`admin.cors_origins`).

use super::{Settings, SettingsError};
use crate::http::host::HostPolicy;

/// Comma-separated `http://` or `https://` origins (`https://app.example.com:3000`), or
/// `None` when one is not an origin.
pub(super) fn origin_list(text: &str) -> Option<Vec<String>> {
    let origins: Vec<String> = text.split(',').map(|o| o.trim().to_owned()).collect();
    let well_formed = |origin: &str| {
        let rest = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"));
        rest.is_some_and(|host| {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
    };
    origins.iter().all(|o| well_formed(o)).then_some(origins)
}

/// Comma-separated header names (RFC 9110 §5.1 tokens), lowercase, or `None` when one is not.
fn header_list(text: &str) -> Option<Vec<String>> {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    text.split(',')
        .map(|name| {
            let name = name.trim();
            (!name.is_empty() && name.bytes().all(token)).then(|| name.to_ascii_lowercase())
        })
        .collect()
}

impl Settings {
    pub(super) fn validate_security(&self) -> Result<(), SettingsError> {
        let invalid = |key, problem: &str| {
            Err(SettingsError::Invalid {
                key,
                problem: problem.to_owned(),
            })
        };
        if let Err(problem) = HostPolicy::new(&self.server.allowed_hosts, true) {
            return invalid("server.allowed_hosts", problem);
        }
        let headers = self.cors.allowed_headers.trim();
        if !headers.is_empty() && header_list(headers).is_none() {
            return invalid(
                "cors.allowed_headers",
                "must be empty (any header a preflight asks for) or comma-separated header \
                 names such as authorization, content-type, prefer",
            );
        }
        let origins = self.admin.cors_origins.trim();
        if !origins.is_empty() && origin_list(origins).is_none() {
            return invalid(
                "admin.cors_origins",
                "must be empty (the server's own origin only) or comma-separated origins such \
                 as http://localhost:5173; * is not accepted",
            );
        }
        Ok(())
    }

    /// Which `Host` values are answered (checked at load).
    pub fn host_policy(&self) -> HostPolicy {
        HostPolicy::new(&self.server.allowed_hosts, self.listens_on_loopback())
            .unwrap_or(HostPolicy::Only(Vec::new()))
    }

    /// The request headers a CORS preflight may ask for; `None` allows whatever it asks for
    /// (checked at load).
    pub fn allowed_headers(&self) -> Option<Vec<String>> {
        let text = self.cors.allowed_headers.trim();
        (!text.is_empty()).then(|| header_list(text)).flatten()
    }

    /// The origins whose pages may call the admin API besides its own (checked at load).
    pub fn admin_cors_origins(&self) -> Vec<String> {
        let text = self.admin.cors_origins.trim();
        match text {
            "" => Vec::new(),
            _ => origin_list(text).unwrap_or_default(),
        }
    }
}

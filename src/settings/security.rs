//! The settings that decide who may call the server, each parsed once as the settings are
//! read: the request headers a CORS preflight may ask for (`cors.allowed_headers`) and the
//! origins whose pages may call the admin API (`admin.cors_origins`). The `Host` values
//! answered (`server.allowed_hosts`) are [`crate::http::host::AllowedHosts`].

use serde::Deserialize;

use super::values::{AllowedOrigins, Origin};
use super::Settings;
use crate::http::host::HostPolicy;

/// `cors.allowed_headers`: the request headers a preflight may ask for.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum AllowedHeaders {
    /// Empty: whatever the preflight asks for (browser SDKs add `traceparent`, `baggage`,
    /// `sentry-trace`, CSRF headers).
    Any,
    /// Only these header names, lowercase.
    List(Vec<String>),
}

impl TryFrom<String> for AllowedHeaders {
    type Error = String;

    fn try_from(text: String) -> Result<AllowedHeaders, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(AllowedHeaders::Any);
        }
        // RFC 9110 §5.1: a field name is a token.
        let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        text.split(',')
            .map(|name| {
                let name = name.trim();
                if !name.is_empty() && name.bytes().all(token) {
                    Ok(name.to_ascii_lowercase())
                } else {
                    Err(format!(
                        "{name:?} is not a header name; give empty (any header a preflight \
                         asks for) or comma-separated names such as authorization, prefer"
                    ))
                }
            })
            .collect::<Result<_, _>>()
            .map(AllowedHeaders::List)
    }
}

/// `admin.cors_origins`: the origins besides its own whose pages may call the admin API.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct AdminOrigins(Vec<Origin>);

impl TryFrom<String> for AdminOrigins {
    type Error = String;

    fn try_from(text: String) -> Result<AdminOrigins, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(AdminOrigins::default());
        }
        // The admin API holds the whole state: every origin is named, none is implied.
        if text.split(',').any(|origin| origin.trim() == "*") {
            return Err("must list origins; * is not accepted for the admin API".to_owned());
        }
        text.split(',')
            .map(|origin| Origin::parse(origin.trim()))
            .collect::<Result<_, _>>()
            .map(AdminOrigins)
            .map_err(|problem| {
                format!(
                    "{problem}; give empty (the server's own origin only) or comma-separated \
                     origins such as http://localhost:5173"
                )
            })
    }
}

impl AdminOrigins {
    /// The origins as browsers send them.
    pub(crate) fn as_strings(&self) -> Vec<String> {
        self.0.iter().map(|o| o.as_str().to_owned()).collect()
    }
}

impl Settings {
    /// Which `Host` values are answered (DNS rebinding protection).
    pub(crate) fn host_policy(&self) -> HostPolicy {
        HostPolicy::new(&self.server.allowed_hosts, self.listens_on_loopback())
    }

    /// The origins the API's CORS allows, as browsers send them; `None` allows any.
    pub(crate) fn api_cors_origins(&self) -> Option<Vec<String>> {
        match &self.cors.allowed_origins {
            AllowedOrigins::Any => None,
            AllowedOrigins::List(list) => {
                Some(list.iter().map(|o| o.as_str().to_owned()).collect())
            }
        }
    }

    /// The request headers a preflight may ask for; `None` allows any.
    pub(crate) fn api_cors_headers(&self) -> Option<Vec<String>> {
        match &self.cors.allowed_headers {
            AllowedHeaders::Any => None,
            AllowedHeaders::List(list) => Some(list.clone()),
        }
    }
}

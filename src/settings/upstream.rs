//! Settings of the commands that talk to a real API: the HTTP client towards the upstream
//! (`[upstream]`, shared by `proxy` and `record`) and the validation proxy (`[proxy]`).

use std::time::Duration;

use serde::Deserialize;

use super::SettingsError;

/// The HTTP client towards the upstream API.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamSettings {
    /// The API's base URL, the server URL of the document (`https://api.tooken.io/v1`):
    /// `/v1/tokens` is forwarded to `<url>/tokens`. Empty until `--upstream` or `--from`.
    pub url: String,
    /// Milliseconds a whole exchange (connect, send, read the body) may take.
    pub timeout_ms: u64,
    /// Milliseconds a TCP and TLS connection may take to open.
    pub connect_timeout_ms: u64,
    /// Idle connections kept open per upstream host for reuse.
    pub max_idle_connections: usize,
    /// Seconds an idle connection is kept before it is closed.
    pub idle_timeout_secs: u64,
    /// The largest upstream body read, in bytes; a larger one is a 502.
    pub max_response_bytes: usize,
    /// How many times `record` retries a page answered 429, one after another.
    pub max_retries: u32,
    /// The longest `Retry-After` that `record` waits, in seconds; a longer one stops it.
    pub max_retry_after_secs: u64,
}

/// The validation proxy.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProxySettings {
    /// Answer a response that breaks a rule with a 502 problem listing the violations.
    pub strict: bool,
    /// How many violations `GET /__admin/violations` keeps, newest first.
    pub violations_capacity: usize,
}

impl UpstreamSettings {
    /// The exchange timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }

    /// The base URL without a trailing slash, checked at load.
    pub fn base_url(&self) -> &str {
        self.url.trim_end_matches('/')
    }

    /// Checks every value; an empty URL is accepted here and refused by the commands that
    /// need one, so that serving the mock never asks for it.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        let invalid = |key, problem: &str| {
            Err(SettingsError::Invalid {
                key,
                problem: problem.to_owned(),
            })
        };
        if !self.url.is_empty() && !is_base_url(&self.url) {
            return invalid(
                "upstream.url",
                "must be an http:// or https:// URL without query or fragment, such as \
                 https://api.tooken.io/v1",
            );
        }
        if !(100..=600_000).contains(&self.timeout_ms) {
            return invalid("upstream.timeout_ms", "must be between 100 and 600000");
        }
        if !(100..=600_000).contains(&self.connect_timeout_ms) {
            return invalid(
                "upstream.connect_timeout_ms",
                "must be between 100 and 600000",
            );
        }
        if self.max_idle_connections > 1024 {
            return invalid(
                "upstream.max_idle_connections",
                "must be between 0 and 1024",
            );
        }
        if self.idle_timeout_secs > 3600 {
            return invalid("upstream.idle_timeout_secs", "must be between 0 and 3600");
        }
        if !(1024..=1_073_741_824).contains(&self.max_response_bytes) {
            return invalid(
                "upstream.max_response_bytes",
                "must be between 1024 and 1073741824",
            );
        }
        if self.max_retries > 100 {
            return invalid("upstream.max_retries", "must be between 0 and 100");
        }
        if self.max_retry_after_secs > 3600 {
            return invalid(
                "upstream.max_retry_after_secs",
                "must be between 0 and 3600",
            );
        }
        Ok(())
    }
}

impl ProxySettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if !(1..=100_000).contains(&self.violations_capacity) {
            return Err(SettingsError::Invalid {
                key: "proxy.violations_capacity",
                problem: "must be between 1 and 100000".to_owned(),
            });
        }
        Ok(())
    }
}

/// An absolute http(s) URL with a host and no query or fragment.
fn is_base_url(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|url| {
        matches!(url.scheme(), "http" | "https")
            && url.host_str().is_some_and(|h| !h.is_empty())
            && url.query().is_none()
            && url.fragment().is_none()
            && url.username().is_empty()
            && url.password().is_none()
    })
}

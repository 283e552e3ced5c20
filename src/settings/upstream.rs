//! Settings of the commands that talk to a real API: the HTTP client towards the upstream
//! (`[upstream]`, shared by `proxy` and `record`) and the validation proxy (`[proxy]`).

use std::ops::RangeInclusive;
use std::time::Duration;

use serde::Deserialize;

use super::validate::{in_range, invalid};
use super::SettingsError;

/// `upstream.timeout_ms` and `upstream.connect_timeout_ms`.
const TIMEOUT_MS: RangeInclusive<u64> = 100..=600_000;
/// `upstream.max_idle_connections`, per worker.
const IDLE_CONNECTIONS: RangeInclusive<usize> = 0..=1024;
/// `upstream.idle_timeout_secs`.
const IDLE_TIMEOUT_SECS: RangeInclusive<u64> = 0..=3600;
/// `upstream.max_response_bytes`: 1 KiB to 1 GiB.
const RESPONSE_BYTES: RangeInclusive<usize> = 1024..=1_073_741_824;
/// `upstream.max_retries`.
const RETRIES: RangeInclusive<u32> = 0..=100;
/// `upstream.max_retry_after_secs`.
const RETRY_AFTER_SECS: RangeInclusive<u64> = 0..=3600;
/// `upstream.max_record_tokens`.
const RECORD_TOKENS: RangeInclusive<u64> = 1..=100_000_000;
/// `proxy.violations_capacity`.
const VIOLATIONS_CAPACITY: RangeInclusive<usize> = 1..=100_000;

/// The HTTP client towards the upstream API.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamSettings {
    /// The API's base URL, the server URL of the document (`https://api.tooken.io/v1`):
    /// `/v1/tokens` is forwarded to `<url>/tokens`. `None` (an empty value in a file or
    /// variable) until `--upstream` or `--from`; `proxy` and `record` refuse to start without
    /// one ([`UpstreamSettings::required_base_url`]).
    #[serde(deserialize_with = "super::values::empty_is_none")]
    pub url: Option<String>,
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
    /// The most tokens `record` reads: a larger `meta.total` stops it before page 2.
    pub max_record_tokens: u64,
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
    pub(crate) fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }

    /// The base URL without a trailing slash, checked at load; `None` when none is set.
    pub fn base_url(&self) -> Option<&str> {
        self.url.as_deref().map(|url| url.trim_end_matches('/'))
    }

    /// The base URL of a command that needs one (`proxy`, `record`), or the start-up error
    /// naming `upstream.url` and the command's `flag` (`--upstream`, `--from`).
    pub fn required_base_url(&self, flag: &str) -> Result<&str, SettingsError> {
        self.base_url().ok_or_else(|| SettingsError::Invalid {
            key: "upstream.url".to_owned(),
            problem: format!(
                "none is set: give {flag} URL (or set upstream.url), such as \
                 https://api.tooken.io/v1"
            ),
        })
    }

    /// Checks every value; no URL is accepted here and refused by the commands that need
    /// one, so that serving the mock never asks for it.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.url.as_deref().is_some_and(|url| !is_base_url(url)) {
            return invalid(
                "upstream.url",
                "must be an http:// or https:// URL without query or fragment, such as \
                 https://api.tooken.io/v1",
            );
        }
        in_range("upstream.timeout_ms", self.timeout_ms, TIMEOUT_MS)?;
        in_range(
            "upstream.connect_timeout_ms",
            self.connect_timeout_ms,
            TIMEOUT_MS,
        )?;
        in_range(
            "upstream.max_idle_connections",
            self.max_idle_connections,
            IDLE_CONNECTIONS,
        )?;
        in_range(
            "upstream.idle_timeout_secs",
            self.idle_timeout_secs,
            IDLE_TIMEOUT_SECS,
        )?;
        in_range(
            "upstream.max_response_bytes",
            self.max_response_bytes,
            RESPONSE_BYTES,
        )?;
        in_range("upstream.max_retries", self.max_retries, RETRIES)?;
        in_range(
            "upstream.max_retry_after_secs",
            self.max_retry_after_secs,
            RETRY_AFTER_SECS,
        )?;
        in_range(
            "upstream.max_record_tokens",
            self.max_record_tokens,
            RECORD_TOKENS,
        )
    }
}

impl ProxySettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        in_range(
            "proxy.violations_capacity",
            self.violations_capacity,
            VIOLATIONS_CAPACITY,
        )
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

//! The settings whose values are more than a number or a string, each parsed once as the
//! settings are read. A refused value's message says what it must be; the loader puts the
//! key in front of it (`invalid setting log.level: must be one of ...`).

use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use url::{Host, Url};

use crate::domain::faults::{FaultConfig, FaultField, Latency};
use crate::domain::parse_timestamp;

/// `log.level`: the least severe level logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum LogLevel {
    /// `error`: errors only.
    Error,
    /// `warn`: warnings and errors.
    Warn,
    /// `info` (the default): informational events too.
    Info,
    /// `debug`: debugging detail too.
    Debug,
    /// `trace`: the finest detail too.
    Trace,
    /// `off`: nothing is logged.
    Off,
}

impl LogLevel {
    const ALL: [LogLevel; 6] = [
        LogLevel::Error,
        LogLevel::Warn,
        LogLevel::Info,
        LogLevel::Debug,
        LogLevel::Trace,
        LogLevel::Off,
    ];

    /// The level as settings and `tracing` filter directives spell it: `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
            LogLevel::Off => "off",
        }
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for LogLevel {
    type Error = String;

    fn try_from(text: String) -> Result<LogLevel, String> {
        one_of(&text, &LogLevel::ALL, |level| level.as_str())
    }
}

/// `log.format`: how each log line is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum LogFormat {
    /// Readable on a terminal.
    Text,
    /// One JSON object a line.
    Json,
}

impl LogFormat {
    /// The format as the setting spells it: `text` or `json`.
    pub fn as_str(self) -> &'static str {
        match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        }
    }
}

impl TryFrom<String> for LogFormat {
    type Error = String;

    fn try_from(text: String) -> Result<LogFormat, String> {
        one_of(&text, &[LogFormat::Text, LogFormat::Json], |format| {
            format.as_str()
        })
    }
}

/// The value named `text`, or a message listing every name.
fn one_of<T: Copy>(text: &str, values: &[T], name: fn(T) -> &'static str) -> Result<T, String> {
    values
        .iter()
        .copied()
        .find(|&value| name(value) == text)
        .ok_or_else(|| {
            let names: Vec<_> = values.iter().map(|&value| name(value)).collect();
            format!("must be one of {}, not {text:?}", names.join(", "))
        })
}

/// Reads a setting whose empty value means none (`server.ready_file`, `snapshot.path`,
/// `admin.token`, `upstream.url`): TOML has no null, so the files and variables users write say "none" with
/// an empty string, which the typed settings hold as `None`.
pub(super) fn empty_is_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    let text = String::deserialize(deserializer)?;
    Ok((!text.is_empty()).then(|| T::from(text)))
}

/// Reads `clock.now`: empty follows real time, otherwise an RFC 3339 time to freeze the clock at.
pub(super) fn optional_timestamp<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    let text = String::deserialize(deserializer)?;
    if text.is_empty() {
        return Ok(None);
    }
    parse_timestamp(&text).map(Some).ok_or_else(|| {
        D::Error::custom(format!(
            "{text:?} must be empty or an RFC 3339 time such as 2026-05-01T00:00:00Z"
        ))
    })
}

/// `cors.allowed_origins`: the origins from which browsers may call.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum AllowedOrigins {
    /// `*`: any origin, reflected back with credentials allowed.
    Any,
    /// Only these origins (a comma-separated list in the setting).
    List(Vec<Origin>),
}

impl TryFrom<String> for AllowedOrigins {
    type Error = String;

    fn try_from(text: String) -> Result<AllowedOrigins, String> {
        let text = text.trim();
        if text == "*" {
            return Ok(AllowedOrigins::Any);
        }
        text.split(',')
            .map(|origin| Origin::parse(origin.trim()))
            .collect::<Result<_, _>>()
            .map(AllowedOrigins::List)
            .map_err(|problem| {
                format!(
                    "{problem}; give * or comma-separated origins such as \
                     https://app.example.com:3000"
                )
            })
    }
}

/// A web origin (RFC 6454) as browsers send it in the `Origin` header: `scheme://host[:port]`
/// with scheme `http` or `https`, the host in lower case and no default port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin(String);

impl Origin {
    /// Parses `http(s)://host[:port]`; the host is a domain name or an IP address (`[::1]`).
    /// Upper-case letters, international names and the scheme's default port are written the
    /// way browsers send them, so that the origin compares equal to the header.
    pub fn parse(text: &str) -> Result<Origin, String> {
        let url = Url::parse(text).map_err(|e| format!("{text:?} is not an origin ({e})"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("{text:?} must start with http:// or https://"));
        }
        let bare = url.username().is_empty()
            && url.password().is_none()
            && url.path() == "/"
            && url.query().is_none()
            && url.fragment().is_none();
        if !bare {
            return Err(format!(
                "{text:?} must be scheme://host[:port], without user, path, query or fragment"
            ));
        }
        let host_ok = match url.host() {
            Some(Host::Domain(name)) => name
                .split('.')
                .all(|label| !label.is_empty() && label.bytes().all(is_label_byte)),
            Some(Host::Ipv4(_) | Host::Ipv6(_)) => true,
            None => false,
        };
        if !host_ok {
            return Err(format!(
                "{text:?} must name one host: a domain name or an IP address (no wildcards)"
            ));
        }
        Ok(Origin(url.origin().ascii_serialization()))
    }

    /// The origin as browsers send it: `https://app.example.com:3000`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A letter, digit or hyphen: what a host name's labels are made of (RFC 1123).
fn is_label_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// The `[faults]` keys as users set them, flat (`faults.latency_fixed_ms`); they are read into
/// [`FaultConfig`], the shape the admin API shows.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultKeys {
    latency_fixed_ms: u64,
    latency_jitter_ms: u64,
    error_rate: f64,
    error_status: u16,
}

/// Reads the `[faults]` section.
pub(super) fn fault_config<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<FaultConfig, D::Error> {
    let keys = FaultKeys::deserialize(deserializer)?;
    Ok(FaultConfig {
        latency_ms: Latency {
            fixed: keys.latency_fixed_ms,
            jitter: keys.latency_jitter_ms,
        },
        error_rate: keys.error_rate,
        error_status: keys.error_status,
    })
}

/// The setting that holds a field of [`FaultConfig`], to name it when its value is refused.
pub(super) fn fault_key(field: FaultField) -> &'static str {
    match field {
        FaultField::LatencyFixed => "faults.latency_fixed_ms",
        FaultField::LatencyJitter => "faults.latency_jitter_ms",
        FaultField::ErrorRate => "faults.error_rate",
        FaultField::ErrorStatus => "faults.error_status",
    }
}

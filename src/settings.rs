//! Typed settings, layered from the built-in defaults, a `--config` file, `TOOKEN__*`
//! environment variables and command-line flags, then validated as a whole.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use config::{Config, Environment, File, FileFormat};
use serde::Deserialize;

use crate::domain::{parse_timestamp, QueryLimits};

mod upstream;

pub use upstream::{ProxySettings, UpstreamSettings};

const DEFAULTS: &str = include_str!("../config/default.toml");

/// A setting that could not be read or is out of range; the message names it.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("invalid settings: {0}")]
    Layering(#[from] config::ConfigError),
    #[error("invalid setting {key}: {problem}")]
    Invalid { key: &'static str, problem: String },
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub snapshot: SnapshotSettings,
    pub clock: ClockSettings,
    pub pagination: PaginationSettings,
    pub auth: AuthSettings,
    pub cors: CorsSettings,
    pub faults: FaultsSettings,
    pub rate_limit: RateLimitSettings,
    pub admin: AdminSettings,
    pub sessions: SessionsSettings,
    pub log: LogSettings,
    pub upstream: UpstreamSettings,
    pub proxy: ProxySettings,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionsSettings {
    /// Seconds a named session may stay unused before it is dropped.
    pub idle_ttl_secs: u64,
    /// The most named sessions kept at once; past it the least recently used is dropped.
    pub max: usize,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    pub workers: usize,
    pub shutdown_timeout_secs: u64,
    pub client_request_timeout_ms: u64,
    pub keep_alive_secs: u64,
    pub max_connections: usize,
    pub max_query_bytes: usize,
    pub max_header_bytes: usize,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotSettings {
    pub path: String,
    pub watch: bool,
    pub watch_interval_ms: u64,
    pub generate: u64,
    pub generate_seed: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockSettings {
    pub now: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationSettings {
    pub default_per_page: u32,
    pub max_per_page: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub track_last_used: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorsSettings {
    pub allowed_origins: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultsSettings {
    pub latency_fixed_ms: u64,
    pub latency_jitter_ms: u64,
    pub error_rate: f64,
    pub error_status: u16,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSettings {
    pub requests_per_minute: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminSettings {
    pub token: String,
    pub max_body_bytes: usize,
    pub journal_capacity: usize,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub level: String,
    pub format: String,
}

/// Values given on the command line, the highest layer.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub snapshot: Option<PathBuf>,
    pub now: Option<String>,
    pub watch: bool,
    pub generate: Option<u64>,
    pub seed: Option<u64>,
    pub log_format: Option<String>,
    /// `upstream.url`: the API that `proxy` forwards to and `record` reads.
    pub upstream: Option<String>,
    /// `proxy.strict`, when set.
    pub strict: bool,
}

pub use crate::session::faults::MAX_DELAY_MS;
/// The most named sessions `sessions.max` may allow.
pub const SESSIONS_MAX: usize = 100_000;
/// The longest `sessions.idle_ttl_secs`: thirty days.
pub const IDLE_TTL_MAX_SECS: u64 = 30 * 86_400;
const MAX_GENERATED: u64 = 10_000_000;

const LOG_LEVELS: [&str; 6] = ["error", "warn", "info", "debug", "trace", "off"];

impl Settings {
    /// Layers every source and validates the result; the environment is read from the process.
    pub fn load(overrides: &Overrides) -> Result<Settings, SettingsError> {
        Settings::load_from(overrides, Environment::with_prefix("TOOKEN"))
    }

    /// As [`Settings::load`], with the environment source given (tests pass their own).
    pub fn load_from(overrides: &Overrides, env: Environment) -> Result<Settings, SettingsError> {
        let mut builder = Config::builder().add_source(File::from_str(DEFAULTS, FileFormat::Toml));
        if let Some(file) = &overrides.config_file {
            builder = builder.add_source(File::from(file.as_path()).required(true));
        }
        builder = builder.add_source(env.prefix_separator("__").separator("__").try_parsing(true));
        if let Some(host) = &overrides.host {
            builder = builder.set_override("server.host", host.as_str())?;
        }
        if let Some(port) = overrides.port {
            builder = builder.set_override("server.port", port)?;
        }
        if let Some(path) = &overrides.snapshot {
            builder = builder.set_override("snapshot.path", path.to_string_lossy().as_ref())?;
        }
        if let Some(now) = &overrides.now {
            builder = builder.set_override("clock.now", now.as_str())?;
        }
        if overrides.watch {
            builder = builder.set_override("snapshot.watch", true)?;
        }
        if let Some(tokens) = overrides.generate {
            builder = builder.set_override("snapshot.generate", tokens)?;
        }
        if let Some(format) = &overrides.log_format {
            builder = builder.set_override("log.format", format.as_str())?;
        }
        if let Some(seed) = overrides.seed {
            builder = builder.set_override("snapshot.generate_seed", seed)?;
        }
        if let Some(url) = &overrides.upstream {
            builder = builder.set_override("upstream.url", url.as_str())?;
        }
        if overrides.strict {
            builder = builder.set_override("proxy.strict", true)?;
        }
        let settings: Settings = builder.build()?.try_deserialize()?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        let invalid = |key, problem: &str| {
            Err(SettingsError::Invalid {
                key,
                problem: problem.to_owned(),
            })
        };
        if self.server.host.parse::<IpAddr>().is_err() && self.server.host != "localhost" {
            return invalid(
                "server.host",
                "must be an IP address (127.0.0.1, 0.0.0.0, ::1) or localhost",
            );
        }
        if self.server.workers > 256 {
            return invalid("server.workers", "must be 0 (one per core) to 256");
        }
        self.parse_clock_now()?;
        if self.sessions.max == 0 || self.sessions.max > SESSIONS_MAX {
            return invalid(
                "sessions.max",
                &format!("must be between 1 and {SESSIONS_MAX}"),
            );
        }
        if self.sessions.idle_ttl_secs == 0 || self.sessions.idle_ttl_secs > IDLE_TTL_MAX_SECS {
            return invalid(
                "sessions.idle_ttl_secs",
                &format!("must be between 1 and {IDLE_TTL_MAX_SECS}"),
            );
        }
        let p = &self.pagination;
        if !(1..=100).contains(&p.max_per_page) {
            return invalid("pagination.max_per_page", "must be between 1 and 100");
        }
        if !(1..=p.max_per_page).contains(&p.default_per_page) {
            return invalid(
                "pagination.default_per_page",
                "must be between 1 and pagination.max_per_page",
            );
        }
        let s = &self.snapshot;
        if s.watch && s.path.is_empty() {
            return invalid(
                "snapshot.watch",
                "needs snapshot.path (--snapshot FILE) to watch",
            );
        }
        if !(50..=60_000).contains(&s.watch_interval_ms) {
            return invalid("snapshot.watch_interval_ms", "must be between 50 and 60000");
        }
        if s.generate > 0 && !s.path.is_empty() {
            return invalid("snapshot.generate", "cannot be combined with snapshot.path");
        }
        if s.generate > MAX_GENERATED {
            return invalid("snapshot.generate", "must be at most 10000000 tokens");
        }
        self.parse_allowed_origins()?;
        let f = &self.faults;
        if f.latency_fixed_ms > MAX_DELAY_MS {
            return invalid("faults.latency_fixed_ms", "must be between 0 and 30000");
        }
        if f.latency_jitter_ms > MAX_DELAY_MS {
            return invalid("faults.latency_jitter_ms", "must be between 0 and 30000");
        }
        if !(0.0..=1.0).contains(&f.error_rate) {
            return invalid("faults.error_rate", "must be between 0.0 and 1.0");
        }
        if ![500, 503].contains(&f.error_status) {
            return invalid("faults.error_status", "must be 500 or 503");
        }
        let token = &self.admin.token;
        if !token.is_empty() && (token.len() < 8 || !token.bytes().all(|b| b.is_ascii_graphic())) {
            return invalid(
                "admin.token",
                "must be empty or at least 8 visible ASCII characters",
            );
        }
        if !(1..=100_000).contains(&self.admin.journal_capacity) {
            return invalid("admin.journal_capacity", "must be between 1 and 100000");
        }
        if self.admin.max_body_bytes < 1024 {
            return invalid("admin.max_body_bytes", "must be at least 1024");
        }
        let server = &self.server;
        if !(100..=600_000).contains(&server.client_request_timeout_ms) {
            return invalid(
                "server.client_request_timeout_ms",
                "must be between 100 and 600000",
            );
        }
        if server.keep_alive_secs > 3600 {
            return invalid("server.keep_alive_secs", "must be between 0 and 3600");
        }
        if !(1..=1_000_000).contains(&server.max_connections) {
            return invalid("server.max_connections", "must be between 1 and 1000000");
        }
        if !(256..=1_048_576).contains(&server.max_query_bytes) {
            return invalid("server.max_query_bytes", "must be between 256 and 1048576");
        }
        if !(1024..=32_768).contains(&server.max_header_bytes) {
            return invalid("server.max_header_bytes", "must be between 1024 and 32768");
        }
        self.upstream.validate()?;
        self.proxy.validate()?;
        if !["text", "json"].contains(&self.log.format.as_str()) {
            return invalid("log.format", "must be text or json");
        }
        if !LOG_LEVELS.contains(&self.log.level.as_str()) {
            return invalid(
                "log.level",
                "must be one of error, warn, info, debug, trace, off",
            );
        }
        Ok(())
    }

    /// The frozen start time, if any (checked when the settings were loaded).
    pub fn clock_now(&self) -> Option<DateTime<Utc>> {
        self.parse_clock_now().ok().flatten()
    }

    fn parse_clock_now(&self) -> Result<Option<DateTime<Utc>>, SettingsError> {
        match self.clock.now.as_str() {
            "" => Ok(None),
            text => parse_timestamp(text)
                .map(Some)
                .ok_or(SettingsError::Invalid {
                    key: "clock.now",
                    problem: "must be empty or an RFC 3339 time such as 2026-05-01T00:00:00Z"
                        .into(),
                }),
        }
    }

    /// The origins allowed by CORS; `None` allows any origin (checked at load).
    pub fn allowed_origins(&self) -> Option<Vec<String>> {
        self.parse_allowed_origins().ok().flatten()
    }

    fn parse_allowed_origins(&self) -> Result<Option<Vec<String>>, SettingsError> {
        let text = self.cors.allowed_origins.trim();
        if text == "*" {
            return Ok(None);
        }
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
        if origins.iter().all(|o| well_formed(o)) {
            Ok(Some(origins))
        } else {
            Err(SettingsError::Invalid {
                key: "cors.allowed_origins",
                problem:
                    "must be * or comma-separated origins such as https://app.example.com:3000"
                        .into(),
            })
        }
    }

    /// Whether the server listens on loopback only.
    pub fn listens_on_loopback(&self) -> bool {
        self.server.host == "localhost"
            || self
                .server
                .host
                .parse::<IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    /// The snapshot file, or `None` for the embedded default.
    pub fn snapshot_path(&self) -> Option<&Path> {
        (!self.snapshot.path.is_empty()).then(|| Path::new(&self.snapshot.path))
    }

    /// The page size limits for query parsing.
    pub fn query_limits(&self) -> QueryLimits {
        QueryLimits {
            default_per_page: self.pagination.default_per_page,
            max_per_page: self.pagination.max_per_page,
        }
    }
}

#[cfg(test)]
mod tests;

impl From<&FaultsSettings> for crate::session::FaultConfig {
    fn from(s: &FaultsSettings) -> crate::session::FaultConfig {
        crate::session::FaultConfig {
            latency_ms: crate::session::faults::Latency {
                fixed: s.latency_fixed_ms,
                jitter: s.latency_jitter_ms,
            },
            error_rate: s.error_rate,
            error_status: s.error_status,
        }
    }
}

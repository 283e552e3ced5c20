//! Typed settings, layered from the built-in defaults, a `--config` file, `TOOKEN__*`
//! environment variables and command-line flags, then validated as a whole.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use config::{Config, Environment, File, FileFormat};
use serde::Deserialize;

use crate::domain::{parse_timestamp, QueryLimits};

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
    pub log: LogSettings,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    pub workers: usize,
    pub shutdown_timeout_secs: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotSettings {
    pub path: String,
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
pub struct LogSettings {
    pub level: String,
}

/// Values given on the command line, the highest layer.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub snapshot: Option<PathBuf>,
    pub now: Option<String>,
}

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
        if self.clock_now().is_err() {
            return invalid(
                "clock.now",
                "must be empty or an RFC 3339 time such as 2026-05-01T00:00:00Z",
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
        if !LOG_LEVELS.contains(&self.log.level.as_str()) {
            return invalid(
                "log.level",
                "must be one of error, warn, info, debug, trace, off",
            );
        }
        Ok(())
    }

    /// The frozen start time, if any.
    pub fn clock_now(&self) -> Result<Option<DateTime<Utc>>, ()> {
        match self.clock.now.as_str() {
            "" => Ok(None),
            text => parse_timestamp(text).map(Some).ok_or(()),
        }
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

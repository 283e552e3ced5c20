//! Typed settings, layered from the built-in defaults, a `--config` file, `TOOKEN__*`
//! environment variables and command-line flags, then validated as a whole.

mod security;
pub(crate) mod server;
mod upstream;
mod validate;
mod values;

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use config::{Config, Environment, File, FileFormat};
use serde::Deserialize;

pub use security::{AdminOrigins, AllowedHeaders};
pub use upstream::{ProxySettings, UpstreamSettings};
pub use values::{AllowedOrigins, LogFormat, LogLevel, Origin};

use crate::domain::faults::FaultConfig;
use crate::domain::QueryLimits;
use crate::generate::GenerateOptions;
use crate::http::host::AllowedHosts;
use crate::session::{JournalLimits, SessionSettings};
use crate::store::scan::ScanLimits;
use crate::store::source::Source;

const DEFAULTS: &str = include_str!("../config/default.toml");

/// A setting that could not be read or is out of range; the message names it.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A source could not be read or layered (a missing `--config` file, bad TOML).
    #[error("invalid settings: {0}")]
    Layering(#[from] config::ConfigError),
    /// A setting's value is refused.
    #[error("invalid setting {key}: {problem}")]
    Invalid {
        /// The setting's key, `section.name`.
        key: String,
        /// What is wrong with its value.
        problem: String,
    },
}

impl SettingsError {
    /// Names the key of a value that its type refused, as a range check would: the `config`
    /// crate would otherwise put the key last ("... for key `log.level`").
    fn naming_the_key(error: config::ConfigError) -> SettingsError {
        match error {
            config::ConfigError::At {
                error,
                key: Some(key),
                origin,
            } if matches!(*error, config::ConfigError::Message(_)) => {
                let problem = match origin {
                    Some(origin) => format!("{error} (in {origin})"),
                    None => error.to_string(),
                };
                SettingsError::Invalid { key, problem }
            }
            other => SettingsError::Layering(other),
        }
    }
}

/// Every setting, from `config/default.toml`, a `--config` file, `TOOKEN__*` variables and
/// flags, in that order of precedence, validated.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `[server]`.
    pub server: ServerSettings,
    /// `[snapshot]`.
    pub snapshot: SnapshotSettings,
    /// `[clock]`.
    pub clock: ClockSettings,
    /// `[pagination]`.
    pub pagination: PaginationSettings,
    /// `[auth]`.
    pub auth: AuthSettings,
    /// `[cors]`.
    pub cors: CorsSettings,
    /// The `[faults]` keys, in the shape the admin API shows and takes.
    #[serde(deserialize_with = "values::fault_config")]
    pub faults: FaultConfig,
    /// `[rate_limit]`.
    pub rate_limit: RateLimitSettings,
    /// `[admin]`.
    pub admin: AdminSettings,
    /// `[sessions]`.
    pub sessions: SessionsSettings,
    /// `[log]`.
    pub log: LogSettings,
    /// `[metrics]`.
    pub metrics: MetricsSettings,
    /// `[upstream]`.
    pub upstream: UpstreamSettings,
    /// `[proxy]`.
    pub proxy: ProxySettings,
    /// `[store]`.
    pub store: StoreSettings,
}

/// How name filters are scanned (see `crate::store::scan`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSettings {
    /// Scan threads; 0 starts one per core.
    pub scan_threads: usize,
    /// Name-filter scans that may wait for a thread; one more is answered 503 `scans_busy`.
    pub scan_queue: usize,
    /// Milliseconds every scan takes at least (a slow search backend); 0 for none.
    pub scan_delay_ms: u64,
}

/// `[sessions]`: how long named sessions live and how many are kept.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionsSettings {
    /// Seconds a named session may stay unused before it is dropped.
    pub idle_ttl_secs: u64,
    /// The most named sessions kept at once; past it the least recently used is dropped.
    pub max: usize,
}

/// `[server]`: where and how the server listens, and its limits on requests.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to listen on; `127.0.0.1` keeps the mock private to this machine.
    pub host: String,
    /// Port to listen on; 0 picks a free one.
    pub port: u16,
    /// Worker threads; 0 means one per CPU core.
    pub workers: usize,
    /// Seconds that in-flight requests get to finish after SIGINT or SIGTERM.
    pub shutdown_timeout_secs: u64,
    /// Milliseconds a client has to send its request headers (408 after).
    pub client_request_timeout_ms: u64,
    /// Milliseconds a request body has to arrive whole, from the end of its headers (408).
    pub body_timeout_ms: u64,
    /// Seconds an idle keep-alive connection stays open; 0 closes after each response.
    pub keep_alive_secs: u64,
    /// Open connections each worker accepts at most; more wait in the listen queue.
    pub max_connections: usize,
    /// Longest query string accepted, in bytes; longer gets 414.
    pub max_query_bytes: usize,
    /// Largest total size of request headers accepted, in bytes; larger gets 431.
    pub max_header_bytes: usize,
    /// Host names answered besides loopback (DNS rebinding protection).
    pub allowed_hosts: AllowedHosts,
    /// Where `serve` writes its ready file (see `crate::ready_file`); `None` (an empty
    /// setting): nowhere.
    #[serde(deserialize_with = "values::empty_is_none")]
    pub ready_file: Option<PathBuf>,
}

/// `[snapshot]`: which data is served, and how a snapshot file is read.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotSettings {
    /// The snapshot file; `None` (an empty setting) serves generated or embedded data.
    #[serde(deserialize_with = "values::empty_is_none")]
    pub path: Option<PathBuf>,
    /// Reload the snapshot file when it changes (an invalid file is refused, the old data stays).
    pub watch: bool,
    /// Milliseconds that file events settle before a watched file is read.
    pub watch_interval_ms: u64,
    /// Serve this many generated tokens instead of a file; 0: off.
    pub generate: u64,
    /// Seed of the generated data; the same seed gives the same data.
    pub generate_seed: u64,
    /// Problems listed when a snapshot is refused; the rest are counted.
    pub max_problems: usize,
    /// The largest snapshot file read, in bytes.
    pub max_file_bytes: u64,
}

/// `[clock]`: the time the mock starts at.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockSettings {
    /// The time to freeze the clock at; `None` (an empty setting) follows real UTC time.
    #[serde(deserialize_with = "values::optional_timestamp")]
    pub now: Option<DateTime<Utc>>,
}

/// `[pagination]`: page sizes.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationSettings {
    /// Page size when a request gives no `per_page`.
    pub default_per_page: u32,
    /// Largest `per_page` accepted (1 to 100).
    pub max_per_page: u32,
}

/// `[auth]`: what authenticating a request records.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// Set `last_used_at` of the token that authenticates each request.
    pub track_last_used: bool,
}

/// `[cors]`: which browser pages may call the API.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorsSettings {
    /// Origins that may call from a browser (`*`: any, reflected with credentials).
    pub allowed_origins: AllowedOrigins,
    /// Request headers a preflight may ask for.
    pub allowed_headers: AllowedHeaders,
}

/// `[rate_limit]`: requests allowed per secret.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSettings {
    /// Requests per minute allowed for each secret; 0 turns rate limiting off.
    pub requests_per_minute: u32,
    /// Secrets with a window of their own, per session.
    pub max_tracked_secrets: usize,
}

/// `[admin]`: access to the admin API, its body limits and the journals.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminSettings {
    /// The bearer token of the admin API beyond loopback; `None` (an empty setting) switches
    /// it off there.
    #[serde(deserialize_with = "values::empty_is_none")]
    pub token: Option<String>,
    /// The largest `PUT /__admin/snapshot` body, in bytes.
    pub max_body_bytes: usize,
    /// The largest body of every other admin call, in bytes.
    pub max_control_body_bytes: usize,
    /// How many recent requests each session's journal keeps.
    pub journal_capacity: usize,
    /// Bytes of each response body the journal keeps for its HAR (`?format=har`).
    pub journal_body_bytes: usize,
    /// Bytes one session's journal may hold.
    pub journal_max_bytes: usize,
    /// Bytes every journal together may hold.
    pub journal_total_bytes: usize,
    /// Bytes of path and query kept per journal entry.
    pub journal_max_target_bytes: usize,
    /// Origins whose pages may call the admin API besides its own.
    pub cors_origins: AdminOrigins,
}

/// `[metrics]`: the series of `/metrics`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// Workspaces given `tooken_tokens` series of their own at `/metrics`.
    pub max_workspaces: usize,
}

/// `[log]`: what is logged, and how.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// The least severe level logged.
    pub level: LogLevel,
    /// Text (readable on a terminal) or JSON (one object a line).
    pub format: LogFormat,
    /// The most bytes of a client-given value a log line holds.
    pub max_field_bytes: usize,
}

/// Values given on the command line, the highest layer.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--config`: a settings file layered over the defaults.
    pub config_file: Option<PathBuf>,
    /// `server.host`.
    pub host: Option<String>,
    /// `server.port`.
    pub port: Option<u16>,
    /// `snapshot.path`.
    pub snapshot: Option<PathBuf>,
    /// `clock.now`, as given (RFC 3339), checked with the other settings.
    pub now: Option<String>,
    /// `snapshot.watch`, when set.
    pub watch: bool,
    /// `snapshot.generate`.
    pub generate: Option<u64>,
    /// `snapshot.generate_seed`.
    pub seed: Option<u64>,
    /// `log.format`, as given (`text` or `json`).
    pub log_format: Option<String>,
    /// `upstream.url`: the API that `proxy` forwards to and `record` reads.
    pub upstream: Option<String>,
    /// `proxy.strict`, when set.
    pub strict: bool,
    /// `server.ready_file`.
    pub ready_file: Option<PathBuf>,
}

impl Settings {
    /// Layers every source and validates the result; the environment is read from the process.
    pub fn load(overrides: &Overrides) -> Result<Settings, SettingsError> {
        Settings::load_from(overrides, Environment::with_prefix("TOOKEN"))
    }

    /// The defaults of `config/default.toml` alone: no file, no environment, no flags.
    pub fn defaults() -> Settings {
        Settings::load_from(
            &Overrides::default(),
            Environment::with_prefix("TOOKEN").source(Some(Default::default())),
        )
        .expect("config/default.toml is valid")
    }

    /// How every session starts and how many may exist: `clock.now`, `faults.*`,
    /// `rate_limit.*`, `admin.journal_*`, `sessions.*`; sessions are created on first use
    /// unless the server listens beyond loopback with `admin.token`.
    pub fn session_settings(&self) -> SessionSettings {
        SessionSettings {
            configured_now: self.clock.now,
            configured_faults: self.faults,
            requests_per_minute: self.rate_limit.requests_per_minute,
            rate_limit_max_tracked: self.rate_limit.max_tracked_secrets,
            journal: JournalLimits {
                entries: self.admin.journal_capacity,
                target_bytes: self.admin.journal_max_target_bytes,
                session_bytes: self.admin.journal_max_bytes,
                total_bytes: self.admin.journal_total_bytes,
                body_bytes: self.admin.journal_body_bytes,
            },
            idle_ttl_secs: self.sessions.idle_ttl_secs,
            max: self.sessions.max,
            create_on_first_use: self.listens_on_loopback() || self.admin.token.is_none(),
        }
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
        if let Some(path) = &overrides.ready_file {
            builder = builder.set_override("server.ready_file", path.to_string_lossy().as_ref())?;
        }
        if overrides.strict {
            builder = builder.set_override("proxy.strict", true)?;
        }
        let settings: Settings = builder
            .build()?
            .try_deserialize()
            .map_err(SettingsError::naming_the_key)?;
        settings.validate()?;
        Ok(settings)
    }

    /// Whether the server listens on loopback only.
    pub(crate) fn listens_on_loopback(&self) -> bool {
        self.server.host == "localhost"
            || self
                .server
                .host
                .parse::<IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    /// The snapshot file, or `None` for the embedded default.
    pub(crate) fn snapshot_path(&self) -> Option<&Path> {
        self.snapshot.path.as_deref()
    }

    /// The ready file's path, or `None` when `server.ready_file` is empty.
    pub fn ready_file(&self) -> Option<&Path> {
        self.server.ready_file.as_deref()
    }

    /// The source the settings name.
    pub fn source(&self) -> Source {
        let snapshot = &self.snapshot;
        if let Some(path) = self.snapshot_path() {
            Source::File(path.to_owned(), snapshot.max_file_bytes)
        } else if snapshot.generate > 0 {
            Source::Generated(GenerateOptions {
                tokens: snapshot.generate,
                workspaces: generated_workspaces(snapshot.generate),
                seed: snapshot.generate_seed,
            })
        } else {
            Source::Embedded
        }
    }

    /// The `store.scan_*` settings, for the scan threads.
    pub(crate) fn scan_limits(&self) -> ScanLimits {
        ScanLimits {
            threads: self.store.scan_threads,
            queue: self.store.scan_queue,
            delay: std::time::Duration::from_millis(self.store.scan_delay_ms),
        }
    }

    /// The page size limits for query parsing.
    pub(crate) fn query_limits(&self) -> QueryLimits {
        QueryLimits {
            default_per_page: self.pagination.default_per_page,
            max_per_page: self.pagination.max_per_page,
        }
    }
}

/// Generated data served without a file gets a few workspaces, as the demo data has.
fn generated_workspaces(tokens: u64) -> u32 {
    u32::try_from(tokens.clamp(1, 3)).unwrap_or(1)
}

#[cfg(test)]
mod tests;

//! The checks that a value's type cannot make: ranges, and settings that depend on each other.
//! Each range is written once, here or beside the code it protects, and its message is
//! formatted from it.

use std::fmt::Display;
use std::net::IpAddr;
use std::ops::RangeInclusive;

use super::values::fault_key;
use super::{Settings, SettingsError};
use crate::domain::faults::MAX_DELAY_MS;
use crate::domain::PER_PAGE_MAX;
use crate::generate::MAX_TOKENS;

/// `pagination.max_per_page`: the API's own maximum may only be lowered.
pub(super) const MAX_PER_PAGE: RangeInclusive<u32> = 1..=PER_PAGE_MAX;
/// `sessions.max`: the most named sessions kept at once.
pub(super) const SESSIONS_MAX: RangeInclusive<usize> = 1..=100_000;
/// `sessions.idle_ttl_secs`: up to thirty days.
pub(super) const IDLE_TTL_SECS: RangeInclusive<u64> = 1..=30 * 86_400;
/// `server.workers`: 0 starts one worker per core.
const WORKERS: RangeInclusive<usize> = 0..=256;
/// `server.client_request_timeout_ms`.
const CLIENT_REQUEST_TIMEOUT_MS: RangeInclusive<u64> = 100..=600_000;
/// `server.body_timeout_ms`.
const BODY_TIMEOUT_MS: RangeInclusive<u64> = 100..=3_600_000;
/// `server.keep_alive_secs`: 0 closes each connection after its response.
const KEEP_ALIVE_SECS: RangeInclusive<u64> = 0..=3600;
/// `server.max_connections`.
const MAX_CONNECTIONS: RangeInclusive<usize> = 1..=1_000_000;
/// `server.max_query_bytes`.
const MAX_QUERY_BYTES: RangeInclusive<usize> = 256..=1_048_576;
/// `server.max_header_bytes`.
const MAX_HEADER_BYTES: RangeInclusive<usize> = 1024..=32_768;
/// `snapshot.watch_interval_ms`.
const WATCH_INTERVAL_MS: RangeInclusive<u64> = 50..=60_000;
/// `admin.journal_capacity`.
const JOURNAL_CAPACITY: RangeInclusive<usize> = 1..=100_000;
/// `admin.journal_body_bytes`: up to 1 MiB of each response body.
const JOURNAL_BODY_BYTES: RangeInclusive<usize> = 0..=1_048_576;
/// `admin.max_control_body_bytes`.
const CONTROL_BODY_BYTES: RangeInclusive<usize> = 1024..=16 << 20;
/// `admin.journal_max_bytes`.
const JOURNAL_MAX_BYTES: RangeInclusive<usize> = 65_536..=1 << 30;
/// `admin.journal_total_bytes`.
const JOURNAL_TOTAL_BYTES: RangeInclusive<usize> = 65_536..=16 << 30;
/// `admin.journal_max_target_bytes`.
const JOURNAL_TARGET_BYTES: RangeInclusive<usize> = 64..=65_536;
/// `rate_limit.max_tracked_secrets`.
const MAX_TRACKED_SECRETS: RangeInclusive<usize> = 1..=10_000_000;
/// `snapshot.max_file_bytes`.
const MAX_FILE_BYTES: RangeInclusive<u64> = 1024..=16 << 30;
/// `log.max_field_bytes`.
const LOG_FIELD_BYTES: RangeInclusive<usize> = 64..=65_536;
/// `metrics.max_workspaces`.
const METRICS_WORKSPACES: RangeInclusive<usize> = 0..=100_000;
/// `snapshot.max_problems`.
const MAX_PROBLEMS: RangeInclusive<usize> = 1..=10_000;
/// `store.scan_threads`: 0 starts one per core.
const SCAN_THREADS: RangeInclusive<usize> = 0..=256;
/// `store.scan_queue`: scans waiting for a thread.
const SCAN_QUEUE: RangeInclusive<usize> = 1..=65_536;
/// `store.scan_delay_ms`: the longest delay anything may add.
const SCAN_DELAY_MS: RangeInclusive<u64> = 0..=MAX_DELAY_MS;
/// The least `admin.max_body_bytes`.
const MIN_ADMIN_BODY_BYTES: usize = 1024;
/// The shortest `admin.token`.
const MIN_ADMIN_TOKEN_CHARS: usize = 8;

pub(super) fn invalid(key: &str, problem: impl Into<String>) -> Result<(), SettingsError> {
    Err(SettingsError::Invalid {
        key: key.to_owned(),
        problem: problem.into(),
    })
}

/// Refuses `value` outside `range`, with `must be between START and END`.
pub(super) fn in_range<T: PartialOrd + Display>(
    key: &'static str,
    value: T,
    range: RangeInclusive<T>,
) -> Result<(), SettingsError> {
    if range.contains(&value) {
        return Ok(());
    }
    let (start, end) = range.into_inner();
    invalid(key, format!("must be between {start} and {end}"))
}

impl Settings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        self.upstream.validate()?;
        self.proxy.validate()?;
        let server = &self.server;
        if server.host.parse::<IpAddr>().is_err() && server.host != "localhost" {
            return invalid(
                "server.host",
                "must be an IP address (127.0.0.1, 0.0.0.0, ::1) or localhost",
            );
        }
        if !WORKERS.contains(&server.workers) {
            let (none, most) = WORKERS.into_inner();
            return invalid(
                "server.workers",
                format!("must be {none} (one per core) to {most}"),
            );
        }
        in_range("sessions.max", self.sessions.max, SESSIONS_MAX)?;
        in_range(
            "sessions.idle_ttl_secs",
            self.sessions.idle_ttl_secs,
            IDLE_TTL_SECS,
        )?;
        let p = &self.pagination;
        in_range("pagination.max_per_page", p.max_per_page, MAX_PER_PAGE)?;
        if !(*MAX_PER_PAGE.start()..=p.max_per_page).contains(&p.default_per_page) {
            return invalid(
                "pagination.default_per_page",
                format!(
                    "must be between {} and pagination.max_per_page ({})",
                    MAX_PER_PAGE.start(),
                    p.max_per_page
                ),
            );
        }
        let s = &self.snapshot;
        if s.watch && s.path.is_none() {
            return invalid(
                "snapshot.watch",
                "needs snapshot.path (--snapshot FILE) to watch",
            );
        }
        in_range(
            "snapshot.watch_interval_ms",
            s.watch_interval_ms,
            WATCH_INTERVAL_MS,
        )?;
        if s.generate > 0 && s.path.is_some() {
            return invalid("snapshot.generate", "cannot be combined with snapshot.path");
        }
        if s.generate > MAX_TOKENS {
            return invalid(
                "snapshot.generate",
                format!("must be at most {MAX_TOKENS} tokens"),
            );
        }
        if let Some((field, problem)) = self.faults.problems().into_iter().next() {
            return invalid(fault_key(field), problem);
        }
        let token = self.admin.token.as_deref().unwrap_or_default();
        let visible = token.bytes().all(|b| b.is_ascii_graphic());
        if !token.is_empty() && (token.len() < MIN_ADMIN_TOKEN_CHARS || !visible) {
            return invalid(
                "admin.token",
                format!(
                    "must be empty or at least {MIN_ADMIN_TOKEN_CHARS} visible ASCII characters"
                ),
            );
        }
        in_range(
            "admin.journal_capacity",
            self.admin.journal_capacity,
            JOURNAL_CAPACITY,
        )?;
        in_range(
            "admin.journal_body_bytes",
            self.admin.journal_body_bytes,
            JOURNAL_BODY_BYTES,
        )?;
        let admin = &self.admin;
        in_range(
            "admin.max_control_body_bytes",
            admin.max_control_body_bytes,
            CONTROL_BODY_BYTES,
        )?;
        in_range(
            "admin.journal_max_bytes",
            admin.journal_max_bytes,
            JOURNAL_MAX_BYTES,
        )?;
        in_range(
            "admin.journal_total_bytes",
            admin.journal_total_bytes,
            JOURNAL_TOTAL_BYTES,
        )?;
        in_range(
            "admin.journal_max_target_bytes",
            admin.journal_max_target_bytes,
            JOURNAL_TARGET_BYTES,
        )?;
        in_range(
            "rate_limit.max_tracked_secrets",
            self.rate_limit.max_tracked_secrets,
            MAX_TRACKED_SECRETS,
        )?;
        in_range(
            "snapshot.max_file_bytes",
            self.snapshot.max_file_bytes,
            MAX_FILE_BYTES,
        )?;
        in_range(
            "log.max_field_bytes",
            self.log.max_field_bytes,
            LOG_FIELD_BYTES,
        )?;
        in_range(
            "metrics.max_workspaces",
            self.metrics.max_workspaces,
            METRICS_WORKSPACES,
        )?;
        in_range(
            "snapshot.max_problems",
            self.snapshot.max_problems,
            MAX_PROBLEMS,
        )?;
        in_range("store.scan_threads", self.store.scan_threads, SCAN_THREADS)?;
        in_range("store.scan_queue", self.store.scan_queue, SCAN_QUEUE)?;
        in_range(
            "store.scan_delay_ms",
            self.store.scan_delay_ms,
            SCAN_DELAY_MS,
        )?;
        if self.admin.max_body_bytes < MIN_ADMIN_BODY_BYTES {
            return invalid(
                "admin.max_body_bytes",
                format!("must be at least {MIN_ADMIN_BODY_BYTES}"),
            );
        }
        in_range(
            "server.client_request_timeout_ms",
            server.client_request_timeout_ms,
            CLIENT_REQUEST_TIMEOUT_MS,
        )?;
        in_range(
            "server.body_timeout_ms",
            server.body_timeout_ms,
            BODY_TIMEOUT_MS,
        )?;
        in_range(
            "server.keep_alive_secs",
            server.keep_alive_secs,
            KEEP_ALIVE_SECS,
        )?;
        in_range(
            "server.max_connections",
            server.max_connections,
            MAX_CONNECTIONS,
        )?;
        in_range(
            "server.max_query_bytes",
            server.max_query_bytes,
            MAX_QUERY_BYTES,
        )?;
        in_range(
            "server.max_header_bytes",
            server.max_header_bytes,
            MAX_HEADER_BYTES,
        )
    }
}

//! Logging: one line per event on standard error, readable text or JSON, at the configured
//! level.
//!
//! Lines are handed to a background thread that writes them, so that a request never waits
//! for standard error (a terminal or a pipe can be slow). Under a flood larger than its
//! buffer the writer drops lines rather than slow the server down.

use std::io::IsTerminal;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

use crate::settings::{LogFormat, LogLevel};

/// Installs the global subscriber; a second call (tests) is a no-op. Keep the returned guard
/// until the process ends: dropping it flushes the lines still waiting.
pub fn init(level: LogLevel, format: LogFormat) -> WorkerGuard {
    let filter = EnvFilter::try_new(format!("{level},actix_server=warn"))
        .expect("a level's name and a fixed directive always make a valid filter");
    let (writer, guard) = tracing_appender::non_blocking(std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let _ = if format == LogFormat::Json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init()
    };
    guard
}

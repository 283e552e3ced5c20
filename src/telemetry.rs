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
    let filter = EnvFilter::try_new(filter_directives(level))
        .expect("a level's name and fixed directives always make a valid filter");
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

/// The filter for `level`.
///
/// actix-http answers a request its parser refuses (raw non-ASCII bytes in the URI, HTTP/1.1
/// without `Host`, more than 96 headers) with a bare 400 or 431 that nothing can shape, and
/// logs each at ERROR as `stream error`: a client's mistake, not the server's. The
/// dispatcher's few other lines above TRACE concern one connection as well (a client gone
/// mid-write, a failed upgrade), so its lines are shown at `debug` and `trace` only.
pub fn filter_directives(level: LogLevel) -> String {
    let dispatcher = match level {
        LogLevel::Debug | LogLevel::Trace => level.as_str(),
        _ => "off",
    };
    format!("{level},actix_server=warn,actix_http::h1::dispatcher={dispatcher}")
}

#[cfg(test)]
mod tests {
    use super::filter_directives;
    use crate::settings::LogLevel;
    use tracing::level_filters::LevelFilter;
    use tracing_subscriber::EnvFilter;

    #[test]
    fn every_level_is_a_valid_filter_that_shows_parser_refusals_only_when_debugging() {
        for (level, shown) in [
            (LogLevel::Off, false),
            (LogLevel::Error, false),
            (LogLevel::Warn, false),
            (LogLevel::Info, false),
            (LogLevel::Debug, true),
            (LogLevel::Trace, true),
        ] {
            let directives = filter_directives(level);
            let filter = EnvFilter::try_new(&directives).expect("a valid filter");
            assert_eq!(
                directives.contains("actix_http::h1::dispatcher=off"),
                !shown,
                "{directives}"
            );
            assert_ne!(filter.max_level_hint(), None, "{directives}");
        }
        assert_eq!(
            EnvFilter::new(filter_directives(LogLevel::Info)).max_level_hint(),
            Some(LevelFilter::INFO)
        );
    }
}

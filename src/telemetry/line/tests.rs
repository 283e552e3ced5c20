//! The lines of `TextLine` against those of tracing-subscriber's full format.

use std::sync::{Arc, Mutex};

use tracing_subscriber::fmt::MakeWriter;

use super::TextLine;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().write(bytes)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl MakeWriter<'_> for Captured {
    type Writer = Captured;
    fn make_writer(&self) -> Captured {
        self.clone()
    }
}

/// An error with a cause, as `std::error::Error::source` gives it.
#[derive(Debug)]
struct Outer(std::io::Error);

impl std::fmt::Display for Outer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("outer \u{7}failure")
    }
}

impl std::error::Error for Outer {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// Every kind of field the server logs, and what the full format escapes: terminal control
/// characters in messages and errors, quotes and controls in strings; errors with causes;
/// records of the `log` crate (as actix-server writes them).
fn events() {
    let error = std::io::Error::other("disk \"full\"");
    let outer = Outer(std::io::Error::other("inner \u{1b}[31m"));
    tracing::warn!("esc \x1b[31m red, bell \x07, C1 \u{85}, del \x7f");
    tracing::error!(error = &outer as &dyn std::error::Error, "failed");
    tracing::error!(error = %outer, plain = "x\u{1b}y", "displayed");
    tracing::info!(message = 5u64, n = 2u64);
    tracing::info!(message = true);
    tracing::info!(
        zero = 0u64,
        max = u64::MAX,
        min = i64::MIN,
        minus = -1i64,
        ten = 10i64
    );
    tracing::info!(
        count = 1.5f64,
        big = 1u128 << 100,
        small = -(1i128 << 100),
        "wide numbers"
    );
    tracing::info!(name = "ΟΔΟΣ Straße", tab = "a\tb", "non-ASCII");
    for level in [
        log::Level::Info,
        log::Level::Warn,
        log::Level::Error,
        log::Level::Debug,
    ] {
        tracing_log::format_trace(
            &log::Record::builder()
                .args(format_args!("from the log crate \x1b[2J at {level}"))
                .level(level)
                .target("actix_server::builder")
                .module_path_static(Some("actix_server::builder"))
                .file_static(Some("src/builder.rs"))
                .line(Some(42))
                .build(),
        )
        .unwrap();
    }
    tracing::info!(
        request_id = "req_abc",
        method = "GET",
        path = "/v1/tokens",
        status = 200u16,
        duration_us = 46u64,
        token = "-",
        "request"
    );
    tracing::warn!(
        path = "/a b/\"quoted\"\\",
        name = "Zürich\tsync\n",
        "odd strings"
    );
    tracing::error!(error = %error, code = -3i64, ok = false, shape = ?(3u8, Some("sides")), "failed: {}", 42);
    tracing::info!(r#type = "raw", empty = "", "raw name");
    tracing::debug!("no fields at all");
    tracing::info!(message = "message as a field", n = 1u64);
    tracing::info!(log.target = "actix_server::builder", "from the log crate");
}

fn lines(ansi: bool, ours: bool) -> Vec<String> {
    let captured = Captured::default();
    let builder = tracing_subscriber::fmt()
        .with_target(false)
        .with_ansi(ansi)
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone());
    if ours {
        tracing::subscriber::with_default(builder.event_format(TextLine).finish(), events);
    } else {
        tracing::subscriber::with_default(builder.finish(), events);
    }
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    text.lines().map(str::to_owned).collect()
}

/// The line without its timestamp (and the escapes around it).
fn after_timestamp(line: &str) -> &str {
    let at = line.find('Z').expect("a timestamp ends with Z");
    &line[at + 1..]
}

#[test]
fn lines_are_those_of_the_full_format_without_a_terminal() {
    let (ours, theirs) = (lines(false, true), lines(false, false));
    assert_eq!(ours.len(), 19);
    assert_eq!(ours.len(), theirs.len());
    for (ours, theirs) in ours.iter().zip(&theirs) {
        assert_eq!(after_timestamp(ours), after_timestamp(theirs));
        let stamp = &ours[..27];
        assert!(
            chrono::DateTime::parse_from_rfc3339(stamp).is_ok() && stamp.ends_with('Z'),
            "{stamp}"
        );
        assert_eq!(stamp.as_bytes()[19], b'.', "{stamp}");
    }
    assert!(ours.iter().any(|line| line.ends_with(
        " INFO request request_id=\"req_abc\" method=\"GET\" path=\"/v1/tokens\" \
         status=200 duration_us=46 token=\"-\""
    )));
    // The full format escapes terminal controls in messages and errors, and names causes.
    assert!(ours
        .iter()
        .any(|line| line.contains(r"esc \x1b[31m red, bell \x07, C1 \u{85}")));
    assert!(ours.iter().any(|line| line.contains("error.sources=[")));
}

#[test]
fn lines_are_those_of_the_full_format_on_a_terminal() {
    let (ours, theirs) = (lines(true, true), lines(true, false));
    assert_eq!(ours.len(), theirs.len());
    for (ours, theirs) in ours.iter().zip(&theirs) {
        assert_eq!(
            after_timestamp(ours),
            after_timestamp(theirs),
            "{ours:?}\n{theirs:?}"
        );
        assert_eq!(ours[..4], theirs[..4]);
        assert!(ours.contains("\x1b[0m"), "{ours:?}");
    }
}

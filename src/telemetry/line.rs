//! The text line of an event, as `tracing-subscriber`'s full format writes it
//! (`2026-05-01T00:00:00.000000Z  INFO request request_id="req_…" status=200`), written
//! straight into the line's buffer: the timestamp's date and time are formatted once a
//! second, and a string field is quoted without going through `Debug` unless it needs
//! escaping. Spans are not written (the server opens none).

use std::cell::RefCell;
use std::fmt::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Formats events as text lines; colours when the writer is a terminal.
pub struct TextLine;

/// ANSI SGR sequences (ECMA-48) for a terminal.
const DIM: &str = "\x1b[2m";
const ITALIC: &str = "\x1b[3m";
const RESET: &str = "\x1b[0m";

impl<S, N> FormatEvent<S, N> for TextLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let ansi = writer.has_ansi_escapes();
        if ansi {
            writer.write_str(DIM)?;
        }
        write_now(&mut writer)?;
        if ansi {
            writer.write_str(RESET)?;
        }
        let level = *event.metadata().level();
        let name = match level {
            Level::TRACE => "TRACE",
            Level::DEBUG => "DEBUG",
            Level::INFO => " INFO",
            Level::WARN => " WARN",
            Level::ERROR => "ERROR",
        };
        if ansi {
            let color = match level {
                Level::TRACE => "\x1b[35m",
                Level::DEBUG => "\x1b[34m",
                Level::INFO => "\x1b[32m",
                Level::WARN => "\x1b[33m",
                Level::ERROR => "\x1b[31m",
            };
            write!(writer, " {color}{name}{RESET} ")?;
        } else {
            writer.write_char(' ')?;
            writer.write_str(name)?;
            writer.write_char(' ')?;
        }
        let mut fields = Fields {
            writer,
            ansi,
            first: true,
            result: Ok(()),
        };
        event.record(&mut fields);
        fields.result?;
        fields.writer.write_char('\n')
    }
}

/// Writes the current time as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds).
fn write_now(writer: &mut Writer<'_>) -> fmt::Result {
    thread_local! {
        /// The second last formatted on this thread, and its text up to the seconds.
        static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
    }
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let (secs, micros) = (since.as_secs(), since.subsec_micros());
    SECOND.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.0 != secs {
            let at = i64::try_from(secs)
                .ok()
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                .unwrap_or_default();
            cell.1.clear();
            write!(cell.1, "{}", at.format("%Y-%m-%dT%H:%M:%S"))?;
            cell.0 = secs;
        }
        writer.write_str(&cell.1)
    })?;
    let mut digits = [b'0'; 6];
    let mut rest = micros;
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    writer.write_char('.')?;
    // Six ASCII digits.
    writer.write_str(std::str::from_utf8(&digits).unwrap_or("000000"))?;
    writer.write_char('Z')
}

/// Writes the message, then ` name=value` for each other field.
struct Fields<'w> {
    writer: Writer<'w>,
    ansi: bool,
    first: bool,
    result: fmt::Result,
}

impl Fields<'_> {
    /// Writes the separator and `name=` of a field; `false` for fields not written (the
    /// `log.*` fields of events from the `log` crate).
    fn name(&mut self, field: &Field) -> bool {
        let name = field.name();
        if name.starts_with("log.") {
            return false;
        }
        let name = name.strip_prefix("r#").unwrap_or(name);
        let result = (|| {
            if !std::mem::take(&mut self.first) {
                self.writer.write_char(' ')?;
            }
            if self.ansi {
                write!(self.writer, "{ITALIC}{name}{RESET}{DIM}={RESET}")
            } else {
                self.writer.write_str(name)?;
                self.writer.write_char('=')
            }
        })();
        self.result = self.result.and(result);
        true
    }

    fn message(&mut self, text: fmt::Arguments<'_>) {
        let result = (|| {
            if !std::mem::take(&mut self.first) {
                self.writer.write_char(' ')?;
            }
            self.writer.write_fmt(text)
        })();
        self.result = self.result.and(result);
    }

    fn value(&mut self, text: fmt::Arguments<'_>) {
        let result = self.writer.write_fmt(text);
        self.result = self.result.and(result);
    }
}

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            return self.message(format_args!("{value}"));
        }
        if !self.name(field) {
            return;
        }
        // What `Debug` would write, without its per-character escaping when none is needed.
        let plain = value
            .bytes()
            .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\');
        let result = if plain {
            self.writer
                .write_char('"')
                .and_then(|()| self.writer.write_str(value))
                .and_then(|()| self.writer.write_char('"'))
        } else {
            write!(self.writer, "{value:?}")
        };
        self.result = self.result.and(result);
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if self.name(field) {
            self.value(format_args!("{value}"));
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if self.name(field) {
            self.value(format_args!("{value}"));
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if self.name(field) {
            self.value(format_args!("{value}"));
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        if self.name(field) {
            self.value(format_args!("{value}"));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            return self.message(format_args!("{value:?}"));
        }
        if self.name(field) {
            self.value(format_args!("{value:?}"));
        }
    }
}

#[cfg(test)]
mod tests {
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

    /// Every kind of field the server logs, and the strings that need escaping.
    fn events() {
        let error = std::io::Error::other("disk \"full\"");
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
        assert_eq!(ours.len(), 7);
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
        assert!(ours[0].ends_with(
            " INFO request request_id=\"req_abc\" method=\"GET\" path=\"/v1/tokens\" \
             status=200 duration_us=46 token=\"-\""
        ));
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
}

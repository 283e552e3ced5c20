//! The text line of an event, as `tracing-subscriber`'s full format writes it
//! (`2026-05-01T00:00:00.000000Z  INFO request request_id="req_…" status=200`), for less:
//! the timestamp's date and time are formatted once a second, and the plain fields of a
//! request line (strings that need no escaping, numbers) are written straight into the
//! line's buffer; the rest goes through the crate's own visitor. Spans are not written (the
//! server opens none). The request line was a sixth of the instructions a cached page cost.

use std::cell::RefCell;
use std::fmt::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::field::VisitOutput;
use tracing_subscriber::fmt::format::{DefaultVisitor, Writer};
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
            empty: true,
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

/// Writes the fields as the full format does. The plain cases, a field that is a string
/// needing no escaping or a number or a bool, are written directly; everything else (the
/// message, errors, `Debug` values, strings that need escaping) goes through the crate's own
/// visitor, so that its escaping of terminal control characters and its lists of error
/// sources apply unchanged.
struct Fields<'w> {
    writer: Writer<'w>,
    ansi: bool,
    /// Nothing written yet (no separating space needed).
    empty: bool,
    result: fmt::Result,
}

impl Fields<'_> {
    /// The name a plain field is written under; `None` for those left to the crate's visitor
    /// (the message) or not written at all (the `log.*` fields of `log` records, whose
    /// target and location the full format does not show either).
    fn plain_name(field: &Field) -> Option<&'static str> {
        let name = field.name();
        (name != "message" && !name.starts_with("log."))
            .then(|| name.strip_prefix("r#").unwrap_or(name))
    }

    /// Writes ` name=value`, the value written by `value`.
    fn write_plain(&mut self, name: &str, value: impl FnOnce(&mut Writer<'_>) -> fmt::Result) {
        let pad = !std::mem::take(&mut self.empty);
        let result = (|| {
            if pad {
                self.writer.write_char(' ')?;
            }
            if self.ansi {
                write!(self.writer, "{ITALIC}{name}{RESET}{DIM}={RESET}")?;
            } else {
                self.writer.write_str(name)?;
                self.writer.write_char('=')?;
            }
            value(&mut self.writer)
        })();
        self.result = self.result.and(result);
    }

    /// Has the crate's visitor write the field.
    fn delegate(&mut self, field: &Field, record: impl FnOnce(&mut DefaultVisitor<'_>)) {
        if field.name().starts_with("log.") {
            return;
        }
        let mut visitor = DefaultVisitor::new(self.writer.by_ref(), self.empty);
        record(&mut visitor);
        self.empty = false;
        self.result = self.result.and(visitor.finish());
    }
}

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        // What `Debug` writes, without its per-character escaping when none is needed.
        let plain = value
            .bytes()
            .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\');
        match Self::plain_name(field) {
            Some(name) if plain => self.write_plain(name, |w| {
                w.write_char('"')?;
                w.write_str(value)?;
                w.write_char('"')
            }),
            _ => self.delegate(field, |v| v.record_str(field, value)),
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        match Self::plain_name(field) {
            Some(name) => self.write_plain(name, |w| w.write_str(decimal(value, &mut [0; 20]))),
            None => self.delegate(field, |v| v.record_u64(field, value)),
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        match Self::plain_name(field) {
            Some(name) => self.write_plain(name, |w| {
                if value < 0 {
                    w.write_char('-')?;
                }
                w.write_str(decimal(value.unsigned_abs(), &mut [0; 20]))
            }),
            None => self.delegate(field, |v| v.record_i64(field, value)),
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        match Self::plain_name(field) {
            Some(name) => {
                self.write_plain(name, |w| w.write_str(if value { "true" } else { "false" }))
            }
            None => self.delegate(field, |v| v.record_bool(field, value)),
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.delegate(field, |v| v.record_error(field, value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.delegate(field, |v| v.record_debug(field, value));
    }
}

/// `value` in decimal, as `{value}` writes it, written into the end of `digits` (without
/// the formatting machinery, a share of each request line's cost).
fn decimal(mut value: u64, digits: &mut [u8; 20]) -> &str {
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    // ASCII digits only.
    std::str::from_utf8(&digits[at..]).unwrap_or("0")
}

#[cfg(test)]
mod tests;

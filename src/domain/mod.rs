//! The vocabulary of the service: values parsed once at the boundary and trusted afterwards.

mod auth;
mod cut;
pub(crate) mod faults;
mod query;
mod query_params;
mod query_string;
mod text;
mod token;
mod token_view;

pub use auth::{AuthError, Presented, REQUIRED_SCOPE};
pub(crate) use cut::{cut_to, marked};
pub use query::{ListQuery, QueryLimits};
pub(crate) use query::{ParamError, PER_PAGE_MAX};
pub use query_string::decode_query;
pub(crate) use query_string::{parse_integer, QueryString};
pub use text::{fold, fold_into};
pub(crate) use token::{Scope, Secret};
pub use token::{SecretDigest, Status, Token, TokenId, WorkspaceId};
pub(crate) use token_view::TokenView;

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Timelike, Utc};

/// Formats a timestamp the way the API does: RFC 3339, UTC, whole seconds, `Z`.
pub fn format_timestamp(at: &DateTime<Utc>) -> String {
    Timestamp::new(at).as_str().to_owned()
}

/// A timestamp written out as `2026-01-15T09:00:00Z`, on the stack: pages hold dozens of
/// them and each request writes them all.
pub struct Timestamp([u8; 20]);

impl Timestamp {
    /// Writes `at`; years outside 0..=9999 fall back to the general formatter's first 20 bytes
    /// (they cannot come from a snapshot, whose timestamps are RFC 3339).
    pub fn new(at: &DateTime<Utc>) -> Timestamp {
        let mut out = *b"0000-00-00T00:00:00Z";
        let year = at.year();
        if !(0..=9999).contains(&year) {
            let text = at.to_rfc3339_opts(SecondsFormat::Secs, true);
            let n = text.len().min(20);
            out[..n].copy_from_slice(&text.as_bytes()[..n]);
            return Timestamp(out);
        }
        let mut put = |at: usize, width: usize, mut value: u32| {
            for i in (at..at + width).rev() {
                out[i] = b'0' + (value % 10) as u8;
                value /= 10;
            }
        };
        put(0, 4, year as u32);
        put(5, 2, at.month());
        put(8, 2, at.day());
        put(11, 2, at.hour());
        put(14, 2, at.minute());
        put(17, 2, at.second());
        Timestamp(out)
    }

    /// The 20 characters, `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("only ASCII digits and separators are written")
    }
}

/// Parses an RFC 3339 timestamp and normalises it to UTC whole seconds. A time whose UTC
/// year falls outside 0000..=9999 (`9999-12-31T23:59:59-01:00`) is refused: RFC 3339 could
/// not write it back.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    if let Some(at) = parse_canonical(text.as_bytes()) {
        return Some(at);
    }
    let at = DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc);
    DateTime::from_timestamp(at.timestamp(), 0).filter(|at| (0..=9999).contains(&at.year()))
}

/// The form the API itself writes, `2026-01-15T09:00:00Z`, read without the general parser:
/// snapshots hold millions of these.
fn parse_canonical(b: &[u8]) -> Option<DateTime<Utc>> {
    let shape_ok = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z';
    if !shape_ok {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(number(0..4)?).ok()?,
        number(5..7)?,
        number(8..10)?,
    )?;
    let at = date.and_hms_opt(number(11..13)?, number(14..16)?, number(17..19)?)?;
    Some(at.and_utc())
}

#[cfg(test)]
mod tests {
    use super::{format_timestamp, parse_timestamp};

    #[test]
    fn timestamps_are_normalised_to_utc_whole_seconds() {
        let cases = [
            ("2026-01-15T09:00:00Z", "2026-01-15T09:00:00Z"),
            ("2026-01-15T10:30:00+01:30", "2026-01-15T09:00:00Z"),
            ("2026-01-15T09:00:00.999Z", "2026-01-15T09:00:00Z"),
            ("2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z"),
            ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
            ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"),
        ];
        for (text, expected) in cases {
            assert_eq!(
                parse_timestamp(text)
                    .map(|t| format_timestamp(&t))
                    .as_deref(),
                Some(expected),
                "{text}"
            );
        }
    }

    #[test]
    fn every_accepted_timestamp_is_written_back_as_it_was_read() {
        for text in [
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "9999-12-31T23:59:59+00:00",
            "0001-01-01T00:00:00+01:00",
        ] {
            let at = parse_timestamp(text).expect(text);
            assert_eq!(parse_timestamp(&format_timestamp(&at)), Some(at), "{text}");
        }
    }

    #[test]
    fn impossible_or_malformed_timestamps_are_refused() {
        for text in [
            "2026-02-30T09:00:00Z",
            "2026-01-15T24:00:00Z",
            "2026-01-15 09:00:00",
            "2026-1-15T09:00:00Z",
            "yesterday",
            "2026-01-15T09:00:0xZ",
            "9999-12-31T23:59:59-00:01",
            "0000-01-01T00:00:00+00:01",
        ] {
            assert_eq!(parse_timestamp(text), None, "{text}");
        }
    }
}

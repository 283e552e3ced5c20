//! The vocabulary of the service: values parsed once at the boundary and trusted afterwards.

mod query;
mod text;
mod token;

pub use query::{decode_query, ListQuery, NameFilter, ParamError, QueryLimits};
pub use text::{fold, fold_into};
pub use token::{Scope, Secret, SecretDigest, Status, Token, TokenId, WorkspaceId};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// Formats a timestamp the way the API does: RFC 3339, UTC, whole seconds, `Z`.
pub fn format_timestamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Parses an RFC 3339 timestamp and normalises it to UTC whole seconds.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    if let Some(at) = parse_canonical(text.as_bytes()) {
        return Some(at);
    }
    let at = DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc);
    DateTime::from_timestamp(at.timestamp(), 0)
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
    fn impossible_or_malformed_timestamps_are_refused() {
        for text in [
            "2026-02-30T09:00:00Z",
            "2026-01-15T24:00:00Z",
            "2026-01-15 09:00:00",
            "2026-1-15T09:00:00Z",
            "yesterday",
            "2026-01-15T09:00:0xZ",
        ] {
            assert_eq!(parse_timestamp(text), None, "{text}");
        }
    }
}

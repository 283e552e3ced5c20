//! The vocabulary of the service: values parsed once at the boundary and trusted afterwards.

mod query;
mod text;
mod token;

pub use query::{decode_query, ListQuery, NameFilter, ParamError, QueryLimits};
pub use text::fold;
pub use token::{Scope, Secret, SecretDigest, Status, Token, TokenId, WorkspaceId};

use chrono::{DateTime, SecondsFormat, Utc};

/// Formats a timestamp the way the API does: RFC 3339, UTC, whole seconds, `Z`.
pub fn format_timestamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Parses an RFC 3339 timestamp and normalises it to UTC whole seconds.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let at = DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc);
    DateTime::from_timestamp(at.timestamp(), 0)
}

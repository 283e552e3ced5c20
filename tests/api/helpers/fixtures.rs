//! The fixtures under `tests/fixtures/`, the secrets they hold, and the instant most tests
//! freeze the clock at.

use std::path::PathBuf;

/// The instant most tests freeze the clock at.
pub const FROZEN_NOW: &str = "2026-05-01T00:00:00Z";

/// The exact challenge of a request without bearer credentials (RFC 6750 §3).
pub const MISSING_TOKEN_CHALLENGE: &str = r#"Bearer realm="tooken""#;

/// The exact challenge of a token without `tokens:read`.
pub const INSUFFICIENT_SCOPE_CHALLENGE: &str =
    r#"Bearer realm="tooken", error="insufficient_scope", scope="tokens:read""#;

/// The secrets of `tests/fixtures/auth.json` (workspace `ws_auth`).
pub mod auth {
    pub const READER: &str = "tok_live_AuthReader00000000000000001";
    pub const OBSERVER: &str = "tok_live_AuthObserver000000000000002";
    pub const DEPLOY_ONLY: &str = "tok_live_AuthDeployOnly0000000000003";
    pub const WRITE_ONLY: &str = "tok_live_AuthWriteOnly00000000000004";
    pub const BAD_QUERY_SENDER: &str = "tok_live_AuthBadQuery000000000000005";
    pub const REVOKED: &str = "tok_live_AuthRevoked0000000000000006";
    /// Stored with status `expired`.
    pub const EXPIRED: &str = "tok_live_AuthExpired0000000000000007";
    /// Stored `active`, but its `expires_at` (2026-04-30T23:59:59Z) precedes [`super::FROZEN_NOW`].
    pub const LAPSED: &str = "tok_live_AuthLapsed00000000000000008";
    /// Well formed, but no token has it.
    pub const UNKNOWN: &str = "tok_live_NobodyHasThisSecret000000009";
    pub const ALL: [&str; 8] = [
        READER,
        OBSERVER,
        DEPLOY_ONLY,
        WRITE_ONLY,
        BAD_QUERY_SENDER,
        REVOKED,
        EXPIRED,
        LAPSED,
    ];
}

/// The secret of the token "Observer" of `names.json`.
pub const NAMES_OBSERVER: &str = "tok_live_NamesObserver00000000000001";
/// The secret of the token "Pager" of `paging.json`.
pub const PAGER: &str = "tok_live_PagingReader000000000000001";
/// The secret of the token "Format reader" of `formats.json`.
pub const FORMAT_READER: &str = "tok_live_FormatReader000000000000001";

/// The secrets of `tests/fixtures/workspaces.json`.
pub const NORTH_READER: &str = "tok_live_NorthReader0000000000000001";
pub const SOUTH_READER: &str = "tok_live_SouthReader0000000000000002";

/// The path of a file under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

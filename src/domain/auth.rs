//! Why a bearer credential was not accepted (RFC 6750 §3 error codes).

/// The scope that `GET /v1/tokens` requires.
pub const REQUIRED_SCOPE: &str = "tokens:read";

/// Why a request was not let in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No bearer credentials at all (401, `missing_token`).
    #[error("no bearer token was sent")]
    Missing,
    /// Credentials that match no token (401, `invalid_token`).
    #[error("token is not valid")]
    Unknown,
    /// The token was revoked (401, `invalid_token`).
    #[error("token has been revoked")]
    Revoked,
    /// The token's expiry time has passed (401, `invalid_token`).
    #[error("token has expired")]
    Expired,
    /// The token's `created_at` lies after the clock (401, `invalid_token`): it did not exist
    /// yet, so it cannot have been used.
    #[error("token is not valid yet")]
    NotValidYet,
    /// The token lacks [`REQUIRED_SCOPE`] (403, `insufficient_scope`).
    #[error("token lacks the {REQUIRED_SCOPE} scope")]
    InsufficientScope,
}

/// What a request presented as its bearer credentials (RFC 6750 §2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presented {
    /// No header, an empty one, `Bearer` without a secret, or another scheme.
    Nothing,
    /// Several `Authorization` headers: nothing unambiguous to check.
    Ambiguous,
    /// The digest of the one bearer secret sent; the secret itself is not kept.
    Secret(super::SecretDigest),
}

//! Bearer authentication and the scope check, read straight from a shared index so that
//! handlers authenticate without a round trip to the store actor.

use actix_web::http::header::{HeaderMap, AUTHORIZATION};
use chrono::{DateTime, Utc};
use dashmap::DashMap;

use crate::domain::{SecretDigest, Status, TokenId, WorkspaceId};
use crate::store::snapshot::Snapshot;

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
    /// The token lacks [`REQUIRED_SCOPE`] (403, `insufficient_scope`).
    #[error("token lacks the {REQUIRED_SCOPE} scope")]
    InsufficientScope,
}

/// What the index keeps of a token that has a secret.
#[derive(Clone, Debug)]
struct Credential {
    digest: SecretDigest,
    token: TokenId,
    workspace: WorkspaceId,
    status: Status,
    expires_at: Option<DateTime<Utc>>,
    can_list: bool,
}

/// The token a request authenticated as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub token: TokenId,
    pub workspace: WorkspaceId,
    /// The digest of the secret presented, so that the store can authenticate it again
    /// against the very data it lists from.
    pub digest: SecretDigest,
    can_list: bool,
}

impl Principal {
    /// Checks that the token may list tokens.
    pub fn require_list_scope(&self) -> Result<(), AuthError> {
        if self.can_list {
            Ok(())
        } else {
            Err(AuthError::InsufficientScope)
        }
    }
}

/// Secret digests of every token that has a secret. Only digests are kept.
#[derive(Debug, Default)]
pub struct Credentials {
    by_digest: DashMap<SecretDigest, Credential>,
}

impl Credentials {
    /// Indexes the secrets of a snapshot.
    pub fn new(snapshot: &Snapshot) -> Credentials {
        let credentials = Credentials::default();
        for workspace in &snapshot.workspaces {
            for data in &workspace.tokens {
                if let Some(digest) = data.secret {
                    let token = &data.token;
                    credentials.by_digest.insert(
                        digest,
                        Credential {
                            digest,
                            token: token.id.clone(),
                            workspace: workspace.id.clone(),
                            status: token.status,
                            expires_at: token.expires_at,
                            can_list: token.has_scope(REQUIRED_SCOPE),
                        },
                    );
                }
            }
        }
        credentials
    }

    /// Authenticates the `Authorization` header of a request as of `now`.
    pub fn authenticate(
        &self,
        headers: &HeaderMap,
        now: DateTime<Utc>,
    ) -> Result<Principal, AuthError> {
        let mut values = headers.get_all(AUTHORIZATION);
        let (Some(value), None) = (values.next(), values.next()) else {
            // None, or several: nothing unambiguous to check.
            return Err(if headers.contains_key(AUTHORIZATION) {
                AuthError::Unknown
            } else {
                AuthError::Missing
            });
        };
        let secret = bearer_secret(value.as_bytes()).ok_or(AuthError::Missing)?;
        self.authenticate_digest(SecretDigest::of(secret), now)
    }

    /// Authenticates the digest of a presented secret as of `now`.
    pub fn authenticate_digest(
        &self,
        digest: SecretDigest,
        now: DateTime<Utc>,
    ) -> Result<Principal, AuthError> {
        let credential = self
            .by_digest
            .get(&digest)
            .filter(|c| c.digest.matches(&digest))
            .ok_or(AuthError::Unknown)?;
        if credential.status == Status::Revoked {
            return Err(AuthError::Revoked);
        }
        if credential.status == Status::Expired || credential.expires_at.is_some_and(|at| now >= at)
        {
            return Err(AuthError::Expired);
        }
        Ok(Principal {
            token: credential.token.clone(),
            workspace: credential.workspace.clone(),
            digest,
            can_list: credential.can_list,
        })
    }
}

/// The secret of a `Bearer` header: the scheme in any case, then one or more spaces.
pub fn bearer_secret(value: &[u8]) -> Option<&[u8]> {
    let scheme_end = value.iter().position(|&b| b == b' ')?;
    let (scheme, rest) = value.split_at(scheme_end);
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return None;
    }
    let start = rest.iter().position(|&b| b != b' ')?;
    Some(&rest[start..])
}

#[cfg(test)]
mod tests {
    use super::bearer_secret;

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_spaces_separate_it() {
        assert_eq!(bearer_secret(b"Bearer abc"), Some(&b"abc"[..]));
        assert_eq!(bearer_secret(b"bEaReR    abc"), Some(&b"abc"[..]));
        assert_eq!(bearer_secret(b"Bearer"), None);
        assert_eq!(bearer_secret(b"Bearer   "), None);
        assert_eq!(bearer_secret(b"Basic abc"), None);
        assert_eq!(bearer_secret(b""), None);
        assert_eq!(bearer_secret(b"Bearerabc"), None);
    }
}

//! Tokens and the values they are made of.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The state of a token: `active`, `expired` or `revoked`. `expired` and `revoked` are
/// final; an `active` token becomes `expired` when the clock reaches its `expires_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The token authenticates requests.
    Active,
    /// The token reached its expiry time.
    Expired,
    /// The token was revoked by a workspace member.
    Revoked,
}

impl Status {
    /// Every status, in the order of their partition index.
    pub const ALL: [Status; 3] = [Status::Active, Status::Expired, Status::Revoked];

    /// The lowercase name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Expired => "expired",
            Status::Revoked => "revoked",
        }
    }

    /// Parses the exact lowercase wire name.
    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// A dense index, for arrays with one slot per status.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A token id, `tok_` followed by 24 lowercase letters or digits. Held inline (28 bytes, no
/// allocation): a snapshot has millions of them.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenId([u8; TokenId::LEN]);

impl TokenId {
    /// The length of every id, in bytes.
    const LEN: usize = 28;

    /// Accepts exactly `^tok_[a-z0-9]{24}$`.
    pub fn parse(text: &str) -> Option<TokenId> {
        let rest = text.strip_prefix("tok_")?;
        let well_formed = rest.len() == 24
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !well_formed {
            return None;
        }
        text.as_bytes().try_into().ok().map(TokenId)
    }

    /// The id as the API writes it: `tok_` and 24 lowercase letters or digits.
    pub fn as_str(&self) -> &str {
        // Only ever made from an ASCII id by `parse`.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Debug for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TokenId").field(&self.as_str()).finish()
    }
}

/// A workspace id, `ws_` followed by 1 to 64 lowercase letters, digits or underscores.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkspaceId(Arc<str>);

impl WorkspaceId {
    /// Accepts exactly `^ws_[a-z0-9_]{1,64}$`.
    pub fn parse(text: &str) -> Option<WorkspaceId> {
        let rest = text.strip_prefix("ws_")?;
        let well_formed = (1..=64).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        well_formed.then(|| WorkspaceId(text.into()))
    }

    /// The id as the API writes it: `ws_` and 1 to 64 lowercase letters, digits or `_`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A permission scope, `resource:action` in lowercase (`tokens:read`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scope(Arc<str>);

impl Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl Scope {
    /// Accepts `^[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$`.
    pub fn parse(text: &str) -> Option<Scope> {
        let (resource, action) = text.split_once(':')?;
        let part_ok = |part: &str| {
            part.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        (part_ok(resource) && part_ok(action)).then(|| Scope(text.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A bearer secret as written in a snapshot: `tok_live_` and 24 or more ASCII letters or
/// digits. It is turned into its digest at load and never kept in plain form.
pub(crate) struct Secret;

impl Secret {
    /// Checks the form of a secret and returns its digest.
    pub(crate) fn parse(text: &str) -> Option<SecretDigest> {
        let rest = text.strip_prefix("tok_live_")?;
        let well_formed = rest.len() >= 24 && rest.bytes().all(|b| b.is_ascii_alphanumeric());
        well_formed.then(|| SecretDigest::of(text.as_bytes()))
    }
}

/// The SHA-256 digest of a bearer secret. Ordered, so that digests can be searched in a
/// sorted list.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretDigest([u8; 32]);

impl SecretDigest {
    /// Digests whatever a caller presented, well formed or not.
    pub fn of(secret: &[u8]) -> SecretDigest {
        SecretDigest(Sha256::digest(secret).into())
    }

    /// Parses 64 lowercase hexadecimal digits, as exported in snapshots.
    pub(crate) fn from_hex(text: &str) -> Option<SecretDigest> {
        let bytes = text.as_bytes();
        if bytes.len() != 64
            || !bytes
                .iter()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        {
            return None;
        }
        let mut digest = [0u8; 32];
        for (i, pair) in bytes.chunks(2).enumerate() {
            let text = std::str::from_utf8(pair).ok()?;
            digest[i] = u8::from_str_radix(text, 16).ok()?;
        }
        Some(SecretDigest(digest))
    }

    /// The digest's 32 bytes.
    pub(crate) fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The digest as 64 lowercase hexadecimal digits.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Compares two digests in constant time.
    pub fn matches(&self, other: &SecretDigest) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for SecretDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretDigest(..)")
    }
}

/// A token as the store holds it: the API object, without any secret.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// The token's id (`tok_...`).
    pub id: TokenId,
    /// Shared, so that copying a page of tokens out of the store allocates nothing.
    pub name: Arc<str>,
    /// Shared by every token with the same list.
    pub scopes: Arc<[Scope]>,
    /// The status written in the snapshot; see [`Token::status_at`] for the current one.
    pub status: Status,
    /// When the token was created (UTC, whole seconds).
    pub created_at: DateTime<Utc>,
    /// When the token expires; `None`: never.
    pub expires_at: Option<DateTime<Utc>>,
    /// When the token last authenticated a request; `None`: never.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Shared by every token of the same creator.
    pub created_by: Arc<str>,
}

impl Token {
    /// The status as of `now`: an active token whose expiry time has come is expired.
    pub fn status_at(&self, now: DateTime<Utc>) -> Status {
        match (self.status, self.expires_at) {
            (Status::Active, Some(expires_at)) if now >= expires_at => Status::Expired,
            (status, _) => status,
        }
    }

    /// Whether the token carries `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s.as_str() == scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_takes_no_more_room_than_the_memory_figures_assume() {
        // docs/performance.md ("Start-up"): 120 bytes a token, its id inline, times of 12
        // bytes whose `None` costs nothing.
        assert_eq!(std::mem::size_of::<TokenId>(), 28);
        assert_eq!(std::mem::size_of::<Option<DateTime<Utc>>>(), 12);
        assert!(
            std::mem::size_of::<Token>() <= 120,
            "{}",
            std::mem::size_of::<Token>()
        );
    }

    #[test]
    fn token_ids_must_be_tok_and_24_lowercase_alphanumerics() {
        assert!(TokenId::parse("tok_a1b2c3d4e5f6g7h8i9j0k1l2").is_some());
        assert!(TokenId::parse("tok_A1b2c3d4e5f6g7h8i9j0k1l2").is_none());
        assert!(TokenId::parse("tok_a1b2c3d4e5f6g7h8i9j0k1l").is_none());
        assert!(TokenId::parse("tok_a1b2c3d4e5f6g7h8i9j0k1l2x").is_none());
        assert!(TokenId::parse("key_a1b2c3d4e5f6g7h8i9j0k1l2").is_none());
    }

    #[test]
    fn secrets_need_the_live_prefix_and_24_alphanumerics() {
        assert!(Secret::parse("tok_live_abcdefghijklmnopqrstuvwx").is_some());
        assert!(Secret::parse("tok_live_abcdefghijklmnopqrstuvw").is_none());
        assert!(Secret::parse("tok_live_abcdefghijklmnopqrstuvw!").is_none());
        assert!(Secret::parse("tok_test_abcdefghijklmnopqrstuvwx").is_none());
    }

    #[test]
    fn a_digest_round_trips_through_hex() {
        let digest = Secret::parse("tok_live_abcdefghijklmnopqrstuvwx").unwrap();
        let hex = digest.to_hex();
        assert_eq!(hex.len(), 64);
        assert_eq!(SecretDigest::from_hex(&hex), Some(digest));
        assert_eq!(SecretDigest::from_hex(&hex.to_uppercase()), None);
        assert_eq!(SecretDigest::from_hex(&hex[1..]), None);
    }

    #[test]
    fn scopes_are_lowercase_resource_and_action() {
        assert!(Scope::parse("tokens:read").is_some());
        assert!(Scope::parse("billing_v2:write").is_some());
        assert!(Scope::parse("Tokens:read").is_none());
        assert!(Scope::parse("tokens").is_none());
        assert!(Scope::parse("tokens:").is_none());
        assert!(Scope::parse(":read").is_none());
        assert!(Scope::parse("tokens:read:all").is_none());
    }

    #[test]
    fn an_active_token_expires_when_the_clock_reaches_its_expiry() {
        let expires_at = "2026-06-01T00:00:00Z".parse().unwrap();
        let token = Token {
            id: TokenId::parse("tok_a1b2c3d4e5f6g7h8i9j0k1l2").unwrap(),
            name: "n".into(),
            scopes: Arc::new([]),
            status: Status::Active,
            created_at: "2026-01-01T00:00:00Z".parse().unwrap(),
            expires_at: Some(expires_at),
            last_used_at: None,
            created_by: "a@example.com".into(),
        };
        let second_before = expires_at - chrono::Duration::seconds(1);
        assert_eq!(token.status_at(second_before), Status::Active);
        assert_eq!(token.status_at(expires_at), Status::Expired);
        let revoked = Token {
            status: Status::Revoked,
            ..token
        };
        assert_eq!(revoked.status_at(second_before), Status::Revoked);
    }
}

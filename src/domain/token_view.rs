//! A token as the API (and the admin API) writes it: the fields of the vendor's object, in
//! its order, borrowed from the store's copy. Never carries a secret.

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

use super::{Scope, Status, Timestamp, Token};

// It borrows from the store's copy of the token, so that a page is written without a
// string of its own per field.
/// A token of the workspace. Never carries its secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Token)]
pub(crate) struct TokenView<'a> {
    /// The unique identifier for the token. Format: `tok_a1b2c3d4e5f6g7h8i9j0k1l2`.
    #[schema(
        pattern = "^tok_[a-z0-9]{24}$",
        example = "tok_a1b2c3d4e5f6g7h8i9j0k1l2"
    )]
    pub id: &'a str,
    /// The human-readable name assigned to the token at creation.
    #[schema(min_length = 1, max_length = 256, example = "CI Deploy Token")]
    pub name: &'a str,
    /// The list of permission scopes granted to this token (for example,
    /// `["tokens:read", "tokens:write"]`).
    #[schema(value_type = Vec<String>, example = json!(["tokens:read", "tokens:write"]))]
    pub scopes: &'a [Scope],
    /// The current state of the token. One of `active`, `expired`, or `revoked`.
    pub status: Status,
    /// ISO 8601 datetime when the token was created.
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2026-01-15T09:00:00Z")]
    pub created_at: DateTime<Utc>,
    /// ISO 8601 datetime when the token expires. `null` if the token has no expiration.
    #[serde(serialize_with = "optional_timestamp")]
    #[schema(value_type = Option<String>, format = DateTime, required = true, example = "2027-01-15T09:00:00Z")]
    pub expires_at: Option<DateTime<Utc>>,
    /// ISO 8601 datetime of the most recent authenticated request made with this token.
    /// `null` if the token has never been used.
    #[serde(serialize_with = "optional_timestamp")]
    #[schema(value_type = Option<String>, format = DateTime, required = true, example = "2026-04-27T14:32:00Z")]
    pub last_used_at: Option<DateTime<Utc>>,
    /// The email address of the workspace member who created the token.
    #[schema(format = Email, example = "alice@example.com")]
    pub created_by: &'a str,
}

impl TokenView<'_> {
    /// The members of a token as written, in their order (the vendor's).
    pub(crate) const MEMBERS: [&'static str; 8] = [
        "id",
        "name",
        "scopes",
        "status",
        "created_at",
        "expires_at",
        "last_used_at",
        "created_by",
    ];
}

impl<'a> From<&'a Token> for TokenView<'a> {
    fn from(token: &'a Token) -> TokenView<'a> {
        TokenView {
            id: token.id.as_str(),
            name: &token.name,
            scopes: &token.scopes,
            status: token.status,
            created_at: token.created_at,
            expires_at: token.expires_at,
            last_used_at: token.last_used_at,
            created_by: &token.created_by,
        }
    }
}

fn timestamp<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(Timestamp::new(at).as_str())
}

fn optional_timestamp<S: Serializer>(
    at: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => timestamp(at, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::domain::TokenId;

    #[test]
    fn a_token_is_written_with_exactly_its_members_in_order() {
        let token = Token {
            id: TokenId::parse("tok_a1b2c3d4e5f6g7h8i9j0k1l2").unwrap(),
            name: "CI".into(),
            scopes: Arc::from([Scope::parse("tokens:read").unwrap()]),
            status: Status::Active,
            created_at: "2026-01-15T09:00:00Z".parse().unwrap(),
            expires_at: None,
            last_used_at: None,
            created_by: "alice@example.com".into(),
        };
        let written = serde_json::to_value(TokenView::from(&token)).unwrap();
        let members: Vec<&str> = written
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(members, TokenView::MEMBERS);
    }
}

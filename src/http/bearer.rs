//! Bearer credentials (RFC 6750 §2.1): the one reader of the `Authorization` field, for the
//! API, its rate limit, the admin API and the proxy alike.
//!
//! One rule everywhere: `Bearer` in any case, one or more spaces, then the secret without the
//! whitespace around it; several `Authorization` fields are ambiguous and refused, never
//! resolved by picking one.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::header::{HeaderMap, AUTHORIZATION};
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use crate::domain::{AuthError, Presented, SecretDigest};

/// What the `Authorization` fields of one request hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Credentials<'a> {
    /// No `Authorization` field.
    Absent,
    /// Two or more `Authorization` fields: nothing unambiguous to check.
    Several,
    /// One field holding `Bearer <secret>`: the secret's bytes.
    Bearer(&'a [u8]),
    /// One field in another form (another scheme, `Bearer` without a secret, empty): the
    /// field's bytes.
    Other(&'a [u8]),
}

impl<'a> Credentials<'a> {
    /// Reads the `Authorization` fields of a request.
    pub(crate) fn of(headers: &'a HeaderMap) -> Credentials<'a> {
        Credentials::from_fields(headers.get_all(AUTHORIZATION).map(|v| v.as_bytes()))
    }

    /// Reads the values of the `Authorization` fields of a message, in order.
    pub(crate) fn from_fields(mut values: impl Iterator<Item = &'a [u8]>) -> Credentials<'a> {
        match (values.next(), values.next()) {
            (None, _) => Credentials::Absent,
            (Some(_), Some(_)) => Credentials::Several,
            (Some(value), None) => match bearer_secret(value) {
                Some(secret) => Credentials::Bearer(secret),
                None => Credentials::Other(value),
            },
        }
    }

    /// What the store authenticates: the secret's digest, or why there is none.
    pub(crate) fn presented(self) -> Presented {
        match self {
            Credentials::Bearer(secret) => Presented::Secret(SecretDigest::of(secret)),
            Credentials::Several => Presented::Ambiguous,
            Credentials::Absent | Credentials::Other(_) => Presented::Nothing,
        }
    }

    /// Whether the request carries something meant as credentials: a bearer secret, or
    /// several fields (refused as ambiguous, but not missing).
    pub(crate) fn are_sent(self) -> bool {
        matches!(self, Credentials::Bearer(_) | Credentials::Several)
    }

    /// The key of the caller's rate-limit window: the secret's digest however the scheme is
    /// spelled, so that no secret is held; anything that is not one bearer secret shares one
    /// window per form.
    pub(crate) fn window_key(self) -> SecretDigest {
        match self {
            Credentials::Bearer(secret) => SecretDigest::of(secret),
            Credentials::Other(value) => SecretDigest::of(value),
            Credentials::Absent => SecretDigest::of(b""),
            Credentials::Several => SecretDigest::of(b"\n"),
        }
    }

    /// Checks the credentials against one expected secret, in constant time: `Missing` when
    /// no bearer secret was sent, `Unknown` for another secret or several fields.
    pub(crate) fn check(self, expected: &[u8]) -> Result<(), AuthError> {
        use subtle::ConstantTimeEq;
        match self {
            Credentials::Bearer(secret) if bool::from(secret.ct_eq(expected)) => Ok(()),
            Credentials::Bearer(_) | Credentials::Several => Err(AuthError::Unknown),
            Credentials::Absent | Credentials::Other(_) => Err(AuthError::Missing),
        }
    }
}

/// The caller of an API request, read once: what the store authenticates and the key of its
/// rate-limit window, from one digest of the secret. The mock controls put it into the
/// request's extensions as they start; the handler reads it as an extractor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Caller {
    /// What the store authenticates.
    pub presented: Presented,
    /// The key of the caller's rate-limit window ([`Credentials::window_key`]).
    pub window: SecretDigest,
}

impl Caller {
    /// Reads the caller of a request with these headers (one SHA-256 of the secret).
    pub(crate) fn of(headers: &HeaderMap) -> Caller {
        let credentials = Credentials::of(headers);
        match credentials {
            Credentials::Bearer(secret) => {
                let digest = SecretDigest::of(secret);
                Caller {
                    presented: Presented::Secret(digest),
                    window: digest,
                }
            }
            _ => Caller {
                presented: credentials.presented(),
                window: credentials.window_key(),
            },
        }
    }
}

impl FromRequest for Caller {
    type Error = std::convert::Infallible;
    type Future = Ready<Result<Caller, Self::Error>>;

    /// The caller read at the start of the request; read now if nothing read it.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = req.extensions().get::<Caller>().copied();
        ready(Ok(caller.unwrap_or_else(|| Caller::of(req.headers()))))
    }
}

/// The secret of a `Bearer` field: the scheme in any case, then one or more spaces, then the
/// secret without surrounding whitespace (spaces and tabs); `None` when no secret follows.
pub(crate) fn bearer_secret(value: &[u8]) -> Option<&[u8]> {
    let scheme_end = value.iter().position(|&b| b == b' ')?;
    let (scheme, rest) = value.split_at(scheme_end);
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return None;
    }
    let is_space = |b: &u8| *b == b' ' || *b == b'\t';
    let start = rest.iter().position(|b| !is_space(b))?;
    let end = rest.iter().rposition(|b| !is_space(b))?;
    Some(&rest[start..=end])
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderMap, HeaderValue, AUTHORIZATION};

    use super::{bearer_secret, Credentials};
    use crate::domain::AuthError;

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_whitespace_surrounds_the_secret() {
        assert_eq!(bearer_secret(b"Bearer abc"), Some(&b"abc"[..]));
        assert_eq!(bearer_secret(b"bEaReR    abc"), Some(&b"abc"[..]));
        assert_eq!(bearer_secret(b"Bearer abc \t "), Some(&b"abc"[..]));
        assert_eq!(bearer_secret(b"Bearer \tabc"), Some(&b"abc"[..]));
        assert_eq!(bearer_secret(b"Bearer"), None);
        assert_eq!(bearer_secret(b"Bearer   "), None);
        assert_eq!(bearer_secret(b"Bearer\tabc"), None);
        assert_eq!(bearer_secret(b"Basic abc"), None);
        assert_eq!(bearer_secret(b""), None);
        assert_eq!(bearer_secret(b"Bearerabc"), None);
    }

    #[test]
    fn several_fields_are_refused_even_when_each_holds_the_expected_secret() {
        let mut headers = HeaderMap::new();
        for _ in 0..2 {
            headers.append(AUTHORIZATION, HeaderValue::from_static("Bearer right"));
        }
        let credentials = Credentials::of(&headers);
        assert_eq!(credentials, Credentials::Several);
        assert_eq!(credentials.check(b"right"), Err(AuthError::Unknown));
        assert!(credentials.are_sent());
    }
}

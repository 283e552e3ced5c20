//! Bearer credentials (RFC 6750 §2.1): the one parser of the `Authorization` header.

use actix_web::http::header::{HeaderMap, AUTHORIZATION};

use crate::domain::{Presented, SecretDigest};

/// Reads the `Authorization` headers of a request.
pub fn presented(headers: &HeaderMap) -> Presented {
    let mut values = headers.get_all(AUTHORIZATION);
    match (values.next(), values.next()) {
        (None, _) => Presented::Nothing,
        (Some(_), Some(_)) => Presented::Ambiguous,
        (Some(value), None) => match bearer_secret(value.as_bytes()) {
            Some(secret) => Presented::Secret(SecretDigest::of(secret)),
            None => Presented::Nothing,
        },
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

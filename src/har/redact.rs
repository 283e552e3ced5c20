//! What a HAR never holds: credentials. The value of `Authorization` (and
//! `Proxy-Authorization`) keeps its scheme, and every `tok_live_…` secret in a header, a URL
//! or a body is replaced by a fingerprint, `redacted:sha256:` and the first 12 hex digits of
//! the secret's SHA-256 digest.
//!
//! The fingerprint lets `fidelity --secret S` put the right secret back in each request
//! ([`restore`]) without the file holding it; 48 bits of the digest of a high-entropy secret
//! tell nothing about it.

use std::borrow::Cow;

use crate::domain::SecretDigest;

/// Starts every fingerprint.
pub(crate) const PREFIX: &str = "redacted:sha256:";
/// Hex digits of the digest a fingerprint keeps.
const DIGITS: usize = 12;
/// Starts every token secret of the Tooken API.
const SECRET_PREFIX: &str = "tok_live_";
/// Headers whose whole credential is replaced, whatever its form.
const CREDENTIAL_HEADERS: [&str; 2] = ["authorization", "proxy-authorization"];

/// A bearer secret whose SHA-256 digest was taken already (the caller's, read once per
/// request by `http::bearer::Caller`): its fingerprint costs no second digest.
#[derive(Clone, Copy, Debug)]
pub(crate) struct KnownSecret<'a> {
    /// The secret as `Authorization: Bearer <secret>` carries it.
    pub(crate) secret: &'a [u8],
    /// The SHA-256 digest of `secret`.
    pub(crate) digest: SecretDigest,
}

/// The fingerprint standing for `secret`: `redacted:sha256:3f9a1c7b2e8d`.
pub(crate) fn fingerprint(secret: &str) -> String {
    fingerprint_of(&SecretDigest::of(secret.as_bytes()))
}

/// The fingerprint of the secret whose SHA-256 digest is `digest`.
pub(crate) fn fingerprint_of(digest: &SecretDigest) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(PREFIX.len() + DIGITS);
    out.push_str(PREFIX);
    for byte in &digest.as_bytes()[..DIGITS / 2] {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

/// A header's value as a HAR keeps it: the credential of `Authorization` fingerprinted
/// (`Bearer redacted:sha256:…`; a value with no credential, such as `Bearer` alone, stays),
/// secrets in any other value fingerprinted, bytes that are not UTF-8 replaced by U+FFFD.
pub(crate) fn header_value(name: &str, value: &[u8]) -> String {
    let mut out = String::new();
    write_header_value(name, value, None, &mut out);
    out
}

/// [`header_value`], appended to `out`: a value with no secret is copied as it is, with no
/// allocation of its own. The credential of `Authorization` is fingerprinted from `known`'s
/// digest when it is `known`'s secret, byte for byte (the same text, one SHA-256 fewer).
pub(crate) fn write_header_value(
    name: &str,
    value: &[u8],
    known: Option<KnownSecret<'_>>,
    out: &mut String,
) {
    // Header values are nearly always ASCII: validated at once, not chunk by chunk.
    let value = match std::str::from_utf8(value) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(value),
    };
    if CREDENTIAL_HEADERS
        .iter()
        .any(|h| h.eq_ignore_ascii_case(name))
    {
        let trimmed = value.trim();
        match trimmed.split_once(|c: char| c.is_ascii_whitespace()) {
            Some((scheme, credential)) if !credential.trim().is_empty() => {
                let credential = credential.trim();
                out.push_str(scheme);
                out.push(' ');
                match known.filter(|k| k.secret == credential.as_bytes()) {
                    Some(known) => out.push_str(&fingerprint_of(&known.digest)),
                    None => out.push_str(&fingerprint(credential)),
                }
            }
            Some(_) => out.push_str(&value),
            // A bare word is either a scheme alone or a credential without one.
            None if trimmed.contains(SECRET_PREFIX) || trimmed.len() > 16 => {
                out.push_str(&fingerprint(trimmed))
            }
            None => out.push_str(&value),
        }
        return;
    }
    out.push_str(&text(&value));
}

/// `text` with every `tok_live_` secret (the prefix and the letters and digits after it)
/// replaced by its fingerprint.
pub(crate) fn text(text: &str) -> Cow<'_, str> {
    if !text.contains(SECRET_PREFIX) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(SECRET_PREFIX) {
        out.push_str(&rest[..at]);
        let tail = &rest[at + SECRET_PREFIX.len()..];
        let end = tail
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(tail.len());
        let secret = &rest[at..at + SECRET_PREFIX.len() + end];
        out.push_str(&fingerprint(secret));
        rest = &tail[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// `text` with each fingerprint replaced by the secret of `secrets` it stands for; `Err`
/// names the first fingerprint no given secret matches.
pub(crate) fn restore(text: &str, secrets: &[String]) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(PREFIX) {
        out.push_str(&rest[..at]);
        let tail = &rest[at + PREFIX.len()..];
        let end = tail
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(tail.len());
        let found = &rest[at..at + PREFIX.len() + end];
        let secret = secrets
            .iter()
            .find(|s| fingerprint(s) == found)
            .ok_or_else(|| found.to_owned())?;
        out.push_str(secret);
        rest = &tail[end..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "tok_live_AcmeAuditReadOnlyKey2026Demo0001";

    #[test]
    fn a_fingerprint_is_the_first_twelve_hex_digits_of_the_sha256_digest() {
        // The digest as Python's hashlib gives it: sha256(SECRET).hexdigest()[:12].
        assert_eq!(fingerprint(SECRET), "redacted:sha256:3cbebe891749");
    }

    #[test]
    fn an_authorization_keeps_its_scheme_and_loses_its_credential() {
        let written = header_value("Authorization", format!("Bearer {SECRET}").as_bytes());
        assert_eq!(written, format!("Bearer {}", fingerprint(SECRET)));
        assert!(!written.contains("Audit"));
        let basic = header_value("proxy-authorization", b"Basic dXNlcjpwYXNz");
        assert!(!basic.contains("dXNlcjpwYXNz"), "{basic}");
        assert_eq!(header_value("Authorization", b"Bearer"), "Bearer");
        assert_eq!(header_value("Authorization", b""), "");
    }

    #[test]
    fn secrets_anywhere_in_a_text_are_fingerprinted_and_come_back_when_given() {
        let body = format!(r#"{{"secret":"{SECRET}","other":"tok_live_x","n":1}}"#);
        let written = text(&body);
        assert!(!written.contains("tok_live_"), "{written}");
        assert_eq!(
            restore(&written, &[SECRET.to_owned(), "tok_live_x".to_owned()]),
            Ok(body.clone())
        );
        assert_eq!(
            restore(&written, &[SECRET.to_owned()]),
            Err(fingerprint("tok_live_x"))
        );
        assert_eq!(text("no secret here"), "no secret here");
    }

    #[test]
    fn a_known_digest_gives_the_fingerprint_of_its_own_secret_only() {
        let write = |value: &str, known| {
            let mut out = String::new();
            write_header_value("authorization", value.as_bytes(), known, &mut out);
            out
        };
        let known = KnownSecret {
            secret: SECRET.as_bytes(),
            digest: SecretDigest::of(SECRET.as_bytes()),
        };
        for value in [
            format!("Bearer {SECRET}"),
            format!("bearer   {SECRET} "),
            format!("Bearer\t{SECRET}"),
            "Bearer tok_live_other".to_owned(),
            format!("Basic {SECRET}x"),
        ] {
            assert_eq!(write(&value, Some(known)), write(&value, None), "{value}");
        }
        // A digest that is not the credential's is never used for it.
        let wrong = KnownSecret {
            secret: b"tok_live_other",
            digest: SecretDigest::of(b"something else"),
        };
        assert_eq!(
            write("Bearer tok_live_other", Some(wrong)),
            format!(
                "Bearer {}",
                fingerprint_of(&SecretDigest::of(b"something else"))
            )
        );
        assert_eq!(
            write(&format!("Bearer {SECRET}"), Some(wrong)),
            format!("Bearer {}", fingerprint(SECRET))
        );
    }

    #[test]
    fn other_headers_pass_with_their_secrets_fingerprinted() {
        assert_eq!(
            header_value("Accept", b"application/json"),
            "application/json"
        );
        assert_eq!(
            header_value("X-Api-Key", SECRET.as_bytes()),
            fingerprint(SECRET)
        );
    }
}

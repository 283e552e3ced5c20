//! Tokens in their plain form, read without a general JSON parser: an object whose keys are
//! the token's fields, each at most once, whose values are strings without escapes, `null`
//! or (for `scopes`) an array of such strings. That is how the mock and the vendor write
//! tokens, and reading it by hand costs a fraction of what a general parser spends per value
//! (a call per string, a UTF-8 check per string, a visitor per field).
//!
//! It reads exactly what serde_json would read into a [`FastToken`], or nothing: anything
//! else (an escape, a control character, a number, an unknown or repeated key, a missing
//! field, broken JSON) gives `None`, and the caller hands the token to serde_json, which
//! reads it or reports it as before. The text is UTF-8 already checked, once for a whole
//! piece of the document, so a string is a slice of it.

use std::borrow::Cow;

use super::fast::FastToken;

/// The token object that starts at byte `pos` of `text` (whitespace first is allowed), and
/// where it ends (just after its `}`); `None` when it is not in the plain form.
pub(super) fn token(text: &str, pos: usize) -> Option<(FastToken<'_>, usize)> {
    let mut scan = Scan {
        text,
        bytes: text.as_bytes(),
        pos,
    };
    scan.expect(b'{')?;
    let mut fields = Fields::default();
    loop {
        let key = scan.string()?;
        scan.expect(b':')?;
        match key {
            "id" => once(&mut fields.id, scan.string()?)?,
            "name" => once(&mut fields.name, scan.string()?)?,
            "scopes" => once(&mut fields.scopes, scan.strings()?)?,
            "status" => once(&mut fields.status, scan.string()?)?,
            "created_at" => once(&mut fields.created_at, scan.string()?)?,
            "expires_at" => once(&mut fields.expires_at, scan.nullable()?)?,
            "last_used_at" => once(&mut fields.last_used_at, scan.nullable()?)?,
            "created_by" => once(&mut fields.created_by, scan.string()?)?,
            "secret" => once(&mut fields.secret, scan.nullable()?)?,
            "secret_sha256" => once(&mut fields.secret_sha256, scan.nullable()?)?,
            _ => return None,
        }
        if scan.eat(b'}') {
            break;
        }
        scan.expect(b',')?;
    }
    let token = FastToken {
        id: Cow::Borrowed(fields.id?),
        name: Cow::Borrowed(fields.name?),
        scopes: fields.scopes?,
        status: Cow::Borrowed(fields.status?),
        created_at: Cow::Borrowed(fields.created_at?),
        // Missing and `null` alike are `None`, as serde reads an `Option` field.
        expires_at: fields.expires_at.flatten().map(Cow::Borrowed),
        last_used_at: fields.last_used_at.flatten().map(Cow::Borrowed),
        created_by: Cow::Borrowed(fields.created_by?),
        secret: fields.secret.flatten().map(Cow::Borrowed),
        secret_sha256: fields.secret_sha256.flatten().map(Cow::Borrowed),
    };
    Some((token, scan.pos))
}

/// The values read so far, each `Some` once its key was seen.
#[derive(Default)]
struct Fields<'a> {
    id: Option<&'a str>,
    name: Option<&'a str>,
    scopes: Option<Vec<Cow<'a, str>>>,
    status: Option<&'a str>,
    created_at: Option<&'a str>,
    expires_at: Option<Option<&'a str>>,
    last_used_at: Option<Option<&'a str>>,
    created_by: Option<&'a str>,
    secret: Option<Option<&'a str>>,
    secret_sha256: Option<Option<&'a str>>,
}

/// Sets a field seen for the first time; `None` for a repeated key (serde refuses it).
fn once<T>(field: &mut Option<T>, value: T) -> Option<()> {
    field.is_none().then(|| *field = Some(value))
}

struct Scan<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scan<'a> {
    /// Consumes `byte` if it comes next, after whitespace.
    fn eat(&mut self, byte: u8) -> bool {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
        let found = self.bytes.get(self.pos) == Some(&byte);
        if found {
            self.pos += 1;
        }
        found
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then_some(())
    }

    /// A string without escapes or control characters, borrowed from the text.
    fn string(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        let start = self.pos;
        let end = start + special(self.bytes.get(start..)?)?;
        if self.bytes[end] != b'"' {
            return None;
        }
        self.pos = end + 1;
        // Both ends are next to a `"`, so they fall between characters.
        self.text.get(start..end)
    }

    /// `null` (`Some(None)`) or a string.
    fn nullable(&mut self) -> Option<Option<&'a str>> {
        if self.eat(b'n') {
            let rest = self.bytes.get(self.pos..)?;
            if !rest.starts_with(b"ull") {
                return None;
            }
            self.pos += 3;
            return Some(None);
        }
        self.string().map(Some)
    }

    /// An array of strings.
    fn strings(&mut self) -> Option<Vec<Cow<'a, str>>> {
        self.expect(b'[')?;
        let mut list = Vec::new();
        if self.eat(b']') {
            return Some(list);
        }
        loop {
            list.push(Cow::Borrowed(self.string()?));
            if self.eat(b']') {
                return Some(list);
            }
            self.expect(b',')?;
        }
    }
}

/// Where the first `"`, `\\` or control character (below 0x20, which JSON allows in no
/// string) is in `bytes`. Eight bytes at a time: strings are short (ids, times, names), too
/// short for a search's setup to pay, and a byte at a time is slower.
fn special(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte below `n` (at most 0x80), or of a byte above such a byte
    // (borrows carry upward): the lowest one set is always a true one.
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS;
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut words {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        let found = below(word ^ (ONES * u64::from(b'"')), 1)
            | below(word ^ (ONES * u64::from(b'\\')), 1)
            | below(word, 0x20);
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    let mut rest = words.remainder().iter();
    rest.position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| at + i)
}

#[cfg(test)]
mod tests;

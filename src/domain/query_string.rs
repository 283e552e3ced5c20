//! The query toolkit: one form decoding (`+` is a space, RFC 3986 percent-encoding, UTF-8)
//! and one "given at most once" rule, shared by the API's parameters, the mock controls and
//! the admin API, so that every parameter anywhere is refused the same way.
//!
//! A request's query is decoded once, into a [`QueryString`] that owns its text and is shared
//! by every reader of that request (the session selector, the mock controls, the handlers):
//! they take the decoded form, never the raw text, so none of them can decode it again
//! differently (`http::query` keeps it in the request's extensions).

use std::borrow::Cow;
use std::ops::Range;
use std::rc::Rc;

use super::ParamError;

/// One `key=value` pair of a query string; `Err` holds the raw text that did not decode.
pub(super) type DecodedPair = (Result<String, String>, Result<String, String>);

/// Splits a query string into form-decoded pairs (`+` is a space). A part with a `%` not
/// followed by two hex digits, or that is not UTF-8 once decoded, comes back as `Err`.
pub fn decode_query(raw: &str) -> Vec<DecodedPair> {
    let owned = |part: Result<Cow<'_, str>, &str>| part.map(Cow::into_owned).map_err(str::to_owned);
    split(raw)
        .map(|(key, value)| {
            (
                owned(decode_component(&raw[key])),
                owned(decode_component(&raw[value])),
            )
        })
        .collect()
}

/// The non-empty `key=value` parts of `raw`, as the byte ranges of their key and value: one
/// pass over the bytes (every request's query goes through here).
fn split(raw: &str) -> impl Iterator<Item = (Range<usize>, Range<usize>)> + '_ {
    let bytes = raw.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        while start <= bytes.len() {
            let at = start;
            let end = memchr::memchr(b'&', &bytes[at..]).map_or(bytes.len(), |i| at + i);
            start = end + 1;
            if end == at {
                continue;
            }
            // `&` and `=` are ASCII, so every range ends on a character boundary.
            return Some(match memchr::memchr(b'=', &bytes[at..end]) {
                Some(eq) => (at..at + eq, at + eq + 1..end),
                None => (at..end, end..end),
            });
        }
        None
    })
}

fn decode_component(raw: &str) -> Result<Cow<'_, str>, &str> {
    let bytes = raw.as_bytes();
    // Most parameters need no decoding at all: keep them borrowed.
    if !bytes.iter().any(|&b| b == b'%' || b == b'+') {
        return Ok(Cow::Borrowed(raw));
    }
    let well_formed = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    if !well_formed {
        return Err(raw);
    }
    let spaced = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map(|text| Cow::Owned(text.into_owned()))
        .map_err(|_| raw)
}

/// One key or value of a decoded pair.
#[derive(Debug)]
enum Part {
    /// Text that needed no decoding: these bytes of the raw query.
    Plain(Range<usize>),
    /// Text that decoding changed (`+`, `%XX`).
    Decoded(Box<str>),
    /// Text that does not decode: these bytes of the raw query, as sent.
    Undecodable(Range<usize>),
}

impl Part {
    fn of(raw: &str, range: Range<usize>) -> Part {
        match decode_component(&raw[range.clone()]) {
            Ok(Cow::Borrowed(_)) => Part::Plain(range),
            Ok(Cow::Owned(text)) => Part::Decoded(text.into_boxed_str()),
            Err(_) => Part::Undecodable(range),
        }
    }
}

#[derive(Debug)]
struct Decoded {
    /// The query as sent, without the leading `?`.
    raw: Box<str>,
    pairs: Vec<(Part, Part)>,
}

impl Decoded {
    /// A part's decoded text, or `Err` with its raw text when it does not decode.
    fn text<'a>(&'a self, part: &'a Part) -> Result<&'a str, &'a str> {
        match part {
            Part::Plain(range) => Ok(&self.raw[range.clone()]),
            Part::Decoded(text) => Ok(text),
            Part::Undecodable(range) => Err(&self.raw[range.clone()]),
        }
    }
}

/// A decoded query string from which parameters are taken by name. It owns its text, and a
/// clone shares it (a reference count), so one decoding serves every reader of a request. A
/// query without a pair (`""`, `&&`), the commonest listing's, holds nothing at all: it is
/// decoded, kept and shared without an allocation.
#[derive(Clone, Debug, Default)]
pub(crate) struct QueryString(Option<Rc<Decoded>>);

impl QueryString {
    /// Decodes `raw` (without the leading `?`).
    pub(crate) fn parse(raw: &str) -> QueryString {
        // Collecting no pair allocates nothing; neither does the empty decoding.
        let pairs: Vec<(Part, Part)> = split(raw)
            .map(|(key, value)| (Part::of(raw, key), Part::of(raw, value)))
            .collect();
        if pairs.is_empty() {
            return QueryString::default();
        }
        QueryString(Some(Rc::new(Decoded {
            raw: raw.into(),
            pairs,
        })))
    }

    /// The decoded pairs, in order: `Err` holds the raw text of a part that does not decode.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (Result<&str, &str>, Result<&str, &str>)> {
        self.0.iter().flat_map(|decoded| {
            let decoded: &Decoded = decoded;
            decoded
                .pairs
                .iter()
                .map(move |(key, value)| (decoded.text(key), decoded.text(value)))
        })
    }

    /// Whether `self` and `other` are the same decoding (one shared by two readers; every
    /// empty query is the one empty decoding).
    #[cfg(test)]
    pub(crate) fn is_shared_with(&self, other: &QueryString) -> bool {
        match (&self.0, &other.0) {
            (Some(one), Some(other)) => Rc::ptr_eq(one, other),
            (one, other) => one.is_none() && other.is_none(),
        }
    }

    /// The one value of parameter `name`: `Ok(None)` when absent; an error naming it when it
    /// is given more than once or does not decode.
    pub(crate) fn single(&self, name: &str) -> Result<Option<&str>, ParamError> {
        let mut values = self
            .pairs()
            .filter(|(key, _)| *key == Ok(name))
            .map(|(_, value)| value);
        match (values.next(), values.next()) {
            (None, _) => Ok(None),
            (Some(_), Some(_)) => Err(ParamError::new(name, "must be given at most once")),
            (Some(Ok(text)), None) => Ok(Some(text)),
            (Some(Err(_)), None) => {
                Err(ParamError::new(name, "must be valid percent-encoded UTF-8"))
            }
        }
    }

    /// The decoded names that start with `prefix`, each once, in order of appearance.
    pub(crate) fn names_with_prefix(&self, prefix: &str) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for (key, _) in self.pairs() {
            if let Ok(key) = key {
                if key.starts_with(prefix) && !names.iter().any(|n| n == key) {
                    names.push(key.to_owned());
                }
            }
        }
        names
    }

    /// An error for every parameter name that does not decode (they may have been meant as
    /// any parameter, so they are not silently ignored).
    pub(crate) fn undecodable_names(&self) -> Vec<ParamError> {
        self.pairs()
            .filter_map(|(key, _)| key.err())
            .map(|raw| ParamError::new(raw, "parameter name must be valid percent-encoded UTF-8"))
            .collect()
    }
}

/// Parses a whole number of decimal digits only (no sign, no fraction, no spaces) within
/// `min..=max`.
pub(crate) fn parse_integer(text: &str, min: u64, max: u64) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Digits only, so the only failure left is overflow, which is out of range too.
    let value: u64 = text.parse().ok()?;
    (min..=max).contains(&value).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parameter_is_taken_once_and_refused_when_repeated_or_undecodable() {
        let query = QueryString::parse("a=1&b=2&b=3&c=%ff&d=x+y");
        assert_eq!(query.single("a").unwrap(), Some("1"));
        assert_eq!(query.single("b").unwrap_err().parameter, "b");
        assert_eq!(query.single("c").unwrap_err().parameter, "c");
        assert_eq!(query.single("d").unwrap(), Some("x y"));
        assert_eq!(query.single("e").unwrap(), None);
    }

    #[test]
    fn parts_are_split_at_the_first_equals_sign_and_empty_parts_are_skipped() {
        let query = QueryString::parse("&&a=b=c&&flag&=x&%41=%42&");
        assert_eq!(query.single("a").unwrap(), Some("b=c"));
        assert_eq!(query.single("flag").unwrap(), Some(""));
        assert_eq!(query.single("").unwrap(), Some("x"));
        assert_eq!(query.single("A").unwrap(), Some("B"));
        let decoded: Vec<_> = query.pairs().collect();
        let owned = decode_query("&&a=b=c&&flag&=x&%41=%42&");
        let owned: Vec<_> = owned
            .iter()
            .map(|(k, v)| (k.as_deref(), v.as_deref()))
            .map(|(k, v)| (k.map_err(String::as_str), v.map_err(String::as_str)))
            .collect();
        assert_eq!(decoded, owned);
    }

    #[test]
    fn a_query_without_a_pair_holds_no_decoding() {
        for empty in ["", "&", "&&&"] {
            // Act
            let query = QueryString::parse(empty);

            // Assert: no reference-counted decoding (nor its text or pairs) behind it.
            assert!(query.0.is_none(), "{empty:?}");
            assert_eq!(query.pairs().count(), 0, "{empty:?}");
            assert_eq!(query.single("a").unwrap(), None, "{empty:?}");
            assert!(query.is_shared_with(&QueryString::default()), "{empty:?}");
        }
        let flag = QueryString::parse("&a&");
        assert!(flag.0.is_some());
        assert_eq!(flag.single("a").unwrap(), Some(""));
        assert!(!flag.is_shared_with(&QueryString::default()));
    }

    #[test]
    fn integers_are_digits_only_and_within_range() {
        assert_eq!(parse_integer("42", 1, 100), Some(42));
        for bad in [
            "",
            "0",
            "101",
            "1.0",
            "-1",
            "+1",
            " 1",
            "99999999999999999999999",
        ] {
            assert_eq!(parse_integer(bad, 1, 100), None, "{bad}");
        }
    }
}

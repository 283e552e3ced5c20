//! The query toolkit: one form decoding (`+` is a space, RFC 3986 percent-encoding, UTF-8)
//! and one "given at most once" rule, shared by the API's parameters, the mock controls and
//! the admin API, so that every parameter anywhere is refused the same way.

use std::borrow::Cow;

use super::ParamError;

/// One `key=value` pair of a query string; `Err` holds the raw text that did not decode.
pub(super) type DecodedPair = (Result<String, String>, Result<String, String>);

/// A pair as decoded in place: borrowed from the query string unless decoding changed it.
type Pair<'a> = (Result<Cow<'a, str>, &'a str>, Result<Cow<'a, str>, &'a str>);

/// Splits a query string into form-decoded pairs (`+` is a space). A part with a `%` not
/// followed by two hex digits, or that is not UTF-8 once decoded, comes back as `Err`.
pub fn decode_query(raw: &str) -> Vec<DecodedPair> {
    let owned = |part: Result<Cow<'_, str>, &str>| part.map(Cow::into_owned).map_err(str::to_owned);
    decode(raw)
        .into_iter()
        .map(|(key, value)| (owned(key), owned(value)))
        .collect()
}

fn decode(raw: &str) -> Vec<Pair<'_>> {
    raw.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            (decode_component(key), decode_component(value))
        })
        .collect()
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

/// A decoded query string from which parameters are taken by name.
#[derive(Debug, Default)]
pub(crate) struct QueryString<'a> {
    pairs: Vec<Pair<'a>>,
}

impl<'a> QueryString<'a> {
    /// Decodes `raw` (without the leading `?`).
    pub(crate) fn parse(raw: &'a str) -> QueryString<'a> {
        QueryString { pairs: decode(raw) }
    }

    /// The one value of parameter `name`: `Ok(None)` when absent; an error naming it when it
    /// is given more than once or does not decode.
    pub(crate) fn single(&self, name: &str) -> Result<Option<Cow<'a, str>>, ParamError> {
        let mut values = self
            .pairs
            .iter()
            .filter(|(key, _)| key.as_deref() == Ok(name))
            .map(|(_, value)| value);
        match (values.next(), values.next()) {
            (None, _) => Ok(None),
            (Some(_), Some(_)) => Err(ParamError::new(name, "must be given at most once")),
            (Some(Ok(text)), None) => Ok(Some(text.clone())),
            (Some(Err(_)), None) => {
                Err(ParamError::new(name, "must be valid percent-encoded UTF-8"))
            }
        }
    }

    /// The decoded names that start with `prefix`, each once, in order of appearance.
    pub(crate) fn names_with_prefix(&self, prefix: &str) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for (key, _) in &self.pairs {
            if let Ok(key) = key {
                if key.starts_with(prefix) && !names.iter().any(|n| n == key) {
                    names.push(key.to_string());
                }
            }
        }
        names
    }

    /// An error for every parameter name that does not decode (they may have been meant as
    /// any parameter, so they are not silently ignored).
    pub(crate) fn undecodable_names(&self) -> Vec<ParamError> {
        self.pairs
            .iter()
            .filter_map(|(key, _)| key.as_ref().err())
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
        assert_eq!(query.single("a").unwrap().as_deref(), Some("1"));
        assert_eq!(query.single("b").unwrap_err().parameter, "b");
        assert_eq!(query.single("c").unwrap_err().parameter, "c");
        assert_eq!(query.single("d").unwrap().as_deref(), Some("x y"));
        assert_eq!(query.single("e").unwrap(), None);
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

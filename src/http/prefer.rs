//! `Prefer` (RFC 7240): the one reader of the field, for the mock's controls and for the
//! proxy, which must know when those controls shape an answer.
//!
//! RFC 7240 §2: `preference = token [ BWS "=" BWS word ] *( OWS ";" [ OWS parameter ] )`.
//! What follows a `;` is a parameter of the preference before it, never a preference of its
//! own (`return=minimal; example=x` prefers `return` only); names are compared without regard
//! to case; a `word` may be a quoted string, which may hold `,` and `;`; and only the first
//! instance of a preference counts, across every `Prefer` field of the request.

/// One preference: its name in lower case and its value, unquoted (`None` when it has none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Preference {
    /// The name, in lower case.
    pub name: String,
    /// The value without quotes or escapes; `None` for a bare name (`respond-async`).
    pub value: Option<String>,
}

/// The preferences of a request's `Prefer` field values, in order, each name once (its
/// first instance); parameters are dropped, and bytes that are not UTF-8 read lossily.
pub(crate) fn preferences<'a>(fields: impl IntoIterator<Item = &'a [u8]>) -> Vec<Preference> {
    let mut found: Vec<Preference> = Vec::new();
    for field in fields {
        let text = String::from_utf8_lossy(field);
        for element in split_outside_quotes(&text, ',') {
            // The preference is what stands before its first parameter.
            let Some(preference) = split_outside_quotes(element, ';').into_iter().next() else {
                continue;
            };
            let (name, value) = match preference.split_once('=') {
                Some((name, value)) => (name, Some(unquote(value.trim()))),
                None => (preference, None),
            };
            let name = name.trim().to_ascii_lowercase();
            if name.is_empty() || found.iter().any(|seen| seen.name == name) {
                continue;
            }
            found.push(Preference { name, value });
        }
    }
    found
}

/// `text` cut at every `separator` that stands outside a quoted string.
fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (at, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                parts.push(&text[start..at]);
                start = at + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// A `word`: a token as it stands, or a quoted string without its quotes and escapes.
fn unquote(word: &str) -> String {
    let Some(inner) = word
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    else {
        return word.to_owned();
    };
    let mut text = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => text.extend(chars.next()),
            c => text.push(c),
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{preferences, Preference};

    fn read(fields: &[&str]) -> Vec<(String, Option<String>)> {
        preferences(fields.iter().map(|f| f.as_bytes()))
            .into_iter()
            .map(|Preference { name, value }| (name, value))
            .collect()
    }

    fn pair(name: &str, value: Option<&str>) -> (String, Option<String>) {
        (name.to_owned(), value.map(str::to_owned))
    }

    #[test]
    fn parameters_belong_to_their_preference_and_the_first_instance_counts() {
        assert_eq!(
            read(&["return=minimal; example=x"]),
            [pair("return", Some("minimal"))]
        );
        assert_eq!(
            read(&["code=200, CODE=429", "code=500"]),
            [pair("code", Some("200"))]
        );
        assert_eq!(
            read(&["respond-async, code = \"429\" ;x=1,,delay=5"]),
            [
                pair("respond-async", None),
                pair("code", Some("429")),
                pair("delay", Some("5"))
            ]
        );
    }

    #[test]
    fn a_quoted_value_may_hold_separators_and_escapes() {
        assert_eq!(
            read(&[r#"example="a,b;c\"d", delay=1"#]),
            [
                pair("example", Some(r#"a,b;c"d"#)),
                pair("delay", Some("1"))
            ]
        );
    }
}

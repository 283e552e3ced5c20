//! YAML of a JSON document that every YAML loader reads back as that same document.
//!
//! YAML 1.1 loaders (PyYAML, js-yaml 3, SnakeYAML, Ruby's Psych) resolve plain scalars to more
//! types than YAML 1.2 does: `2026-04-27T14:32:00Z` and `2026-04-27` are timestamps,
//! `yes`/`no`/`on`/`off`/`y`/`n` booleans, `0777` octal, `1:20` a base-60 number, `1_000` an
//! integer and `1e3` a string. The YAML crates follow YAML 1.2 and have no setting for this, so
//! the OpenAPI documents are written here: a string is plain only when it cannot be read as
//! anything else under either version, any other string is double-quoted, and text of several
//! lines is a literal block. Floats always carry a point and a signed exponent, the only form
//! both versions read as a float.

use std::fmt::Write;

use serde_json::Value;

/// `value` as block-style YAML, ending with a line break.
pub(crate) fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => block(&mut out, value, 0),
        _ => {
            scalar(&mut out, value, 2);
            out.push('\n');
        }
    }
    out
}

/// A non-empty mapping or sequence whose first line's indentation is already written.
fn block(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) => {
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    pad(out, indent);
                }
                string(out, key, indent, false);
                out.push(':');
                match item {
                    Value::Object(m) if !m.is_empty() => {
                        out.push('\n');
                        pad(out, indent + 2);
                        block(out, item, indent + 2);
                    }
                    // A sequence sits at its key's indentation, as most YAML writers put it.
                    Value::Array(a) if !a.is_empty() => {
                        out.push('\n');
                        pad(out, indent);
                        block(out, item, indent);
                    }
                    _ => {
                        out.push(' ');
                        scalar(out, item, indent + 2);
                        out.push('\n');
                    }
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    pad(out, indent);
                }
                out.push_str("- ");
                if is_block(item) {
                    block(out, item, indent + 2);
                } else {
                    scalar(out, item, indent + 2);
                    out.push('\n');
                }
            }
        }
        _ => scalar(out, value, indent),
    }
}

fn is_block(value: &Value) -> bool {
    match value {
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => false,
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A scalar or an empty collection; a literal block's lines are indented by `indent`.
fn scalar(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) if n.is_f64() => float(out, &n.to_string()),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => string(out, s, indent, true),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// JSON writes `1e300`, a string to YAML 1.1; `1.0e+300` is a float to every loader.
fn float(out: &mut String, json: &str) {
    let (mantissa, exponent) = json.split_once(['e', 'E']).unwrap_or((json, ""));
    out.push_str(mantissa);
    if !mantissa.contains('.') {
        out.push_str(".0");
    }
    if !exponent.is_empty() {
        out.push('e');
        if !exponent.starts_with(['+', '-']) {
            out.push('+');
        }
        out.push_str(exponent);
    }
}

fn string(out: &mut String, s: &str, indent: usize, may_be_block: bool) {
    if is_plain(s) {
        out.push_str(s);
    } else if may_be_block && is_literal_block(s) {
        out.push_str("|-");
        for line in s.split('\n') {
            out.push('\n');
            if !line.is_empty() {
                pad(out, indent);
                out.push_str(line);
            }
        }
    } else {
        double_quoted(out, s);
    }
}

/// The words YAML 1.1 reads as booleans or null, compared without case (`y` and `n` too,
/// which the 1.1 type repository lists although not every loader applies them).
const RESERVED_WORDS: [&str; 9] = ["y", "n", "yes", "no", "true", "false", "on", "off", "null"];

/// Whether `s` can be written plain and read back as this string by YAML 1.1 and 1.2
/// loaders. Every implicit number, timestamp, `.inf` and `.nan` starts with a digit, a sign or
/// a point; the merge key is `<<` and the value key `=`; the rest are indicators or words.
fn is_plain(s: &str) -> bool {
    let (Some(first), Some(last)) = (s.chars().next(), s.chars().last()) else {
        return false;
    };
    let starts_safely = !(first.is_ascii_digit() || "+-.<=~?:,[]{}#&*!|>'\"%@`".contains(first));
    starts_safely
        && first != ' '
        && last != ' '
        && last != ':'
        && !s.contains(": ")
        && !s.contains(" #")
        && s.chars().all(is_printable_in_line)
        && !RESERVED_WORDS.contains(&s.to_ascii_lowercase().as_str())
}

/// Several lines of printable text that a literal block (`|-`) keeps byte for byte.
fn is_literal_block(s: &str) -> bool {
    // A literal block takes its indentation from its first line with text.
    let first_text = s.split('\n').find(|line| !line.is_empty()).unwrap_or("");
    s.contains('\n')
        && !first_text.starts_with(' ')
        && !s.ends_with('\n')
        && s.split('\n')
            .all(|line| !line.ends_with(' ') && line.chars().all(is_printable_in_line))
}

/// Printable in YAML 1.1 and not a line break there: no tab, no control character, no NEL,
/// line or paragraph separator, no byte order mark.
fn is_printable_in_line(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

/// A double-quoted scalar: JSON's escapes where both agree, `\uXXXX` for anything else that
/// is not printable in a line.
fn double_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if is_printable_in_line(c) => out.push(c),
            // Writing to a String cannot fail; every such character is within U+FFFF.
            c => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests;

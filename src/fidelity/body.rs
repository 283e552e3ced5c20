//! Two JSON bodies compared member by member and in order, each difference at its JSON
//! Pointer (RFC 6901): `/data/0/name`.

use serde_json::{Map, Value};

use super::rule::{Difference, Rule};

/// Values longer than this are shortened in a report.
const SHOWN_CHARS: usize = 80;

/// Compares the real API's body with the mock's, appending each difference to `out`.
pub(super) fn compare(real: &Value, mock: &Value, out: &mut Vec<Difference>) {
    value(real, mock, "", None, out);
}

fn value(real: &Value, mock: &Value, at: &str, key: Option<&str>, out: &mut Vec<Difference>) {
    if let Some(accepted) = key.and_then(|k| by_rule(k, real, mock)) {
        if !accepted {
            out.push(Difference::new(Rule::Value, at, show(real), show(mock)));
        }
        return;
    }
    match (real, mock) {
        (Value::Object(a), Value::Object(b)) => object(a, b, at, out),
        (Value::Array(a), Value::Array(b)) => array(a, b, at, out),
        (a, b) if kind(a) != kind(b) => {
            out.push(Difference::new(Rule::Type, at, show(a), show(b)));
        }
        (a, b) if a != b => out.push(Difference::new(Rule::Value, at, show(a), show(b))),
        _ => {}
    }
}

/// `Some(accepted)` for a member compared by rule (see [`super::rule::BY_RULE`]).
fn by_rule(key: &str, real: &Value, mock: &Value) -> Option<bool> {
    match key {
        "last_used_at" => {
            let fits = |v: &Value| match v {
                Value::Null => true,
                Value::String(s) => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
                _ => false,
            };
            Some(fits(real) && fits(mock))
        }
        "request_id" => {
            let fits = |v: &Value| v.as_str().is_some_and(|s| !s.is_empty());
            Some(fits(real) && fits(mock))
        }
        _ => None,
    }
}

fn object(
    real: &Map<String, Value>,
    mock: &Map<String, Value>,
    at: &str,
    out: &mut Vec<Difference>,
) {
    let missing: Vec<&String> = real.keys().filter(|k| !mock.contains_key(*k)).collect();
    let mut extra: Vec<&String> = mock.keys().filter(|k| !real.contains_key(*k)).collect();
    for name in missing {
        // A member gone under one name and come under another with the same value: renamed.
        let twin = extra
            .iter()
            .position(|e| mock[e.as_str()] == real[name.as_str()]);
        match twin {
            Some(i) => {
                let mock_name = extra.remove(i);
                out.push(Difference::new(
                    Rule::Renamed,
                    pointer(at, mock_name),
                    name.as_str(),
                    mock_name.as_str(),
                ));
            }
            None => out.push(Difference::new(
                Rule::Missing,
                pointer(at, name),
                show(&real[name.as_str()]),
                "absent",
            )),
        }
    }
    for name in extra {
        out.push(Difference::new(
            Rule::Extra,
            pointer(at, name),
            "absent",
            show(&mock[name.as_str()]),
        ));
    }
    let real_order: Vec<&str> = real
        .keys()
        .filter(|k| mock.contains_key(*k))
        .map(String::as_str)
        .collect();
    let mock_order: Vec<&str> = mock
        .keys()
        .filter(|k| real.contains_key(*k))
        .map(String::as_str)
        .collect();
    if real_order != mock_order {
        out.push(Difference::new(
            Rule::MemberOrder,
            at_or_root(at),
            real_order.join(", "),
            mock_order.join(", "),
        ));
    }
    for name in real_order {
        value(
            &real[name],
            &mock[name],
            &pointer(at, name),
            Some(name),
            out,
        );
    }
}

fn array(real: &[Value], mock: &[Value], at: &str, out: &mut Vec<Difference>) {
    let (real_ids, mock_ids) = (ids(real), ids(mock));
    if let (Some(real_ids), Some(mock_ids)) = (&real_ids, &mock_ids) {
        let (mut a, mut b) = (real_ids.clone(), mock_ids.clone());
        a.sort_unstable();
        b.sort_unstable();
        if real_ids != mock_ids && a == b {
            // The same objects in another order: one difference, then each object with its twin.
            out.push(Difference::new(
                Rule::Order,
                at_or_root(at),
                shorten(real_ids.join(", ")),
                shorten(mock_ids.join(", ")),
            ));
            for (i, item) in real.iter().enumerate() {
                let twin = mock_ids.iter().position(|id| *id == real_ids[i]);
                if let Some(j) = twin {
                    value(item, &mock[j], &pointer(at, &i.to_string()), None, out);
                }
            }
            return;
        }
    }
    if real.len() != mock.len() {
        out.push(Difference::new(
            Rule::Length,
            at_or_root(at),
            real.len().to_string(),
            mock.len().to_string(),
        ));
    }
    for (i, (a, b)) in real.iter().zip(mock).enumerate() {
        value(a, b, &pointer(at, &i.to_string()), None, out);
    }
}

/// The `id` of each element, when every element is an object with a string `id`.
fn ids(items: &[Value]) -> Option<Vec<&str>> {
    items
        .iter()
        .map(|v| v.get("id").and_then(Value::as_str))
        .collect()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `at` + `/name`, escaped as RFC 6901 says.
fn pointer(at: &str, name: &str) -> String {
    format!("{at}/{}", name.replace('~', "~0").replace('/', "~1"))
}

fn at_or_root(at: &str) -> String {
    if at.is_empty() {
        "/".to_owned()
    } else {
        at.to_owned()
    }
}

/// A value as short JSON text.
pub(super) fn show(v: &Value) -> String {
    shorten(v.to_string())
}

fn shorten(text: String) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn differences(real: Value, mock: Value) -> Vec<(Rule, String)> {
        let mut out = Vec::new();
        compare(&real, &mock, &mut out);
        out.into_iter().map(|d| (d.rule, d.location)).collect()
    }

    #[test]
    fn identical_bodies_have_no_difference() {
        let body = json!({"data": [{"id": "a", "name": "x"}], "meta": {"page": 1}});
        assert!(differences(body.clone(), body).is_empty());
    }

    #[test]
    fn a_renamed_member_is_one_difference_named_by_both_names() {
        let mut out = Vec::new();
        compare(
            &json!({"data": [{"id": "a", "title": "x"}]}),
            &json!({"data": [{"id": "a", "name": "x"}]}),
            &mut out,
        );
        assert_eq!(
            out,
            [Difference::new(
                Rule::Renamed,
                "/data/0/name",
                "title",
                "name"
            )]
        );
    }

    #[test]
    fn missing_extra_type_value_and_length_are_told_apart() {
        let found = differences(
            json!({"a": 1, "b": "x", "c": [1, 2], "d": true, "gone": 5}),
            json!({"a": "1", "b": "y", "c": [1], "d": true, "new": 6}),
        );
        assert_eq!(
            found,
            [
                (Rule::Missing, "/gone".into()),
                (Rule::Extra, "/new".into()),
                (Rule::Type, "/a".into()),
                (Rule::Value, "/b".into()),
                (Rule::Length, "/c".into()),
            ]
        );
    }

    #[test]
    fn the_same_objects_in_another_order_are_one_order_difference() {
        let (a, b) = (json!({"id": "a", "n": 1}), json!({"id": "b", "n": 2}));
        let found = differences(json!({"data": [a, b]}), json!({"data": [b, a]}));
        assert_eq!(found, [(Rule::Order, "/data".into())]);
    }

    #[test]
    fn members_in_another_order_are_a_member_order_difference() {
        let found = differences(
            serde_json::from_str(r#"{"x": 1, "y": 2}"#).expect("JSON"),
            serde_json::from_str(r#"{"y": 2, "x": 1}"#).expect("JSON"),
        );
        assert_eq!(found, [(Rule::MemberOrder, "/".into())]);
    }

    #[test]
    fn fields_that_change_by_themselves_are_compared_by_rule() {
        let real = json!({"last_used_at": "2026-05-01T00:00:00Z", "request_id": "req_a"});
        let moved = json!({"last_used_at": null, "request_id": "req_b"});
        assert!(differences(real.clone(), moved).is_empty());
        let broken = json!({"last_used_at": "yesterday", "request_id": ""});
        assert_eq!(
            differences(real, broken),
            [
                (Rule::Value, "/last_used_at".into()),
                (Rule::Value, "/request_id".into())
            ]
        );
    }

    #[test]
    fn pointers_escape_slash_and_tilde() {
        let found = differences(json!({"a/b~": 1}), json!({"a/b~": 2}));
        assert_eq!(found, [(Rule::Value, "/a~1b~0".into())]);
    }
}

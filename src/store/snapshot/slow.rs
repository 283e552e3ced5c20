//! The generic reader: a document the typed reader could not take is read as JSON values,
//! so that every wrong type, missing and unknown field is reported with its location, and
//! then every value problem as well.

use std::borrow::Cow;

use serde_json::Value;

use super::validate::Validator;
use super::{Problem, RawToken, Shape, Snapshot, SnapshotError, DEFAULT_WORKSPACE};
use crate::domain::TokenView;

struct RawSnapshot {
    shape: Shape,
    workspaces: Vec<RawWorkspace>,
}

/// A workspace whose fields are `None` when missing or of the wrong type (already reported).
struct RawWorkspace {
    id: Option<String>,
    name: Option<String>,
    tokens: Vec<RawToken<'static>>,
}

fn default_workspace(tokens: Vec<RawToken<'static>>) -> RawWorkspace {
    RawWorkspace {
        id: Some(DEFAULT_WORKSPACE.to_owned()),
        name: Some("Default workspace".to_owned()),
        tokens,
    }
}

struct Collector(Vec<Problem>);

impl Collector {
    fn add(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            location: location.into(),
            message: message.into(),
        });
    }
}

/// Reads a document as generic JSON and reports every problem: types first, then values.
pub(super) fn parse(bytes: &[u8]) -> Result<Snapshot, SnapshotError> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| {
        SnapshotError(vec![Problem {
            location: format!("$ (line {}, column {})", e.line(), e.column()),
            message: format!("is not valid JSON: {e}"),
        }])
    })?;
    let mut found = Collector(Vec::new());
    let raw = match doc {
        Value::Array(items) => RawSnapshot {
            shape: Shape::Bare,
            workspaces: vec![default_workspace(token_list(&items, "", &mut found))],
        },
        Value::Object(map) => {
            for key in map.keys() {
                if !["workspaces", "data", "meta"].contains(&key.as_str()) {
                    found.add(
                        member("", key),
                        "unknown field (expected workspaces, or data and meta)",
                    );
                }
            }
            match (map.get("workspaces"), map.get("data")) {
                (Some(Value::Array(list)), None) => RawSnapshot {
                    shape: Shape::Workspaces,
                    workspaces: list
                        .iter()
                        .enumerate()
                        .map(|(i, w)| raw_workspace(w, &format!("workspaces[{i}]"), &mut found))
                        .collect(),
                },
                (None, Some(Value::Array(items))) => RawSnapshot {
                    shape: Shape::Data,
                    workspaces: vec![default_workspace(token_list(items, "data", &mut found))],
                },
                (Some(_), Some(_)) => {
                    found.add("$", "has both workspaces and data; give one of them");
                    return Err(SnapshotError(found.0));
                }
                (Some(_), None) => {
                    found.add("workspaces", "must be an array");
                    return Err(SnapshotError(found.0));
                }
                (None, Some(_)) => {
                    found.add("data", "must be an array");
                    return Err(SnapshotError(found.0));
                }
                (None, None) => {
                    found.add(
                        "$",
                        "must have workspaces (or data, or be an array of tokens)",
                    );
                    return Err(SnapshotError(found.0));
                }
            }
        }
        _ => {
            found.add(
                "$",
                "must be an object with workspaces, an object with data, or an array of tokens",
            );
            return Err(SnapshotError(found.0));
        }
    };
    // Type problems first; the value checks of validation follow them.
    let mut validator = Validator::default();
    validator.shape = raw.shape;
    let mut workspaces = Vec::new();
    for (w, workspace) in raw.workspaces.into_iter().enumerate() {
        let tokens = workspace
            .tokens
            .into_iter()
            .enumerate()
            .filter_map(|(t, token)| validator.token(token, w, t))
            .collect();
        workspaces.extend(validator.workspace(w, workspace.id.as_deref(), workspace.name, tokens));
    }
    match validator.finish(workspaces) {
        Ok(snapshot) if found.0.is_empty() => Ok(snapshot),
        Ok(_) => Err(SnapshotError(found.0)),
        Err(more) => {
            let mut problems = found.0;
            problems.extend(more);
            Err(SnapshotError(problems))
        }
    }
}

fn raw_workspace(value: &Value, at: &str, found: &mut Collector) -> RawWorkspace {
    let Value::Object(map) = value else {
        found.add(at, "must be an object with id, name and tokens");
        return RawWorkspace {
            id: None,
            name: None,
            tokens: Vec::new(),
        };
    };
    for key in map.keys() {
        if !["id", "name", "tokens"].contains(&key.as_str()) {
            found.add(member(at, key), "unknown field");
        }
    }
    let tokens = match map.get("tokens") {
        Some(Value::Array(items)) => token_list(items, &format!("{at}.tokens"), found),
        Some(_) => {
            found.add(format!("{at}.tokens"), "must be an array");
            Vec::new()
        }
        None => {
            found.add(format!("{at}.tokens"), "is required");
            Vec::new()
        }
    };
    RawWorkspace {
        id: string_field(map, at, "id", found),
        name: string_field(map, at, "name", found),
        tokens,
    }
}

fn token_list(items: &[Value], at: &str, found: &mut Collector) -> Vec<RawToken<'static>> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| raw_token(item, &format!("{at}[{i}]"), found))
        .collect()
}

/// The members a snapshot's token may have besides those the API writes.
const SECRET_FIELDS: [&str; 2] = ["secret", "secret_sha256"];

fn raw_token(value: &Value, at: &str, found: &mut Collector) -> RawToken<'static> {
    let Value::Object(map) = value else {
        found.add(at, "must be a token object");
        return RawToken::default();
    };
    for key in map.keys() {
        if !TokenView::MEMBERS.contains(&key.as_str()) && !SECRET_FIELDS.contains(&key.as_str()) {
            found.add(member(at, key), "unknown field");
        }
    }
    let scopes = match map.get("scopes") {
        Some(Value::Array(items)) => {
            let mut scopes = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => scopes.push(s.clone()),
                    _ => found.add(format!("{at}.scopes[{i}]"), "must be a string"),
                }
            }
            Some(scopes.into_iter().map(Cow::Owned).collect())
        }
        Some(_) => {
            found.add(format!("{at}.scopes"), "must be an array of strings");
            None
        }
        None => {
            found.add(format!("{at}.scopes"), "is required");
            None
        }
    };
    let mut optional = |key: &str| match map.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(Cow::Owned(s.clone())),
        Some(_) => {
            found.add(format!("{at}.{key}"), "must be a string");
            None
        }
    };
    let secret = optional("secret");
    let secret_sha256 = optional("secret_sha256");
    RawToken {
        id: string_field(map, at, "id", found).map(Cow::Owned),
        name: string_field(map, at, "name", found).map(Cow::Owned),
        scopes,
        status: string_field(map, at, "status", found).map(Cow::Owned),
        created_at: string_field(map, at, "created_at", found).map(Cow::Owned),
        expires_at: nullable_string_field(map, at, "expires_at", found),
        last_used_at: nullable_string_field(map, at, "last_used_at", found),
        created_by: string_field(map, at, "created_by", found).map(Cow::Owned),
        secret,
        secret_sha256,
    }
}

type Map = serde_json::Map<String, Value>;

fn string_field(map: &Map, at: &str, key: &str, found: &mut Collector) -> Option<String> {
    match map.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            found.add(format!("{at}.{key}"), "must be a string");
            None
        }
        None => {
            found.add(format!("{at}.{key}"), "is required");
            None
        }
    }
}

fn nullable_string_field(
    map: &Map,
    at: &str,
    key: &str,
    found: &mut Collector,
) -> Option<Option<Cow<'static, str>>> {
    match map.get(key) {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(s)) => Some(Some(Cow::Owned(s.clone()))),
        Some(_) => {
            found.add(format!("{at}.{key}"), "must be a string or null");
            None
        }
    }
}

/// The location of member `key` of the value at `at`: `at.key` for plain names, and a
/// quoted `at["key"]` for names that would be ambiguous (empty, dotted, bracketed...).
fn member(at: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    match (plain, at.is_empty()) {
        (true, true) => key.to_owned(),
        (true, false) => format!("{at}.{key}"),
        (false, _) => {
            let quoted = serde_json::to_string(key).expect("a string always serialises");
            format!("{}[{quoted}]", if at.is_empty() { "$" } else { at })
        }
    }
}

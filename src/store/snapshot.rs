//! Snapshots: the JSON files the mock serves, in any of three shapes, validated as a whole.
//!
//! Parsing takes a fast typed path first. Only when that fails does it re-read the document
//! as generic JSON, so that a broken file gets every problem reported with its location
//! while a good one pays for nothing but the typed parse.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;

use crate::domain::{SecretDigest, Token, WorkspaceId};

/// The workspace that the `data` and bare-array shapes load into.
pub const DEFAULT_WORKSPACE: &str = "ws_default";

/// A valid snapshot: every token parsed, every id and secret unique.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub workspaces: Vec<WorkspaceData>,
}

/// One workspace of a snapshot.
#[derive(Debug)]
pub struct WorkspaceData {
    pub id: WorkspaceId,
    pub name: String,
    pub tokens: Vec<TokenData>,
}

/// A token and the digest of its secret, when the snapshot gives one.
#[derive(Debug)]
pub struct TokenData {
    pub token: Token,
    pub secret: Option<SecretDigest>,
}

/// One thing wrong with a snapshot, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// A JSON path such as `workspaces[0].tokens[3].id`, or `$` for the whole document.
    pub location: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Every problem found in a snapshot.
#[derive(Debug, thiserror::Error)]
#[error("the snapshot has {} problem(s):\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
pub struct SnapshotError(pub Vec<Problem>);

impl Snapshot {
    /// Parses and validates a snapshot document.
    pub fn parse(bytes: &[u8]) -> Result<Snapshot, SnapshotError> {
        let raw = match fast_parse(bytes) {
            Ok(raw) => raw,
            Err(_) => slow_parse(bytes)?,
        };
        validate(raw).map_err(SnapshotError)
    }

    /// The number of tokens in every workspace.
    pub fn token_count(&self) -> usize {
        self.workspaces.iter().map(|w| w.tokens.len()).sum()
    }

    /// Per workspace, how many tokens are in each status as of `now`.
    pub fn summary(&self, now: DateTime<Utc>) -> Vec<(String, [usize; 3])> {
        self.workspaces
            .iter()
            .map(|w| {
                let mut counts = [0; 3];
                for t in &w.tokens {
                    counts[t.token.status_at(now).index()] += 1;
                }
                (w.id.as_str().to_owned(), counts)
            })
            .collect()
    }
}

/// Where tokens sit in the document, for locations.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    Workspaces,
    Data,
    Bare,
}

struct RawSnapshot {
    shape: Shape,
    workspaces: Vec<RawWorkspace>,
}

/// A workspace whose fields are `None` when missing or of the wrong type (already reported).
struct RawWorkspace {
    id: Option<String>,
    name: Option<String>,
    tokens: Vec<RawToken>,
}

/// A token whose fields are `None` when missing or of the wrong type (already reported).
/// `expires_at` and `last_used_at` are `Some(None)` when null.
#[derive(Default)]
struct RawToken {
    id: Option<String>,
    name: Option<String>,
    scopes: Option<Vec<String>>,
    status: Option<String>,
    created_at: Option<String>,
    expires_at: Option<Option<String>>,
    last_used_at: Option<Option<String>>,
    created_by: Option<String>,
    secret: Option<String>,
    secret_sha256: Option<String>,
}

// ---- the fast path: typed serde ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FastToken {
    id: String,
    name: String,
    scopes: Vec<String>,
    status: String,
    created_at: String,
    expires_at: Option<String>,
    last_used_at: Option<String>,
    created_by: String,
    secret: Option<String>,
    secret_sha256: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FastWorkspace {
    id: String,
    name: String,
    tokens: Vec<FastToken>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FastObject {
    workspaces: Option<Vec<FastWorkspace>>,
    data: Option<Vec<FastToken>>,
    #[allow(dead_code)]
    meta: Option<IgnoredAny>,
}

impl From<FastToken> for RawToken {
    fn from(t: FastToken) -> RawToken {
        RawToken {
            id: Some(t.id),
            name: Some(t.name),
            scopes: Some(t.scopes),
            status: Some(t.status),
            created_at: Some(t.created_at),
            expires_at: Some(t.expires_at),
            last_used_at: Some(t.last_used_at),
            created_by: Some(t.created_by),
            secret: t.secret,
            secret_sha256: t.secret_sha256,
        }
    }
}

fn default_workspace(tokens: Vec<RawToken>) -> RawWorkspace {
    RawWorkspace {
        id: Some(DEFAULT_WORKSPACE.to_owned()),
        name: Some("Default workspace".to_owned()),
        tokens,
    }
}

fn fast_parse(bytes: &[u8]) -> Result<RawSnapshot, serde_json::Error> {
    let tokens = |list: Vec<FastToken>| list.into_iter().map(RawToken::from).collect();
    if first_byte(bytes) == Some(b'[') {
        let list: Vec<FastToken> = serde_json::from_slice(bytes)?;
        return Ok(RawSnapshot {
            shape: Shape::Bare,
            workspaces: vec![default_workspace(tokens(list))],
        });
    }
    let object: FastObject = serde_json::from_slice(bytes)?;
    match (object.workspaces, object.data) {
        (Some(workspaces), None) => Ok(RawSnapshot {
            shape: Shape::Workspaces,
            workspaces: workspaces
                .into_iter()
                .map(|w| RawWorkspace {
                    id: Some(w.id),
                    name: Some(w.name),
                    tokens: tokens(w.tokens),
                })
                .collect(),
        }),
        (None, Some(data)) => Ok(RawSnapshot {
            shape: Shape::Data,
            workspaces: vec![default_workspace(tokens(data))],
        }),
        // Ambiguous or empty: let the slow path explain.
        _ => Err(serde::de::Error::custom(
            "neither or both of workspaces and data",
        )),
    }
}

fn first_byte(bytes: &[u8]) -> Option<u8> {
    bytes.iter().copied().find(|b| !b.is_ascii_whitespace())
}

// ---- the slow path: generic JSON, every type problem reported ----

struct Collector(Vec<Problem>);

impl Collector {
    fn add(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            location: location.into(),
            message: message.into(),
        });
    }
}

fn slow_parse(bytes: &[u8]) -> Result<RawSnapshot, SnapshotError> {
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
                        key.clone(),
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
    if found.0.is_empty() {
        Ok(raw)
    } else {
        // Type problems first; the value checks of validation follow them.
        let mut problems = found.0;
        if let Err(more) = validate(raw) {
            problems.extend(more);
        }
        Err(SnapshotError(problems))
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
            found.add(format!("{at}.{key}"), "unknown field");
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

fn token_list(items: &[Value], at: &str, found: &mut Collector) -> Vec<RawToken> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| raw_token(item, &format!("{at}[{i}]"), found))
        .collect()
}

const TOKEN_FIELDS: [&str; 10] = [
    "id",
    "name",
    "scopes",
    "status",
    "created_at",
    "expires_at",
    "last_used_at",
    "created_by",
    "secret",
    "secret_sha256",
];

fn raw_token(value: &Value, at: &str, found: &mut Collector) -> RawToken {
    let Value::Object(map) = value else {
        found.add(at, "must be a token object");
        return RawToken::default();
    };
    for key in map.keys() {
        if !TOKEN_FIELDS.contains(&key.as_str()) {
            found.add(format!("{at}.{key}"), "unknown field");
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
            Some(scopes)
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
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            found.add(format!("{at}.{key}"), "must be a string");
            None
        }
    };
    let secret = optional("secret");
    let secret_sha256 = optional("secret_sha256");
    RawToken {
        id: string_field(map, at, "id", found),
        name: string_field(map, at, "name", found),
        scopes,
        status: string_field(map, at, "status", found),
        created_at: string_field(map, at, "created_at", found),
        expires_at: nullable_string_field(map, at, "expires_at", found),
        last_used_at: nullable_string_field(map, at, "last_used_at", found),
        created_by: string_field(map, at, "created_by", found),
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
) -> Option<Option<String>> {
    match map.get(key) {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(s)) => Some(Some(s.clone())),
        Some(_) => {
            found.add(format!("{at}.{key}"), "must be a string or null");
            None
        }
    }
}

// ---- validation of values ----

mod validate;
use validate::validate;

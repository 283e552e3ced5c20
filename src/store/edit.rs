//! Single-token changes of a session: create, change and delete, each checked by the very
//! rules a snapshot is checked by (the token is validated as a one-token snapshot), so that
//! whatever a change produces, an export of it loads again.

use chrono::{DateTime, Utc};
use rand::distr::{Alphanumeric, SampleString};
use serde_json::{Map, Value};

use super::overlay::{Added, Overlay};
use super::snapshot::{Problem, Snapshot};
use super::{Data, Store};
use crate::domain::{format_timestamp, Status, Token, TokenId};

/// Who created a token made through the admin API, when the body does not say.
const DEFAULT_CREATOR: &str = "admin@example.com";

/// The fields a new token may be given (`workspace`, `name` and `scopes` are required).
const CREATE_FIELDS: [&str; 7] = [
    "workspace",
    "name",
    "scopes",
    "status",
    "created_at",
    "expires_at",
    "created_by",
];

/// The fields a change may set.
const PATCH_FIELDS: [&str; 5] = ["name", "scopes", "status", "expires_at", "last_used_at"];

/// Why a change was not made.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    /// No token with this id in the session's data (404).
    #[error("no token {0}")]
    NoSuchToken(String),
    /// Every field that breaks the snapshot rules, by its JSON location (422).
    #[error("the change has {} problem(s)", .0.len())]
    Invalid(Vec<Problem>),
}

/// A created token and its secret, which is shown this once: only its digest is kept.
#[derive(Debug)]
pub struct NewToken {
    pub token: Token,
    pub secret: String,
}

/// A changed token.
#[derive(Debug)]
pub struct TokenChange {
    pub token: Token,
}

fn problem(location: &str, message: &str) -> Problem {
    Problem {
        location: location.to_owned(),
        message: message.to_owned(),
    }
}

fn unknown_fields(fields: &Map<String, Value>, allowed: &[&str]) -> Vec<Problem> {
    fields
        .keys()
        .filter(|k| !allowed.contains(&k.as_str()))
        .map(|k| problem(k, "unknown field"))
        .collect()
}

/// Checks a token object by the snapshot rules; locations are the token's own fields.
fn check(
    object: Map<String, Value>,
) -> Result<(Token, Option<crate::domain::SecretDigest>), Vec<Problem>> {
    let document = Value::Array(vec![Value::Object(object)]);
    let bytes = serde_json::to_vec(&document).expect("a JSON value serialises");
    match Snapshot::parse(&bytes) {
        Ok(mut snapshot) => {
            let data = snapshot
                .workspaces
                .pop()
                .and_then(|mut w| w.tokens.pop())
                .expect("a one-token snapshot has its token");
            Ok((data.token, data.secret))
        }
        Err(error) => Err(error
            .0
            .into_iter()
            .map(|p| Problem {
                location: p
                    .location
                    .strip_prefix("[0].")
                    .unwrap_or(&p.location)
                    .to_owned(),
                message: p.message,
            })
            .collect()),
    }
}

/// The token as a snapshot object, with its stored status.
fn object_of(token: &Token) -> Map<String, Value> {
    let mut object = Map::new();
    object.insert("id".into(), token.id.as_str().into());
    object.insert("name".into(), token.name.as_ref().into());
    let scopes = token
        .scopes
        .iter()
        .map(|s| Value::from(s.as_str()))
        .collect();
    object.insert("scopes".into(), Value::Array(scopes));
    object.insert("status".into(), token.status.as_str().into());
    object.insert(
        "created_at".into(),
        format_timestamp(&token.created_at).into(),
    );
    let time = |at: &Option<DateTime<Utc>>| {
        at.as_ref()
            .map_or(Value::Null, |t| format_timestamp(t).into())
    };
    object.insert("expires_at".into(), time(&token.expires_at));
    object.insert("last_used_at".into(), time(&token.last_used_at));
    object.insert("created_by".into(), token.created_by.as_ref().into());
    object
}

/// Where a token lives in a session's data.
enum Found {
    Indexed {
        workspace: u32,
        index: u32,
        token: Token,
    },
    Own {
        workspace: u32,
        token: Token,
    },
}

impl Data {
    /// The token with this id: the session's own version first, then the indexed one
    /// unless the session hid it. Two lookups, whatever the size of the data.
    fn find(&self, id: &TokenId) -> Option<Found> {
        if let Some(position) = self.overlay.workspace_of(id) {
            let added = self.overlay.added(position, id)?;
            return Some(Found::Own {
                workspace: position,
                token: added.token.clone(),
            });
        }
        let (position, index) = self.index.find(id)?;
        if self.overlay.hides(position, index) {
            return None;
        }
        let mut token = self.index.workspaces[position as usize].tokens[index as usize].clone();
        token.last_used_at = self.last_used(position, index);
        Some(Found::Indexed {
            workspace: position,
            index,
            token,
        })
    }

    fn digest_of(&self, found: &Found) -> Option<crate::domain::SecretDigest> {
        match found {
            Found::Indexed {
                workspace, index, ..
            } => {
                let slot = self.index.slot(*workspace, *index)?;
                Some(self.index.credentials[slot as usize].digest)
            }
            Found::Own { workspace, token } => self.overlay.added(*workspace, &token.id)?.digest,
        }
    }

    fn contains_id(&self, id: &TokenId) -> bool {
        self.find(id).is_some()
    }
}

impl Store {
    /// Creates a token in a workspace of this data: `created_at` defaults to `now`, `status`
    /// to active, `created_by` to an admin address. Answers the token and its new secret.
    pub fn create(
        &self,
        fields: &Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Result<NewToken, ChangeError> {
        let _writer = self.lock();
        let data = self.load();
        let mut problems = unknown_fields(fields, &CREATE_FIELDS);
        let workspace = match fields.get("workspace") {
            Some(Value::String(id)) => {
                let found =
                    crate::domain::WorkspaceId::parse(id).and_then(|id| data.index.position(&id));
                if found.is_none() {
                    problems.push(problem(
                        "workspace",
                        "must be the id of a workspace of this session",
                    ));
                }
                found
            }
            Some(_) => {
                problems.push(problem("workspace", "must be a string"));
                None
            }
            None => {
                problems.push(problem("workspace", "is required"));
                None
            }
        };
        let mut object = Map::new();
        let id = loop {
            let id = format!(
                "tok_{}",
                Alphanumeric
                    .sample_string(&mut rand::rng(), 24)
                    .to_ascii_lowercase()
            );
            let parsed = TokenId::parse(&id).expect("a generated id is well formed");
            if !data.contains_id(&parsed) {
                break id;
            }
        };
        let secret = format!(
            "tok_live_{}",
            Alphanumeric.sample_string(&mut rand::rng(), 32)
        );
        object.insert("id".into(), id.into());
        for key in ["name", "scopes", "expires_at"] {
            if let Some(value) = fields.get(key) {
                object.insert(key.into(), value.clone());
            }
        }
        object.insert(
            "status".into(),
            fields
                .get("status")
                .cloned()
                .unwrap_or_else(|| "active".into()),
        );
        object.insert(
            "created_at".into(),
            fields
                .get("created_at")
                .cloned()
                .unwrap_or_else(|| format_timestamp(&now).into()),
        );
        object.entry("expires_at").or_insert(Value::Null);
        object.insert("last_used_at".into(), Value::Null);
        object.insert(
            "created_by".into(),
            fields
                .get("created_by")
                .cloned()
                .unwrap_or_else(|| DEFAULT_CREATOR.into()),
        );
        object.insert("secret".into(), secret.clone().into());
        let checked = check(object);
        let (token, digest) = match (checked, workspace) {
            (Ok(checked), Some(_)) if problems.is_empty() => checked,
            (Ok(_), _) => return Err(ChangeError::Invalid(problems)),
            (Err(more), _) => {
                problems.extend(more);
                return Err(ChangeError::Invalid(problems));
            }
        };
        let workspace = workspace.expect("checked above");
        let mut overlay = Overlay::clone(&data.overlay);
        overlay.put(workspace, Added::new(token.clone(), digest));
        self.publish(&data, overlay);
        Ok(NewToken { token, secret })
    }

    /// Changes a token's name, scopes, status (to `revoked` only), `expires_at` or
    /// `last_used_at`; the result must pass the snapshot rules.
    pub fn patch(&self, id: &str, fields: &Map<String, Value>) -> Result<TokenChange, ChangeError> {
        let _writer = self.lock();
        let data = self.load();
        let found = TokenId::parse(id)
            .and_then(|id| data.find(&id))
            .ok_or_else(|| ChangeError::NoSuchToken(id.to_owned()))?;
        let mut problems = unknown_fields(fields, &PATCH_FIELDS);
        if let Some(status) = fields.get("status") {
            if status.as_str() != Some(Status::Revoked.as_str()) {
                problems.push(problem("status", "can only be set to revoked"));
            }
        }
        let (current, workspace) = match &found {
            Found::Indexed {
                token, workspace, ..
            }
            | Found::Own { token, workspace } => (token, *workspace),
        };
        let mut object = object_of(current);
        for key in PATCH_FIELDS {
            // A status other than revoked is reported above, once.
            if key == "status" && problems.iter().any(|p| p.location == "status") {
                continue;
            }
            if let Some(value) = fields.get(key) {
                object.insert(key.into(), value.clone());
            }
        }
        let token = match check(object) {
            Ok((token, _)) if problems.is_empty() => token,
            Ok(_) => return Err(ChangeError::Invalid(problems)),
            Err(more) => {
                problems.extend(more);
                return Err(ChangeError::Invalid(problems));
            }
        };
        let digest = data.digest_of(&found);
        let mut overlay = Overlay::clone(&data.overlay);
        if let Found::Indexed { index, .. } = found {
            overlay.hide(workspace, index, &token.id);
        }
        overlay.put(workspace, Added::new(token.clone(), digest));
        self.publish(&data, overlay);
        Ok(TokenChange { token })
    }

    /// Deletes a token: it is no longer listed, counted or able to authenticate.
    pub fn delete(&self, id: &str) -> Result<(), ChangeError> {
        let _writer = self.lock();
        let data = self.load();
        let found = TokenId::parse(id)
            .and_then(|id| data.find(&id))
            .ok_or_else(|| ChangeError::NoSuchToken(id.to_owned()))?;
        let mut overlay = Overlay::clone(&data.overlay);
        match found {
            Found::Indexed {
                workspace,
                index,
                token,
            } => overlay.hide(workspace, index, &token.id),
            Found::Own { workspace, token } => {
                overlay.remove(workspace, &token.id);
            }
        }
        self.publish(&data, overlay);
        Ok(())
    }
}

//! The store written back as a snapshot (`{"workspaces": [...]}`), secrets as their digests.
//!
//! Only digests are ever held, so an export carries `secret_sha256` where the loaded file had
//! `secret`; loading the export again authenticates the same secrets.

use serde::Serialize;

use super::Store;
use crate::domain::{format_timestamp, Status};

#[derive(Serialize)]
struct Document<'a> {
    workspaces: Vec<WorkspaceOut<'a>>,
}

#[derive(Serialize)]
struct WorkspaceOut<'a> {
    id: &'a str,
    name: &'a str,
    tokens: Vec<TokenOut<'a>>,
}

#[derive(Serialize)]
struct TokenOut<'a> {
    id: &'a str,
    name: &'a str,
    scopes: Vec<&'a str>,
    /// The stored status: an active token past its expiry stays active here, as in the file.
    status: Status,
    created_at: String,
    expires_at: Option<String>,
    last_used_at: Option<String>,
    created_by: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_sha256: Option<String>,
}

impl Store {
    /// The whole state as a snapshot document.
    pub fn export(&self) -> Vec<u8> {
        let document = Document {
            workspaces: self
                .workspaces
                .iter()
                .map(|w| WorkspaceOut {
                    id: w.id.as_str(),
                    name: &w.name,
                    tokens: w
                        .tokens
                        .iter()
                        .enumerate()
                        .map(|(i, t)| TokenOut {
                            id: t.id.as_str(),
                            name: &t.name,
                            scopes: t.scopes.iter().map(|s| s.as_str()).collect(),
                            status: t.status,
                            created_at: format_timestamp(&t.created_at),
                            expires_at: t.expires_at.as_ref().map(format_timestamp),
                            last_used_at: t.last_used_at.as_ref().map(format_timestamp),
                            created_by: &t.created_by,
                            secret_sha256: w.secrets.get(&super::index(i)).map(|d| d.to_hex()),
                        })
                        .collect(),
                })
                .collect(),
        };
        // A tree of strings and numbers always serialises.
        serde_json::to_vec_pretty(&document).unwrap_or_default()
    }
}

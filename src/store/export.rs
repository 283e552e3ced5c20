//! The store written back as a snapshot (`{"workspaces": [...]}`), secrets as their digests.
//!
//! Only digests are ever held, so an export carries `secret_sha256` where the loaded file had
//! `secret`; loading the export again authenticates the same secrets.

use serde::Serialize;

use super::index::small;
use super::{Data, Store};
use crate::domain::{format_timestamp, SecretDigest, Status, Token};

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

impl Data {
    /// The whole state as a snapshot document: each workspace's tokens in listing order,
    /// the session's own changes included.
    pub fn export(&self) -> Vec<u8> {
        let mut workspaces = Vec::with_capacity(self.index.workspaces.len());
        for (position, w) in self.index.workspaces.iter().enumerate() {
            let position = small(position);
            let changes = self.overlay.workspace(position);
            let mut tokens: Vec<(Token, Option<SecretDigest>)> = Vec::with_capacity(w.tokens.len());
            for (i, token) in w.tokens.iter().enumerate() {
                let i = small(i);
                if changes.is_some_and(|c| c.hidden.contains(&i)) {
                    continue;
                }
                let mut token = token.clone();
                token.last_used_at = self.last_used(position, i);
                let digest = (self.index.slot(position, i))
                    .map(|slot| self.index.credentials[slot as usize].digest);
                tokens.push((token, digest));
            }
            if let Some(changes) = changes {
                tokens.extend(changes.added().map(|a| (a.token.clone(), a.digest)));
                tokens.sort_by(|(a, _), (b, _)| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
            }
            workspaces.push((w.id.as_str(), w.name.as_str(), tokens));
        }
        let document = Document {
            workspaces: workspaces
                .iter()
                .map(|(id, name, tokens)| WorkspaceOut {
                    id,
                    name,
                    tokens: tokens
                        .iter()
                        .map(|(t, digest)| TokenOut {
                            id: t.id.as_str(),
                            name: &t.name,
                            scopes: t.scopes.iter().map(|s| s.as_str()).collect(),
                            status: t.status,
                            created_at: format_timestamp(&t.created_at),
                            expires_at: t.expires_at.as_ref().map(format_timestamp),
                            last_used_at: t.last_used_at.as_ref().map(format_timestamp),
                            created_by: &t.created_by,
                            secret_sha256: digest.map(|d| d.to_hex()),
                        })
                        .collect(),
                })
                .collect(),
        };
        serde_json::to_vec_pretty(&document).expect("a tree of strings and numbers serialises")
    }
}

impl Store {
    /// The whole state as a snapshot document.
    pub fn export(&self) -> Vec<u8> {
        self.load().export()
    }
}

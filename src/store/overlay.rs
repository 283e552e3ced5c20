//! A session's own changes to the data it forked: tokens created, changed or deleted through
//! the admin API. The shared [`Index`](super::index::Index) is never copied; a changed token
//! hides its indexed original and comes back here as an added token, so a session that
//! changes one token out of 100k costs one token, not a copy of the workspace.

use chrono::{DateTime, Utc};
use imbl::{HashMap, HashSet, OrdMap};

use crate::domain::{fold, SecretDigest, Token, TokenId};

/// The changes of one session, replaced whole (copy on write) at each change.
///
/// Design constraint: each change publishes a new overlay while requests may still read the
/// old one, so the overlay is built of persistent maps: a copy shares everything with its
/// original, and a change copies only the few nodes it touches. A session's thousandth
/// change costs what its first did, not a copy of the nine hundred and ninety-nine before.
#[derive(Clone, Debug, Default)]
pub(crate) struct Overlay {
    /// By workspace position; missing positions have no changes.
    workspaces: HashMap<u32, WorkspaceChanges>,
    /// Secrets of added tokens: workspace position and token id.
    by_digest: HashMap<SecretDigest, (u32, TokenId)>,
    /// Every token id created, changed or deleted.
    changed: HashSet<TokenId>,
    /// The workspace of each added token.
    owners: HashMap<TokenId, u32>,
}

/// Where an added token is kept: its listing order.
type Order = (DateTime<Utc>, TokenId);

/// The changes to one workspace.
#[derive(Clone, Debug, Default)]
pub(crate) struct WorkspaceChanges {
    /// Indexed tokens that were changed or deleted.
    pub(crate) hidden: HashSet<u32>,
    /// Created tokens and new versions of changed ones, by `(created_at, id)`.
    added: OrdMap<Order, Added>,
    /// The `created_at` of each added token, by id.
    created: HashMap<TokenId, DateTime<Utc>>,
}

impl WorkspaceChanges {
    /// Created tokens and new versions of changed ones, ordered by `(created_at, id)`.
    pub(crate) fn added(&self) -> impl Iterator<Item = &Added> {
        self.added.values()
    }

    fn find(&self, id: &TokenId) -> Option<&Added> {
        let created_at = self.created.get(id)?;
        self.added.get(&(*created_at, id.clone()))
    }
}

/// A token that lives in the overlay.
#[derive(Clone, Debug)]
pub(crate) struct Added {
    pub token: Token,
    /// The folded name, for name filters.
    pub folded: String,
    pub digest: Option<SecretDigest>,
}

impl Added {
    /// Wraps a token, folding its name.
    pub(crate) fn new(token: Token, digest: Option<SecretDigest>) -> Added {
        Added {
            folded: fold(&token.name),
            token,
            digest,
        }
    }
}

impl Overlay {
    /// The changes to workspace `position`, if any.
    pub(crate) fn workspace(&self, position: u32) -> Option<&WorkspaceChanges> {
        self.workspaces
            .get(&position)
            .filter(|w| !w.hidden.is_empty() || !w.added.is_empty())
    }

    /// Whether an indexed token was changed or deleted.
    pub(crate) fn hides(&self, workspace: u32, index: u32) -> bool {
        self.workspace(workspace)
            .is_some_and(|w| w.hidden.contains(&index))
    }

    /// The added token whose secret has this digest.
    pub(crate) fn credential(&self, digest: &SecretDigest) -> Option<(u32, &Added)> {
        let (workspace, id) = self.by_digest.get(digest)?;
        let added = self.added(*workspace, id)?;
        added
            .digest
            .is_some_and(|d| d.matches(digest))
            .then_some((*workspace, added))
    }

    /// The added token with this id in a workspace.
    pub(crate) fn added(&self, workspace: u32, id: &TokenId) -> Option<&Added> {
        self.workspace(workspace)?.find(id)
    }

    /// The workspace of an added token with this id, if there is one.
    pub(crate) fn workspace_of(&self, id: &TokenId) -> Option<u32> {
        self.owners.get(id).copied()
    }

    /// How many distinct tokens were created, changed or deleted.
    pub(crate) fn changed_tokens(&self) -> usize {
        self.changed.len()
    }

    /// Hides an indexed token (changed or deleted).
    pub(crate) fn hide(&mut self, workspace: u32, index: u32, id: &TokenId) {
        self.changes(workspace).hidden.insert(index);
        self.changed.insert(id.clone());
    }

    /// Adds or replaces a token, keeping the order by `(created_at, id)`.
    pub(crate) fn put(&mut self, workspace: u32, added: Added) {
        self.remove(workspace, &added.token.id);
        if let Some(digest) = added.digest {
            self.by_digest
                .insert(digest, (workspace, added.token.id.clone()));
        }
        let id = added.token.id.clone();
        self.changed.insert(id.clone());
        self.owners.insert(id.clone(), workspace);
        let changes = self.changes(workspace);
        changes.created.insert(id.clone(), added.token.created_at);
        changes.added.insert((added.token.created_at, id), added);
    }

    /// Removes an added token; true when there was one.
    pub(crate) fn remove(&mut self, workspace: u32, id: &TokenId) -> bool {
        let changes = self.changes(workspace);
        let Some(created_at) = changes.created.remove(id) else {
            return false;
        };
        let removed = changes.added.remove(&(created_at, id.clone()));
        self.owners.remove(id);
        if let Some(digest) = removed.and_then(|r| r.digest) {
            self.by_digest.remove(&digest);
        }
        self.changed.insert(id.clone());
        true
    }

    fn changes(&mut self, workspace: u32) -> &mut WorkspaceChanges {
        self.workspaces.entry(workspace).or_default()
    }
}

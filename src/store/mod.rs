//! The token store: a session's data, which authenticates, records uses and lists pages.
//!
//! A [`Store`] is an indexed snapshot shared by every session forked from it ([`Index`]), the
//! session's own changes beside it (`Overlay`), and the `last_used_at` of each token that
//! can authenticate. A fork shares the index and copies nothing else of size, so a session
//! over 100k tokens costs little until it changes something. Every decision about one request
//! (who is calling, may they list, what they see, what is recorded) is taken against one
//! [`Data`], loaded once, so a request never mixes two states.

pub(crate) mod actor;
mod edit;
mod export;
pub(crate) mod index;
mod list;
mod name_search;
pub(crate) mod overlay;
mod partition;
pub(crate) mod regular;
pub(crate) mod scan;
pub mod snapshot;
pub(crate) mod source;
pub(crate) mod watch;

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};

use crate::domain::{
    AuthError, ListQuery, Presented, Status, Token, TokenId, WorkspaceId, REQUIRED_SCOPE,
};
pub(crate) use edit::ChangeError;
pub use index::Index;
pub(crate) use overlay::Overlay;
use snapshot::Snapshot;

/// The snapshot served when none is configured.
pub const DEFAULT_SNAPSHOT: &[u8] = include_bytes!("default_snapshot.json");

/// The secret of the default snapshot's "Read-Only Audit Key": never expires, may list.
pub const DEMO_SECRET: &str = "tok_live_AcmeAuditReadOnlyKey2026Demo0001";

/// `last_used_at` of a token never used, as stored in a slot.
const NEVER: i64 = i64::MIN;

/// One page of a listing.
#[derive(Debug, Default, PartialEq)]
pub struct Page {
    /// The tokens of the page, each with its status as of the listing's clock.
    pub tokens: Vec<Token>,
    /// How many tokens match the filters, across all pages.
    pub total: u64,
}

/// The token a request authenticated as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The token's id.
    pub token: TokenId,
    /// The position of its workspace in the data.
    pub workspace: u32,
    /// Whether it carries [`REQUIRED_SCOPE`].
    pub can_list: bool,
}

impl Principal {
    /// Checks that the token may list tokens (403 `insufficient_scope` otherwise).
    pub fn require_list_scope(&self) -> Result<(), AuthError> {
        if self.can_list {
            Ok(())
        } else {
            Err(AuthError::InsufficientScope)
        }
    }
}

/// One consistent state of a session's data.
#[derive(Debug)]
pub struct Data {
    /// The snapshot's tokens, indexed.
    pub index: Arc<Index>,
    /// The tokens created, changed or deleted since the snapshot was loaded.
    pub(crate) overlay: Arc<Overlay>,
    /// `last_used_at` of each credential slot of the index, in Unix seconds ([`NEVER`]).
    used: Arc<[AtomicI64]>,
}

/// A session's data: replaced whole, changed token by token, and read by every request.
#[derive(Debug)]
pub struct Store {
    /// Unique among every store this process made: what a cached page is keyed by. An
    /// address would not do, since a dropped session's store may be reallocated at the same
    /// one for a new session, whose pages would then be answered from the old one's.
    id: u64,
    data: ArcSwap<Data>,
    /// Bumped by every change that a listing can show, so pages can be cached per version.
    version: AtomicU64,
    /// Serialises changes: each one reads the current data and publishes the next.
    writer: Mutex<()>,
    /// Set to make the next listing fail inside the store (`/__admin/faults/store-failure`).
    failing: AtomicBool,
}

impl Store {
    /// Indexes a validated snapshot.
    pub fn new(snapshot: Snapshot) -> Store {
        Store::fork(&Arc::new(Index::new(snapshot)))
    }

    /// A store over a shared index, with no change of its own.
    pub fn fork(index: &Arc<Index>) -> Store {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Store {
            id: NEXT_ID.fetch_add(1, Relaxed),
            data: ArcSwap::from_pointee(Data::fresh(index)),
            version: AtomicU64::new(0),
            writer: Mutex::new(()),
            failing: AtomicBool::new(false),
        }
    }

    /// Makes the next listing fail inside the store: it panics as after a bug, and is answered
    /// 503 (see `actor`); no other listing notices.
    pub fn fail_next_list(&self) {
        self.failing.store(true, Relaxed);
    }

    /// Whether this listing is the one to fail; clears the request. Reads before it writes:
    /// a listing with no failure due writes nothing that other workers read.
    pub fn take_failure(&self) -> bool {
        self.failing.load(Relaxed) && self.failing.swap(false, Relaxed)
    }

    /// The current data, for one consistent decision.
    pub fn load(&self) -> Arc<Data> {
        self.data.load_full()
    }

    /// The current data, borrowed for one decision on this thread: taking it writes only
    /// this thread's own slot (`arc_swap`'s), where [`Store::load`] writes the data's
    /// reference count, which every worker writes. Hold it briefly, never across an await.
    pub fn current(&self) -> arc_swap::Guard<Arc<Data>> {
        self.data.load()
    }

    /// This store's identity, never shared with another store of the process.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Changes whenever what a listing shows may have changed.
    pub fn version(&self) -> u64 {
        self.version.load(Relaxed)
    }

    /// Serves `index` from now on, forgetting every change, use recorded and pending failure.
    pub fn replace(&self, index: &Arc<Index>) {
        let _writer = self.lock();
        self.failing.store(false, Relaxed);
        self.data.store(Arc::new(Data::fresh(index)));
        self.version.fetch_add(1, Relaxed);
    }

    /// Authenticates presented credentials as of `now` (RFC 6750; a token revoked, expired
    /// or not created yet cannot authenticate) and, when `track`, records the use as the
    /// token's `last_used_at`.
    pub fn authenticate(
        &self,
        data: &Data,
        presented: Presented,
        now: DateTime<Utc>,
        track: bool,
    ) -> Result<Principal, AuthError> {
        let digest = match presented {
            Presented::Nothing => return Err(AuthError::Missing),
            Presented::Ambiguous => return Err(AuthError::Unknown),
            Presented::Secret(digest) => digest,
        };
        // A changed token lives in the overlay and hides its indexed original.
        if let Some((workspace, added)) = data.overlay.credential(&digest) {
            usable(&added.token, now)?;
            let principal = Principal {
                token: added.token.id.clone(),
                workspace,
                can_list: added.token.has_scope(REQUIRED_SCOPE),
            };
            // Whole seconds, as for indexed tokens: a running clock then publishes a new
            // overlay at most once a second, not on every request.
            let at = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
            if track && added.token.last_used_at != Some(at) {
                self.record_added_use(workspace, &principal.token, at);
            }
            return Ok(principal);
        }
        let slot = data.index.credential(&digest).ok_or(AuthError::Unknown)?;
        let credential = data.index.credentials[slot as usize];
        if data.overlay.hides(credential.workspace, credential.index) {
            return Err(AuthError::Unknown);
        }
        let token =
            &data.index.workspaces[credential.workspace as usize].tokens[credential.index as usize];
        usable(token, now)?;
        if track {
            let at = now.timestamp();
            let used = &data.used[slot as usize];
            if used.load(Relaxed) != at {
                used.store(at, Relaxed);
                self.version.fetch_add(1, Relaxed);
            }
        }
        Ok(Principal {
            token: token.id.clone(),
            workspace: credential.workspace,
            can_list: token.has_scope(REQUIRED_SCOPE),
        })
    }

    /// Lists one page of a workspace's tokens as of `now` (no page when there is no such
    /// workspace).
    pub fn list(&self, workspace: &WorkspaceId, query: &ListQuery, now: DateTime<Utc>) -> Page {
        let data = self.load();
        match data.index.position(workspace) {
            Some(position) => data.page(position, query, now),
            None => Page::default(),
        }
    }

    /// Per workspace, how many tokens are in each status as of `now`.
    pub fn counts(&self, now: DateTime<Utc>) -> Vec<(String, [usize; 3])> {
        self.load().counts(now)
    }

    /// How many distinct tokens this store created, changed or deleted.
    pub(crate) fn changed_tokens(&self) -> usize {
        self.load().overlay.changed_tokens()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        // The guard protects no data of its own, only the order of writers.
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Publishes a new overlay over the same index and uses.
    fn publish(&self, data: &Data, overlay: Overlay) {
        self.data.store(Arc::new(Data {
            index: data.index.clone(),
            overlay: Arc::new(overlay),
            used: data.used.clone(),
        }));
        self.version.fetch_add(1, Relaxed);
    }

    fn record_added_use(&self, workspace: u32, id: &TokenId, at: DateTime<Utc>) {
        let _writer = self.lock();
        let data = self.load();
        if let Some(added) = data.overlay.added(workspace, id) {
            let mut added = added.clone();
            added.token.last_used_at = Some(at);
            let mut overlay = Overlay::clone(&data.overlay);
            overlay.put(workspace, added);
            self.publish(&data, overlay);
        }
    }
}

/// Whether a token can authenticate at `now` (RFC 6750 §3.1 `invalid_token` otherwise).
fn usable(token: &Token, now: DateTime<Utc>) -> Result<(), AuthError> {
    match token.status_at(now) {
        Status::Revoked => Err(AuthError::Revoked),
        Status::Expired => Err(AuthError::Expired),
        Status::Active if token.created_at > now => Err(AuthError::NotValidYet),
        Status::Active => Ok(()),
    }
}

impl Data {
    fn fresh(index: &Arc<Index>) -> Data {
        let used = index
            .credentials
            .iter()
            .map(|c| {
                let token = &index.workspaces[c.workspace as usize].tokens[c.index as usize];
                AtomicI64::new(token.last_used_at.map_or(NEVER, |at| at.timestamp()))
            })
            .collect();
        Data {
            index: index.clone(),
            overlay: Arc::default(),
            used,
        }
    }

    /// The `last_used_at` of an indexed token, as recorded in this session.
    fn last_used(&self, workspace: u32, index: u32) -> Option<DateTime<Utc>> {
        let w = &self.index.workspaces[workspace as usize];
        match self.index.slot(workspace, index) {
            Some(slot) => match self.used[slot as usize].load(Relaxed) {
                NEVER => None,
                at => DateTime::from_timestamp(at, 0),
            },
            None => w.tokens[index as usize].last_used_at,
        }
    }

    /// The workspaces, by position: id and name.
    pub fn workspaces(&self) -> impl Iterator<Item = (&WorkspaceId, &str)> {
        self.index
            .workspaces
            .iter()
            .map(|w| (&w.id, w.name.as_str()))
    }
}

#[cfg(test)]
mod tests;

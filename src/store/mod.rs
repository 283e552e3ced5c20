//! The token store: every workspace's tokens in a status-partitioned, ordered index.
//!
//! Tokens of a workspace sit in one vector ordered by `(created_at, id)`, so a token's index
//! is its rank in an unfiltered listing. Each status keeps an ascending list of indices, so a
//! status-only page is a slice and its total a length. Active tokens that will expire wait in
//! a list ordered by expiry time; a cursor into it says how many have already moved to the
//! expired partition, and moving the clock either way only moves the tokens it passes.

pub mod actor;
mod export;
mod partition;
pub mod snapshot;
pub mod source;
pub mod watch;

use ahash::HashMap;

use chrono::{DateTime, Utc};
use memchr::memmem;

use crate::domain::{fold_into, ListQuery, SecretDigest, Status, Token, TokenId, WorkspaceId};
use partition::transfer;
use snapshot::Snapshot;

/// The snapshot served when none is configured.
pub const DEFAULT_SNAPSHOT: &[u8] = include_bytes!("default_snapshot.json");

/// The secret of the default snapshot's "Read-Only Audit Key": never expires, may list.
pub const DEMO_SECRET: &str = "tok_live_AcmeAuditReadOnlyKey2026Demo0001";

/// One page of a listing.
#[derive(Debug, Default, PartialEq)]
pub struct Page {
    /// The tokens of the page, each with its status as of the listing's clock.
    pub tokens: Vec<Token>,
    /// How many tokens match the filters, across all pages.
    pub total: u64,
}

/// All workspaces and their tokens.
#[derive(Debug, Default)]
pub struct Store {
    /// In snapshot order, so an export reads like the file that was loaded.
    workspaces: Vec<Workspace>,
    positions: HashMap<WorkspaceId, usize>,
    /// Where each token that has a secret sits: workspace position and token index.
    locations: HashMap<TokenId, (usize, u32)>,
}

#[derive(Debug)]
struct Workspace {
    id: WorkspaceId,
    name: String,
    /// Ordered by `(created_at, id)`.
    tokens: Vec<Token>,
    /// Secret digests by token index, for the tokens that have one (kept for export).
    secrets: HashMap<u32, SecretDigest>,
    /// The folded names of `tokens`, back to back, for one substring search over them all.
    folded_names: String,
    /// `name_ends[i]` is where token `i`'s folded name ends in `folded_names`.
    name_ends: Vec<u32>,
    /// Ascending token indices, one list per current status.
    partitions: [Vec<u32>; 3],
    /// The current status of each token, by index: one byte each, so that a name filter
    /// combined with a status reads a small contiguous array, not the tokens themselves.
    statuses: Vec<Status>,
    /// Tokens stored as active that have an expiry time, ordered by it.
    expiring: Vec<(DateTime<Utc>, u32)>,
    /// `expiring[..expired_upto]` sit in the expired partition.
    expired_upto: usize,
}

impl Store {
    /// Indexes a validated snapshot. The clock is applied at the first listing.
    pub fn new(snapshot: Snapshot) -> Store {
        let mut store = Store::default();
        for (position, data) in snapshot.workspaces.into_iter().enumerate() {
            let mut tokens = data.tokens;
            // Keys first, then one permutation: tokens are large, and moving each of them
            // O(log n) times dominated indexing a large file.
            tokens.sort_by_cached_key(|t| (t.token.created_at, t.token.id.clone()));
            let mut secrets = HashMap::default();
            for (i, data) in tokens.iter().enumerate() {
                // Only a token with a secret can authenticate, and so be marked as used.
                if let Some(digest) = data.secret {
                    secrets.insert(index(i), digest);
                    store
                        .locations
                        .insert(data.token.id.clone(), (position, index(i)));
                }
            }
            let tokens = tokens.into_iter().map(|t| t.token).collect();
            store.positions.insert(data.id.clone(), position);
            store
                .workspaces
                .push(Workspace::new(data.id, data.name, tokens, secrets));
        }
        store
    }

    /// Lists one page of a workspace's tokens as of `now`.
    pub fn list(&mut self, workspace: &WorkspaceId, query: &ListQuery, now: DateTime<Utc>) -> Page {
        let position = self.positions.get(workspace).copied();
        match position.and_then(|p| self.workspaces.get_mut(p)) {
            Some(workspace) => {
                workspace.sync(now);
                workspace.list(query)
            }
            None => Page::default(),
        }
    }

    /// Records that `token` authenticated a request at `at`.
    pub fn record_use(&mut self, token: &TokenId, at: DateTime<Utc>) {
        if let Some(&(workspace, i)) = self.locations.get(token) {
            if let Some(token) = self
                .workspaces
                .get_mut(workspace)
                .and_then(|w| w.tokens.get_mut(i as usize))
            {
                token.last_used_at = Some(at);
            }
        }
    }

    /// Rebuilds every index from the tokens themselves, after a failure may have left an
    /// index half-updated. Tokens keep their order, so token locations stay valid.
    pub fn rebuild(&mut self) {
        for w in &mut self.workspaces {
            let (tokens, secrets) = (
                std::mem::take(&mut w.tokens),
                std::mem::take(&mut w.secrets),
            );
            *w = Workspace::new(w.id.clone(), std::mem::take(&mut w.name), tokens, secrets);
        }
    }

    /// The number of tokens in every workspace.
    pub fn token_count(&self) -> usize {
        self.workspaces.iter().map(|w| w.tokens.len()).sum()
    }

    /// Per workspace, how many tokens are in each status as of `now`.
    pub fn counts(&mut self, now: DateTime<Utc>) -> Vec<(String, [usize; 3])> {
        self.workspaces
            .iter_mut()
            .map(|w| {
                w.sync(now);
                let [a, e, r] = &w.partitions;
                (w.id.as_str().to_owned(), [a.len(), e.len(), r.len()])
            })
            .collect()
    }

    /// The number of workspaces.
    pub fn workspace_count(&self) -> usize {
        self.workspaces.len()
    }
}

fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// The folded names back to back, and where each one ends.
fn fold_names(tokens: &[Token]) -> (String, Vec<u32>) {
    let mut folded = String::with_capacity(tokens.iter().map(|t| t.name.len()).sum());
    let mut ends = Vec::with_capacity(tokens.len());
    for token in tokens {
        fold_into(&token.name, &mut folded);
        ends.push(index(folded.len()));
    }
    (folded, ends)
}

/// Token indices by stored status, the statuses themselves, and the active tokens that will
/// expire, ordered by expiry time.
type StatusIndex = ([Vec<u32>; 3], Vec<Status>, Vec<(DateTime<Utc>, u32)>);

fn status_index(tokens: &[Token]) -> StatusIndex {
    let mut partitions: [Vec<u32>; 3] = Default::default();
    let mut statuses = Vec::with_capacity(tokens.len());
    let mut expiring = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        partitions[token.status.index()].push(index(i));
        statuses.push(token.status);
        if let (Status::Active, Some(expires_at)) = (token.status, token.expires_at) {
            expiring.push((expires_at, index(i)));
        }
    }
    expiring.sort_unstable();
    (partitions, statuses, expiring)
}

impl Workspace {
    fn new(
        id: WorkspaceId,
        name: String,
        tokens: Vec<Token>,
        secrets: HashMap<u32, SecretDigest>,
    ) -> Workspace {
        // Folding the names is the larger half of the work: it runs on a second thread while
        // this one builds the status index (a load has both cores to itself).
        let ((folded_names, name_ends), (partitions, statuses, expiring)) =
            std::thread::scope(|scope| {
                let names = scope.spawn(|| fold_names(&tokens));
                let index = status_index(&tokens);
                (names.join().unwrap_or_else(|_| fold_names(&tokens)), index)
            });
        Workspace {
            id,
            name,
            tokens,
            secrets,
            folded_names,
            name_ends,
            partitions,
            statuses,
            expiring,
            expired_upto: 0,
        }
    }

    /// Moves tokens between the active and expired partitions to match `now`, in either
    /// direction, touching only the tokens whose expiry lies between the old and new clock.
    fn sync(&mut self, now: DateTime<Utc>) {
        let mut expiring_now = Vec::new();
        while let Some(&(at, i)) = self.expiring.get(self.expired_upto) {
            if at > now {
                break;
            }
            expiring_now.push(i);
            self.expired_upto += 1;
        }
        let mut active_again = Vec::new();
        while let Some(&(at, i)) = self.expired_upto.checked_sub(1).map(|k| &self.expiring[k]) {
            if at <= now {
                break;
            }
            active_again.push(i);
            self.expired_upto -= 1;
        }
        for &i in &expiring_now {
            self.statuses[i as usize] = Status::Expired;
        }
        for &i in &active_again {
            self.statuses[i as usize] = Status::Active;
        }
        let [active, expired, _] = &mut self.partitions;
        transfer(active, expired, expiring_now);
        transfer(expired, active, active_again);
    }

    fn list(&self, query: &ListQuery) -> Page {
        let offset = usize::try_from(query.offset()).unwrap_or(usize::MAX);
        let per_page = query.per_page as usize;
        let with_status = |i: u32| {
            let mut token = self.tokens[i as usize].clone();
            token.status = self.statuses[i as usize];
            token
        };
        match (&query.name, query.status) {
            (None, None) => Page {
                total: self.tokens.len() as u64,
                tokens: (offset..self.tokens.len())
                    .take(per_page)
                    .map(|i| with_status(index(i)))
                    .collect(),
            },
            (None, Some(status)) => {
                let partition = &self.partitions[status.index()];
                Page {
                    total: partition.len() as u64,
                    tokens: partition
                        .iter()
                        .skip(offset)
                        .take(per_page)
                        .map(|&i| with_status(i))
                        .collect(),
                }
            }
            (Some(name), status) => {
                let mut total = 0u64;
                let mut tokens = Vec::new();
                for i in self.matching(&name.folded) {
                    if status.is_some_and(|s| self.statuses[i as usize] != s) {
                        continue;
                    }
                    if total >= offset as u64 && tokens.len() < per_page {
                        tokens.push(with_status(i));
                    }
                    total += 1;
                }
                Page { tokens, total }
            }
        }
    }

    /// Indices of the tokens whose folded name contains `needle`, ascending.
    fn matching<'a>(&'a self, needle: &'a str) -> impl Iterator<Item = u32> + 'a {
        let finder = memmem::Finder::new(needle.as_bytes());
        let haystack = self.folded_names.as_bytes();
        let mut from = 0usize;
        let mut next = 0usize;
        std::iter::from_fn(move || loop {
            let start = from + finder.find(&haystack[from..])?;
            // The token whose name holds the match's first byte: at or after the last one,
            // found by galloping forward, since matches come in ascending order and are
            // often close together.
            let ends = &self.name_ends[next..];
            let mut span = 1;
            while span < ends.len() && (ends[span - 1] as usize) <= start {
                span *= 2;
            }
            let window = &ends[span / 2..span.min(ends.len())];
            let i = next + span / 2 + window.partition_point(|&end| end as usize <= start);
            next = i + 1;
            let end = self.name_ends[i] as usize;
            // Any later match starting inside this name would run past its end too.
            from = end;
            if start + needle.len() <= end {
                return Some(index(i));
            }
        })
    }
}

#[cfg(test)]
mod tests;

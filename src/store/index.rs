//! The index of a snapshot: built once, never changed, shared by every session forked from
//! it (sessions keep their changes beside it, see [`super::overlay`]).
//!
//! Tokens of a workspace sit in one vector ordered by `(created_at, id)`, so a token's index
//! is its rank in an unfiltered listing. Statuses as of a clock live in a [`StatusView`]: one
//! ascending list of indices per status (a status-only page is a slice, its total a length)
//! and a status byte per token. Active tokens that will expire wait in a list ordered by
//! expiry time; how many of them the clock has passed (the view's cursor) is all a view
//! depends on, so sessions whose clocks agree share one view.

use std::sync::{Arc, Mutex};

use ahash::HashMap;
use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};

use super::name_search::Needle;
use super::partition::transfer;
use super::snapshot::{Snapshot, TokenData};
use crate::domain::{fold_into, SecretDigest, Status, Token, TokenId, WorkspaceId};

/// What follows every folded name in [`Workspace::folded_names`]: a byte that UTF-8 never
/// holds, so no name and no filter contains it, and no match can run from one name into the
/// next.
const SEPARATOR: u8 = 0xFF;

/// Every how many tokens [`Workspace::marks`] records where a name starts: a split scan finds
/// its first name by counting at most this many separators from the nearest mark.
const MARK_EVERY: usize = 256;

/// Views kept per workspace besides the latest one: sessions whose clocks differ.
const VIEWS_KEPT: usize = 8;

/// Where a token with a secret sits, and the digest of that secret.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Credential {
    pub workspace: u32,
    pub index: u32,
    pub digest: SecretDigest,
}

/// Every workspace of a snapshot, indexed.
#[derive(Debug, Default)]
pub struct Index {
    /// In snapshot order, so an export reads like the file that was loaded.
    pub(super) workspaces: Vec<Workspace>,
    positions: HashMap<WorkspaceId, u32>,
    /// Credential slots, numbered from 0; a session keeps `last_used_at` per slot.
    pub(super) credentials: Vec<Credential>,
    /// Credential slots ordered by digest: finding a secret is a binary search, in 4 bytes a
    /// credential (a map of digests would hold a copy of each, and room to spare).
    by_digest: Vec<u32>,
    /// `(upper half of the hash of id, place)` of every token, sorted: finding a token by id
    /// is a binary search, in 8 bytes a token (a map of ids would hold a copy of each). A
    /// token's place counts the tokens of every workspace before it.
    ids: Vec<(u32, u32)>,
    /// The place of each workspace's first token.
    starts: Vec<u32>,
}

/// The upper half of [`id_hash`], as [`Index::ids`] holds it.
fn short_hash(id: &TokenId) -> u32 {
    (id_hash(id) >> 32) as u32
}

/// The hash of a token id in [`Index::ids`]: fixed seeds, so equal ids hash alike in every
/// index of the process.
pub(super) fn id_hash(id: &TokenId) -> u64 {
    ahash::RandomState::with_seeds(0x746f_6b65, 0x6e2d_6d6f, 0x636b_2d69, 0x6473_0000)
        .hash_one(id.as_str())
}

#[derive(Debug)]
pub(super) struct Workspace {
    pub(super) id: WorkspaceId,
    pub(super) name: String,
    /// Ordered by `(created_at, id)`.
    pub(super) tokens: Vec<Token>,
    /// The credential slot of each token that has a secret, by token index.
    pub(super) slots: Slots,
    /// The folded names of `tokens` in token order, each followed by [`SEPARATOR`], for one
    /// substring search over them all: a match is turned into its token by counting the
    /// separators before it (not valid UTF-8, hence bytes).
    folded_names: Vec<u8>,
    /// `marks[k]` is where token `k * MARK_EVERY`'s folded name starts in `folded_names`.
    marks: Vec<usize>,
    /// Tokens stored as active that have an expiry time, ordered by it.
    expiring: Vec<(DateTime<Utc>, u32)>,
    views: Views,
}

/// The credential slots of a workspace's tokens that have a secret: consecutive, in
/// ascending token order (see [`Index::slot`]).
pub(super) type Slots = std::ops::Range<u32>;

/// The statuses of a workspace's tokens once the clock has passed `cursor` expiries.
#[derive(Debug)]
pub(crate) struct StatusView {
    pub(crate) cursor: usize,
    /// Ascending token indices, one list per status.
    pub partitions: [Vec<u32>; 3],
    /// The status of each token, by index: one byte each, so that a name filter combined
    /// with a status reads a small contiguous array, not the tokens themselves.
    pub statuses: Vec<Status>,
}

#[derive(Debug)]
struct Views {
    latest: ArcSwap<StatusView>,
    others: Mutex<Vec<Arc<StatusView>>>,
}

impl Index {
    /// Indexes a validated snapshot.
    pub fn new(snapshot: Snapshot) -> Index {
        let mut index = Index::default();
        for (position, data) in snapshot.workspaces.into_iter().enumerate() {
            let position = small(position);
            let mut tokens = data.tokens;
            let (first, start) = (index.credentials.len(), index.ids.len());
            // The readers hand tokens over in this order, sorted on every core as they were
            // read: checking it is part of the one pass that lists credentials and ids. Keys
            // first, then one permutation, otherwise: tokens are large, and moving each of
            // them O(log n) times costs more.
            if !index.list(position, &tokens) {
                index.credentials.truncate(first);
                index.by_digest.truncate(first);
                index.ids.truncate(start);
                tokens.sort_by_cached_key(|t| (t.token.created_at, t.token.id.clone()));
                index.list(position, &tokens);
            }
            let slots = small(first)..small(index.credentials.len());
            let tokens: Vec<Token> = tokens.into_iter().map(|t| t.token).collect();
            index.starts.push(small(start));
            index.positions.insert(data.id.clone(), position);
            index
                .workspaces
                .push(Workspace::new(data.id, data.name, tokens, slots));
        }
        // The two sorts are the part of indexing that runs on one core: one each.
        let (ids, by_digest, credentials) =
            (&mut index.ids, &mut index.by_digest, &index.credentials);
        std::thread::scope(|scope| {
            scope.spawn(|| ids.sort_unstable());
            by_digest.sort_unstable_by_key(|&slot| credentials[slot as usize].digest);
        });
        index
    }

    /// Lists the credentials and ids of workspace `position`'s tokens, in one pass that
    /// checks their order: `false` (and a part listed) when they are not in the index's order.
    fn list<'a>(&mut self, position: u32, tokens: &'a [TokenData]) -> bool {
        let start = self.ids.len();
        let mut previous: Option<&'a TokenData> = None;
        for (i, data) in tokens.iter().enumerate() {
            let key = |t: &'a TokenData| (t.token.created_at, &t.token.id);
            if previous.is_some_and(|p| key(p) > key(data)) {
                return false;
            }
            previous = Some(data);
            if let Some(digest) = data.secret {
                let slot = small(self.credentials.len());
                self.by_digest.push(slot);
                self.credentials.push(Credential {
                    workspace: position,
                    index: small(i),
                    digest,
                });
            }
            self.ids
                .push((short_hash(&data.token.id), small(start + i)));
        }
        true
    }

    /// The workspace position and index of the token with this id.
    pub fn find(&self, id: &TokenId) -> Option<(u32, u32)> {
        let hash = short_hash(id);
        let start = self.ids.partition_point(|&(h, _)| h < hash);
        self.ids[start..]
            .iter()
            .take_while(|&&(h, _)| h == hash)
            .map(|&(_, place)| {
                let w = self.starts.partition_point(|&first| first <= place) - 1;
                (small(w), place - self.starts[w])
            })
            .find(|&(w, i)| self.workspaces[w as usize].tokens[i as usize].id == *id)
    }

    /// The credential slot of token `index` of workspace `workspace`, if it has a secret.
    pub(super) fn slot(&self, workspace: u32, index: u32) -> Option<u32> {
        let slots = self.workspaces.get(workspace as usize)?.slots.clone();
        let first = slots.start;
        let count = self.workspaces[workspace as usize].tokens.len();
        if (slots.end - first) as usize == count {
            // Every token has a secret: slots follow token order one for one.
            return ((index as usize) < count).then_some(first + index);
        }
        let credentials = self
            .credentials
            .get(slots.start as usize..slots.end as usize)?;
        let at = credentials.binary_search_by_key(&index, |c| c.index).ok()?;
        Some(first + small(at))
    }

    /// The position of a workspace.
    pub fn position(&self, id: &WorkspaceId) -> Option<u32> {
        self.positions.get(id).copied()
    }

    /// The credential slot of a secret digest, compared in constant time once found.
    pub(crate) fn credential(&self, digest: &SecretDigest) -> Option<u32> {
        let at = self
            .by_digest
            .binary_search_by_key(digest, |&slot| self.credentials[slot as usize].digest)
            .ok()?;
        let slot = self.by_digest[at];
        let credential = self.credentials.get(slot as usize)?;
        credential.digest.matches(digest).then_some(slot)
    }

    /// The number of tokens in every workspace.
    pub fn token_count(&self) -> usize {
        self.workspaces.iter().map(|w| w.tokens.len()).sum()
    }

    /// The number of workspaces.
    pub(crate) fn workspace_count(&self) -> usize {
        self.workspaces.len()
    }
}

impl Workspace {
    fn new(id: WorkspaceId, name: String, tokens: Vec<Token>, slots: Slots) -> Workspace {
        // Folding the names is most of the work: two threads fold a half each, and this one
        // builds the status index after its half (a load has the cores to itself).
        let (first, second) = tokens.split_at(tokens.len() / 2);
        let ((folded_names, marks), (view, expiring)) = std::thread::scope(|scope| {
            let later = scope.spawn(|| fold_names(second, first.len()));
            let mut names = fold_names(first, 0);
            let index = stored_view(&tokens);
            let later = later.join().expect("folding names does not panic");
            append_names(&mut names, later);
            (names, index)
        });
        Workspace {
            id,
            name,
            tokens,
            slots,
            folded_names,
            marks,
            expiring,
            views: Views {
                latest: ArcSwap::from_pointee(view),
                others: Mutex::new(Vec::new()),
            },
        }
    }

    /// How many expiries the clock has passed at `now`.
    pub(super) fn cursor(&self, now: DateTime<Utc>) -> usize {
        self.expiring.partition_point(|&(at, _)| at <= now)
    }

    /// The statuses as of `now`, shared with every other session at the same cursor.
    pub(super) fn view(&self, now: DateTime<Utc>) -> Arc<StatusView> {
        let cursor = self.cursor(now);
        let latest = self.views.latest.load_full();
        if latest.cursor == cursor {
            return latest;
        }
        // A poisoned lock only means a panic between two whole updates of the list.
        let mut others = self.views.others.lock().unwrap_or_else(|e| e.into_inner());
        let found = others.iter().find(|v| v.cursor == cursor).cloned();
        let view = found.unwrap_or_else(|| {
            let nearest = others
                .iter()
                .chain(std::iter::once(&latest))
                .min_by_key(|v| v.cursor.abs_diff(cursor))
                .cloned()
                .unwrap_or_else(|| latest.clone());
            Arc::new(self.moved(&nearest, cursor))
        });
        others.retain(|v| v.cursor != cursor && v.cursor != latest.cursor);
        others.insert(0, latest);
        others.truncate(VIEWS_KEPT);
        self.views.latest.store(view.clone());
        view
    }

    /// A copy of `from` with the clock moved to `cursor`: only the tokens whose expiry lies
    /// between the two cursors change partition.
    fn moved(&self, from: &StatusView, cursor: usize) -> StatusView {
        let mut view = StatusView {
            cursor,
            partitions: from.partitions.clone(),
            statuses: from.statuses.clone(),
        };
        let [active, expired, _] = &mut view.partitions;
        if cursor > from.cursor {
            let moving: Vec<u32> = self.expiring[from.cursor..cursor]
                .iter()
                .map(|&(_, i)| i)
                .collect();
            for &i in &moving {
                view.statuses[i as usize] = Status::Expired;
            }
            transfer(active, expired, moving);
        } else {
            let moving: Vec<u32> = self.expiring[cursor..from.cursor]
                .iter()
                .map(|&(_, i)| i)
                .collect();
            for &i in &moving {
                view.statuses[i as usize] = Status::Active;
            }
            transfer(expired, active, moving);
        }
        view
    }

    /// Indices of the tokens whose folded name contains `needle`, ascending.
    pub(super) fn matching<'a>(&'a self, needle: &'a str) -> impl Iterator<Item = u32> + 'a {
        self.matching_in(needle, 0..self.tokens.len())
    }

    /// Indices of the tokens of `range` (token indices, within the workspace) whose folded
    /// name contains `needle`, ascending: one part of a scan split across threads.
    ///
    /// The search counts the separators before each match (see [`super::name_search`]).
    pub(super) fn matching_in<'a>(
        &'a self,
        needle: &'a str,
        range: std::ops::Range<usize>,
    ) -> impl Iterator<Item = u32> + 'a {
        let start = range.start.min(range.end).min(self.tokens.len());
        let (_, names) = self.names_in(range);
        Needle::new(needle)
            .hits(names)
            .map(move |hit| small(start + hit.name))
    }

    /// The folded names of the tokens of `range` (token indices, within the workspace), each
    /// followed by its separator, and where they start in `folded_names`: what a scan that
    /// needs no token for most matches (a count, then a page) searches, turning only the
    /// page's matches into tokens with [`Workspace::token_at`].
    pub(super) fn names_in(&self, range: std::ops::Range<usize>) -> (usize, &[u8]) {
        let end = range.end.min(self.tokens.len());
        let first = self.name_start(range.start.min(end));
        (first, &self.folded_names[first..self.name_start(end)])
    }

    /// The index of the token whose folded name holds byte `position` of `folded_names`: the
    /// nearest mark before it, then the separators between them counted.
    pub(super) fn token_at(&self, position: usize) -> u32 {
        let k = self.marks.partition_point(|&mark| mark <= position).max(1) - 1;
        let mark = self.marks.get(k).copied().unwrap_or(0);
        let end = position.min(self.folded_names.len());
        let skipped =
            memchr::memchr_iter(SEPARATOR, &self.folded_names[mark.min(end)..end]).count();
        small(k * MARK_EVERY + skipped)
    }

    /// Where token `token`'s folded name starts in `folded_names` (its length past the last).
    fn name_start(&self, token: usize) -> usize {
        let Some(&mark) = self.marks.get(token / MARK_EVERY) else {
            return self.folded_names.len();
        };
        match token % MARK_EVERY {
            0 => mark,
            skip => memchr::memchr_iter(SEPARATOR, &self.folded_names[mark..])
                .nth(skip - 1)
                .map_or(self.folded_names.len(), |n| mark + n + 1),
        }
    }
}

/// Token indices are `u32`: a workspace holds at most 4 294 967 295 tokens, far beyond what
/// memory allows.
pub(super) fn small(i: usize) -> u32 {
    u32::try_from(i).expect("fewer than 2^32 tokens")
}

/// The folded names of `tokens`, each followed by [`SEPARATOR`], and where the name of each
/// token whose index (`base` plus its place in `tokens`) is a multiple of [`MARK_EVERY`]
/// starts.
fn fold_names(tokens: &[Token], base: usize) -> (Vec<u8>, Vec<usize>) {
    let mut folded = Vec::with_capacity(tokens.iter().map(|t| t.name.len() + 1).sum());
    let mut marks = Vec::with_capacity(tokens.len() / MARK_EVERY + 1);
    let mut scratch = String::new();
    for (i, token) in tokens.iter().enumerate() {
        if (base + i).is_multiple_of(MARK_EVERY) {
            marks.push(folded.len());
        }
        if token.name.is_ascii() {
            // What `fold_into` does to ASCII, a whole name at a time.
            let start = folded.len();
            folded.extend_from_slice(token.name.as_bytes());
            folded[start..].make_ascii_lowercase();
        } else {
            scratch.clear();
            fold_into(&token.name, &mut scratch);
            folded.extend_from_slice(scratch.as_bytes());
        }
        folded.push(SEPARATOR);
    }
    (folded, marks)
}

/// Appends the folded names of later tokens to those of earlier ones.
fn append_names(
    (folded, marks): &mut (Vec<u8>, Vec<usize>),
    (more, more_marks): (Vec<u8>, Vec<usize>),
) {
    let offset = folded.len();
    folded.extend_from_slice(&more);
    marks.extend(more_marks.iter().map(|&mark| offset + mark));
}

/// The view of the stored statuses (no expiry passed), and the active tokens that will
/// expire, ordered by expiry time.
fn stored_view(tokens: &[Token]) -> (StatusView, Vec<(DateTime<Utc>, u32)>) {
    let mut partitions: [Vec<u32>; 3] = Default::default();
    let mut statuses = Vec::with_capacity(tokens.len());
    let mut expiring = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        partitions[token.status.index()].push(small(i));
        statuses.push(token.status);
        if let (Status::Active, Some(expires_at)) = (token.status, token.expires_at) {
            expiring.push((expires_at, small(i)));
        }
    }
    expiring.sort_unstable();
    let view = StatusView {
        cursor: 0,
        partitions,
        statuses,
    };
    (view, expiring)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::domain::fold;

    fn token(i: usize, name: &str) -> Token {
        Token {
            id: TokenId::parse(&format!("tok_{i:024}")).expect("an id"),
            name: name.into(),
            scopes: Arc::new([]),
            status: Status::Active,
            created_at: DateTime::from_timestamp(1_700_000_000, 0).expect("a time"),
            expires_at: None,
            last_used_at: None,
            created_by: "a@example.com".into(),
        }
    }

    #[test]
    fn names_folded_in_halves_are_each_name_folded_back_to_back() {
        let names = [
            "CI Deploy",
            "Straße",
            "ΟΔΟΣ",
            "ﬁle",
            "x",
            "MiXeD",
            "Ǆ",
            "e\u{301}",
        ];
        for count in 0..=names.len() {
            let tokens: Vec<Token> = (0..count).map(|i| token(i, names[i])).collect();
            let workspace = Workspace::new(
                WorkspaceId::parse("ws_a").expect("an id"),
                "A".to_owned(),
                tokens,
                0..0,
            );
            let mut expected = Vec::new();
            for name in &names[..count] {
                expected.extend_from_slice(fold(name).as_bytes());
                expected.push(SEPARATOR);
            }
            assert_eq!(workspace.folded_names, expected);
            assert_eq!(workspace.marks, [0; 1][..count.min(1)]);
        }
    }

    fn workspace(names: &[String]) -> Workspace {
        let tokens = names.iter().enumerate().map(|(i, n)| token(i, n)).collect();
        let id = WorkspaceId::parse("ws_a").expect("an id");
        Workspace::new(id, "A".to_owned(), tokens, 0..0)
    }

    /// The tokens of `range` whose folded name contains the folded `needle`, one by one.
    fn naive(names: &[String], needle: &str, range: std::ops::Range<usize>) -> Vec<u32> {
        range
            .filter(|&i| fold(&names[i]).contains(needle))
            .map(small)
            .collect()
    }

    #[test]
    fn a_needle_spread_over_two_names_matches_neither() {
        let names: Vec<String> = ["xC", "Iy", "c", "i", "ci"].map(String::from).into();
        let workspace = workspace(&names);
        let found: Vec<u32> = workspace.matching("ci").collect();
        assert_eq!(found, [4]);
        assert_eq!(workspace.matching("yc").count(), 0);
        assert_eq!(workspace.matching("ic").count(), 0);
        for range in [0..2, 1..3, 2..4, 3..5, 0..5] {
            assert_eq!(
                workspace
                    .matching_in("ci", range.clone())
                    .collect::<Vec<_>>(),
                naive(&names, "ci", range)
            );
        }
    }

    #[test]
    fn every_scan_and_part_lists_the_names_that_contain_the_needle() {
        // Names that fold longer or shorter than they are, repeated needles in a name, and
        // more than a few marks' worth of tokens, so parts start between marks.
        let pieces = [
            "CI", "ß", "ﬁ", "é", "Ǆ", "a", "ci-ci", " ", "ΟΔΟΣ", "e\u{301}", "x",
        ];
        let names: Vec<String> = (0..3 * MARK_EVERY + 17)
            .map(|i| {
                (0..1 + i % 4)
                    .map(|k| pieces[(i * 7 + k * 3 + i / 5) % pieces.len()])
                    .collect()
            })
            .collect();
        let workspace = workspace(&names);
        let len = names.len();
        // The last four are found only across two names.
        let needles = [
            "ci", "c", "ss", "fi", "é", "\u{1c5}", "οδοσ", "i-c", "x", "ic", "ssx", "xé", "cia",
        ];
        for t in 0..len {
            assert_eq!(workspace.token_at(workspace.name_start(t)) as usize, t);
        }
        let mut nonempty = 0;
        for needle in needles {
            let folded = fold(needle);
            let all: Vec<u32> = workspace.matching(&folded).collect();
            assert_eq!(all, naive(&names, &folded, 0..len), "{needle}");
            let (first, all_names) = workspace.names_in(0..len);
            let located: Vec<u32> = Needle::new(&folded)
                .hits(all_names)
                .map(|hit| workspace.token_at(first + hit.at))
                .collect();
            assert_eq!(located, all, "{needle}, each match located alone");
            nonempty += usize::from(!all.is_empty());
            let cuts = [
                0,
                1,
                MARK_EVERY - 1,
                MARK_EVERY,
                MARK_EVERY + 1,
                2 * MARK_EVERY + 5,
                len - 1,
                len,
            ];
            for &from in &cuts {
                for &to in cuts.iter().filter(|&&to| to >= from) {
                    let part: Vec<u32> = workspace.matching_in(&folded, from..to).collect();
                    assert_eq!(
                        part,
                        naive(&names, &folded, from..to),
                        "{needle} in {from}..{to}"
                    );
                }
            }
        }
        assert_eq!(nonempty, needles.len() - 4, "the needles match");
    }

    #[test]
    fn every_token_is_found_by_id_and_every_secret_by_its_slot() {
        let secret = |n: usize| format!(r#","secret":"tok_live_{n:024}""#);
        let token = |n: usize, with_secret: bool| {
            format!(
                r#"{{"id":"tok_{n:024}","name":"t{n}","scopes":[],"status":"active","created_at":"2026-01-{:02}T00:00:00Z","expires_at":null,"last_used_at":null,"created_by":"a@example.com"{}}}"#,
                28 - n % 27,
                if with_secret {
                    secret(n)
                } else {
                    String::new()
                }
            )
        };
        let workspace = |id: &str, tokens: Vec<String>| {
            format!(
                r#"{{"id":"{id}","name":"W","tokens":[{}]}}"#,
                tokens.join(",")
            )
        };
        let all: Vec<String> = (0..30).map(|n| token(n, true)).collect();
        let some: Vec<String> = (30..70).map(|n| token(n, n.is_multiple_of(3))).collect();
        let none: Vec<String> = (70..75).map(|n| token(n, false)).collect();
        let doc = format!(
            r#"{{"workspaces":[{},{},{}]}}"#,
            workspace("ws_all", all),
            workspace("ws_some", some),
            workspace("ws_none", none)
        );
        let index = Index::new(Snapshot::parse(doc.as_bytes()).expect("valid"));
        let mut with_secrets = 0;
        for (w, workspace) in index.workspaces.iter().enumerate() {
            for (i, token) in workspace.tokens.iter().enumerate() {
                let (w, i) = (small(w), small(i));
                assert_eq!(index.find(&token.id), Some((w, i)));
                let n: usize = token.id.as_str()[4..].parse().expect("a number");
                let expected = (n < 30 || (n < 70 && n.is_multiple_of(3))).then(|| {
                    crate::domain::Secret::parse(&format!("tok_live_{n:024}")).expect("a secret")
                });
                let slot = index.slot(w, i);
                let found = slot.map(|s| index.credentials[s as usize]);
                assert_eq!(found.map(|c| (c.workspace, c.index)), slot.map(|_| (w, i)));
                assert_eq!(found.map(|c| c.digest), expected);
                if let Some(digest) = expected {
                    assert_eq!(index.credential(&digest), slot);
                    with_secrets += 1;
                }
            }
        }
        assert_eq!(with_secrets, 30 + 14);
        // Tokens handed over in any other order are put in the index's order first.
        let mut reversed = Snapshot::parse(doc.as_bytes()).expect("valid");
        for workspace in &mut reversed.workspaces {
            workspace.tokens.reverse();
        }
        let reindexed = Index::new(reversed);
        for (w, workspace) in index.workspaces.iter().enumerate() {
            let again = &reindexed.workspaces[w];
            assert_eq!(again.tokens, workspace.tokens);
            assert_eq!(again.slots, workspace.slots);
            for token in &workspace.tokens {
                assert_eq!(reindexed.find(&token.id), index.find(&token.id));
            }
        }
        for credential in &index.credentials {
            let slot = reindexed.credential(&credential.digest).expect("found");
            let found = reindexed.credentials[slot as usize];
            assert_eq!(
                (found.workspace, found.index),
                (credential.workspace, credential.index)
            );
        }
        assert_eq!(index.slot(0, 30), None);
        assert_eq!(
            index.find(&TokenId::parse(&format!("tok_{:024}", 99)).expect("id")),
            None
        );
    }
}

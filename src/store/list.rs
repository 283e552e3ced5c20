//! Listing: filter, then order by `(created_at, id)`, then slice.
//!
//! A workspace the session has not changed is listed straight from the shared index: a
//! status-only page is a slice of a partition, an unfiltered page a slice of the tokens. A
//! changed workspace merges the indexed tokens it did not hide with its own, in order.
//!
//! A name filter over a large unchanged workspace may be split into contiguous parts scanned
//! at once, one thread each ([`Data::page_on`]): each part counts its matches and keeps the
//! first ones, as many as any page's window can need, and the window is taken across them.
//! Without a status, a part only counts its matching names (keeping the count every 4 KiB of
//! names): the page is then searched again from the nearest count before it, and only its
//! matches are turned into tokens ([`Workspace::token_at`]).

use std::cmp::Ordering;
use std::ops::Range;

use chrono::{DateTime, Utc};

use super::index::{StatusView, Workspace};
use super::name_search::{Needle, Tally};
use super::overlay::Added;
use super::{Data, Page};
use crate::domain::{ListQuery, Token};

/// The fewest tokens a part of a split scan holds: below it, starting a thread costs more
/// than the part saves.
pub(super) const SPLIT_MIN_TOKENS: usize = 32_768;

impl Data {
    /// One page of workspace `position` as of `now`.
    pub fn page(&self, position: u32, query: &ListQuery, now: DateTime<Utc>) -> Page {
        self.page_on(position, query, now, 1)
    }

    /// One page of workspace `position` as of `now`, a name filter over the indexed tokens
    /// scanned on up to `threads` threads (this one and `threads - 1` started for it; parts
    /// of at least [`SPLIT_MIN_TOKENS`] tokens). The page is the same for any `threads`.
    pub(crate) fn page_on(
        &self,
        position: u32,
        query: &ListQuery,
        now: DateTime<Utc>,
        threads: usize,
    ) -> Page {
        let tokens = self
            .index
            .workspaces
            .get(position as usize)
            .map_or(0, |w| w.tokens.len());
        self.page_in_parts(position, query, now, threads.min(tokens / SPLIT_MIN_TOKENS))
    }

    /// One page, a name filter over the indexed tokens scanned in `parts` parts at once.
    fn page_in_parts(
        &self,
        position: u32,
        query: &ListQuery,
        now: DateTime<Utc>,
        parts: usize,
    ) -> Page {
        let Some(workspace) = self.index.workspaces.get(position as usize) else {
            return Page::default();
        };
        let view = workspace.view(now);
        let offset = usize::try_from(query.offset()).unwrap_or(usize::MAX);
        let per_page = query.per_page as usize;
        let changes = self.overlay.workspace(position);
        let indexed = |i: u32| self.indexed(position, workspace, &view, i);
        match (changes, &query.name, query.status) {
            (None, None, None) => Page {
                total: workspace.tokens.len() as u64,
                tokens: (offset..workspace.tokens.len())
                    .take(per_page)
                    .map(|i| indexed(super::index::small(i)))
                    .collect(),
            },
            (None, None, Some(status)) => {
                let partition = &view.partitions[status.index()];
                Page {
                    total: partition.len() as u64,
                    tokens: partition
                        .iter()
                        .skip(offset)
                        .take(per_page)
                        .map(|&i| indexed(i))
                        .collect(),
                }
            }
            (None, Some(name), None) => {
                // Every part counts its matching names; only the page's are turned into tokens.
                let needle = Needle::new(&name.folded);
                let count = |range| {
                    let (at, names) = workspace.names_in(range);
                    Counted {
                        at,
                        names,
                        tally: needle.tally(names),
                    }
                };
                let counted = in_parts(workspace.tokens.len(), parts.max(1), count);
                let token = |at| indexed(workspace.token_at(at));
                window_of_names(&needle, &counted, offset, per_page, token)
            }
            (None, Some(name), Some(status)) => {
                let keep = |i: &u32| view.statuses[*i as usize] == status;
                if parts > 1 {
                    let scan = |range| {
                        first_matches(
                            workspace.matching_in(&name.folded, range).filter(keep),
                            offset.saturating_add(per_page),
                        )
                    };
                    let found = in_parts(workspace.tokens.len(), parts, scan);
                    return window_across(found, offset, per_page, indexed);
                }
                let matches = workspace.matching(&name.folded).filter(keep);
                window(matches, offset, per_page, indexed)
            }
            (Some(changes), name, status) => {
                let candidates: Box<dyn Iterator<Item = u32>> = match name {
                    Some(name) => Box::new(workspace.matching(&name.folded)),
                    None => Box::new(0..super::index::small(workspace.tokens.len())),
                };
                let base = candidates.filter(|&i| {
                    !changes.hidden.contains(&i)
                        && status.is_none_or(|s| view.statuses[i as usize] == s)
                });
                let own = changes.added().filter(|a| {
                    status.is_none_or(|s| a.token.status_at(now) == s)
                        && name.as_ref().is_none_or(|n| a.folded.contains(&n.folded))
                });
                let merged = Merge {
                    tokens: &workspace.tokens,
                    base: base.peekable(),
                    own: own.peekable(),
                };
                window(merged, offset, per_page, |item| match item {
                    Item::Indexed(i) => indexed(i),
                    Item::Own(added) => own_token(added, now),
                })
            }
        }
    }

    /// Per workspace, how many tokens are in each status as of `now`.
    pub fn counts(&self, now: DateTime<Utc>) -> Vec<(String, [usize; 3])> {
        (0..self.index.workspaces.len())
            .map(|position| {
                let workspace = &self.index.workspaces[position];
                let view = workspace.view(now);
                let mut counts = view.partitions.each_ref().map(Vec::len);
                if let Some(changes) = self.overlay.workspace(super::index::small(position)) {
                    for &i in &changes.hidden {
                        counts[view.statuses[i as usize].index()] -= 1;
                    }
                    for added in changes.added() {
                        counts[added.token.status_at(now).index()] += 1;
                    }
                }
                (workspace.id.as_str().to_owned(), counts)
            })
            .collect()
    }

    /// An indexed token with its status as of the view and its recorded use.
    fn indexed(&self, position: u32, workspace: &Workspace, view: &StatusView, i: u32) -> Token {
        let mut token = workspace.tokens[i as usize].clone();
        token.status = view.statuses[i as usize];
        token.last_used_at = self.last_used(position, i);
        token
    }
}

/// A session's own token, with its status as of `now`.
fn own_token(added: &Added, now: DateTime<Utc>) -> Token {
    let mut token = added.token.clone();
    token.status = token.status_at(now);
    token
}

/// Counts every item and keeps those of the page.
fn window<T>(
    items: impl Iterator<Item = T>,
    offset: usize,
    per_page: usize,
    mut token: impl FnMut(T) -> Token,
) -> Page {
    let mut total = 0u64;
    let mut tokens = Vec::new();
    for item in items {
        if total >= offset as u64 && tokens.len() < per_page {
            tokens.push(token(item));
        }
        total += 1;
    }
    Page { tokens, total }
}

/// What one part of a split scan found: how many matches, and the first of them (token
/// indices, or where they are in the folded names).
struct Found<T> {
    count: u64,
    first: Vec<T>,
}

/// Counts `matches` and keeps the first `limit` of them.
fn first_matches<T>(matches: impl Iterator<Item = T>, limit: usize) -> Found<T> {
    let mut found = Found {
        count: 0,
        first: Vec::new(),
    };
    for i in matches {
        if found.first.len() < limit {
            found.first.push(i);
        }
        found.count += 1;
    }
    found
}

/// Runs `scan` over `parts` (at least 1) contiguous ranges of `0..len`, the first on this
/// thread and each other one on a thread of its own (on this thread too, should the system
/// refuse a thread); the results in range order. A panic in any part panics here.
fn in_parts<T: Send>(len: usize, parts: usize, scan: impl Fn(Range<usize>) -> T + Sync) -> Vec<T> {
    let bound = |k: usize| (len as u128 * k as u128 / parts as u128) as usize;
    let ranges: Vec<Range<usize>> = (0..parts).map(|k| bound(k)..bound(k + 1)).collect();
    std::thread::scope(|scope| {
        let scan = &scan;
        let started: Vec<_> = ranges[1..]
            .iter()
            .map(|range| {
                let part = range.clone();
                std::thread::Builder::new()
                    .spawn_scoped(scope, move || scan(part))
                    .map_err(|_| range.clone())
            })
            .collect();
        let mut found = vec![scan(ranges[0].clone())];
        for part in started {
            found.push(match part {
                Ok(thread) => thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(range) => scan(range),
            });
        }
        found
    })
}

/// One part of a name filter's scan: its folded names, where they start in the workspace's,
/// and how many of them hold the needle.
struct Counted<'a> {
    at: usize,
    names: &'a [u8],
    tally: Tally,
}

/// The page of `per_page` matching names from `offset` across the parts of a scan, in order,
/// each made a token from its place in the folded names, and the total of every part. Only
/// the parts that hold the page are searched again, from the chunk where the page starts.
fn window_of_names(
    needle: &Needle<'_>,
    parts: &[Counted<'_>],
    offset: usize,
    per_page: usize,
    mut token: impl FnMut(usize) -> Token,
) -> Page {
    let total = parts.iter().map(|p| p.tally.total).sum();
    let mut skip = offset as u64;
    let mut tokens = Vec::new();
    for part in parts {
        if tokens.len() == per_page {
            break;
        }
        if skip >= part.tally.total {
            skip -= part.tally.total;
            continue;
        }
        let hits = needle.hits_from(part.names, &part.tally, skip);
        let wanted = per_page - tokens.len();
        tokens.extend(hits.take(wanted).map(|hit| token(part.at + hit.at)));
        skip = 0;
    }
    Page { tokens, total }
}

/// The page of `per_page` matches from `offset` across the parts of a split scan, in order,
/// and the total of every part.
fn window_across<T: Copy>(
    parts: Vec<Found<T>>,
    offset: usize,
    per_page: usize,
    mut token: impl FnMut(T) -> Token,
) -> Page {
    let total = parts.iter().map(|p| p.count).sum();
    let mut skip = offset as u64;
    let mut tokens = Vec::new();
    for part in parts {
        if skip >= part.count {
            skip -= part.count;
            continue;
        }
        let wanted = per_page - tokens.len();
        // `skip` < count, and each part kept its first offset + per_page matches.
        let from = usize::try_from(skip).unwrap_or(usize::MAX);
        tokens.extend(part.first.iter().skip(from).take(wanted).map(|&i| token(i)));
        skip = 0;
        if tokens.len() == per_page {
            break;
        }
    }
    Page { tokens, total }
}

enum Item<'a> {
    Indexed(u32),
    Own(&'a Added),
}

/// Indexed and own tokens, each already in order, merged by `(created_at, id)`.
struct Merge<'a, B: Iterator<Item = u32>, O: Iterator<Item = &'a Added>> {
    tokens: &'a [Token],
    base: std::iter::Peekable<B>,
    own: std::iter::Peekable<O>,
}

impl<'a, B: Iterator<Item = u32>, O: Iterator<Item = &'a Added>> Iterator for Merge<'a, B, O> {
    type Item = Item<'a>;

    fn next(&mut self) -> Option<Item<'a>> {
        let order = match (self.base.peek(), self.own.peek()) {
            (None, None) => return None,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(&i), Some(added)) => {
                let t = &self.tokens[i as usize];
                (t.created_at, &t.id).cmp(&(added.token.created_at, &added.token.id))
            }
        };
        match order {
            Ordering::Greater => self.own.next().map(Item::Own),
            _ => self.base.next().map(Item::Indexed),
        }
    }
}

#[cfg(test)]
#[path = "list_tests.rs"]
mod tests;

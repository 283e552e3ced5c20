//! Snapshots: the JSON files the mock serves, in any of three shapes, validated as a whole.
//!
//! Parsing takes a parallel path first (`parallel`): a document without problems is read in
//! pieces on every core. At its first problem, a typed path reads the document again, checking
//! each token as it is read and borrowing its strings from the input, so a large file is never
//! held twice. Only when that fails does it re-read the document as generic JSON, so that a
//! broken file gets every problem reported with its location while a good one pays for
//! nothing but the parallel parse.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, Utc};

use crate::domain::{SecretDigest, Token, WorkspaceId};

/// The workspace that the `data` and bare-array shapes load into.
pub(crate) const DEFAULT_WORKSPACE: &str = "ws_default";

/// A valid snapshot: every token parsed, every id and secret unique.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The workspaces, in the document's order.
    pub workspaces: Vec<WorkspaceData>,
}

/// One workspace of a snapshot.
#[derive(Debug)]
pub struct WorkspaceData {
    /// The workspace's id.
    pub id: WorkspaceId,
    /// The workspace's display name.
    pub name: String,
    /// Its tokens, ordered by `(created_at, id)` as the index keeps them (the readers sort
    /// them: the parallel one on every core as it reads).
    pub tokens: Vec<TokenData>,
}

/// A token and the digest of its secret, when the snapshot gives one.
#[derive(Debug)]
pub struct TokenData {
    /// The token.
    pub token: Token,
    /// The SHA-256 digest of its secret; `None`: it cannot authenticate.
    pub secret: Option<SecretDigest>,
}

/// One thing wrong with a snapshot, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// A JSON path such as `workspaces[0].tokens[3].id`, or `$` for the whole document.
    pub location: String,
    /// What is wrong there.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Every problem found in a snapshot. Shown, it lists the first
/// [`SnapshotError::LISTED`]; [`SnapshotError::listing`] lists another number.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.listing(Self::LISTED))]
pub struct SnapshotError(pub Vec<Problem>);

impl SnapshotError {
    /// How many problems the plain text shows (`snapshot.max_problems` by default).
    pub const LISTED: usize = 100;

    /// The count of problems, then the first `listed` of them, one a line, and how many more
    /// there are: a text of bounded size however many problems a file has.
    pub fn listing(&self, listed: usize) -> String {
        let total = self.0.len();
        let mut text = format!("the snapshot has {total} problem(s):");
        for problem in self.0.iter().take(listed) {
            text.push_str(&format!("\n  {problem}"));
        }
        if total > listed {
            text.push_str(&format!(
                "\n  ... and {} more (snapshot.max_problems)",
                total - listed
            ));
        }
        text
    }
}

impl Snapshot {
    /// Parses and validates a snapshot document.
    pub fn parse(bytes: &[u8]) -> Result<Snapshot, SnapshotError> {
        // A document without problems is read on every core; the first problem sends it to
        // the readers below, which report every problem with its location.
        if let Some(snapshot) = parallel::parse(bytes, parallel::Pieces::for_this_machine()) {
            return Ok(snapshot);
        }
        // A document the typed reader cannot take (a wrong type, a missing or unknown field,
        // broken JSON) is read again as generic JSON, to report every problem at once.
        match fast::parse(bytes) {
            Ok(checked) => checked.map_err(SnapshotError),
            Err(_) => slow::parse(bytes),
        }
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
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) enum Shape {
    #[default]
    Workspaces,
    Data,
    Bare,
}

/// A token whose fields are `None` when missing or of the wrong type (already reported).
/// `expires_at` and `last_used_at` are `Some(None)` when null. Strings borrow from the input
/// where they can.
#[derive(Default)]
struct RawToken<'a> {
    id: Option<Cow<'a, str>>,
    name: Option<Cow<'a, str>>,
    scopes: Option<Vec<Cow<'a, str>>>,
    status: Option<Cow<'a, str>>,
    created_at: Option<Cow<'a, str>>,
    expires_at: Option<Option<Cow<'a, str>>>,
    last_used_at: Option<Option<Cow<'a, str>>>,
    created_by: Option<Cow<'a, str>>,
    secret: Option<Cow<'a, str>>,
    secret_sha256: Option<Cow<'a, str>>,
}

fn first_byte(bytes: &[u8]) -> Option<u8> {
    bytes.iter().copied().find(|b| !b.is_ascii_whitespace())
}

mod fast;
mod parallel;
mod plain;
mod runs;
mod slow;
mod validate;

#[cfg(test)]
mod tests;

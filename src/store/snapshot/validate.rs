//! Value checks of a snapshot: formats, ranges, cross-field order and uniqueness.

use ahash::{HashMap, HashSet};
use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use super::runs::sort_for_listing;
use super::{Problem, RawToken, Shape, Snapshot, TokenData, WorkspaceData};
use crate::domain::{
    parse_timestamp, Scope, Secret, SecretDigest, Status, Token, TokenId, WorkspaceId,
};

const NAME_MAX_CHARS: usize = 256;

/// Distinct token names a reader holds once each. Names repeat (a team's tokens are called
/// `ci`, `deploy`, `terraform-prod` many times over), and a shared name saves an allocation
/// of about 48 bytes a token; past this many distinct names, new ones are no longer
/// remembered, so a file of all-different names costs a bounded table and nothing more.
const NAMES_SHARED: usize = 1 << 16;

fn token_location(shape: Shape, workspace: usize, token: usize) -> String {
    match shape {
        Shape::Workspaces => format!("workspaces[{workspace}].tokens[{token}]"),
        Shape::Data => format!("data[{token}]"),
        Shape::Bare => format!("[{token}]"),
    }
}

/// Checks a snapshot token by token, as a reader hands them over, remembering what it needs
/// to find duplicates and collecting every problem.
#[derive(Default)]
pub(super) struct Validator {
    pub(super) shape: Shape,
    problems: Vec<Problem>,
    workspace_ids: HashMap<String, usize>,
    /// First occurrences, as (workspace, token) positions, so duplicates can name them.
    token_ids: HashMap<TokenId, (usize, usize)>,
    secrets: HashMap<SecretDigest, (usize, usize)>,
    shared: Shared,
}

/// Values many tokens have in common, held once: scope lists, creators and names repeat
/// across a snapshot, and sharing them saves an allocation or two per token.
#[derive(Default)]
pub(super) struct Shared {
    /// Keyed by the list's scopes joined with newlines.
    scope_lists: HashMap<Box<str>, Arc<[Scope]>>,
    creators: HashMap<Box<str>, Arc<str>>,
    /// At most [`NAMES_SHARED`] of them.
    names: HashSet<Arc<str>>,
    key: String,
}

impl Shared {
    /// `name`, shared with every earlier token of the same name while the table has room.
    fn name(&mut self, name: &str) -> Arc<str> {
        if let Some(known) = self.names.get(name) {
            return known.clone();
        }
        let name: Arc<str> = name.into();
        if self.names.len() < NAMES_SHARED {
            self.names.insert(name.clone());
        }
        name
    }
}

impl Validator {
    /// Makes room for about `count` tokens.
    pub(super) fn expect_tokens(&mut self, count: usize) {
        self.token_ids.reserve(count);
    }

    fn add(&mut self, location: String, message: impl Into<String>) {
        self.problems.push(Problem {
            location,
            message: message.into(),
        });
    }

    /// Checks token `t` of workspace `w`; `None` when it has problems (recorded).
    pub(super) fn token(&mut self, raw: RawToken<'_>, w: usize, t: usize) -> Option<TokenData> {
        let shape = self.shape;
        let at = move || token_location(shape, w, t);
        let digest = match (raw.secret.as_deref(), raw.secret_sha256.as_deref()) {
            (Some(_), Some(_)) => {
                self.add(
                    format!("{}.secret_sha256", at()),
                    "give secret or secret_sha256, not both",
                );
                None
            }
            (Some(text), None) => Secret::parse(text).map(|d| ("secret", d)).or_else(|| {
                self.add(
                    format!("{}.secret", at()),
                    "must be tok_live_ followed by 24 or more ASCII letters or digits",
                );
                None
            }),
            (None, Some(hex)) => SecretDigest::from_hex(hex)
                .map(|d| ("secret_sha256", d))
                .or_else(|| {
                    self.add(
                        format!("{}.secret_sha256", at()),
                        "must be 64 lowercase hexadecimal digits",
                    );
                    None
                }),
            (None, None) => None,
        };
        let secret = digest.and_then(|(field, digest)| {
            if let Some(&(fw, ft)) = self.secrets.get(&digest) {
                let first = token_location(shape, fw, ft);
                self.add(
                    format!("{}.{field}", at()),
                    format!("duplicates the secret of {first}"),
                );
                return None;
            }
            self.secrets.insert(digest, (w, t));
            Some(digest)
        });
        let token = check_token(raw, &at, &mut self.problems, &mut self.shared)?;
        // One lookup that also claims the id: a million of them add up.
        match self.token_ids.entry(token.id.clone()) {
            Entry::Occupied(first) => {
                let (fw, ft) = *first.get();
                let first = token_location(shape, fw, ft);
                self.add(
                    format!("{}.id", at()),
                    format!("duplicates the id of {first}"),
                );
                return None;
            }
            Entry::Vacant(slot) => {
                slot.insert((w, t));
            }
        }
        Some(TokenData { token, secret })
    }

    /// Checks workspace `w` itself, once its tokens are checked.
    pub(super) fn workspace(
        &mut self,
        w: usize,
        id: Option<&str>,
        name: Option<String>,
        tokens: Vec<TokenData>,
    ) -> Option<WorkspaceData> {
        let at = format!("workspaces[{w}]");
        let id = id.and_then(|id| {
            if let Some(first) = self.workspace_ids.get(id) {
                let message = format!("duplicates the id of workspaces[{first}]");
                self.add(format!("{at}.id"), message);
                return None;
            }
            self.workspace_ids.insert(id.to_owned(), w);
            let parsed = WorkspaceId::parse(id);
            if parsed.is_none() {
                self.add(format!("{at}.id"), "must match ^ws_[a-z0-9_]{1,64}$");
            }
            parsed
        });
        let name = name.filter(|name| {
            let ok = (1..=NAME_MAX_CHARS).contains(&name.chars().count());
            if !ok {
                self.add(format!("{at}.name"), "must be 1 to 256 characters");
            }
            ok
        });
        Some(WorkspaceData {
            id: id?,
            name: name?,
            tokens,
        })
    }

    /// The snapshot, its workspaces' tokens as given (a reader that put them in the index's
    /// order already), or every problem found.
    pub(super) fn finish_ordered(
        self,
        workspaces: Vec<WorkspaceData>,
    ) -> Result<Snapshot, Vec<Problem>> {
        if self.problems.is_empty() {
            Ok(Snapshot { workspaces })
        } else {
            Err(self.problems)
        }
    }

    /// The snapshot, each workspace's tokens in the index's order, or every problem found.
    pub(super) fn finish(
        self,
        mut workspaces: Vec<WorkspaceData>,
    ) -> Result<Snapshot, Vec<Problem>> {
        if self.problems.is_empty() {
            for workspace in &mut workspaces {
                sort_for_listing(&mut workspace.tokens);
            }
            Ok(Snapshot { workspaces })
        } else {
            Err(self.problems)
        }
    }
}

/// Checks one token's own fields. Fields that are `None` were reported by the parser.
fn check_token(
    raw: RawToken<'_>,
    at: &dyn Fn() -> String,
    problems: &mut Vec<Problem>,
    shared: &mut Shared,
) -> Option<Token> {
    let before = problems.len();
    let mut problem = |field: &str, message: &str| {
        problems.push(Problem {
            location: format!("{}.{field}", at()),
            message: message.to_owned(),
        })
    };

    let id = raw.id.and_then(|id| {
        let parsed = TokenId::parse(&id);
        if parsed.is_none() {
            problem("id", "must match ^tok_[a-z0-9]{24}$");
        }
        parsed
    });
    let name = raw.name.filter(|name| {
        let ok = (1..=NAME_MAX_CHARS).contains(&name.chars().count());
        if !ok {
            problem("name", "must be 1 to 256 characters");
        }
        ok
    });
    let scopes = raw.scopes.as_ref().and_then(|list| {
        shared.key.clear();
        for scope in list {
            shared.key.push_str(scope);
            shared.key.push('\n');
        }
        if let Some(known) = shared.scope_lists.get(shared.key.as_str()) {
            return Some(known.clone());
        }
        let mut scopes = Vec::new();
        for (i, text) in list.iter().enumerate() {
            match Scope::parse(text) {
                Some(scope) if scopes.contains(&scope) => {
                    problem(&format!("scopes[{i}]"), "is listed twice");
                }
                Some(scope) => scopes.push(scope),
                None => problem(
                    &format!("scopes[{i}]"),
                    "must be resource:action in lowercase, such as tokens:read",
                ),
            }
        }
        (scopes.len() == list.len()).then(|| {
            let scopes: Arc<[Scope]> = scopes.into();
            shared
                .scope_lists
                .insert(shared.key.as_str().into(), scopes.clone());
            scopes
        })
    });
    let status = raw.status.and_then(|text| {
        let parsed = Status::parse(&text);
        if parsed.is_none() {
            problem("status", "must be one of active, expired, revoked");
        }
        parsed
    });
    let mut timestamp = |field: &str, text: Option<Cow<'_, str>>| {
        text.and_then(|text| {
            let parsed = parse_timestamp(&text);
            if parsed.is_none() {
                problem(
                    field,
                    "must be an RFC 3339 timestamp, such as 2026-01-15T09:00:00Z",
                );
            }
            parsed
        })
    };
    let created_at = timestamp("created_at", raw.created_at);
    let expires_at = raw.expires_at.map(|v| timestamp("expires_at", v));
    let last_used_at = raw.last_used_at.map(|v| timestamp("last_used_at", v));
    let created_by = raw.created_by.and_then(|text| {
        if let Some(known) = shared.creators.get(text.as_ref()) {
            return Some(known.clone());
        }
        if !is_email(&text) {
            problem("created_by", "must be an e-mail address");
            return None;
        }
        let creator: Arc<str> = text.as_ref().into();
        shared
            .creators
            .insert(text.as_ref().into(), creator.clone());
        Some(creator)
    });

    if let Some(created_at) = created_at {
        if let Some(Some(expires_at)) = expires_at {
            if expires_at <= created_at {
                problem("expires_at", "must be after created_at");
            }
        }
        if let Some(Some(last_used_at)) = last_used_at {
            if last_used_at < created_at {
                problem("last_used_at", "must not be before created_at");
            }
        }
    }
    if problems.len() > before {
        return None;
    }
    Some(Token {
        id: id?,
        name: shared.name(&name?),
        scopes: scopes?,
        status: status?,
        created_at: created_at?,
        expires_at: expires_at?,
        last_used_at: last_used_at?,
        created_by: created_by?,
    })
}

/// Checks a token on its own, as [`Validator::token`] does but without the checks against
/// other tokens (duplicate ids and secrets): `None` when it has any problem, which the
/// locating reader then reports. `problems` is scratch space, left empty.
pub(super) fn standalone(
    raw: RawToken<'_>,
    shared: &mut Shared,
    problems: &mut Vec<Problem>,
) -> Option<TokenData> {
    let secret = match (raw.secret.as_deref(), raw.secret_sha256.as_deref()) {
        (Some(_), Some(_)) => return None,
        (Some(text), None) => Some(Secret::parse(text)?),
        (None, Some(hex)) => Some(SecretDigest::from_hex(hex)?),
        (None, None) => None,
    };
    let token = check_token(raw, &String::new, problems, shared);
    problems.clear();
    Some(TokenData {
        token: token?,
        secret,
    })
}

/// A plain check of `local@domain.tld`: enough to catch a name or a typo in a fixture.
fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let no_space = |s: &str| !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c == '@');
    text.len() <= 254
        && no_space(local)
        && no_space(domain)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{is_email, Shared, NAMES_SHARED};

    #[test]
    fn names_are_shared_until_the_table_is_full_and_then_only_the_known_ones() {
        let mut shared = Shared::default();
        let first = shared.name("ci");
        assert!(Arc::ptr_eq(&first, &shared.name("ci")));
        for n in 1..NAMES_SHARED {
            shared.name(&format!("name {n}"));
        }
        assert_eq!(shared.names.len(), NAMES_SHARED);
        let late = shared.name("deploy");
        assert_eq!(&*late, "deploy");
        assert!(
            !Arc::ptr_eq(&late, &shared.name("deploy")),
            "not remembered"
        );
        assert_eq!(shared.names.len(), NAMES_SHARED);
        assert!(Arc::ptr_eq(&first, &shared.name("ci")), "still shared");
    }

    #[test]
    fn e_mail_addresses_need_a_local_part_and_a_dotted_domain() {
        assert!(is_email("alice@example.com"));
        assert!(!is_email("alice"));
        assert!(!is_email("alice@localhost"));
        assert!(!is_email("@example.com"));
        assert!(!is_email("a b@example.com"));
        assert!(!is_email("a@b@example.com"));
    }
}

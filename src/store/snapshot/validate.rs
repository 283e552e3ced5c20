//! Value checks of a snapshot: formats, ranges, cross-field order and uniqueness.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Problem, RawSnapshot, RawToken, Shape, Snapshot, TokenData, WorkspaceData};
use crate::domain::{
    parse_timestamp, Scope, Secret, SecretDigest, Status, Token, TokenId, WorkspaceId,
};

const NAME_MAX_CHARS: usize = 256;

fn token_location(shape: Shape, workspace: usize, token: usize) -> String {
    match shape {
        Shape::Workspaces => format!("workspaces[{workspace}].tokens[{token}]"),
        Shape::Data => format!("data[{token}]"),
        Shape::Bare => format!("[{token}]"),
    }
}

struct Checker {
    problems: Vec<Problem>,
}

/// Values many tokens have in common, held once: scope lists and creators repeat across a
/// snapshot, and sharing them saves an allocation or two per token.
#[derive(Default)]
struct Shared {
    scope_lists: HashMap<Vec<String>, Arc<[Scope]>>,
    creators: HashMap<String, Arc<str>>,
}

impl Checker {
    fn add(&mut self, location: String, message: impl Into<String>) {
        self.problems.push(Problem {
            location,
            message: message.into(),
        });
    }
}

/// Checks every value and turns the raw document into a [`Snapshot`], or lists every problem.
pub(super) fn validate(raw: RawSnapshot) -> Result<Snapshot, Vec<Problem>> {
    let shape = raw.shape;
    let mut check = Checker {
        problems: Vec::new(),
    };
    let mut workspace_ids: HashMap<String, usize> = HashMap::new();
    // First occurrences, as (workspace, token) positions, so duplicates can name them.
    let mut token_ids: HashMap<TokenId, (usize, usize)> = HashMap::new();
    let mut secrets = HashMap::new();
    let mut workspaces = Vec::with_capacity(raw.workspaces.len());
    let mut shared = Shared::default();

    for (w, workspace) in raw.workspaces.into_iter().enumerate() {
        let at = format!("workspaces[{w}]");
        let id = workspace.id.and_then(|id| {
            if let Some(first) = workspace_ids.get(&id) {
                check.add(
                    format!("{at}.id"),
                    format!("duplicates the id of workspaces[{first}]"),
                );
                return None;
            }
            workspace_ids.insert(id.clone(), w);
            let parsed = WorkspaceId::parse(&id);
            if parsed.is_none() {
                check.add(format!("{at}.id"), "must match ^ws_[a-z0-9_]{1,64}$");
            }
            parsed
        });
        let name = workspace.name.filter(|name| {
            let ok = (1..=NAME_MAX_CHARS).contains(&name.chars().count());
            if !ok {
                check.add(format!("{at}.name"), "must be 1 to 256 characters");
            }
            ok
        });

        let mut tokens = Vec::with_capacity(workspace.tokens.len());
        for (t, raw_token) in workspace.tokens.into_iter().enumerate() {
            let at = || token_location(shape, w, t);
            let digest = match (
                raw_token.secret.as_deref(),
                raw_token.secret_sha256.as_deref(),
            ) {
                (Some(_), Some(_)) => {
                    check.add(
                        format!("{}.secret_sha256", at()),
                        "give secret or secret_sha256, not both",
                    );
                    None
                }
                (Some(text), None) => Secret::parse(text).map(|d| ("secret", d)).or_else(|| {
                    check.add(
                        format!("{}.secret", at()),
                        "must be tok_live_ followed by 24 or more ASCII letters or digits",
                    );
                    None
                }),
                (None, Some(hex)) => SecretDigest::from_hex(hex)
                    .map(|d| ("secret_sha256", d))
                    .or_else(|| {
                        check.add(
                            format!("{}.secret_sha256", at()),
                            "must be 64 lowercase hexadecimal digits",
                        );
                        None
                    }),
                (None, None) => None,
            };
            let secret = digest.and_then(|(field, digest)| {
                if let Some(&(fw, ft)) = secrets.get(&digest) {
                    let first = token_location(shape, fw, ft);
                    check.add(
                        format!("{}.{field}", at()),
                        format!("duplicates the secret of {first}"),
                    );
                    return None;
                }
                secrets.insert(digest, (w, t));
                Some(digest)
            });
            let token = check_token(raw_token, &at, &mut check, &mut shared);
            if let Some(token) = token {
                if let Some(&(fw, ft)) = token_ids.get(&token.id) {
                    let first = token_location(shape, fw, ft);
                    check.add(
                        format!("{}.id", at()),
                        format!("duplicates the id of {first}"),
                    );
                } else {
                    token_ids.insert(token.id.clone(), (w, t));
                    tokens.push(TokenData { token, secret });
                }
            }
        }
        if let (Some(id), Some(name)) = (id, name) {
            workspaces.push(WorkspaceData { id, name, tokens });
        }
    }

    if check.problems.is_empty() {
        Ok(Snapshot { workspaces })
    } else {
        Err(check.problems)
    }
}

/// Checks one token's own fields. Fields that are `None` were reported by the parser.
fn check_token(
    raw: RawToken,
    at: &dyn Fn() -> String,
    check: &mut Checker,
    shared: &mut Shared,
) -> Option<Token> {
    let before = check.problems.len();
    let mut problem = |field: &str, message: &str| check.add(format!("{}.{field}", at()), message);

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
        if let Some(known) = shared.scope_lists.get(list) {
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
            shared.scope_lists.insert(list.clone(), scopes.clone());
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
    let mut timestamp = |field: &str, text: Option<String>| {
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
        if let Some(known) = shared.creators.get(&text) {
            return Some(known.clone());
        }
        if !is_email(&text) {
            problem("created_by", "must be an e-mail address");
            return None;
        }
        let creator: Arc<str> = text.as_str().into();
        shared.creators.insert(text, creator.clone());
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
    if check.problems.len() > before {
        return None;
    }
    Some(Token {
        id: id?,
        name: name?,
        scopes: scopes?,
        status: status?,
        created_at: created_at?,
        expires_at: expires_at?,
        last_used_at: last_used_at?,
        created_by: created_by?,
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
    use super::is_email;

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

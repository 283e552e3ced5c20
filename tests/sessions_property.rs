//! Sessions are isolated worlds (rules 36-38), checked on generated work: eight sessions each
//! move their clock, create, rename, revoke and delete tokens, present secrets (their own,
//! deleted ones and other sessions') and list pages, first interleaved on one thread, then
//! at once from eight threads. Every outcome is compared with a naive model of each session
//! alone: any token, name, status or recorded use of another session would show as a
//! difference, and no change may fail.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use proptest::prelude::*;
use proptest::sample::Index as Pick;
use serde_json::{json, Map, Value};

use tooken_mock::domain::{fold, AuthError, ListQuery, Presented, QueryLimits, SecretDigest};
use tooken_mock::domain::{Status, Token, WorkspaceId};
use tooken_mock::session::{Session, SessionName, Sessions};
use tooken_mock::settings::Settings;
use tooken_mock::store::snapshot::Snapshot;
use tooken_mock::store::Index;

const SESSIONS: usize = 8;
const WORKSPACES: [&str; 2] = ["ws_one", "ws_two"];
const NAMES: [&str; 6] = [
    "Deploy",
    "deploy bot",
    "Straße",
    "STRASSE key",
    "CI",
    "ﬁle sync",
];
const LIMITS: QueryLimits = QueryLimits {
    default_per_page: 25,
    max_per_page: 100,
};

/// `n` hours after 2026-01-01T00:00:00Z.
fn hours(n: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_767_225_600 + n * 3600, 0).expect("in range")
}

/// Ten tokens in two workspaces, of every status, nine with a secret.
fn base_snapshot() -> Value {
    let token = |i: usize, status: &str, expires: Option<i64>| {
        let mut t = json!({"id": format!("tok_base{i:020}"), "name": NAMES[i % NAMES.len()],
            "scopes": if i == 3 { json!(["deployments:write"]) } else { json!(["tokens:read"]) },
            "status": status, "created_at": hours(i as i64 * 10).to_rfc3339(),
            "expires_at": expires.map(|h| hours(h).to_rfc3339()), "last_used_at": null,
            "created_by": "owner@example.com"});
        if i != 5 {
            t["secret"] = json!(format!("tok_live_Base{i:024}"));
        }
        t
    };
    let statuses = [
        ("active", None),
        ("active", Some(120)),
        ("revoked", None),
        ("active", None),
        ("expired", Some(60)),
        ("active", None),
        ("active", Some(90)),
        ("active", None),
        ("revoked", None),
        ("active", Some(200)),
    ];
    let tokens: Vec<Value> = statuses
        .iter()
        .enumerate()
        .map(|(i, (s, e))| token(i, s, *e))
        .collect();
    json!({"workspaces": [
        {"id": WORKSPACES[0], "name": "One", "tokens": tokens[..6]},
        {"id": WORKSPACES[1], "name": "Two", "tokens": tokens[6..]},
    ]})
}

/// What a session holds, the obvious way: tokens by workspace, and the secrets it knows.
#[derive(Clone)]
struct Model {
    now: i64,
    tokens: Vec<(usize, Token)>,
    /// Secret, and the id of the token it belongs to (`None` once deleted).
    secrets: Vec<(String, Option<String>)>,
}

/// One thing a session's client does.
#[derive(Clone, Debug)]
enum Op {
    /// Moves the clock by this many hours (kept within 0..=240).
    Clock(i64),
    /// Creates a token, `created` hours from now, lasting `lasts` hours (or forever).
    Create {
        workspace: usize,
        name: usize,
        read: bool,
        created: i64,
        lasts: Option<i64>,
    },
    Rename(Pick, usize),
    Revoke(Pick),
    Delete(Pick),
    /// Authenticates with one of the secrets the session knows and lists a page.
    List {
        who: Pick,
        status: Option<Status>,
        name: Option<usize>,
        page: u32,
        per_page: u32,
    },
    /// Presents a secret created by another session: unknown here.
    Foreign(Pick),
}

fn op() -> impl Strategy<Value = Op> {
    let status = prop::option::of(prop::sample::select(vec![
        Status::Active,
        Status::Expired,
        Status::Revoked,
    ]));
    prop_oneof![
        2 => (-60i64..60).prop_map(Op::Clock),
        2 => (0..2usize, 0..NAMES.len(), any::<bool>(), -20i64..20, prop::option::of(1i64..100))
            .prop_map(|(workspace, name, read, created, lasts)| Op::Create { workspace, name, read, created, lasts }),
        1 => (any::<Pick>(), 0..NAMES.len()).prop_map(|(p, n)| Op::Rename(p, n)),
        1 => any::<Pick>().prop_map(Op::Revoke),
        1 => any::<Pick>().prop_map(Op::Delete),
        5 => (any::<Pick>(), status, prop::option::of(0..NAMES.len()), 1u32..4, 1u32..7)
            .prop_map(|(who, status, name, page, per_page)| Op::List { who, status, name, page, per_page }),
        1 => any::<Pick>().prop_map(Op::Foreign),
    ]
}

/// Every secret created so far, with the session that created it.
type Created = Mutex<Vec<(usize, String)>>;

struct Run<'a> {
    sessions: &'a Sessions,
    name: SessionName,
    me: usize,
    created: &'a Created,
    model: Model,
}

impl Run<'_> {
    /// The session, looked up as every request does.
    fn session(&self) -> Arc<Session> {
        self.sessions.get(Some(&self.name), true).expect("created")
    }

    fn step(&mut self, op: &Op) -> Result<(), String> {
        let session = self.session();
        let store = &session.store;
        let now = hours(self.model.now);
        if session.clock.now() != now {
            return Err(format!(
                "{}: clock {} instead of {now}",
                self.name,
                session.clock.now()
            ));
        }
        let pick = |p: &Pick, len: usize| (len > 0).then(|| p.index(len));
        match op {
            Op::Clock(by) => {
                self.model.now = (self.model.now + by).clamp(0, 240);
                session.clock.freeze(hours(self.model.now));
            }
            Op::Create {
                workspace,
                name,
                read,
                created,
                lasts,
            } => {
                let created_at = hours(self.model.now + created);
                let expires_at = lasts.map(|h| created_at + Duration::hours(h));
                let scopes = if *read {
                    json!(["tokens:read"])
                } else {
                    json!(["tokens:write"])
                };
                let fields = json!({"workspace": WORKSPACES[*workspace], "name": NAMES[*name],
                    "scopes": scopes, "created_at": created_at.to_rfc3339(),
                    "expires_at": expires_at.map(|t| t.to_rfc3339())});
                let fields: Map<String, Value> = serde_json::from_value(fields).expect("an object");
                let new = store
                    .create(&fields, now)
                    .map_err(|e| format!("create: {e:?}"))?;
                let t = &new.token;
                let as_asked = t.name.as_ref() == NAMES[*name]
                    && t.created_at == created_at
                    && t.expires_at == expires_at
                    && t.status == Status::Active
                    && t.last_used_at.is_none()
                    && t.has_scope("tokens:read") == *read;
                if !as_asked {
                    return Err(format!("created {t:?} from {fields:?}"));
                }
                self.model
                    .secrets
                    .push((new.secret.clone(), Some(t.id.as_str().to_owned())));
                self.model.tokens.push((*workspace, new.token));
                self.created
                    .lock()
                    .expect("lock")
                    .push((self.me, new.secret));
            }
            Op::Rename(p, name) => self.change(p, Some(NAMES[*name]))?,
            Op::Revoke(p) => self.change(p, None)?,
            Op::Delete(p) => {
                let Some(at) = pick(p, self.model.tokens.len()) else {
                    return Ok(());
                };
                let id = self.model.tokens[at].1.id.as_str().to_owned();
                store
                    .delete(&id)
                    .map_err(|e| format!("delete {id}: {e:?}"))?;
                self.model.tokens.remove(at);
                for (_, owner) in &mut self.model.secrets {
                    if owner.as_deref() == Some(&id) {
                        *owner = None;
                    }
                }
            }
            Op::Foreign(p) => {
                let foreign: Vec<String> = self
                    .created
                    .lock()
                    .expect("lock")
                    .iter()
                    .filter(|(owner, _)| *owner != self.me)
                    .map(|(_, s)| s.clone())
                    .collect();
                let Some(at) = pick(p, foreign.len()) else {
                    return Ok(());
                };
                let presented = Presented::Secret(SecretDigest::of(foreign[at].as_bytes()));
                let outcome = store.authenticate(&store.load(), presented, now, true);
                if outcome != Err(AuthError::Unknown) {
                    return Err(format!(
                        "{}: another session's secret gave {outcome:?}",
                        self.name
                    ));
                }
            }
            Op::List {
                who,
                status,
                name,
                page,
                per_page,
            } => {
                let Some(at) = pick(who, self.model.secrets.len()) else {
                    return Ok(());
                };
                self.list(&session, at, *status, *name, *page, *per_page)?;
            }
        }
        Ok(())
    }

    /// Renames a token (to `name`) or revokes it (no name).
    fn change(&mut self, p: &Pick, name: Option<&'static str>) -> Result<(), String> {
        if self.model.tokens.is_empty() {
            return Ok(());
        }
        let at = p.index(self.model.tokens.len());
        let id = self.model.tokens[at].1.id.as_str().to_owned();
        let fields = match name {
            Some(name) => json!({ "name": name }),
            None => json!({"status": "revoked"}),
        };
        let store = &self.session().store;
        let changed = store.patch(&id, fields.as_object().expect("an object"));
        changed.map_err(|e| format!("{fields} for {id}: {e:?}"))?;
        let token = &mut self.model.tokens[at].1;
        match name {
            Some(name) => token.name = name.into(),
            None => token.status = Status::Revoked,
        }
        Ok(())
    }

    fn list(
        &mut self,
        session: &Session,
        at: usize,
        status: Option<Status>,
        name: Option<usize>,
        page: u32,
        per_page: u32,
    ) -> Result<(), String> {
        let now = hours(self.model.now);
        let (secret, owner) = self.model.secrets[at].clone();
        let presented = Presented::Secret(SecretDigest::of(secret.as_bytes()));
        let outcome = session
            .store
            .authenticate(&session.store.load(), presented, now, true);
        let found = owner.and_then(|id| {
            self.model
                .tokens
                .iter()
                .position(|(_, t)| t.id.as_str() == id)
        });
        let expected = match found.map(|i| &self.model.tokens[i].1) {
            None => Err(AuthError::Unknown),
            Some(t) => match t.status_at(now) {
                Status::Revoked => Err(AuthError::Revoked),
                Status::Expired => Err(AuthError::Expired),
                Status::Active if t.created_at > now => Err(AuthError::NotValidYet),
                Status::Active => Ok(t.id.clone()),
            },
        };
        if outcome.as_ref().map(|p| p.token.clone()).map_err(|e| *e) != expected {
            return Err(format!(
                "{}: {secret} at {now}: {outcome:?}, model {expected:?}",
                self.name
            ));
        }
        let (Some(i), Ok(_)) = (found, expected) else {
            return Ok(());
        };
        self.model.tokens[i].1.last_used_at = Some(now);
        let workspace = self.model.tokens[i].0;
        let mut raw = format!("page={page}&per_page={per_page}");
        if let Some(status) = status {
            raw.push_str(&format!("&status={status}"));
        }
        if let Some(n) = name {
            let word = NAMES[n].split(' ').next().unwrap_or("");
            raw.push_str(&format!(
                "&name={}",
                utf8_percent_encode(word, NON_ALPHANUMERIC)
            ));
        }
        let query = ListQuery::parse(&raw, LIMITS).map_err(|e| format!("{raw}: {e:?}"))?;
        let id = WorkspaceId::parse(WORKSPACES[workspace]).expect("a workspace id");
        let listed = session.store.list(&id, &query, now);
        let (tokens, total) = naive_page(&self.model.tokens, workspace, &query, now);
        if listed.total != total || listed.tokens != tokens {
            return Err(format!(
                "{}: {raw} at {now}\n got {:?}\nwant {tokens:?}",
                self.name, listed
            ));
        }
        Ok(())
    }
}

/// A workspace's page, filtered, ordered and sliced the slow and obvious way.
fn naive_page(
    tokens: &[(usize, Token)],
    workspace: usize,
    query: &ListQuery,
    now: DateTime<Utc>,
) -> (Vec<Token>, u64) {
    let needle = query.name.as_ref().map(|n| n.folded.clone());
    let mut matching: Vec<Token> = tokens
        .iter()
        .filter(|(w, _)| *w == workspace)
        .map(|(_, t)| Token {
            status: t.status_at(now),
            ..t.clone()
        })
        .filter(|t| query.status.is_none_or(|s| t.status == s))
        .filter(|t| needle.as_deref().is_none_or(|n| fold(&t.name).contains(n)))
        .collect();
    matching.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let total = matching.len() as u64;
    let offset = ((query.page - 1) * query.per_page) as usize;
    (
        matching
            .into_iter()
            .skip(offset)
            .take(query.per_page as usize)
            .collect(),
        total,
    )
}

fn setup() -> (Sessions, Model) {
    let bytes = serde_json::to_vec(&base_snapshot()).expect("JSON");
    let snapshot = Snapshot::parse(&bytes).expect("the base snapshot is valid");
    let mut model = Model {
        now: 100,
        tokens: Vec::new(),
        secrets: Vec::new(),
    };
    for (w, workspace) in snapshot.workspaces.iter().enumerate() {
        for (i, data) in workspace.tokens.iter().enumerate() {
            model.tokens.push((w, data.token.clone()));
            if data.secret.is_some() {
                let n = w * 6 + i;
                model.secrets.push((
                    format!("tok_live_Base{n:024}"),
                    Some(data.token.id.as_str().to_owned()),
                ));
            }
        }
    }
    let mut settings = Settings::defaults().session_settings();
    settings.configured_now = Some(hours(model.now));
    settings.journal.entries = 16;
    settings.journal.body_bytes = 0;
    settings.idle_ttl_secs = 3600;
    settings.max = 100;
    (
        Sessions::new(Arc::new(Index::new(snapshot)), settings),
        model,
    )
}

fn run<'a>(sessions: &'a Sessions, model: &Model, me: usize, created: &'a Created) -> Run<'a> {
    let name = SessionName::parse(&format!("worker-{me}")).expect("a session name");
    Run {
        sessions,
        name,
        me,
        created,
        model: model.clone(),
    }
}

/// The default session, never used, still serves the base data as it was.
fn default_untouched(sessions: &Sessions, base: &Model) -> Result<(), String> {
    let store = &sessions.default_session().store;
    let query = ListQuery::parse("per_page=100", LIMITS).expect("valid");
    let now = hours(base.now);
    for (w, id) in WORKSPACES.iter().enumerate() {
        let id = WorkspaceId::parse(id).expect("an id");
        let (tokens, total) = naive_page(&base.tokens, w, &query, now);
        let listed = store.list(&id, &query, now);
        if listed.total != total || listed.tokens != tokens {
            return Err(format!("the default session changed: {listed:?}"));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn interleaved_sessions_each_see_only_their_own_world(
        work in prop::collection::vec(prop::collection::vec(op(), 1..40), SESSIONS),
    ) {
        let (sessions, base) = setup();
        let created = Mutex::new(Vec::new());
        let mut runs: Vec<Run> = (0..SESSIONS).map(|me| run(&sessions, &base, me, &created)).collect();
        let longest = work.iter().map(Vec::len).max().unwrap_or(0);
        for step in 0..longest {
            for (me, ops) in work.iter().enumerate() {
                if let Some(op) = ops.get(step) {
                    let outcome = runs[me].step(op);
                    prop_assert!(outcome.is_ok(), "{op:?}: {}", outcome.unwrap_err());
                }
            }
        }
        let outcome = default_untouched(&sessions, &base);
        prop_assert!(outcome.is_ok(), "{}", outcome.unwrap_err());
    }

    #[test]
    fn concurrent_sessions_each_see_only_their_own_world(
        work in prop::collection::vec(prop::collection::vec(op(), 1..40), SESSIONS),
    ) {
        let (sessions, base) = setup();
        let created = Mutex::new(Vec::new());
        let outcomes: Vec<Result<(), String>> = std::thread::scope(|scope| {
            let threads: Vec<_> = work.iter().enumerate().map(|(me, ops)| {
                let mut run = run(&sessions, &base, me, &created);
                scope.spawn(move || ops.iter().try_for_each(|op| run.step(op).map_err(|e| format!("{op:?}: {e}"))))
            }).collect();
            threads.into_iter().map(|t| t.join().unwrap_or_else(|_| Err("a thread panicked".into()))).collect()
        });
        for outcome in outcomes {
            prop_assert!(outcome.is_ok(), "{}", outcome.unwrap_err());
        }
        prop_assert_eq!(sessions.list().len(), SESSIONS);
        let outcome = default_untouched(&sessions, &base);
        prop_assert!(outcome.is_ok(), "{}", outcome.unwrap_err());
    }
}

//! The sessions of a server: the default one, and named ones created on first use, dropped
//! when idle for `sessions.idle_ttl_secs` or, past `sessions.max`, least recently used first.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::journal::{JournalBudget, JournalLimits};
use super::{FaultConfig, Selected, Session, SessionName};
use crate::domain::format_timestamp;
use crate::store::Index;

/// How every session starts, and how many may exist.
#[derive(Clone, Debug)]
pub struct SessionSettings {
    /// The clock's start (`clock.now`); `None`: real time.
    pub configured_now: Option<DateTime<Utc>>,
    /// The faults every session starts with.
    pub configured_faults: FaultConfig,
    /// `rate_limit.requests_per_minute`, per secret; 0 turns rate limiting off.
    pub requests_per_minute: u32,
    /// Secrets with a rate-limit window of their own, per session.
    pub rate_limit_max_tracked: usize,
    /// What every journal may hold.
    pub journal: JournalLimits,
    /// Seconds a named session may stay unused before it is dropped.
    pub idle_ttl_secs: u64,
    /// The most named sessions kept at once.
    pub max: usize,
    /// Whether any request may create a named session by naming it; false beyond loopback
    /// with `admin.token`, where only admin calls with the token create sessions.
    pub create_on_first_use: bool,
}

/// What is configured to be served, for `/readyz`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LoadStatus {
    pub tokens: usize,
    pub workspaces: usize,
    /// The problems of the last refused reload, if the last attempt failed.
    pub last_reload_error: Option<String>,
}

impl LoadStatus {
    fn of(index: &Index) -> LoadStatus {
        LoadStatus {
            tokens: index.token_count(),
            workspaces: index.workspace_count(),
            last_reload_error: None,
        }
    }
}

/// A named session, as `GET /__admin/sessions` lists it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    #[schema(example = "worker-1")]
    pub name: String,
    /// When it was created (real time).
    #[schema(format = DateTime, example = "2026-11-30T09:00:00Z")]
    pub created_at: String,
    /// When it last served a request (real time).
    #[schema(format = DateTime, example = "2026-11-30T09:05:00Z")]
    pub last_used_at: String,
    /// How many tokens it created, changed or deleted.
    #[schema(example = 1)]
    pub tokens_changed: usize,
}

/// Every session of a server.
pub struct Sessions {
    /// The default session, as a request that names none selects it: borrowed by every such
    /// request, never cloned for one (its reference count would be a cache line every worker
    /// writes).
    default: Selected,
    named: Mutex<Named>,
    /// The data new sessions fork: the configured snapshot, replaced by reloads and resets.
    configured: ArcSwap<Index>,
    settings: SessionSettings,
    /// The bytes every journal holds, against `admin.journal_total_bytes`.
    journals: Arc<JournalBudget>,
    status: ArcSwap<LoadStatus>,
}

/// The named sessions, and the order of their last use.
///
/// Design constraint: a new session past `sessions.max` drops the least recently used one,
/// and idle ones are dropped oldest first, without looking at every session: `by_use` keeps
/// them ordered by `(last use, name)`, so finding the oldest is O(log n) at any count.
#[derive(Default)]
struct Named {
    sessions: HashMap<SessionName, Arc<Session>>,
    by_use: BTreeSet<(i64, SessionName)>,
}

impl Named {
    /// Marks a session used now, keeping `by_use` in step with its `last_seen`.
    fn touch(&mut self, name: &SessionName, session: &Session, now: i64) {
        let before = session.last_seen();
        if before == now {
            return;
        }
        self.by_use.remove(&(before, name.clone()));
        session.last_seen.store(now, Relaxed);
        self.by_use.insert((now, name.clone()));
    }

    fn insert(&mut self, name: SessionName, session: Arc<Session>) {
        self.by_use.insert((session.last_seen(), name.clone()));
        self.sessions.insert(name, session);
    }

    fn remove(&mut self, name: &SessionName) -> Option<Arc<Session>> {
        let session = self.sessions.remove(name)?;
        self.by_use.remove(&(session.last_seen(), name.clone()));
        Some(session)
    }

    /// The least recently used session, if any.
    fn oldest(&self) -> Option<(i64, SessionName)> {
        self.by_use.first().cloned()
    }
}

/// Why a request's session cannot be served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionRefused {
    /// The named session does not exist, and this request may not create it (beyond
    /// loopback with `admin.token`, only admin calls with the token create sessions).
    Unknown,
}

impl Sessions {
    /// The default session over `index`, and no named one yet.
    pub fn new(index: Arc<Index>, settings: SessionSettings) -> Sessions {
        let journals = JournalBudget::new(settings.journal);
        Sessions {
            default: Selected {
                session: Arc::new(Session::new(None, &index, &settings, &journals)),
                by_query: false,
            },
            journals,
            named: Mutex::new(Named::default()),
            status: ArcSwap::from_pointee(LoadStatus::of(&index)),
            configured: ArcSwap::new(index),
            settings,
        }
    }

    /// The default session.
    pub fn default_session(&self) -> &Arc<Session> {
        &self.default.session
    }

    /// The default session as a request that names none selects it.
    pub(crate) fn default_selected(&self) -> &Selected {
        &self.default
    }

    /// The settings every session starts from.
    pub fn settings(&self) -> &SessionSettings {
        &self.settings
    }

    /// The session named `name`, or the default one. A missing named session is created when
    /// `sessions` say any request may create one, or when `authorised` (an admin call that
    /// presented the admin token); otherwise it is `SessionRefused::Unknown` and nothing
    /// is created or dropped.
    pub fn get(
        &self,
        name: Option<&SessionName>,
        authorised: bool,
    ) -> Result<Arc<Session>, SessionRefused> {
        let Some(name) = name else {
            return Ok(self.default.session.clone());
        };
        let now = super::nanos(Utc::now());
        let mut named = self.lock();
        self.drop_idle(&mut named, now);
        if let Some(session) = named.sessions.get(name).cloned() {
            named.touch(name, &session, now);
            return Ok(session);
        }
        if !(self.settings.create_on_first_use || authorised) {
            return Err(SessionRefused::Unknown);
        }
        let session = Arc::new(Session::new(
            Some(name.clone()),
            &self.configured.load_full(),
            &self.settings,
            &self.journals,
        ));
        session.last_seen.store(now, Relaxed);
        named.insert(name.clone(), session.clone());
        let mut dropped = Vec::new();
        while named.sessions.len() > self.settings.max {
            let Some((_, oldest)) = named.oldest() else {
                break;
            };
            dropped.extend(named.remove(&oldest));
        }
        drop(named);
        // A dropped session's data is freed outside the lock.
        drop(dropped);
        Ok(session)
    }

    /// Drops a named session; false when there was none (or only one idle past its time).
    pub fn remove(&self, name: &SessionName) -> bool {
        let now = super::nanos(Utc::now());
        let removed = self.lock().remove(name);
        removed.is_some_and(|session| !self.idle(&session, now))
    }

    /// How many named sessions exist.
    pub fn count(&self) -> usize {
        self.lock().sessions.len()
    }

    /// The named sessions, by name.
    pub fn list(&self) -> Vec<SessionInfo> {
        let now = super::nanos(Utc::now());
        let sessions: Vec<(SessionName, Arc<Session>)> = {
            let mut named = self.lock();
            self.drop_idle(&mut named, now);
            named
                .sessions
                .iter()
                .map(|(name, session)| (name.clone(), session.clone()))
                .collect()
        };
        let mut sessions: Vec<SessionInfo> = sessions
            .into_iter()
            .map(|(name, session)| SessionInfo {
                name: name.to_string(),
                created_at: format_timestamp(&session.created_at),
                last_used_at: format_timestamp(&DateTime::from_timestamp_nanos(
                    session.last_seen(),
                )),
                tokens_changed: session.store.changed_tokens(),
            })
            .collect();
        sessions.sort_by(|a, b| a.name.cmp(&b.name));
        sessions
    }

    /// The configured data, which new sessions fork.
    pub fn configured(&self) -> Arc<Index> {
        self.configured.load_full()
    }

    /// New configured data (a reload or a reset of the default session): the default session
    /// serves it at once, new sessions fork it; existing named sessions keep their own.
    pub(crate) fn replace_configured(&self, index: Arc<Index>) -> LoadStatus {
        self.default.session.store.replace(&index);
        let status = LoadStatus::of(&index);
        self.status.store(Arc::new(status.clone()));
        self.configured.store(index);
        status
    }

    /// Records a refused reload, shown at `/readyz` while the old data keeps serving.
    pub(crate) fn reload_refused(&self, problems: String) {
        let mut status = LoadStatus::clone(&self.status.load());
        status.last_reload_error = Some(problems);
        self.status.store(Arc::new(status));
    }

    /// What is configured to be served.
    pub(crate) fn load_status(&self) -> LoadStatus {
        LoadStatus::clone(&self.status.load())
    }

    /// Whether a session last used at `last_seen` has gone unused for
    /// `sessions.idle_ttl_secs` or longer at `now` (Unix nanoseconds).
    fn idle_since(&self, last_seen: i64, now: i64) -> bool {
        let ttl = i64::try_from(self.settings.idle_ttl_secs)
            .unwrap_or(i64::MAX)
            .saturating_mul(1_000_000_000);
        now.saturating_sub(last_seen) >= ttl
    }

    fn idle(&self, session: &Session, now: i64) -> bool {
        self.idle_since(session.last_seen(), now)
    }

    /// Drops idle sessions, oldest first, stopping at the first one still in use: the cost
    /// is the number dropped, not the number kept.
    fn drop_idle(&self, named: &mut Named, now: i64) {
        while let Some((last_seen, name)) = named.oldest() {
            if !self.idle_since(last_seen, now) {
                break;
            }
            named.remove(&name);
        }
    }

    // A panic while holding the lock leaves both halves in step (each change is made whole
    // before the next can fail), so the sessions stay usable.
    fn lock(&self) -> std::sync::MutexGuard<'_, Named> {
        self.named.lock().unwrap_or_else(|e| e.into_inner())
    }
}

//! The sessions of a server: the default one, and named ones created on first use, dropped
//! when idle for `sessions.idle_ttl_secs` or, past `sessions.max`, least recently used first.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};
use dashmap::DashMap;
use serde::Serialize;

use super::{FaultConfig, Session, SessionName};
use crate::domain::format_timestamp;
use crate::store::Index;

/// How every session starts, and how many may exist.
#[derive(Clone, Debug)]
pub struct SessionSettings {
    pub configured_now: Option<DateTime<Utc>>,
    pub configured_faults: FaultConfig,
    pub requests_per_minute: u32,
    pub journal_capacity: usize,
    /// Bytes of each response body the journal keeps.
    pub journal_body_bytes: usize,
    /// Seconds a named session may stay unused before it is dropped.
    pub idle_ttl_secs: u64,
    /// The most named sessions kept at once.
    pub max: usize,
}

/// What is configured to be served, for `/readyz`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadStatus {
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
    default: Arc<Session>,
    named: DashMap<SessionName, Arc<Session>>,
    /// The data new sessions fork: the configured snapshot, replaced by reloads and resets.
    configured: ArcSwap<Index>,
    settings: SessionSettings,
    /// Counts lookups, so that idle sessions are swept now and then, not on every request.
    lookups: AtomicU64,
    status: ArcSwap<LoadStatus>,
}

/// How many lookups pass between two sweeps of idle sessions.
const SWEEP_EVERY: u64 = 1024;

impl Sessions {
    /// The default session over `index`, and no named one yet.
    pub fn new(index: Arc<Index>, settings: SessionSettings) -> Sessions {
        Sessions {
            default: Arc::new(Session::new(None, &index, &settings)),
            named: DashMap::new(),
            status: ArcSwap::from_pointee(LoadStatus::of(&index)),
            configured: ArcSwap::new(index),
            settings,
            lookups: AtomicU64::new(0),
        }
    }

    /// The default session.
    pub fn default_session(&self) -> &Arc<Session> {
        &self.default
    }

    /// The settings every session starts from.
    pub fn settings(&self) -> &SessionSettings {
        &self.settings
    }

    /// The session named `name` (created on first use), or the default one.
    pub fn get(&self, name: Option<&SessionName>) -> Arc<Session> {
        let Some(name) = name else {
            return self.default.clone();
        };
        if self
            .lookups
            .fetch_add(1, Relaxed)
            .is_multiple_of(SWEEP_EVERY)
        {
            self.sweep();
        }
        let found = self.named.get(name).map(|entry| entry.value().clone());
        if let Some(session) = found {
            if !self.idle(&session) {
                session.touch();
                return session;
            }
            // Idle past its time but not swept yet: it is gone, and this use starts afresh.
            self.named.remove_if(name, |_, session| self.idle(session));
        }
        let session = self
            .named
            .entry(name.clone())
            .or_insert_with(|| {
                Arc::new(Session::new(
                    Some(name.clone()),
                    &self.configured.load_full(),
                    &self.settings,
                ))
            })
            .clone();
        session.touch();
        if self.named.len() > self.settings.max {
            self.evict_least_recent(name);
        }
        session
    }

    /// The session named `name`, if it exists (without creating it or counting a use).
    pub fn find(&self, name: &SessionName) -> Option<Arc<Session>> {
        self.named
            .get(name)
            .map(|entry| entry.value().clone())
            .filter(|session| !self.idle(session))
    }

    /// Drops a named session; false when there was none (or only one idle past its time).
    pub fn remove(&self, name: &SessionName) -> bool {
        self.named
            .remove(name)
            .is_some_and(|(_, session)| !self.idle(&session))
    }

    /// The named sessions, by name.
    pub fn list(&self) -> Vec<SessionInfo> {
        self.sweep();
        let mut sessions: Vec<SessionInfo> = self
            .named
            .iter()
            .map(|entry| {
                let session = entry.value();
                SessionInfo {
                    name: entry.key().to_string(),
                    created_at: format_timestamp(&session.created_at),
                    last_used_at: format_timestamp(&DateTime::from_timestamp_nanos(
                        session.last_seen(),
                    )),
                    tokens_changed: session.store.changed_tokens(),
                }
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
    pub fn replace_configured(&self, index: Arc<Index>) -> LoadStatus {
        self.default.store.replace(&index);
        let status = LoadStatus::of(&index);
        self.status.store(Arc::new(status.clone()));
        self.configured.store(index);
        status
    }

    /// Records a refused reload, shown at `/readyz` while the old data keeps serving.
    pub fn reload_refused(&self, problems: String) {
        let mut status = LoadStatus::clone(&self.status.load());
        status.last_reload_error = Some(problems);
        self.status.store(Arc::new(status));
    }

    /// What is configured to be served.
    pub fn load_status(&self) -> LoadStatus {
        LoadStatus::clone(&self.status.load())
    }

    /// Whether a session has gone unused for `sessions.idle_ttl_secs` or longer.
    fn idle(&self, session: &Session) -> bool {
        let ttl = i64::try_from(self.settings.idle_ttl_secs)
            .unwrap_or(i64::MAX)
            .saturating_mul(1_000_000_000);
        super::nanos(Utc::now()).saturating_sub(session.last_seen()) >= ttl
    }

    fn sweep(&self) {
        self.named.retain(|_, session| !self.idle(session));
    }

    fn evict_least_recent(&self, keep: &SessionName) {
        while self.named.len() > self.settings.max {
            let oldest = self
                .named
                .iter()
                .filter(|e| e.key() != keep)
                .min_by_key(|e| e.value().last_seen())
                .map(|e| e.key().clone());
            match oldest {
                Some(name) => {
                    self.named.remove(&name);
                }
                None => break,
            }
        }
    }
}

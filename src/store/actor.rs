//! The actor that owns the [`Store`]: one message per operation, handled one at a time, so
//! the store needs no lock and every listing sees a consistent state.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Instant;

use actix::{Actor, ActorContext, Context, Handler, Message, MessageResult, Supervised};
use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};

use super::snapshot::Snapshot;
use super::{Page, Store};
use crate::auth::AuthError;
use crate::auth::Credentials;
use crate::domain::{ListQuery, SecretDigest, TokenId};
use crate::metrics::{LoadKind, Metrics};

/// What is being served, for `/readyz` and the admin API.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadStatus {
    pub tokens: usize,
    pub workspaces: usize,
    /// The problems of the last refused reload, if the last attempt failed.
    pub last_reload_error: Option<String>,
}

/// Owns the store and swaps the credential index along with it; started once, its address
/// shared with every worker.
pub struct StoreActor {
    store: Store,
    credentials: Arc<ArcSwap<Credentials>>,
    status: Arc<ArcSwap<LoadStatus>>,
    metrics: Arc<Metrics>,
    panic_next_list: bool,
}

impl StoreActor {
    pub fn new(
        snapshot: Snapshot,
        credentials: Arc<ArcSwap<Credentials>>,
        status: Arc<ArcSwap<LoadStatus>>,
        metrics: Arc<Metrics>,
    ) -> StoreActor {
        let mut actor = StoreActor {
            store: Store::default(),
            credentials,
            status,
            metrics,
            panic_next_list: false,
        };
        actor.replace(snapshot, LoadKind::Startup);
        actor
    }

    fn replace(&mut self, snapshot: Snapshot, kind: LoadKind) -> LoadStatus {
        // Credentials first: for the moment between the two swaps a request may authenticate
        // against the new data and list from the old, never the reverse with a stale secret.
        let started = Instant::now();
        self.credentials
            .store(Arc::new(Credentials::new(&snapshot)));
        self.store = Store::new(snapshot);
        tracing::info!(
            index_ms = started.elapsed().as_millis() as u64,
            "snapshot indexed"
        );
        let status = LoadStatus {
            tokens: self.store.token_count(),
            workspaces: self.store.workspace_count(),
            last_reload_error: None,
        };
        self.status.store(Arc::new(status.clone()));
        self.metrics.record_load(kind, true);
        status
    }
}

impl Actor for StoreActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        // Enough room that a burst of requests from all workers queues rather than waits.
        ctx.set_mailbox_capacity(4096);
    }
}

/// A message whose handling failed; the actor is being restarted.
#[derive(Debug, thiserror::Error)]
#[error("the store failed while handling a message and is restarting")]
pub struct StoreFailed;

impl StoreActor {
    /// Runs `work` on the store. A panic does not take the actor down with the request: the
    /// caller gets [`StoreFailed`] (a 503), and the actor stops so that its supervisor
    /// restarts it, rebuilding the index from the tokens (see [`Supervised::restarting`]).
    fn guarded<T>(
        &mut self,
        ctx: &mut Context<Self>,
        work: impl FnOnce(&mut Store) -> T,
    ) -> Result<T, StoreFailed> {
        let store = &mut self.store;
        catch_unwind(AssertUnwindSafe(|| work(store))).map_err(|_| {
            tracing::error!("the store failed while handling a message; restarting it");
            ctx.stop();
            StoreFailed
        })
    }
}

impl Supervised for StoreActor {
    fn restarting(&mut self, _: &mut Context<Self>) {
        self.panic_next_list = false;
        self.store.rebuild();
        tracing::warn!(
            tokens = self.store.token_count(),
            "store restarted from its tokens"
        );
    }
}

/// Lists a page of a workspace's tokens, first recording the caller's use of its token so
/// that its own row shows it.
///
/// The secret is authenticated again here, against the credentials that belong to the data
/// being listed: the handler's check answers 401 and 403 early, but the data may have been
/// replaced since, and a listing must never mix one state's credentials with another's data.
#[derive(Message)]
#[rtype(result = "Result<Page, ListError>")]
pub struct List {
    pub digest: SecretDigest,
    pub query: ListQuery,
    pub now: DateTime<Utc>,
    pub track_last_used: bool,
}

/// Why a listing was not made.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// The secret no longer authenticates, or may no longer list, in the current data.
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Failed(#[from] StoreFailed),
}

impl Handler<List> for StoreActor {
    type Result = Result<Page, ListError>;

    fn handle(&mut self, msg: List, ctx: &mut Self::Context) -> Self::Result {
        let principal = self
            .credentials
            .load()
            .authenticate_digest(msg.digest, msg.now)?;
        let fail = std::mem::take(&mut self.panic_next_list);
        let page = self.guarded(ctx, |store| {
            if msg.track_last_used {
                store.record_use(&principal.token, msg.now);
            }
            if fail {
                panic!("store failure injected through the admin API");
            }
            principal
                .require_list_scope()
                .map(|()| store.list(&principal.workspace, &msg.query, msg.now))
        })?;
        Ok(page?)
    }
}

/// Makes the next listing fail inside the store, so that clients can see a 503 and the
/// store's recovery (`POST /__admin/faults/store-failure`).
#[derive(Message)]
#[rtype(result = "()")]
pub struct FailNextList;

impl Handler<FailNextList> for StoreActor {
    type Result = ();

    fn handle(&mut self, _: FailNextList, _: &mut Self::Context) {
        self.panic_next_list = true;
    }
}

/// Records that a token authenticated a request that did not list anything (403, 400).
#[derive(Message)]
#[rtype(result = "()")]
pub struct RecordUse {
    pub token: TokenId,
    pub at: DateTime<Utc>,
}

impl Handler<RecordUse> for StoreActor {
    type Result = ();

    fn handle(&mut self, msg: RecordUse, _: &mut Self::Context) {
        self.store.record_use(&msg.token, msg.at);
    }
}

/// Replaces the whole state with a validated snapshot, atomically for every later message.
#[derive(Message)]
#[rtype(result = "LoadStatus")]
pub struct Replace(pub Snapshot, pub LoadKind);

impl Handler<Replace> for StoreActor {
    type Result = MessageResult<Replace>;

    fn handle(&mut self, msg: Replace, _: &mut Self::Context) -> Self::Result {
        MessageResult(self.replace(msg.0, msg.1))
    }
}

/// Records a refused reload, so `/readyz` can show it while the old data keeps serving.
#[derive(Message)]
#[rtype(result = "()")]
pub struct ReloadRefused(pub String);

impl Handler<ReloadRefused> for StoreActor {
    type Result = ();

    fn handle(&mut self, msg: ReloadRefused, _: &mut Self::Context) {
        self.metrics.record_load(LoadKind::Reload, false);
        let mut status = LoadStatus::clone(&self.status.load());
        status.last_reload_error = Some(msg.0);
        self.status.store(Arc::new(status));
    }
}

/// Per workspace, how many tokens are in each status at a time (for `/metrics`).
#[derive(Message)]
#[rtype(result = "Vec<(String, [usize; 3])>")]
pub struct Counts(pub DateTime<Utc>);

impl Handler<Counts> for StoreActor {
    type Result = MessageResult<Counts>;

    fn handle(&mut self, msg: Counts, _: &mut Self::Context) -> Self::Result {
        MessageResult(self.store.counts(msg.0))
    }
}

/// The whole state as a snapshot document.
#[derive(Message)]
#[rtype(result = "Vec<u8>")]
pub struct Export;

impl Handler<Export> for StoreActor {
    type Result = MessageResult<Export>;

    fn handle(&mut self, _: Export, _: &mut Self::Context) -> Self::Result {
        MessageResult(self.store.export())
    }
}

//! The actor that owns the [`Store`]: one message per operation, handled one at a time, so
//! the store needs no lock and every listing sees a consistent state.

use actix::{Actor, Context, Handler, Message, MessageResult};
use chrono::{DateTime, Utc};

use super::{Page, Store};
use crate::domain::{ListQuery, TokenId, WorkspaceId};

/// Owns the store; started once, its address shared with every worker.
pub struct StoreActor {
    store: Store,
}

impl StoreActor {
    pub fn new(store: Store) -> StoreActor {
        StoreActor { store }
    }
}

impl Actor for StoreActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        // Enough room that a burst of requests from all workers queues rather than waits.
        ctx.set_mailbox_capacity(4096);
    }
}

/// Lists a page of a workspace's tokens, first recording the caller's use of its token so
/// that its own row shows it.
#[derive(Message)]
#[rtype(result = "Page")]
pub struct List {
    pub workspace: WorkspaceId,
    pub query: ListQuery,
    pub now: DateTime<Utc>,
    pub used: Option<TokenId>,
}

impl Handler<List> for StoreActor {
    type Result = MessageResult<List>;

    fn handle(&mut self, msg: List, _: &mut Self::Context) -> Self::Result {
        if let Some(token) = &msg.used {
            self.store.record_use(token, msg.now);
        }
        MessageResult(self.store.list(&msg.workspace, &msg.query, msg.now))
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

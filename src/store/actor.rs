//! The store actors: one [`StoreActor`] per HTTP worker, on that worker's own thread, and one
//! [`ScanActor`] on a thread of its own for name filters.
//!
//! Why this shape (measured with `benches/load.sh`): a single store actor on another thread
//! cost every listing two thread hops and made every listing wait behind the slow ones. A
//! store actor per worker is reached without leaving the worker's thread; the data it reads
//! is shared and versioned ([`Store`]), so each one sees the same state. A name filter scans
//! up to every name of a workspace, so it runs on a scan thread ([`super::scan`]) while the worker goes on
//! answering.
//!
//! A listing takes one message ([`List`]) to be decided: refused ([`Refusal`]) or admitted
//! ([`Admitted`]), with the [`Stamp`] of the state its page would be listed from. The store
//! knows nothing of how a page is written for the wire: the API keeps its written pages by
//! stamp, and sends the admitted listing back ([`ListPage`]) only when it has no page of that
//! stamp, so a page asked for again (a UI polling, several tabs) is not listed again.
//!
//! A failure stays with the request it happened in: a panic while deciding or listing a page
//! (a bug, or the one `/__admin/faults/store-failure` asks for) is caught around that one
//! listing and answered [`Refusal::Failed`] (503). The actor goes on serving, so the listings
//! of other requests and sessions it is waiting on (name filters on the scan threads) are
//! answered as if nothing happened.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use actix::prelude::*;
use chrono::{DateTime, Utc};

use super::scan::{Presence, Scans};
use super::{Data, Page, Store};
use crate::domain::{AuthError, ListQuery, ParamError, Presented, Status, TokenId};

/// Decides a listing for presented credentials: authenticates, records the use, checks the
/// scope and the query, in this order (RFC 6750: 401, then 403, then 400), all against one
/// loaded state of the session's store.
#[derive(Message)]
#[rtype(result = "Listing")]
pub(crate) struct List {
    pub store: Arc<Store>,
    pub presented: Presented,
    pub query: Result<ListQuery, Vec<ParamError>>,
    pub now: DateTime<Utc>,
    pub(crate) track_last_used: bool,
    /// Whether the request is still there: a name filter whose request is gone is not scanned.
    pub client: Presence,
}

/// What deciding a listing came to.
#[derive(Debug)]
pub(crate) struct Listing {
    /// The token that authenticated, if one did (also for a 403 or a 400).
    pub token: Option<TokenId>,
    pub outcome: Result<Admitted, Refusal>,
}

/// Why no page was listed.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// 401 or 403.
    Auth(AuthError),
    /// 400: every bad parameter.
    Query(Vec<ParamError>),
    /// 503: the store failed (panicked) while deciding or listing this page.
    Failed,
    /// 503: a name filter found the scan queue full (`store.scan_queue`).
    Busy,
}

/// The state a page is listed from: two listings with equal stamps list equal pages.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Stamp {
    /// [`Store::id`], never reused within the process.
    store: u64,
    version: u64,
    workspace: u32,
    /// Where the workspace's expiry stood: a page changes when a token expires.
    cursor: usize,
    page: u32,
    per_page: u32,
    status: Option<Status>,
    /// The folded name filter.
    name: Option<String>,
}

/// A listing the store admitted: the page to list, and the stamp of the state it is listed
/// from when a page listed earlier from that state may be shown instead.
#[derive(Debug)]
pub(crate) struct Admitted {
    stamp: Option<Stamp>,
    page: ListPage,
}

impl Admitted {
    /// The state the page is listed from; `None` when it must be listed afresh (the state
    /// changed while deciding, the workspace holds the session's own tokens, whose statuses
    /// change with the clock without a version change, or a failure is due).
    pub(crate) fn stamp(&self) -> Option<&Stamp> {
        self.stamp.as_ref()
    }

    /// The stamp, and the page to send back to a [`StoreActor`] to be listed.
    pub(crate) fn into_parts(self) -> (Option<Stamp>, ListPage) {
        (self.stamp, self.page)
    }

    /// The query, for a listing answered without listing.
    pub(crate) fn into_query(self) -> ListQuery {
        self.page.query
    }
}

/// A page listed, with the query it answers.
#[derive(Debug)]
pub(crate) struct Listed {
    pub query: ListQuery,
    pub page: Page,
}

/// The store actor of one worker.
pub(crate) struct StoreActor {
    scans: Scans,
}

impl StoreActor {
    pub(crate) fn new(scans: Scans) -> StoreActor {
        StoreActor { scans }
    }
}

impl Actor for StoreActor {
    type Context = Context<Self>;
}

impl Supervised for StoreActor {
    fn restarting(&mut self, _: &mut Context<Self>) {
        tracing::warn!("store actor restarted");
    }
}

impl Handler<List> for StoreActor {
    type Result = MessageResult<List>;

    fn handle(&mut self, msg: List, _: &mut Context<Self>) -> Self::Result {
        // Anything that panics from here on fails this listing only.
        MessageResult(
            catch_unwind(AssertUnwindSafe(|| decide(msg))).unwrap_or(Listing {
                token: None,
                outcome: Err(Refusal::Failed),
            }),
        )
    }
}

impl Handler<ListPage> for StoreActor {
    type Result = ResponseFuture<Result<Listed, Refusal>>;

    /// Lists on this worker's thread, or on the scan threads for a name filter (refused
    /// [`Refusal::Busy`] at once when their queue is full).
    fn handle(&mut self, msg: ListPage, _: &mut Context<Self>) -> Self::Result {
        if msg.query.name.is_none() {
            let listed = catch_unwind(AssertUnwindSafe(|| msg.run())).map_err(|_| Refusal::Failed);
            return Box::pin(std::future::ready(listed));
        }
        let client = msg.client.clone();
        match self.scans.submit(msg, client) {
            Ok(scan) => Box::pin(scan),
            Err(refusal) => Box::pin(std::future::ready(Err(refusal))),
        }
    }
}

/// Authenticates and checks `msg`, and stamps the state its page would be listed from.
fn decide(msg: List) -> Listing {
    let refused = |token, refusal| Listing {
        token,
        outcome: Err(refusal),
    };
    let version = msg.store.version();
    let data = msg.store.load();
    let principal = match msg
        .store
        .authenticate(&data, msg.presented, msg.now, msg.track_last_used)
    {
        Ok(principal) => principal,
        Err(error) => return refused(None, Refusal::Auth(error)),
    };
    // A use of one of the session's own tokens publishes a new overlay: list from it, so
    // that the caller's own row shows the use (rule 8), as it does for indexed tokens.
    // Only a newer overlay over the same index: data replaced meanwhile is not listed for
    // a principal authenticated against the old one.
    let data = match msg.store.load() {
        newer if msg.store.version() != version && Arc::ptr_eq(&newer.index, &data.index) => newer,
        _ => data,
    };
    let token = Some(principal.token.clone());
    if let Err(error) = principal.require_list_scope() {
        return refused(token, Refusal::Auth(error));
    }
    let query = match msg.query {
        Ok(query) => query,
        Err(errors) => return refused(token, Refusal::Query(errors)),
    };
    // Fails like a bug in the store would: a real panic while listing (see ListPage::run).
    let fail = msg.store.take_failure();
    let workspace = principal.workspace;
    // A page is stamped only when nothing changed while it was decided (this request's own
    // recorded use included), and never for a workspace with the session's own tokens.
    let unchanged = msg.store.version() == version;
    let stamp =
        (unchanged && !fail && data.overlay.workspace(workspace).is_none()).then(|| Stamp {
            store: msg.store.id(),
            version,
            workspace,
            cursor: data.index.workspaces[workspace as usize].cursor(msg.now),
            page: query.page,
            per_page: query.per_page,
            status: query.status,
            name: query.name.as_ref().map(|n| n.folded.clone()),
        });
    Listing {
        token,
        outcome: Ok(Admitted {
            stamp,
            page: ListPage {
                data,
                workspace,
                query,
                now: msg.now,
                fail,
                client: msg.client,
            },
        }),
    }
}

/// One page to list, on whichever thread the work belongs.
#[derive(Message)]
#[rtype(result = "Result<Listed, Refusal>")]
pub(crate) struct ListPage {
    data: Arc<Data>,
    workspace: u32,
    query: ListQuery,
    now: DateTime<Utc>,
    /// Panic instead of listing: the failure `/__admin/faults/store-failure` asks for.
    fail: bool,
    /// Whether the request is still there (a scan not started for a gone request is skipped).
    client: Presence,
}

impl std::fmt::Debug for ListPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListPage")
            .field("workspace", &self.workspace)
            .field("query", &self.query)
            .field("now", &self.now)
            .field("fail", &self.fail)
            .finish_non_exhaustive()
    }
}

impl ListPage {
    /// Lists the page. Panics when asked to fail, as a bug in the store would: whoever runs
    /// it catches that around this one page.
    fn run(self) -> Listed {
        self.run_on(1)
    }

    /// As [`ListPage::run`], a name filter scanned on up to `threads` threads.
    pub(super) fn run_on(self, threads: usize) -> Listed {
        if self.fail {
            panic!("store failure injected through the admin API");
        }
        let page = (self.data).page_on(self.workspace, &self.query, self.now, threads);
        Listed {
            query: self.query,
            page,
        }
    }
}

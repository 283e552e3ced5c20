//! The store actors: one [`StoreActor`] per HTTP worker, on that worker's own thread; name
//! filters are listed on the scan threads ([`super::scan::Scans`]).
//!
//! Why this shape (measured with `benches/load.sh`): a single store actor on another thread
//! cost every listing two thread hops and made every listing wait behind the slow ones. A
//! store actor per worker is reached without leaving the worker's thread; the data it reads
//! is shared and versioned ([`Store`]), so each one sees the same state. A name filter scans
//! up to every name of a workspace, so it runs on a scan thread ([`super::scan`]) while the worker goes on
//! answering.
//!
//! A listing takes one message ([`List`]) to be decided: refused ([`Refusal`]) or admitted
//! ([`Admitted`]), against the [`Stamp`] of the state its page would be listed from. The store
//! knows nothing of how a page is written for the wire: the API keeps its written pages by
//! stamp and lends the actor a lookup ([`Kept`]); a page kept for the stamp answers the
//! listing, and only a page not kept yet is sent back ([`ListPage`]) to be listed, so a page
//! asked for again (a UI polling, several tabs) is not listed again, and its listing takes no
//! reference count of the data.
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
/// loaded state of the session's store. `P` is a page written earlier, as its writer keeps
/// it ([`Kept`]).
pub(crate) struct List<P> {
    pub store: Target,
    pub presented: Presented,
    pub query: Result<ListQuery, Vec<ParamError>>,
    pub now: DateTime<Utc>,
    pub(crate) track_last_used: bool,
    /// Whether the request is still there: a name filter whose request is gone is not scanned.
    pub client: Presence,
    /// Where a page listed earlier from the same state may be found.
    pub kept: Kept<P>,
}

impl<P: Send + 'static> Message for List<P> {
    type Result = Listing<P>;
}

/// The store a listing reads.
///
/// The message must own what it names (`'static`), and a clone of a store's `Arc` writes its
/// reference count: for the default session, which every worker lists, that is a cache line
/// passed between cores on each listing. So the default session's store is named, and each
/// store actor holds its own handle to it, cloned once when the actor starts.
pub(crate) enum Target {
    /// The default session's store.
    Default,
    /// A named session's store (each serves one test: few workers write its count).
    Session(Arc<Store>),
}

/// The pages written earlier, kept by whoever writes them (the API, per worker thread): a
/// listing whose page is kept is answered with it, without taking the data to list it.
pub(crate) struct Kept<P> {
    /// The page kept for a state's stamp under a links' suffix, if any.
    pub find: fn(&Stamp, &str) -> Option<P>,
    /// The suffix the page's links keep (`&__session=…`, or empty).
    pub link_suffix: String,
}

/// What deciding a listing came to.
#[derive(Debug)]
pub(crate) struct Listing<P> {
    /// The token that authenticated, if one did (also for a 403 or a 400).
    pub token: Option<TokenId>,
    pub outcome: Result<Admitted<P>, Refusal>,
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

/// A listing the store admitted.
#[derive(Debug)]
pub(crate) enum Admitted<P> {
    /// A page listed earlier from the same state ([`Kept`]), with the query it answers.
    Kept { query: ListQuery, page: P },
    /// The page to list (sent back to a [`StoreActor`]), and the stamp of the state it is
    /// listed from when the page may be kept; `None` when it must be listed afresh (the state
    /// changed while deciding, the workspace holds the session's own tokens, whose statuses
    /// change with the clock without a version change, or a failure is due).
    ToList {
        stamp: Option<Stamp>,
        page: ListPage,
    },
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
    /// The default session's store ([`Target::Default`]).
    default: Arc<Store>,
}

impl StoreActor {
    /// The store actor of a worker listing the default session's `default` store.
    pub(crate) fn new(scans: Scans, default: Arc<Store>) -> StoreActor {
        StoreActor { scans, default }
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

impl<P: Send + 'static> Handler<List<P>> for StoreActor {
    type Result = MessageResult<List<P>>;

    fn handle(&mut self, mut msg: List<P>, _: &mut Context<Self>) -> Self::Result {
        let named;
        let store = match std::mem::replace(&mut msg.store, Target::Default) {
            Target::Default => &self.default,
            Target::Session(store) => {
                named = store;
                &named
            }
        };
        // Anything that panics from here on fails this listing only.
        MessageResult(
            catch_unwind(AssertUnwindSafe(|| decide(store, msg))).unwrap_or(Listing {
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

/// Authenticates and checks `msg` against `store`, and stamps the state its page would be
/// listed from; a page kept for that stamp answers it.
///
/// The data is borrowed ([`Store::current`]) and taken (its reference count written) only
/// for a page that must be listed: a cached listing writes nothing other workers write.
fn decide<P>(store: &Store, msg: List<P>) -> Listing<P> {
    let refused = |token, refusal| Listing {
        token,
        outcome: Err(refusal),
    };
    let version = store.version();
    let data = store.current();
    let principal = match store.authenticate(&data, msg.presented, msg.now, msg.track_last_used) {
        Ok(principal) => principal,
        Err(error) => return refused(None, Refusal::Auth(error)),
    };
    // A use of one of the session's own tokens publishes a new overlay: list from it, so
    // that the caller's own row shows the use (rule 8), as it does for indexed tokens.
    // Only a newer overlay over the same index: data replaced meanwhile is not listed for
    // a principal authenticated against the old one.
    let data = match store.current() {
        newer if store.version() != version && Arc::ptr_eq(&newer.index, &data.index) => newer,
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
    let fail = store.take_failure();
    let workspace = principal.workspace;
    // A page is stamped only when nothing changed while it was decided (this request's own
    // recorded use included), and never for a workspace with the session's own tokens.
    let unchanged = store.version() == version;
    let stamp =
        (unchanged && !fail && data.overlay.workspace(workspace).is_none()).then(|| Stamp {
            store: store.id(),
            version,
            workspace,
            cursor: data.index.workspaces[workspace as usize].cursor(msg.now),
            page: query.page,
            per_page: query.per_page,
            status: query.status,
            name: query.name.as_ref().map(|n| n.folded.clone()),
        });
    let kept = stamp
        .as_ref()
        .and_then(|stamp| (msg.kept.find)(stamp, &msg.kept.link_suffix));
    let admitted = match kept {
        Some(page) => Admitted::Kept { query, page },
        None => Admitted::ToList {
            stamp,
            page: ListPage {
                data: arc_swap::Guard::into_inner(data),
                workspace,
                query,
                now: msg.now,
                fail,
                client: msg.client,
            },
        },
    };
    Listing {
        token,
        outcome: Ok(admitted),
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

#[cfg(test)]
mod tests;

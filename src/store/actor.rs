//! The store actors: one [`StoreActor`] per HTTP worker, on that worker's own thread; name
//! filters are listed on the scan threads ([`super::scan`]).
//!
//! Why this shape (measured with `benches/load.sh`): a single store actor on another thread
//! cost every listing two thread hops and made every listing wait behind the slow ones. A
//! store actor per worker is reached without leaving the worker's thread; the data it reads
//! is shared and versioned ([`Store`]), so each one sees the same state. A name filter scans
//! up to every name of a workspace, so it runs on a scan thread while the worker goes on
//! answering. Rendered pages are kept per worker, keyed by the state they were made from, so
//! a page asked for again (a UI polling, several tabs) is answered without listing it again.
//!
//! A failure stays with the request it happened in: a panic while deciding or listing a page
//! (a bug, or the one `/__admin/faults/store-failure` asks for) is caught around that one
//! listing, answered [`Refusal::Failed`] (503), and the worker's cached pages are dropped. The
//! actor goes on serving, so the listings of other requests and sessions it is waiting on
//! (name filters on the scan threads) are answered as if nothing happened.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use actix::prelude::*;
use actix_web::http::header::HeaderValue;
use actix_web::web::Bytes;
use ahash::HashMap;
use chrono::{DateTime, Utc};

use super::scan::{Presence, Scans};
use super::{Data, Page, Store};
use crate::domain::{AuthError, ListQuery, ParamError, Presented, Status, TokenId};

/// Pages kept per worker; past it the cache starts afresh.
const CACHED_PAGES: usize = 4096;

/// A page written out for the wire, with what the response and the coverage need to know.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub body: Bytes,
    /// The RFC 8288 `Link` header of the page.
    pub link: Option<HeaderValue>,
    /// How many tokens match, across all pages.
    pub total: u64,
    /// How many tokens this page holds.
    pub shown: usize,
}

/// Writes a page for the wire: given by the API layer, which owns the representation.
pub type Render = fn(&ListQuery, &Page, &str) -> Rendered;

/// Lists a page for presented credentials: authenticates, records the use, checks the scope
/// and the query, and lists, in this order (RFC 6750: 401, then 403, then 400), all against
/// one loaded state of the session's store.
#[derive(Message)]
#[rtype(result = "Listing")]
pub struct List {
    pub store: Arc<Store>,
    pub presented: Presented,
    pub query: Result<ListQuery, Vec<ParamError>>,
    pub now: DateTime<Utc>,
    pub track_last_used: bool,
    pub render: Render,
    /// Query parameters every `Link` keeps besides the filters (`&__session=...`).
    pub link_suffix: String,
    /// Whether the request is still there: a name filter whose request is gone is not scanned.
    pub client: Presence,
}

/// What a listing came to.
#[derive(Debug)]
pub struct Listing {
    /// The token that authenticated, if one did (also for a 403 or a 400).
    pub token: Option<TokenId>,
    pub outcome: Result<Rendered, Refusal>,
}

/// Why no page was listed.
#[derive(Debug)]
pub enum Refusal {
    /// 401 or 403.
    Auth(AuthError),
    /// 400: every bad parameter.
    Query(Vec<ParamError>),
    /// 503: the store failed (panicked) while listing this page.
    Failed,
    /// 503: a name filter found the scan queue full (`store.scan_queue`).
    Busy,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct PageKey {
    store: u64,
    version: u64,
    workspace: u32,
    cursor: usize,
    page: u32,
    per_page: u32,
    status: Option<Status>,
    name: Option<String>,
    link_suffix: String,
}

/// The store actor of one worker.
pub struct StoreActor {
    scans: Scans,
    pages: HashMap<PageKey, Rendered>,
}

impl StoreActor {
    pub fn new(scans: Scans) -> StoreActor {
        StoreActor {
            scans,
            pages: HashMap::default(),
        }
    }
}

impl Actor for StoreActor {
    type Context = Context<Self>;
}

impl Supervised for StoreActor {
    fn restarting(&mut self, _: &mut Context<Self>) {
        self.pages.clear();
        tracing::warn!("store actor restarted");
    }
}

/// What the synchronous part of a listing came to.
enum Decided {
    Done(Listing),
    /// A name filter, to scan on a scan thread; the page is kept under `key` when given.
    Scan {
        token: Option<TokenId>,
        key: Option<PageKey>,
        listing: ListPage,
        client: Presence,
    },
}

impl Handler<List> for StoreActor {
    type Result = ResponseActFuture<Self, Listing>;

    fn handle(&mut self, msg: List, _: &mut Context<Self>) -> Self::Result {
        // Anything that panics from here on fails this listing only.
        let decided = match catch_unwind(AssertUnwindSafe(|| self.decide(msg))) {
            Ok(decided) => decided,
            Err(_) => {
                // A page cached by a listing that panicked half-way is not trusted.
                self.pages.clear();
                return done(None, Err(Refusal::Failed));
            }
        };
        let (token, key, listing, client) = match decided {
            Decided::Done(listing) => return Box::pin(fut::ready(listing)),
            Decided::Scan {
                token,
                key,
                listing,
                client,
            } => (token, key, listing, client),
        };
        let scan = match self.scans.submit(listing, client) {
            Ok(scan) => scan,
            Err(refusal) => return done(token, Err(refusal)),
        };
        Box::pin(scan.into_actor(self).map(move |outcome, actor, _| {
            if let Ok(rendered) = &outcome {
                actor.remember(key, rendered);
            }
            Listing { token, outcome }
        }))
    }
}

impl StoreActor {
    /// Authenticates, checks and lists `msg`, or says what to scan.
    fn decide(&mut self, msg: List) -> Decided {
        let finished = |token, outcome| Decided::Done(Listing { token, outcome });
        let version = msg.store.version();
        let data = msg.store.load();
        let principal =
            match msg
                .store
                .authenticate(&data, msg.presented, msg.now, msg.track_last_used)
            {
                Ok(principal) => principal,
                Err(error) => return finished(None, Err(Refusal::Auth(error))),
            };
        // A use of one of the session's own tokens publishes a new overlay: list from it, so
        // that the caller's own row shows the use (rule 8), as it does for indexed tokens.
        // Only a newer overlay over the same index: data replaced meanwhile is not listed for
        // a principal authenticated against the old one.
        let data = match msg.store.load() {
            newer if msg.store.version() != version && Arc::ptr_eq(&newer.index, &data.index) => {
                newer
            }
            _ => data,
        };
        let token = Some(principal.token.clone());
        if let Err(error) = principal.require_list_scope() {
            return finished(token, Err(Refusal::Auth(error)));
        }
        let query = match msg.query {
            Ok(query) => query,
            Err(errors) => return finished(token, Err(Refusal::Query(errors))),
        };
        // Fails like a bug in the store would: a real panic while listing (see ListPage::run).
        let fail = msg.store.take_failure();
        let workspace = principal.workspace;
        // A page is kept only when nothing changed while it was decided (this request's own
        // recorded use included), and never for a workspace with the session's own tokens,
        // whose statuses change with the clock without a version change.
        let unchanged = msg.store.version() == version;
        let key = (unchanged && data.overlay.workspace(workspace).is_none()).then(|| PageKey {
            store: msg.store.id(),
            version,
            workspace,
            cursor: data.index.workspaces[workspace as usize].cursor(msg.now),
            page: query.page,
            per_page: query.per_page,
            status: query.status,
            name: query.name.as_ref().map(|n| n.folded.clone()),
            link_suffix: msg.link_suffix.clone(),
        });
        if let Some(hit) = key
            .as_ref()
            .and_then(|k| self.pages.get(k))
            .filter(|_| !fail)
        {
            return finished(token, Ok(hit.clone()));
        }
        let listing = ListPage {
            data,
            workspace,
            query,
            now: msg.now,
            render: msg.render,
            link_suffix: msg.link_suffix,
            fail,
        };
        if listing.query.name.is_none() {
            let rendered = listing.run();
            self.remember(key, &rendered);
            return finished(token, Ok(rendered));
        }
        Decided::Scan {
            token,
            key,
            listing,
            client: msg.client,
        }
    }

    fn remember(&mut self, key: Option<PageKey>, rendered: &Rendered) {
        if let Some(key) = key {
            if self.pages.len() >= CACHED_PAGES {
                self.pages.clear();
            }
            self.pages.insert(key, rendered.clone());
        }
    }
}

fn done(
    token: Option<TokenId>,
    outcome: Result<Rendered, Refusal>,
) -> ResponseActFuture<StoreActor, Listing> {
    Box::pin(fut::ready(Listing { token, outcome }))
}

/// One page to list and render, on whichever thread the work belongs.
pub struct ListPage {
    data: Arc<Data>,
    workspace: u32,
    query: ListQuery,
    now: DateTime<Utc>,
    render: Render,
    link_suffix: String,
    /// Panic instead of listing: the failure `/__admin/faults/store-failure` asks for.
    fail: bool,
}

impl ListPage {
    /// Lists and renders the page. Panics when asked to fail, as a bug in the store would:
    /// whoever runs it catches that around this one page.
    fn run(&self) -> Rendered {
        self.run_on(1)
    }

    /// As [`ListPage::run`], a name filter scanned on up to `threads` threads.
    pub(super) fn run_on(&self, threads: usize) -> Rendered {
        if self.fail {
            panic!("store failure injected through the admin API");
        }
        let page = (self.data).page_on(self.workspace, &self.query, self.now, threads);
        (self.render)(&self.query, &page, &self.link_suffix)
    }
}

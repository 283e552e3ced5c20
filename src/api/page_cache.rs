//! Pages written for the wire, kept per worker thread by the [`Stamp`] of the state they were
//! listed from (and the `__session` suffix their links keep), so that a page asked for again
//! (a UI polling, several tabs) is answered without listing or writing it again.
//!
//! Per thread, not shared: a hit reads and writes only memory of the worker that answers it.
//! A stamp never names a state again once that state changed (a store's id is never reused
//! and its version only grows), so a kept page is never stale; the cache only has to stay
//! bounded.

use std::cell::RefCell;

use actix_web::http::header::HeaderValue;
use actix_web::web::Bytes;
use ahash::HashMap;

use crate::store::actor::Stamp;

/// Stamps kept per worker; past it the cache starts afresh.
const CACHED_PAGES: usize = 4096;

/// A page written for the wire, with what the response and the coverage need to know.
#[derive(Clone, Debug)]
pub(crate) struct Rendered {
    /// The JSON body.
    pub body: Bytes,
    /// The RFC 8288 `Link` header of the page.
    pub link: Option<HeaderValue>,
    /// How many tokens match, across all pages.
    pub total: u64,
    /// How many tokens this page holds.
    pub shown: usize,
}

thread_local! {
    /// Per stamp, the page under each link suffix it was written with (nearly always one).
    static PAGES: RefCell<HashMap<Stamp, Vec<(String, Rendered)>>> =
        RefCell::new(HashMap::default());
}

/// The page kept for `stamp` with links ending in `link_suffix`, if this worker has one.
pub(crate) fn get(stamp: &Stamp, link_suffix: &str) -> Option<Rendered> {
    PAGES.with_borrow(|pages| {
        pages
            .get(stamp)?
            .iter()
            .find(|(suffix, _)| suffix == link_suffix)
            .map(|(_, rendered)| rendered.clone())
    })
}

/// Keeps a page written from the state of `stamp`.
pub(crate) fn keep(stamp: Stamp, link_suffix: &str, rendered: &Rendered) {
    PAGES.with_borrow_mut(|pages| {
        if pages.len() >= CACHED_PAGES {
            pages.clear();
        }
        let kept = pages.entry(stamp).or_default();
        if !kept.iter().any(|(suffix, _)| suffix == link_suffix) {
            kept.push((link_suffix.to_owned(), rendered.clone()));
        }
    });
}

/// Forgets this worker's pages: after a failure in the store, no page is trusted.
pub(crate) fn clear() {
    PAGES.with_borrow_mut(HashMap::clear);
}

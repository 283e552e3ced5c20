//! A cached listing of the default session writes no reference count of its store or data.

use std::cell::Cell;
use std::sync::{Arc, Weak};
use std::time::Duration;

use actix::{Actor, Addr};

use super::*;
use crate::domain::{QueryLimits, SecretDigest};
use crate::store::scan::{ScanLimits, Waiting};
use crate::store::snapshot::Snapshot;
use crate::store::{Data, Index, DEFAULT_SNAPSHOT};

fn index() -> Arc<Index> {
    let snapshot = Snapshot::parse(DEFAULT_SNAPSHOT).expect("the default snapshot loads");
    Arc::new(Index::new(snapshot))
}

thread_local! {
    /// The store and data watched, and their reference counts as the kept page was looked up.
    static WATCHED: Cell<Option<(Weak<Store>, Weak<Data>)>> = const { Cell::new(None) };
    static COUNTS: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
}

/// A page kept for every stamp, which notes the counts of the watched store and data.
fn kept_everywhere(_: &Stamp, _: &str) -> Option<&'static str> {
    let watched = WATCHED.take().expect("a store is watched");
    COUNTS.set(Some((
        Weak::strong_count(&watched.0),
        Weak::strong_count(&watched.1),
    )));
    WATCHED.set(Some(watched));
    Some("the kept page")
}

fn listing(store: Target, waiting: &Waiting) -> List<&'static str> {
    List {
        store,
        presented: Presented::Secret(SecretDigest::of(
            b"tok_live_AcmeAuditReadOnlyKey2026Demo0001",
        )),
        query: ListQuery::parse("status=active", QueryLimits::DEFAULT),
        now: "2026-05-01T00:00:00Z".parse().expect("a time"),
        // A first use would be recorded, a change: its page is listed afresh, not kept.
        track_last_used: false,
        client: waiting.presence(),
        kept: Kept {
            find: kept_everywhere,
            link_suffix: String::new(),
        },
    }
}

/// A worker's store actor over the default session's `default` store, with one scan thread.
fn started(default: Arc<Store>) -> Addr<StoreActor> {
    let scans = Scans::start(ScanLimits {
        threads: 1,
        queue: 4,
        delay: Duration::ZERO,
    })
    .expect("a scan thread");
    StoreActor::new(scans, default).start()
}

#[actix::test]
async fn a_kept_page_of_the_default_session_takes_no_count_of_its_store_or_data() {
    // Arrange: a worker's store actor over the default session's store.
    let store = Arc::new(Store::fork(&index()));
    let actor = started(store.clone());
    let data = store.load();
    let before = (Arc::strong_count(&store), Arc::strong_count(&data) - 1);
    WATCHED.set(Some((Arc::downgrade(&store), Arc::downgrade(&data))));
    drop(data);
    let waiting = Waiting::default();

    // Act: a listing the kept page answers, sent as the API sends the default session's.
    let listing = actor
        .send(listing(Target::Default, &waiting))
        .await
        .expect("the actor answers");

    // Assert: answered with the kept page, and while deciding it, neither the store's nor
    // the data's reference count moved.
    assert!(matches!(
        listing.outcome,
        Ok(Admitted::Kept {
            page: "the kept page",
            ..
        })
    ));
    assert_eq!(COUNTS.take(), Some(before));
}

#[actix::test]
async fn a_named_store_is_listed_from_the_message() {
    let index = index();
    let default = Arc::new(Store::fork(&index));
    let named = Arc::new(Store::fork(&index));
    let actor = started(default.clone());
    let data = named.load();
    WATCHED.set(Some((Arc::downgrade(&named), Arc::downgrade(&data))));
    drop(data);
    let waiting = Waiting::default();

    let listing = actor
        .send(listing(Target::Session(named.clone()), &waiting))
        .await
        .expect("the actor answers");

    assert!(matches!(listing.outcome, Ok(Admitted::Kept { .. })));
    // The message's own handle was held while deciding: it was the named store that was read.
    let (store_count, _) = COUNTS.take().expect("the kept page was looked up");
    assert_eq!(store_count, 2);
    assert_eq!(Arc::strong_count(&named), 1);
}

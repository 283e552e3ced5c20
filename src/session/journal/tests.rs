//! The journal's limits, on one thread and on several at once.

use std::sync::Arc;

use super::*;

fn entry(status: u16) -> Recorded {
    let target = "/v1/tokens?status=active";
    Recorded {
        arrival: 0,
        at: "2026-05-01T00:00:00Z".parse().unwrap(),
        method: Method::GET,
        target: target.replace('?', "").into(),
        query_at: "/v1/tokens".len(),
        cut: (0, 0),
        status,
        duration_ms: 0.1,
        request_id: Some(RequestId::from_header(Some(b"req_x"))),
        token_id: None,
        kept: Box::default(),
    }
}

#[test]
fn an_entry_is_written_from_what_was_recorded() {
    let written = entry(200).entry();
    assert_eq!(written.at, "2026-05-01T00:00:00Z");
    assert_eq!(written.method, "GET");
    assert_eq!(written.path, "/v1/tokens");
    assert_eq!(written.query, "status=active");
    assert_eq!(written.request_id, "req_x");
    assert_eq!(written.token_id, None);
}

fn budget(entries: usize, session_bytes: usize, total_bytes: usize) -> Arc<JournalBudget> {
    JournalBudget::new(JournalLimits {
        entries,
        target_bytes: 1024,
        session_bytes,
        total_bytes,
        body_bytes: 0,
    })
}

#[test]
fn a_journal_of_capacity_zero_keeps_nothing() {
    let journal = Journal::new(budget(0, 1 << 20, 1 << 20));
    journal.record(entry(200));
    assert!(journal.recent(10).is_empty());
}

#[test]
fn the_journal_keeps_the_newest_entries_newest_first() {
    let journal = Journal::new(budget(2, 1 << 20, 1 << 20));
    for status in [200, 401, 403] {
        journal.record(entry(status));
    }
    let statuses: Vec<u16> = journal.recent(10).iter().map(|e| e.status).collect();
    assert_eq!(statuses, [403, 401]);
    journal.clear();
    assert!(journal.recent(10).is_empty());
}

#[test]
fn a_journal_keeps_no_more_bytes_than_its_session_limit() {
    let one = cost(&entry(200));
    let journal = Journal::new(budget(100, 3 * one, 1 << 20));
    for status in 200..210 {
        journal.record(entry(status));
    }
    assert_eq!(journal.recent(100).len(), 3);
    assert_eq!(journal.bytes(), 3 * one);
}

#[test]
fn past_the_total_limit_a_session_makes_room_only_from_its_own_entries() {
    let one = cost(&entry(200));
    let shared = budget(100, 1 << 20, 4 * one);
    let (a, b) = (Journal::new(shared.clone()), Journal::new(shared.clone()));
    for status in 200..204 {
        a.record(entry(status));
    }
    // Nothing of its own to drop: b keeps nothing, and a keeps everything.
    b.record(entry(500));
    assert!(b.recent(10).is_empty());
    assert_eq!(a.recent(10).len(), 4);
    // a makes room from its own oldest.
    a.record(entry(299));
    let statuses: Vec<u16> = a.recent(10).iter().map(|e| e.status).collect();
    assert_eq!(statuses, [299, 203, 202, 201]);
    assert_eq!(shared.used(), 4 * one);
    drop(a);
    assert_eq!(shared.used(), 0, "a dropped journal gives its bytes back");
    b.record(entry(500));
    assert_eq!(b.recent(10).len(), 1);
}

/// Records `count` entries from each of `threads` threads started together; the statuses
/// of thread `t` are `10_000 * (t + 1) + i` (`count` at most 10,000), in the order it recorded them.
fn record_at_once(journal: &Arc<Journal>, threads: u16, count: u16) {
    record_made_at_once(journal, threads, count, |status, _| entry(status));
}

/// [`record_at_once`] with each entry made by `make(status, i)`.
fn record_made_at_once(
    journal: &Arc<Journal>,
    threads: u16,
    count: u16,
    make: fn(u16, u16) -> Recorded,
) {
    let start = Arc::new(std::sync::Barrier::new(usize::from(threads)));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (journal, start) = (journal.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                for i in 0..count {
                    journal.record(make(10_000 * (t + 1) + i, i));
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("a recording thread finishes");
    }
}

/// The statuses a read shows, oldest first.
fn shown(journal: &Journal) -> Vec<u16> {
    journal.shown(|shown| shown.iter().map(|e| e.status).collect())
}

#[test]
fn entries_of_several_threads_at_once_are_all_read_once_each_thread_in_its_order() {
    let journal = Arc::new(Journal::batched(budget(100_000, 1 << 30, 1 << 30)));
    record_at_once(&journal, 4, 300);
    let statuses = shown(&journal);
    assert_eq!(statuses.len(), 4 * 300);
    for t in 1..=4u16 {
        let own: Vec<u16> = statuses
            .iter()
            .copied()
            .filter(|s| s / 10_000 == t)
            .collect();
        let expected: Vec<u16> = (0..300).map(|i| 10_000 * t + i).collect();
        assert_eq!(
            own, expected,
            "thread {t}'s entries, once each, in its order"
        );
    }
}

#[test]
fn entries_recorded_one_after_another_on_different_threads_are_read_in_that_order() {
    let journal = Arc::new(Journal::batched(budget(3, 1 << 20, 1 << 20)));
    for status in [200, 201, 202, 203, 204] {
        let journal = journal.clone();
        std::thread::spawn(move || journal.record(entry(status)))
            .join()
            .expect("a recording thread finishes");
    }
    // The session's entry limit holds over every thread's entries: the newest three.
    assert_eq!(shown(&journal), [202, 203, 204]);
    let newest: Vec<u16> = journal.recent(2).iter().map(|e| e.status).collect();
    assert_eq!(newest, [204, 203]);
    assert_eq!(journal.har(10).entries.len(), 3);
}

#[test]
fn the_session_byte_limit_holds_over_every_threads_entries() {
    let one = cost(&entry(200));
    let journal = Arc::new(Journal::batched(budget(100, 5 * one, 1 << 20)));
    record_at_once(&journal, 2, 50);
    let statuses = shown(&journal);
    assert_eq!(statuses.len(), 5);
    // The last entry recorded is always shown.
    assert!(
        statuses.contains(&10_049) || statuses.contains(&20_049),
        "{statuses:?}"
    );
}

#[test]
fn two_threads_filling_the_total_at_once_hold_no_more_than_it() {
    let one = cost(&entry(200));
    let total = 4 * shards::BATCH_BYTES;
    let shared = budget(1_000_000, 1 << 30, total);
    let journal = Arc::new(Journal::batched(shared.clone()));
    // Ten times what the total holds.
    let each = u16::try_from(5 * total / one)
        .unwrap_or(u16::MAX)
        .min(9_000);
    record_at_once(&journal, 2, each);
    assert!(journal.bytes() <= total, "{} > {total}", journal.bytes());
    assert!(shared.used() <= total);
    let statuses = shown(&journal);
    assert!(statuses.len() >= total / one - 4, "{}", statuses.len());
    // Room was made from the oldest: the last entry recorded is kept.
    let last = each - 1;
    assert!(statuses.contains(&(10_000 + last)) || statuses.contains(&(20_000 + last)));
    drop(journal);
    assert_eq!(shared.used(), 0, "a dropped journal gives its bytes back");
}

#[test]
fn budget_taken_ahead_by_threads_never_refuses_another_sessions_entry() {
    let one = cost(&entry(200));
    let total = 4 * shards::BATCH_BYTES;
    let shared = budget(1_000_000, 1 << 30, total);
    let default = Arc::new(Journal::batched(shared.clone()));
    // Each thread fills nearly two batches, and took two: the budget is all taken.
    let each = u16::try_from(2 * shards::BATCH_BYTES / one - 2).expect("a small count");
    record_at_once(&default, 2, each);
    let named = Journal::new(shared.clone());
    named.record(entry(500));
    assert_eq!(shown(&named), [500]);
    assert_eq!(shown(&default).len(), 2 * usize::from(each));
    assert!(shared.used() <= total);
}

#[test]
fn the_journal_takes_the_callers_digest_of_a_bearer_secret() {
    use crate::http::bearer::Caller;
    let request = actix_web::test::TestRequest::get()
        .uri("/v1/tokens")
        .insert_header(("authorization", "Bearer tok_live_x"))
        .to_http_request();
    assert!(known_secret(&request.extensions(), &request).is_none());
    let caller = Caller::of(request.headers());
    request.extensions_mut().insert(caller);
    let known = known_secret(&request.extensions(), &request).expect("the caller's digest");
    assert_eq!(known.secret, b"tok_live_x");
}

/// An entry of `status` whose path and query take `extra` bytes more than [`entry`]'s.
fn sized(status: u16, extra: usize) -> Recorded {
    let mut recorded = entry(status);
    recorded.target = format!("{}{}", recorded.target, "x".repeat(extra)).into();
    recorded
}

#[test]
fn a_trim_drops_exactly_the_entries_no_read_shows_and_nothing_a_read_shows() {
    let one = cost(&entry(200));
    // Limits where the entry count binds, where the bytes bind, and where both do.
    for (entries, session_bytes) in [(7, 1 << 20), (1000, 6 * one), (9, 8 * one)] {
        let journal = Arc::new(Journal::batched(budget(entries, session_bytes, 1 << 30)));
        record_made_at_once(&journal, 3, 400, |status, i| {
            sized(status, usize::from(i % 5) * 40)
        });
        let before = shown(&journal);
        let shown_bytes: usize = journal.shown(|shown| shown.iter().map(|e| cost(e)).sum());

        let mut dropped = Vec::new();
        journal.trim(&mut dropped);

        assert_eq!(shown(&journal), before, "a read shows the same entries");
        assert_eq!(journal.bytes(), shown_bytes, "every entry held is shown");
        assert!(before.len() <= entries && shown_bytes <= session_bytes);
        assert!(!before.is_empty());
    }
}

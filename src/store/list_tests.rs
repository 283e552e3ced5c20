//! A name filter scanned in parts lists the very page of a scan in one piece.

use chrono::{DateTime, Utc};

use crate::domain::{ListQuery, QueryLimits};
use crate::generate::{generate, GenerateOptions};
use crate::store::snapshot::Snapshot;
use crate::store::Store;

const LIMITS: QueryLimits = QueryLimits {
    default_per_page: 25,
    max_per_page: 100,
};

fn generated(tokens: u64) -> Store {
    let options = GenerateOptions {
        tokens,
        workspaces: 1,
        seed: 1,
    };
    let mut bytes = Vec::new();
    generate(&options, &mut bytes, &mut |_| {}).expect("generated into memory");
    Store::new(Snapshot::parse(&bytes).expect("a generated snapshot is valid"))
}

#[test]
fn every_split_lists_the_page_and_total_of_one_scan() {
    let store = generated(3000);
    let data = store.load();
    let now: DateTime<Utc> = "2026-05-01T00:00:00Z".parse().expect("a time");
    // Frequent, rare, absent, multi-byte and boundary-spanning needles, with and without a
    // status, on first, middle, last and past-the-end pages of several sizes.
    let needles = [
        "ci", "c", "e", "prod", "deploy", "ci-", "é", "zzzzqx", " ", "token",
    ];
    let statuses = ["", "&status=active", "&status=expired", "&status=revoked"];
    let pages = [
        "page=1&per_page=1",
        "page=3&per_page=7",
        "page=1&per_page=100",
    ];
    let mut compared = 0;
    for needle in needles {
        let encoded =
            percent_encoding::utf8_percent_encode(needle, percent_encoding::NON_ALPHANUMERIC);
        for status in statuses {
            for page in pages
                .iter()
                .map(|p| p.to_string())
                .chain(["page=40&per_page=13".into(), "page=99999&per_page=2".into()])
            {
                let raw = format!("name={encoded}{status}&{page}");
                let query = ListQuery::parse(&raw, LIMITS).expect("a valid query");
                let whole = data.page_in_parts(0, &query, now, 1);
                for parts in 2..=7 {
                    let split = data.page_in_parts(0, &query, now, parts);
                    assert_eq!(split, whole, "{raw} in {parts} parts");
                }
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 200);
    // The table is not vacuous: some needle matches on a page past the first.
    let deep = ListQuery::parse("name=e&page=3&per_page=7", LIMITS).expect("a valid query");
    assert_eq!(data.page_in_parts(0, &deep, now, 3).tokens.len(), 7);
}

//! A name filter scanned in parts lists the very page of a scan in one piece, and that page is
//! the one a name-by-name filter of every token lists.

use chrono::{DateTime, Utc};

use crate::domain::{fold, ListQuery, QueryLimits};
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
fn every_split_lists_the_page_and_total_of_a_name_by_name_filter() {
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
                assert_eq!(
                    ids_and_total(&whole),
                    name_by_name(&data, &query, now),
                    "{raw}"
                );
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

/// A page's token ids and its total.
fn ids_and_total(page: &super::Page) -> (Vec<String>, u64) {
    let ids = page
        .tokens
        .iter()
        .map(|t| t.id.as_str().to_owned())
        .collect();
    (ids, page.total)
}

/// The ids and total of the page of `query` over the first workspace, each token's folded
/// name searched on its own.
fn name_by_name(data: &super::Data, query: &ListQuery, now: DateTime<Utc>) -> (Vec<String>, u64) {
    let workspace = &data.index.workspaces[0];
    let view = workspace.view(now);
    let matching: Vec<String> = workspace
        .tokens
        .iter()
        .enumerate()
        .filter(|(i, token)| {
            query.status.is_none_or(|s| view.statuses[*i] == s)
                && query
                    .name
                    .as_ref()
                    .is_none_or(|n| fold(&token.name).contains(&n.folded))
        })
        .map(|(_, token)| token.id.as_str().to_owned())
        .collect();
    let offset = usize::try_from(query.offset()).unwrap_or(usize::MAX);
    let page = matching
        .iter()
        .skip(offset)
        .take(query.per_page as usize)
        .cloned()
        .collect();
    (page, matching.len() as u64)
}

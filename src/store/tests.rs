//! Unit tests of the store's index, without actix.

use chrono::{DateTime, Duration, Utc};

use super::snapshot::Snapshot;
use super::{Store, DEFAULT_SNAPSHOT};
use crate::domain::{ListQuery, Presented, QueryLimits, SecretDigest, Status, WorkspaceId};

const LIMITS: QueryLimits = QueryLimits {
    default_per_page: 25,
    max_per_page: 100,
};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// A token line: id suffix (24 chars after `tok_`), name, status, created_at, expires_at.
fn token(id: &str, name: &str, status: &str, created: &str, expires: Option<&str>) -> String {
    let expires = expires.map_or("null".to_owned(), |e| format!("\"{e}\""));
    format!(
        r#"{{"id":"tok_{id}","name":"{name}","scopes":["tokens:read"],"status":"{status}",
            "created_at":"{created}","expires_at":{expires},"last_used_at":null,
            "created_by":"a@example.com"}}"#
    )
}

fn store(workspaces: &[(&str, Vec<String>)]) -> Store {
    let body = workspaces
        .iter()
        .map(|(id, tokens)| {
            format!(
                r#"{{"id":"{id}","name":"W","tokens":[{}]}}"#,
                tokens.join(",")
            )
        })
        .collect::<Vec<_>>()
        .join(",");
    let snapshot = Snapshot::parse(format!(r#"{{"workspaces":[{body}]}}"#).as_bytes()).unwrap();
    Store::new(snapshot)
}

fn ids(store: &Store, ws: &str, query: &str, now: DateTime<Utc>) -> (Vec<String>, u64) {
    let query = ListQuery::parse(query, LIMITS).unwrap();
    let page = store.list(&WorkspaceId::parse(ws).unwrap(), &query, now);
    let ids = page
        .tokens
        .iter()
        .map(|t| t.id.as_str()[4..8].to_owned())
        .collect();
    (ids, page.total)
}

fn sample() -> Store {
    store(&[
        (
            "ws_a",
            vec![
                token(
                    "cccc00000000000000000000",
                    "CI Pipeline Token",
                    "active",
                    "2026-01-02T00:00:00Z",
                    None,
                ),
                token(
                    "bbbb00000000000000000000",
                    "ci-deploy",
                    "active",
                    "2026-01-01T00:00:00Z",
                    Some("2026-06-01T00:00:00Z"),
                ),
                token(
                    "aaaa00000000000000000000",
                    "Straße",
                    "revoked",
                    "2026-01-01T00:00:00Z",
                    None,
                ),
                token(
                    "dddd00000000000000000000",
                    "ΟΔΟΣ",
                    "expired",
                    "2026-01-03T00:00:00Z",
                    Some("2026-02-01T00:00:00Z"),
                ),
                token(
                    "eeee00000000000000000000",
                    "ﬁle",
                    "active",
                    "2026-01-04T00:00:00Z",
                    Some("2026-07-01T00:00:00Z"),
                ),
            ],
        ),
        (
            "ws_b",
            vec![token(
                "ffff00000000000000000000",
                "ci other",
                "active",
                "2025-01-01T00:00:00Z",
                None,
            )],
        ),
    ])
}

const MAY: &str = "2026-05-01T00:00:00Z";

#[test]
fn tokens_are_ordered_by_creation_then_id() {
    let (ids, total) = ids(&sample(), "ws_a", "", at(MAY));
    assert_eq!(ids, ["aaaa", "bbbb", "cccc", "dddd", "eeee"]);
    assert_eq!(total, 5);
}

#[test]
fn a_status_page_is_a_slice_of_its_partition() {
    let store = sample();
    assert_eq!(
        ids(&store, "ws_a", "status=active", at(MAY)),
        (vec!["bbbb".into(), "cccc".into(), "eeee".into()], 3)
    );
    assert_eq!(
        ids(&store, "ws_a", "status=active&per_page=1&page=2", at(MAY)),
        (vec!["cccc".into()], 3)
    );
    assert_eq!(
        ids(&store, "ws_a", "status=revoked", at(MAY)),
        (vec!["aaaa".into()], 1)
    );
}

#[test]
fn a_page_past_the_end_is_empty_with_the_real_total() {
    assert_eq!(
        ids(&sample(), "ws_a", "page=4&per_page=2", at(MAY)),
        (vec![], 5)
    );
    assert_eq!(
        ids(&sample(), "ws_a", "status=active&page=9", at(MAY)),
        (vec![], 3)
    );
}

#[test]
fn names_match_after_unicode_folding() {
    let store = sample();
    assert_eq!(ids(&store, "ws_a", "name=ci", at(MAY)).1, 2);
    assert_eq!(ids(&store, "ws_a", "name=STRASSE", at(MAY)).0, ["aaaa"]);
    assert_eq!(
        ids(&store, "ws_a", "name=%CE%BF%CE%B4%CE%BF%CF%83", at(MAY)).0,
        ["dddd"]
    );
    assert_eq!(ids(&store, "ws_a", "name=FI", at(MAY)).0, ["eeee"]);
    assert_eq!(ids(&store, "ws_a", "name=ci&status=revoked", at(MAY)).1, 0);
    assert_eq!(
        ids(&store, "ws_a", "name=ci&per_page=1&page=2", at(MAY)),
        (vec!["cccc".into()], 2)
    );
}

#[test]
fn a_match_never_spans_two_names() {
    // "ci-deploy" is followed by "CI Pipeline Token": "yci" only exists across the seam.
    assert_eq!(ids(&sample(), "ws_a", "name=yci", at(MAY)).1, 0);
    assert_eq!(ids(&sample(), "ws_a", "name=ken", at(MAY)).1, 1);
}

#[test]
fn tokens_expire_as_the_clock_passes_and_return_when_it_goes_back() {
    let store = sample();
    let (active, _) = ids(&store, "ws_a", "status=active", at("2026-06-01T00:00:00Z"));
    assert_eq!(active, ["cccc", "eeee"]);
    let (expired, _) = ids(&store, "ws_a", "status=expired", at("2026-07-01T00:00:00Z"));
    assert_eq!(expired, ["bbbb", "dddd", "eeee"]);
    let page = store.list(
        &WorkspaceId::parse("ws_a").unwrap(),
        &ListQuery::parse("", LIMITS).unwrap(),
        at("2026-07-01T00:00:00Z"),
    );
    assert_eq!(page.tokens[1].status, Status::Expired);
    let (active, _) = ids(&store, "ws_a", "status=active", at(MAY));
    assert_eq!(active, ["bbbb", "cccc", "eeee"]);
    assert_eq!(ids(&store, "ws_a", "status=expired", at(MAY)).0, ["dddd"]);
}

#[test]
fn a_workspace_sees_only_its_own_tokens() {
    let store = sample();
    assert_eq!(
        ids(&store, "ws_b", "name=ci", at(MAY)),
        (vec!["ffff".into()], 1)
    );
    assert_eq!(ids(&store, "ws_b", "", at(MAY)).1, 1);
    assert_eq!(ids(&store, "ws_nobody", "", at(MAY)).1, 0);
}

#[test]
fn authenticating_sets_last_used_at() {
    // Only a token with a secret can authenticate, so only such a token is recorded.
    let with_secret = token(
        "cccc00000000000000000000",
        "CI Pipeline Token",
        "active",
        "2026-01-02T00:00:00Z",
        None,
    )
    .replace('}', r#","secret":"tok_live_abcdefghijklmnopqrstuvwx"}"#);
    let store = store(&[("ws_a", vec![with_secret])]);
    let presented = Presented::Secret(SecretDigest::of(b"tok_live_abcdefghijklmnopqrstuvwx"));
    store
        .authenticate(
            &store.load(),
            presented,
            at(MAY) + Duration::seconds(5),
            true,
        )
        .unwrap();
    let page = store.list(
        &WorkspaceId::parse("ws_a").unwrap(),
        &ListQuery::parse("name=pipeline", LIMITS).unwrap(),
        at(MAY),
    );
    assert_eq!(
        page.tokens[0].last_used_at,
        Some(at(MAY) + Duration::seconds(5))
    );
}

#[test]
fn the_embedded_default_snapshot_is_valid() {
    let snapshot = Snapshot::parse(DEFAULT_SNAPSHOT).unwrap();
    assert!(snapshot.workspaces.len() >= 3);
    assert!(snapshot.token_count() > 25);
}

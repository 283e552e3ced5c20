//! Rules 12, 13 and 16: order, slicing, pages past the end and the `Link` header.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{links, names, spawn_app, PAGER};

/// `paging.json` lists its tokens out of order; two share a `created_at`.
const FIXTURE: &str = "paging.json";

/// Every token of the fixture in the contract's order: `created_at`, then `id`.
const ORDERED: [&str; 8] = [
    "Pager",
    "Build & test 1",
    "Build & test 2",
    "Tie, smaller id",
    "Tie, larger id",
    "Build & test 3",
    "Build & test 4",
    "Build & test 5",
];

#[actix_web::test]
async fn tokens_are_ordered_by_created_at_then_by_id() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let body = app.list("/v1/tokens?per_page=100", PAGER).await;

    // Assert: the tie is broken by id, not by name or by position in the file.
    assert_eq!(names(&body), ORDERED);
}

#[actix_web::test]
async fn pages_are_consecutive_slices_of_the_ordered_list() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let mut pages = Vec::new();
    for page in 1..=3 {
        let body = app
            .list(&format!("/v1/tokens?page={page}&per_page=3"), PAGER)
            .await;
        pages.push(names(&body));
    }

    // Assert
    assert_eq!(pages, [&ORDERED[0..3], &ORDERED[3..6], &ORDERED[6..8]]);
}

#[actix_web::test]
async fn the_same_state_and_clock_give_the_same_page() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let first = app.list("/v1/tokens?page=2&per_page=3", PAGER).await;

    // Act
    let second = app.list("/v1/tokens?page=2&per_page=3", PAGER).await;

    // Assert
    assert_eq!(first, second);
}

#[actix_web::test]
async fn filtering_comes_before_slicing() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let body = app
        .list("/v1/tokens?status=active&page=2&per_page=2", PAGER)
        .await;

    // Assert: active tokens are Pager, 1, the two ties, 3 and 5.
    assert_eq!(names(&body), ["Tie, smaller id", "Tie, larger id"]);
    assert_eq!(
        body["meta"],
        json!({"page": 2, "per_page": 2, "total": 6, "total_pages": 3})
    );
}

#[actix_web::test]
async fn a_page_past_the_end_is_200_with_no_data_and_the_real_totals() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    for (query, page) in [
        ("page=4&per_page=3", 4u64),
        ("page=4294967295&per_page=3", 4294967295),
    ] {
        // Act
        let response = app.get(&format!("/v1/tokens?{query}"), Some(PAGER)).await;

        // Assert
        assert_eq!(response.status(), StatusCode::OK);
        let body: serde_json::Value = response.json().await.expect("a JSON body");
        assert_eq!(
            body,
            json!({"data": [], "meta": {"page": page, "per_page": 3, "total": 8, "total_pages": 3}})
        );
    }
}

/// One request's expected `Link` header: every link is `/v1/tokens?page=N&` followed by
/// `kept`, the parameters carried over.
struct LinkCase {
    /// The query sent.
    query: &'static str,
    /// How many of the fixture's 8 tokens it matches.
    total: u64,
    /// What every link keeps after its page number, encoded.
    kept: &'static str,
    /// Each relation and the page it points to.
    relations: &'static [(&'static str, u64)],
}

/// Rule 16 for each kind of page: first, middle, last, past the end, an empty result, and a
/// name that must be percent-encoded ("build & test" would break the query otherwise).
const LINK_CASES: [LinkCase; 6] = [
    LinkCase {
        query: "page=1&per_page=3",
        total: 8,
        kept: "per_page=3",
        relations: &[("first", 1), ("next", 2), ("last", 3)],
    },
    LinkCase {
        query: "page=2&per_page=3",
        total: 8,
        kept: "per_page=3",
        relations: &[("first", 1), ("prev", 1), ("next", 3), ("last", 3)],
    },
    LinkCase {
        query: "page=3&per_page=3",
        total: 8,
        kept: "per_page=3",
        relations: &[("first", 1), ("prev", 2), ("last", 3)],
    },
    // Past the end: prev is page - 1 whenever page > 1; there is no next.
    LinkCase {
        query: "page=5&per_page=3",
        total: 8,
        kept: "per_page=3",
        relations: &[("first", 1), ("prev", 4), ("last", 3)],
    },
    // Nothing matches: only first, keeping the filters and the default per_page, not sent.
    LinkCase {
        query: "status=revoked&name=nothing",
        total: 0,
        kept: "per_page=25&status=revoked&name=nothing",
        relations: &[("first", 1)],
    },
    LinkCase {
        query: "name=build+%26+test&status=active&page=2&per_page=1",
        total: 3,
        kept: "per_page=1&status=active&name=build%20%26%20test",
        relations: &[("first", 1), ("prev", 1), ("next", 3), ("last", 3)],
    },
];

#[actix_web::test]
async fn each_page_links_to_first_prev_next_and_last_as_they_exist_keeping_the_filters() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    for case in LINK_CASES {
        // Act
        let response = app
            .get(&format!("/v1/tokens?{}", case.query), Some(PAGER))
            .await;

        // Assert
        let link = links(response.headers());
        let body: serde_json::Value = response.json().await.expect("a JSON body");
        assert_eq!(body["meta"]["total"], case.total, "{}", case.query);
        let expected: BTreeMap<String, String> = case
            .relations
            .iter()
            .map(|&(rel, page)| {
                let url = format!("/v1/tokens?page={page}&{}", case.kept);
                (rel.to_owned(), url)
            })
            .collect();
        assert_eq!(link, expected, "{}", case.query);
    }
}

#[actix_web::test]
async fn a_relative_next_link_followed_from_the_server_gives_the_next_page() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let response = app
        .get(
            "/v1/tokens?name=build+%26+test&status=active&page=2&per_page=1",
            Some(PAGER),
        )
        .await;
    let next = links(response.headers())["next"].clone();
    assert!(
        next.starts_with("/v1/tokens?"),
        "a relative reference: {next}"
    );

    // Act
    let body = app.list(&next, PAGER).await;

    // Assert: the active "build & test" tokens are 1, 3 and 5.
    assert_eq!(names(&body), ["Build & test 5"]);
    assert_eq!(
        body["meta"],
        json!({"page": 3, "per_page": 1, "total": 3, "total_pages": 3})
    );
}

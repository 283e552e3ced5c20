//! Rules 12, 13 and 16: order, slicing, pages past the end and the `Link` header.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{link_map, links, names, spawn_app, PAGER};

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

#[actix_web::test]
async fn the_first_page_links_to_next_and_last_but_not_prev() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app.get("/v1/tokens?page=1&per_page=3", Some(PAGER)).await;

    // Assert
    assert_eq!(
        links(response.headers()),
        link_map(&[
            ("first", "/v1/tokens?page=1&per_page=3"),
            ("next", "/v1/tokens?page=2&per_page=3"),
            ("last", "/v1/tokens?page=3&per_page=3"),
        ])
    );
}

#[actix_web::test]
async fn a_middle_page_links_to_first_prev_next_and_last() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app.get("/v1/tokens?page=2&per_page=3", Some(PAGER)).await;

    // Assert
    assert_eq!(
        links(response.headers()),
        link_map(&[
            ("first", "/v1/tokens?page=1&per_page=3"),
            ("prev", "/v1/tokens?page=1&per_page=3"),
            ("next", "/v1/tokens?page=3&per_page=3"),
            ("last", "/v1/tokens?page=3&per_page=3"),
        ])
    );
}

#[actix_web::test]
async fn the_last_page_links_to_first_prev_and_last_but_not_next() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app.get("/v1/tokens?page=3&per_page=3", Some(PAGER)).await;

    // Assert
    assert_eq!(
        links(response.headers()),
        link_map(&[
            ("first", "/v1/tokens?page=1&per_page=3"),
            ("prev", "/v1/tokens?page=2&per_page=3"),
            ("last", "/v1/tokens?page=3&per_page=3"),
        ])
    );
}

#[actix_web::test]
async fn a_page_past_the_end_links_to_the_page_before_it_and_to_the_real_last_page() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app.get("/v1/tokens?page=5&per_page=3", Some(PAGER)).await;

    // Assert: prev is page - 1 whenever page > 1; there is no next.
    assert_eq!(
        links(response.headers()),
        link_map(&[
            ("first", "/v1/tokens?page=1&per_page=3"),
            ("prev", "/v1/tokens?page=4&per_page=3"),
            ("last", "/v1/tokens?page=3&per_page=3"),
        ])
    );
}

#[actix_web::test]
async fn an_empty_result_links_only_to_the_first_page_keeping_the_filters() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app
        .get("/v1/tokens?status=revoked&name=nothing", Some(PAGER))
        .await;

    // Assert: per_page is the default, kept although not sent.
    assert_eq!(
        links(response.headers()),
        link_map(&[(
            "first",
            "/v1/tokens?page=1&per_page=25&status=revoked&name=nothing"
        )])
    );
}

#[actix_web::test]
async fn links_keep_per_page_status_and_the_percent_encoded_name() {
    // Arrange: "build & test" would break the query if it were not encoded.
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app
        .get(
            "/v1/tokens?name=build+%26+test&status=active&page=2&per_page=1",
            Some(PAGER),
        )
        .await;

    // Assert
    let kept = "per_page=1&status=active&name=build%20%26%20test";
    assert_eq!(
        links(response.headers()),
        link_map(&[
            ("first", &format!("/v1/tokens?page=1&{kept}")),
            ("prev", &format!("/v1/tokens?page=1&{kept}")),
            ("next", &format!("/v1/tokens?page=3&{kept}")),
            ("last", &format!("/v1/tokens?page=3&{kept}")),
        ])
    );
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

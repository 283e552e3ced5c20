//! A failure inside the store (`POST /__admin/faults/store-failure`): that listing gets a
//! 503 problem instead of hanging, and the store serves the same data as before.

use std::time::Duration;

use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

use crate::helpers::{assert_problem, spawn_app, token_named, TestApp, NORTH_READER, SOUTH_READER};

const FIXTURE: &str = "workspaces.json";

/// How long a listing may take before it counts as a hang.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// Listings whose answers must survive a restart of the store: every partition and filter.
const LISTINGS: [(&str, &str); 4] = [
    ("/v1/tokens?per_page=100", NORTH_READER),
    ("/v1/tokens?per_page=100", SOUTH_READER),
    (
        "/v1/tokens?status=active&name=shared&per_page=1&page=2",
        NORTH_READER,
    ),
    ("/v1/tokens?status=revoked", NORTH_READER),
];

async fn inject_store_failure(app: &TestApp) {
    let response = app
        .request(Method::POST, "/__admin/faults/store-failure", None)
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
}

/// `GET` that must be answered within [`ANSWER_TIMEOUT`].
async fn get_in_time(app: &TestApp, path: &str, secret: &str) -> Response {
    tokio::time::timeout(ANSWER_TIMEOUT, app.get(path, Some(secret)))
        .await
        .unwrap_or_else(|_| panic!("GET {path} hung for {ANSWER_TIMEOUT:?}"))
}

/// Checks that a listing is the 503 of a failed store; returns the problem.
async fn assert_store_failed(app: &TestApp) -> Value {
    let response = get_in_time(app, "/v1/tokens", NORTH_READER).await;
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let body = assert_problem(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert!(
        retry_after.is_some_and(|seconds| seconds > 0),
        "Retry-After in seconds: {retry_after:?}"
    );
    body
}

/// Every listing of [`LISTINGS`] (each must be 200) and `/readyz`.
async fn served_state(app: &TestApp) -> Vec<Value> {
    let mut state = Vec::new();
    for (path, secret) in LISTINGS {
        let response = get_in_time(app, path, secret).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        state.push(response.json().await.expect("a JSON body"));
    }
    state.push(app.get_json("/readyz").await);
    state
}

#[actix_web::test]
async fn after_a_store_failure_is_injected_the_next_listing_is_a_503_problem_with_retry_after() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    inject_store_failure(&app).await;

    // Act
    let body = assert_store_failed(&app).await;

    // Assert
    let detail = body["detail"].as_str().expect("a detail");
    assert!(!detail.contains("panic"), "the cause is not sent: {detail}");
    assert!(
        !detail.contains("injected"),
        "the cause is not sent: {detail}"
    );
}

#[actix_web::test]
async fn after_a_store_failure_the_following_requests_are_served_the_same_data_as_before() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let before = served_state(&app).await;
    inject_store_failure(&app).await;
    assert_store_failed(&app).await;

    // Act
    let after = served_state(&app).await;

    // Assert
    assert_eq!(after, before);
}

#[actix_web::test]
async fn last_used_at_is_still_recorded_after_the_store_restarts() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    inject_store_failure(&app).await;
    assert_store_failed(&app).await;
    app.clock.advance(chrono::Duration::seconds(90));

    // Act
    let north = app.list("/v1/tokens", NORTH_READER).await;
    let south = app.list("/v1/tokens", SOUTH_READER).await;

    // Assert
    assert_eq!(
        token_named(&north, "Shared reader")["last_used_at"],
        "2026-05-01T00:01:30Z"
    );
    assert_eq!(
        token_named(&south, "Shared reader")["last_used_at"],
        "2026-05-01T00:01:30Z"
    );
}

#[actix_web::test]
async fn the_store_restarts_after_every_failure_even_two_in_a_row() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let before = served_state(&app).await;

    // Act: two failures back to back, then one more after a recovery.
    inject_store_failure(&app).await;
    assert_store_failed(&app).await;
    inject_store_failure(&app).await;
    assert_store_failed(&app).await;
    let after_two = served_state(&app).await;
    inject_store_failure(&app).await;
    assert_store_failed(&app).await;
    let after_three = served_state(&app).await;

    // Assert
    assert_eq!(after_two, before);
    assert_eq!(after_three, before);
}

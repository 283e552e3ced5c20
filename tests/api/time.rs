//! Rules 19 and 20: an active token expires when the one clock reaches its `expires_at`,
//! for listing, counting and authentication, with no restart.

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;

use crate::helpers::{assert_problem, auth, names, spawn_app_at, token_named, FROZEN_NOW};

/// `expiry.json`: "Nightly export" expires at 2026-06-01T00:00:00Z, the others never.
const FIXTURE: &str = "expiry.json";
const ONE_SECOND_BEFORE_EXPIRY: &str = "2026-05-31T23:59:59Z";
const READER: &str = "tok_live_TimeReader00000000000000001";
const NIGHTLY: &str = "tok_live_TimeNightly0000000000000002";
const FOREVER: &str = "tok_live_TimeForever0000000000000003";

#[actix_web::test]
async fn an_active_token_counts_as_active_until_the_clock_reaches_its_expiry() {
    // Arrange
    let app = spawn_app_at(FIXTURE, ONE_SECOND_BEFORE_EXPIRY).await;

    // Act
    let active = app.list("/v1/tokens?status=active", READER).await;
    let expired = app.list("/v1/tokens?status=expired", READER).await;
    let own = app.get("/v1/tokens", Some(NIGHTLY)).await;

    // Assert
    assert_eq!(
        names(&active),
        ["Clock reader", "Nightly export", "Forever key"]
    );
    assert_eq!(expired["meta"]["total"], 0);
    assert_eq!(own.status(), StatusCode::OK);
}

#[actix_web::test]
async fn once_the_clock_reaches_expires_at_the_token_is_listed_and_counted_as_expired() {
    // Arrange
    let app = spawn_app_at(FIXTURE, ONE_SECOND_BEFORE_EXPIRY).await;
    app.list("/v1/tokens?status=active", READER).await;

    // Act: now == expires_at.
    app.clock.advance(Duration::seconds(1));

    // Assert: the status filter, the name filter and the unfiltered listing all agree.
    let active = app.list("/v1/tokens?status=active", READER).await;
    assert_eq!(names(&active), ["Clock reader", "Forever key"]);
    assert_eq!(active["meta"]["total"], 2);
    let expired = app.list("/v1/tokens?status=expired", READER).await;
    assert_eq!(names(&expired), ["Nightly export"]);
    assert_eq!(expired["meta"]["total"], 1);
    assert_eq!(expired["data"][0]["status"], "expired");
    let by_name = app
        .list("/v1/tokens?status=expired&name=nightly", READER)
        .await;
    assert_eq!(names(&by_name), ["Nightly export"]);
    let by_name_active = app
        .list("/v1/tokens?status=active&name=nightly", READER)
        .await;
    assert_eq!(by_name_active["meta"]["total"], 0);
    let all = app.list("/v1/tokens", READER).await;
    assert_eq!(token_named(&all, "Nightly export")["status"], "expired");
}

#[actix_web::test]
async fn once_the_clock_reaches_expires_at_the_secret_gets_401_token_has_expired() {
    // Arrange
    let app = spawn_app_at(FIXTURE, ONE_SECOND_BEFORE_EXPIRY).await;
    assert_eq!(
        app.get("/v1/tokens", Some(NIGHTLY)).await.status(),
        StatusCode::OK
    );

    // Act
    app.clock.advance(Duration::seconds(1));
    let response = app.get("/v1/tokens", Some(NIGHTLY)).await;

    // Assert
    let body = assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let detail = body["detail"].as_str().expect("a detail");
    assert!(detail.contains("token has expired"), "{detail}");
}

#[actix_web::test]
async fn a_token_without_expires_at_never_expires() {
    // Arrange
    let app = spawn_app_at(FIXTURE, ONE_SECOND_BEFORE_EXPIRY).await;

    // Act: a century later.
    app.clock.advance(Duration::days(36_525));
    let response = app.get("/v1/tokens?status=active", Some(FOREVER)).await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("a JSON body");
    assert_eq!(names(&body), ["Clock reader", "Forever key"]);
    assert_eq!(
        token_named(&body, "Forever key")["expires_at"],
        serde_json::Value::Null
    );
}

#[actix_web::test]
async fn a_frozen_clock_stands_still_between_requests_and_moves_only_when_told() {
    // Arrange
    let app = spawn_app_at(FIXTURE, "2026-05-01T00:00:00Z").await;
    let first = app.list("/v1/tokens", READER).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    // Act
    let second = app.list("/v1/tokens", READER).await;
    let at: DateTime<Utc> = "2026-05-02T03:04:05Z".parse().expect("a time");
    app.clock.freeze(at);
    let third = app.list("/v1/tokens", READER).await;

    // Assert: last_used_at shows the clock each request read.
    let used = |body: &serde_json::Value| token_named(body, "Clock reader")["last_used_at"].clone();
    assert_eq!(used(&first), "2026-05-01T00:00:00Z");
    assert_eq!(used(&second), "2026-05-01T00:00:00Z");
    assert_eq!(used(&third), "2026-05-02T03:04:05Z");
}

#[actix_web::test]
async fn without_a_frozen_time_the_clock_is_real_utc_time() {
    // Arrange
    let app = spawn_app_at(FIXTURE, "").await;
    let before = Utc::now().timestamp();

    // Act
    let body = app.list("/v1/tokens", READER).await;

    // Assert
    let after = Utc::now().timestamp();
    let used = token_named(&body, "Clock reader")["last_used_at"]
        .as_str()
        .expect("a timestamp")
        .to_owned();
    let used: DateTime<Utc> = used.parse().expect("RFC 3339");
    assert!(
        (before..=after).contains(&used.timestamp()),
        "{used} not within [{before}, {after}]"
    );
}

#[actix_web::test]
async fn a_token_stored_active_whose_expiry_passed_before_start_up_is_listed_as_expired() {
    // Arrange: "Lapsed key" is stored active and expired one second before the frozen clock.
    let app = spawn_app_at("auth.json", FROZEN_NOW).await;

    // Act
    let expired = app.list("/v1/tokens?status=expired", auth::OBSERVER).await;
    let active = app
        .list("/v1/tokens?status=active&per_page=100", auth::OBSERVER)
        .await;

    // Assert
    assert_eq!(names(&expired), ["Expired key", "Lapsed key"]);
    assert_eq!(token_named(&expired, "Lapsed key")["status"], "expired");
    assert!(!names(&active).contains(&"Lapsed key".to_owned()));
}

//! `/__admin/clock`: read, freeze, advance and release the clock every request reads.

use std::time::Duration;

use chrono::Utc;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{ok_json, parse_time};
use crate::helpers::{
    assert_problem, failing_parameters, spawn_app, spawn_app_at, token_named, FROZEN_NOW,
    NORTH_READER,
};

#[actix_web::test]
async fn get_clock_shows_the_time_and_whether_it_is_frozen() {
    // Arrange
    let frozen = spawn_app("workspaces.json").await;
    let real = spawn_app_at("workspaces.json", "").await;

    // Act
    let frozen_clock = frozen.get_json("/__admin/clock").await;
    let real_clock = real.get_json("/__admin/clock").await;

    // Assert
    assert_eq!(frozen_clock, json!({"now": FROZEN_NOW, "frozen": true}));
    assert_eq!(real_clock["frozen"], false, "{real_clock}");
    let drift = (parse_time(&real_clock["now"]) - Utc::now())
        .num_seconds()
        .abs();
    assert!(drift <= 5, "{real_clock}");
}

#[actix_web::test]
async fn put_clock_freezes_it_at_that_time_for_every_request() {
    // Arrange: "Nightly export" of expiry.json expires at 2026-06-01T00:00:00Z.
    let app = spawn_app_at("expiry.json", "").await;
    let nightly = "tok_live_TimeNightly0000000000000002";
    let reader = "tok_live_TimeReader00000000000000001";

    // Act
    let response = app
        .send_json(
            Method::PUT,
            "/__admin/clock",
            &json!({"now": "2026-07-01T12:00:00Z"}),
        )
        .await;

    // Assert
    assert_eq!(
        ok_json(response).await,
        json!({"now": "2026-07-01T12:00:00Z", "frozen": true})
    );
    let listed = app.list("/v1/tokens", reader).await;
    assert_eq!(
        token_named(&listed, "Clock reader")["last_used_at"],
        "2026-07-01T12:00:00Z"
    );
    assert_eq!(token_named(&listed, "Nightly export")["status"], "expired");
    let expired = app.get("/v1/tokens", Some(nightly)).await;
    assert_problem(expired, StatusCode::UNAUTHORIZED, "invalid_token").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        app.get_json("/__admin/clock").await["now"],
        "2026-07-01T12:00:00Z",
        "a frozen clock stands still"
    );
}

#[actix_web::test]
async fn put_clock_with_a_time_that_is_not_rfc_3339_is_a_400_naming_now_and_changes_nothing() {
    // Arrange
    let app = spawn_app("workspaces.json").await;

    // Act
    let response = app
        .send_json(Method::PUT, "/__admin/clock", &json!({"now": "yesterday"}))
        .await;

    // Assert
    let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(failing_parameters(&body), ["now"]);
    assert_eq!(
        app.get_json("/__admin/clock").await,
        json!({"now": FROZEN_NOW, "frozen": true})
    );
}

#[actix_web::test]
async fn a_clock_body_that_does_not_fit_the_schema_is_a_400_problem() {
    // Arrange
    let app = spawn_app("workspaces.json").await;

    for (path, body, field) in [
        ("/__admin/clock", json!({"time": FROZEN_NOW}), "time"),
        (
            "/__admin/clock/advance",
            json!({"seconds": "ten"}),
            "seconds",
        ),
    ] {
        // Act
        let method = if path.ends_with("advance") {
            Method::POST
        } else {
            Method::PUT
        };
        let response = app.send_json(method, path, &body).await;

        // Assert
        let problem = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(failing_parameters(&problem), [field], "{path}");
    }
}

#[actix_web::test]
async fn advancing_the_clock_moves_it_by_the_seconds_given_and_expiry_follows() {
    // Arrange: one second before "Nightly export" expires.
    let app = spawn_app_at("expiry.json", "2026-05-31T23:59:59Z").await;
    let nightly = "tok_live_TimeNightly0000000000000002";
    assert_eq!(
        app.get("/v1/tokens", Some(nightly)).await.status(),
        StatusCode::OK
    );

    // Act
    let forward = app
        .send_json(
            Method::POST,
            "/__admin/clock/advance",
            &json!({"seconds": 1}),
        )
        .await;
    let expired = app.get("/v1/tokens", Some(nightly)).await;
    let back = app
        .send_json(
            Method::POST,
            "/__admin/clock/advance",
            &json!({"seconds": -1}),
        )
        .await;
    let active_again = app.get("/v1/tokens", Some(nightly)).await;

    // Assert
    assert_eq!(
        ok_json(forward).await,
        json!({"now": "2026-06-01T00:00:00Z", "frozen": true})
    );
    assert_problem(expired, StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert_eq!(
        ok_json(back).await,
        json!({"now": "2026-05-31T23:59:59Z", "frozen": true})
    );
    assert_eq!(active_again.status(), StatusCode::OK);
}

#[actix_web::test]
async fn advancing_the_clock_beyond_a_century_is_a_400_naming_seconds() {
    // Arrange
    let app = spawn_app("workspaces.json").await;

    // Act
    let response = app
        .send_json(
            Method::POST,
            "/__admin/clock/advance",
            &json!({"seconds": 9_000_000_000_i64}),
        )
        .await;

    // Assert
    let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(failing_parameters(&body), ["seconds"]);
    assert_eq!(app.get_json("/__admin/clock").await["now"], FROZEN_NOW);
}

#[actix_web::test]
async fn delete_clock_returns_to_real_time() {
    // Arrange
    let app = spawn_app("workspaces.json").await;

    // Act
    let response = app.request(Method::DELETE, "/__admin/clock", None).await;

    // Assert
    let clock = ok_json(response).await;
    assert_eq!(clock["frozen"], false, "{clock}");
    let drift = (parse_time(&clock["now"]) - Utc::now()).num_seconds().abs();
    assert!(drift <= 5, "{clock}");
    let listed = app.list("/v1/tokens", NORTH_READER).await;
    let used = parse_time(&token_named(&listed, "Shared reader")["last_used_at"]);
    assert!((used - Utc::now()).num_seconds().abs() <= 5, "{used}");
}

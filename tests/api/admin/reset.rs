//! `POST /__admin/reset`: back to the configured snapshot, clock and faults, with an empty
//! journal.

use chrono::Utc;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{journal_entries, ok_json, parse_time, put_fixture};
use crate::helpers::{
    assert_problem, auth, spawn_app_at, spawn_app_with, FROZEN_NOW, NORTH_READER,
};

#[actix_web::test]
async fn reset_restores_the_configured_snapshot_clock_and_faults_and_empties_the_journal() {
    // Arrange: configured with a frozen clock and a non-default error status.
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[("TOOKEN__FAULTS__ERROR_STATUS", "503")],
    )
    .await;
    let configured_faults = app.get_json("/__admin/faults").await;
    let before = app.list("/v1/tokens", NORTH_READER).await;
    ok_json(put_fixture(&app, "auth.json").await).await;
    ok_json(
        app.send_json(
            Method::PUT,
            "/__admin/clock",
            &json!({"now": "2030-01-01T00:00:00Z"}),
        )
        .await,
    )
    .await;
    let changed =
        json!({"latency_ms": {"fixed": 0, "jitter": 7}, "error_rate": 0.0, "error_status": 500});
    ok_json(
        app.send_json(Method::PUT, "/__admin/faults", &changed)
            .await,
    )
    .await;
    app.list("/v1/tokens", auth::READER).await;
    assert!(!journal_entries(&app, "/__admin/requests").await.is_empty());

    // Act
    let response = app.request(Method::POST, "/__admin/reset", None).await;

    // Assert
    let loaded = ok_json(response).await;
    assert_eq!(loaded, json!({"tokens": 6, "workspaces": 2}));
    assert_eq!(
        app.get_json("/__admin/clock").await,
        json!({"now": FROZEN_NOW, "frozen": true})
    );
    assert_eq!(app.get_json("/__admin/faults").await, configured_faults);
    assert!(journal_entries(&app, "/__admin/requests").await.is_empty());
    let old_secret = app.get("/v1/tokens", Some(auth::READER)).await;
    assert_problem(old_secret, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let after = app.list("/v1/tokens", NORTH_READER).await;
    assert_eq!(after, before);
}

#[actix_web::test]
async fn reset_returns_a_clock_configured_as_real_time_to_real_time() {
    // Arrange
    let app = spawn_app_at("workspaces.json", "").await;
    ok_json(
        app.send_json(
            Method::PUT,
            "/__admin/clock",
            &json!({"now": "2030-01-01T00:00:00Z"}),
        )
        .await,
    )
    .await;

    // Act
    ok_json(app.request(Method::POST, "/__admin/reset", None).await).await;

    // Assert
    let clock = app.get_json("/__admin/clock").await;
    assert_eq!(clock["frozen"], false, "{clock}");
    let drift = (parse_time(&clock["now"]) - Utc::now()).num_seconds().abs();
    assert!(drift <= 5, "{clock}");
}

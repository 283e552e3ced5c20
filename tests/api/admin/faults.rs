//! `/__admin/faults`: latency and injected errors for every API request, and their ranges.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::ok_json;
use crate::helpers::{assert_problem, auth, failing_parameters, spawn_app};

#[actix_web::test]
async fn put_faults_sets_latency_and_injected_errors_for_every_api_request() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let failing =
        json!({"latency_ms": {"fixed": 0, "jitter": 0}, "error_rate": 1.0, "error_status": 503});
    let slow =
        json!({"latency_ms": {"fixed": 400, "jitter": 0}, "error_rate": 0.0, "error_status": 500});

    // Act and assert: every request fails.
    let set = ok_json(
        app.send_json(Method::PUT, "/__admin/faults", &failing)
            .await,
    )
    .await;
    assert_eq!(set, failing);
    assert_eq!(app.get_json("/__admin/faults").await, failing);
    for _ in 0..5 {
        let response = app.get("/v1/tokens", Some(auth::READER)).await;
        assert_problem(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    }

    // Act and assert: every request is slow, and succeeds.
    ok_json(app.send_json(Method::PUT, "/__admin/faults", &slow).await).await;
    let started = Instant::now();
    let response = app.get("/v1/tokens", Some(auth::READER)).await;
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(response.status(), StatusCode::OK);
}

#[actix_web::test]
async fn put_faults_out_of_range_is_a_400_naming_each_bad_field_and_changes_nothing() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let before = app.get_json("/__admin/faults").await;
    let cases = [
        (
            json!({"latency_ms": {"fixed": 30001, "jitter": 30001}, "error_rate": 1.5, "error_status": 502}),
            vec![
                "latency_ms.fixed",
                "latency_ms.jitter",
                "error_rate",
                "error_status",
            ],
        ),
        (
            json!({"latency_ms": {"fixed": 0, "jitter": 0}, "error_rate": -0.1, "error_status": 500}),
            vec!["error_rate"],
        ),
        (
            json!({"latency_ms": {"fixed": 0, "jitter": 0}, "error_rate": 0.0, "error_status": 404}),
            vec!["error_status"],
        ),
    ];

    for (faults, fields) in cases {
        // Act
        let response = app.send_json(Method::PUT, "/__admin/faults", &faults).await;

        // Assert
        let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(failing_parameters(&body), fields, "{faults}");
        assert_eq!(app.get_json("/__admin/faults").await, before);
    }
}

#[actix_web::test]
async fn the_limits_of_the_fault_ranges_are_accepted() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let edge = json!({"latency_ms": {"fixed": 30000, "jitter": 30000}, "error_rate": 0.0, "error_status": 503});

    // Act
    let response = app.send_json(Method::PUT, "/__admin/faults", &edge).await;

    // Assert
    assert_eq!(ok_json(response).await, edge);
}

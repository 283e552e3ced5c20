//! `server.body_timeout_ms`: a request body that never completes does not hold its connection.
//! Each such request is answered 408 and its connection closed once the timeout passes, and
//! a normal client is served all along.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::helpers::{read_until_closed, send_raw, spawn_app_with, FROZEN_NOW};

/// Connections that send half a body and then nothing.
const STALLED: usize = 60;

/// Half a request with a body: the headers promise 1,000 bytes, 9 come.
fn half_a_body(method: &str, path: &str) -> Vec<u8> {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: 1000\r\n\r\n{{\"tokens\""
    )
    .into_bytes()
}

#[actix_web::test]
async fn sixty_bodies_that_never_complete_get_408_and_closed_while_a_normal_client_is_served() {
    // Arrange
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[("TOOKEN__SERVER__BODY_TIMEOUT_MS", "500")],
    )
    .await;
    let started = Instant::now();
    // Routes that read a body: a snapshot, and JSON bodies of the admin API.
    let requests = [
        ("PUT", "/__admin/snapshot"),
        ("PUT", "/__admin/clock"),
        ("PUT", "/__admin/faults"),
        ("POST", "/__admin/clock/advance"),
    ];
    let stalled: Vec<_> = (0..STALLED)
        .map(|n| {
            let (method, path) = requests[n % requests.len()];
            (path, send_raw(app.address, &half_a_body(method, path)))
        })
        .collect();

    // Act: a normal client while they stall.
    let health = app.get("/healthz", None).await;
    let listing = app
        .get("/v1/tokens", Some(crate::helpers::NORTH_READER))
        .await;
    let mut answers = Vec::new();
    for (path, stream) in stalled {
        answers.push((path, read_until_closed(stream).await));
    }

    // Assert
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(listing.status(), StatusCode::OK);
    for (path, answer) in &answers {
        assert_eq!(answer.status, Some(408), "{path}: {}", answer.text);
        assert!(
            answer.text.contains("request_timeout"),
            "{path}: {}",
            answer.text
        );
        assert!(
            answer.text.contains("server.body_timeout_ms"),
            "{path}: {}",
            answer.text
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "all answered about the timeout after they stalled: {:?}",
        started.elapsed()
    );
}

#[actix_web::test]
async fn a_body_that_completes_within_the_timeout_is_read_as_before() {
    // Arrange
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[("TOOKEN__SERVER__BODY_TIMEOUT_MS", "500")],
    )
    .await;

    // Act
    let response = app
        .send_json(
            reqwest::Method::PUT,
            "/__admin/clock",
            &serde_json::json!({"now": "2026-06-01T00:00:00Z"}),
        )
        .await;

    // Assert
    assert!(response.status().is_success(), "{}", response.status());
}

#[actix_web::test]
async fn a_body_that_never_completes_on_a_route_that_reads_none_does_not_hold_its_connection() {
    // Arrange
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[("TOOKEN__SERVER__BODY_TIMEOUT_MS", "500")],
    )
    .await;
    let started = Instant::now();
    let stalled: Vec<_> = [
        ("GET", "/v1/tokens"),
        ("POST", "/__admin/reset"),
        ("GET", "/healthz"),
    ]
    .into_iter()
    .map(|(method, path)| (path, send_raw(app.address, &half_a_body(method, path))))
    .collect();

    // Act
    let mut answers = Vec::new();
    for (path, stream) in stalled {
        answers.push((path, read_until_closed(stream).await));
    }

    // Assert: answered, and the connection closed rather than left waiting for the rest.
    for (path, answer) in &answers {
        assert!(answer.status.is_some(), "{path}: {}", answer.text);
    }
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
}

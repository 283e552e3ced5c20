//! Rule 11b: name filters are scanned on `store.scan_threads` threads fed by a queue of
//! `store.scan_queue` scans; a full queue is answered 503 `scans_busy` with `Retry-After` at
//! once, and a scan whose client has left before a thread takes it is skipped.
//!
//! Deterministic through `store.scan_delay_ms`: every scan then holds its thread that long,
//! and `/metrics` tells when a scan runs and when one waits.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{names, send_raw, spawn_app_with, TestApp, FROZEN_NOW, NAMES_OBSERVER};

const FIXTURE: &str = "names.json";

/// One scan thread, one scan waiting, each scan holding its thread `delay_ms`.
async fn one_thread_one_waiting(delay_ms: &str) -> TestApp {
    spawn_app_with(
        FIXTURE,
        FROZEN_NOW,
        &[
            ("TOOKEN__STORE__SCAN_THREADS", "1"),
            ("TOOKEN__STORE__SCAN_QUEUE", "1"),
            ("TOOKEN__STORE__SCAN_DELAY_MS", delay_ms),
        ],
    )
    .await
}

/// The value of the series `series` (name and labels, as written) at `/metrics`.
async fn metric(app: &TestApp, series: &str) -> i64 {
    let response = app.get("/metrics", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("the exposition");
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no series {series} in:\n{text}"))
}

/// Waits until `series` reads `value`; panics after ten seconds.
async fn until(app: &TestApp, series: &str, value: i64) {
    let started = Instant::now();
    while metric(app, series).await != value {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{series} never reached {value}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Lists `name=<needle>` on a task of its own; the handle gives the status and the names.
fn list_later(app: &TestApp, needle: &str) -> actix_web::rt::task::JoinHandle<(StatusCode, Value)> {
    let request = app
        .client
        .get(app.url(&format!("/v1/tokens?per_page=100&name={needle}")))
        .bearer_auth(NAMES_OBSERVER);
    actix_web::rt::spawn(async move {
        let response = request.send().await.expect("the request is answered");
        let status = response.status();
        (status, response.json().await.expect("a JSON body"))
    })
}

#[actix_web::test]
async fn a_name_filter_finding_the_scan_queue_full_is_answered_503_scans_busy_at_once() {
    // Arrange: one scan runs, one waits: the queue (1) is full.
    let app = one_thread_one_waiting("1500").await;
    let running = list_later(&app, "ci");
    until(&app, "tooken_scans_running", 1).await;
    let waiting = list_later(&app, "bot");
    until(&app, "tooken_scans_queued", 1).await;

    // Act
    let started = Instant::now();
    let refused = app.get("/v1/tokens?name=key", Some(NAMES_OBSERVER)).await;
    let waited = started.elapsed();

    // Assert: at once, not after the scans ahead of it (each holds its thread 1.5 s).
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(waited < Duration::from_millis(1000), "waited {waited:?}");
    assert_eq!(refused.headers()["retry-after"], "1");
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = refused.json().await.expect("a problem body");
    assert_eq!(problem["status"], 503);
    assert_eq!(problem["code"], "scans_busy");
    assert_eq!(problem["title"], "Service Unavailable");
    let detail = problem["detail"].as_str().expect("a detail");
    assert!(detail.contains("store.scan_queue"), "{detail}");
    // The scans ahead of it lose nothing.
    let (status, body) = running.await.expect("the first listing");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        names(&body),
        ["ci-deploy", "CI Pipeline Token", "CI Bot", "ci+bot"]
    );
    let (status, body) = waiting.await.expect("the second listing");
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        metric(&app, r#"tooken_scans_total{outcome="busy"}"#).await,
        1
    );
    assert_eq!(
        metric(&app, r#"tooken_scans_total{outcome="scanned"}"#).await,
        2
    );
    // With room in the queue again, the same filter is listed.
    let again = app.list("/v1/tokens?name=key", NAMES_OBSERVER).await;
    assert_eq!(again["meta"]["total"], names(&again).len());
}

#[actix_web::test]
async fn a_name_filter_whose_client_left_before_its_scan_started_is_not_scanned() {
    // Arrange: one scan runs; a second client asks for another filter, then leaves while its
    // scan waits for the thread.
    let app = one_thread_one_waiting("1500").await;
    let running = list_later(&app, "ci");
    until(&app, "tooken_scans_running", 1).await;
    let request = format!(
        "GET /v1/tokens?name=bot HTTP/1.1\r\nHost: 127.0.0.1\r\n\
         Authorization: Bearer {NAMES_OBSERVER}\r\n\r\n"
    );
    let leaving = send_raw(app.address, request.as_bytes());
    until(&app, "tooken_scans_queued", 1).await;

    // Act
    drop(leaving);

    // Assert: the running scan finishes; the other one is taken and skipped.
    let (status, _) = running.await.expect("the first listing");
    assert_eq!(status, StatusCode::OK);
    until(&app, "tooken_scans_queued", 0).await;
    until(&app, r#"tooken_scans_total{outcome="skipped"}"#, 1).await;
    assert_eq!(
        metric(&app, r#"tooken_scans_total{outcome="scanned"}"#).await,
        1
    );
    assert_eq!(metric(&app, "tooken_scans_running").await, 0);
}

#[actix_web::test]
async fn a_client_that_stays_gets_its_page_after_the_scans_ahead_of_it() {
    // Arrange: the same queue, every client waiting for its answer.
    let app = one_thread_one_waiting("300").await;
    let first = list_later(&app, "ci");
    until(&app, "tooken_scans_running", 1).await;
    let second = list_later(&app, "bot");
    until(&app, "tooken_scans_queued", 1).await;

    // Act
    let (first, second) = (first.await, second.await);

    // Assert
    let (status, body) = first.expect("the first listing");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        names(&body),
        ["ci-deploy", "CI Pipeline Token", "CI Bot", "ci+bot"]
    );
    let (status, body) = second.expect("the second listing");
    assert_eq!(status, StatusCode::OK);
    assert!(names(&body)
        .iter()
        .all(|n| n.to_lowercase().contains("bot")));
    assert_eq!(
        metric(&app, r#"tooken_scans_total{outcome="skipped"}"#).await,
        0
    );
    assert_eq!(
        metric(&app, r#"tooken_scans_total{outcome="scanned"}"#).await,
        2
    );
}

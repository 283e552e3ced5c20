//! What the log says of a failure, on the real binary with JSON logs: a panic is one JSON line
//! with its message and location (no backtrace, even with `RUST_BACKTRACE=1`), and a request
//! that failed inside the server is logged once, with the request id its client was sent.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{fixture, Binary, FROZEN_NOW, NORTH_READER};

/// The client's own request id, which the server keeps.
const REQUEST_ID: &str = "failed-listing-1";

/// Serves `workspaces.json` with JSON logs and a backtrace asked for; makes one listing fail
/// inside the store. Returns the binary, the response's status and its `X-Request-Id`.
async fn fail_one_listing() -> (Binary, StatusCode, String) {
    let snapshot = fixture("workspaces.json");
    let args = [
        "--port",
        "0",
        "--snapshot",
        snapshot.to_str().expect("UTF-8"),
        "--now",
        FROZEN_NOW,
        "--log-format",
        "json",
    ];
    let mut binary = Binary::start(&args, &[("RUST_BACKTRACE", "1")]);
    let base = binary.wait_for_banner().await;
    let client = reqwest::Client::new();
    let injected = client
        .post(format!("{base}/__admin/faults/store-failure"))
        .send()
        .await
        .expect("answered");
    assert_eq!(injected.status(), StatusCode::ACCEPTED);
    let response = client
        .get(format!("{base}/v1/tokens"))
        .bearer_auth(NORTH_READER)
        .header("X-Request-Id", REQUEST_ID)
        .send()
        .await
        .expect("answered");
    let id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("an X-Request-Id")
        .to_owned();
    let status = response.status();
    // The request's own line comes last: every line of the failure is in by then.
    binary
        .wait_for_stderr(&format!("\"request_id\":\"{id}\",\"method\""))
        .await;
    (binary, status, id)
}

/// Every line of standard error as a JSON object; panics on a line that is not one.
fn json_lines(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .map(|line| {
            let object: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:?}\n{stderr}"));
            assert!(object.is_object(), "{line}");
            object
        })
        .collect()
}

#[tokio::test]
async fn a_panic_while_listing_is_one_json_line_with_its_message_and_location() {
    // Act
    let (binary, status, _) = fail_one_listing().await;

    // Assert
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let stderr = binary.stderr();
    let lines = json_lines(&stderr);
    let panics: Vec<&Value> = lines.iter().filter(|l| l["message"] == "panic").collect();
    assert_eq!(panics.len(), 1, "{stderr}");
    let panic = panics[0];
    assert_eq!(panic["level"], "ERROR", "{panic}");
    assert!(
        panic["panic.message"]
            .as_str()
            .is_some_and(|m| m.contains("store failure")),
        "{panic}"
    );
    assert!(
        panic["panic.location"]
            .as_str()
            .is_some_and(|l| l.starts_with("src/store/") && l.contains(".rs:")),
        "{panic}"
    );
}

#[tokio::test]
async fn a_failed_request_is_logged_once_with_the_request_id_its_client_was_sent() {
    // Act
    let (binary, status, id) = fail_one_listing().await;

    // Assert
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(id, REQUEST_ID);
    let stderr = binary.stderr();
    let failures: Vec<Value> = json_lines(&stderr)
        .into_iter()
        .filter(|l| l["message"] == "request failed")
        .collect();
    assert_eq!(failures.len(), 1, "one line for one failure:\n{stderr}");
    assert_eq!(failures[0]["request_id"], id, "{stderr}");
}

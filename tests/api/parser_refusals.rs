//! Rule 23, requests the HTTP parser refuses before any route sees them: raw non-ASCII bytes in the
//! request line (what `curl "$API?name=Straße"` sends), HTTP/1.1 without `Host`, more headers than
//! the parser takes. actix-http answers them itself with a bare 400 or 431; they are a client's
//! mistake, so they leave no ERROR line in the server's log at the default level, and are shown
//! only when debugging.

use std::net::SocketAddr;

use crate::helpers::{fixture, raw_exchange, Binary, FROZEN_NOW};

/// What actix-http's dispatcher writes for each request its parser refused.
const REFUSAL_LINE: &str = "stream error: request parse error";

/// Each request the parser refuses, with the status it gets.
fn refused_requests() -> Vec<(&'static str, Vec<u8>, u16)> {
    let mut many_headers = b"GET /v1/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\n".to_vec();
    for i in 0..120 {
        many_headers.extend_from_slice(format!("X-Header-{i}: {i}\r\n").as_bytes());
    }
    many_headers.extend_from_slice(b"Connection: close\r\n\r\n");
    vec![
        (
            "raw UTF-8 in the query",
            "GET /v1/tokens?name=Straße HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                .as_bytes()
                .to_vec(),
            400,
        ),
        (
            "HTTP/1.1 without Host",
            b"GET /v1/tokens HTTP/1.1\r\nConnection: close\r\n\r\n".to_vec(),
            400,
        ),
        ("120 headers", many_headers, 431),
    ]
}

/// Serves the auth fixture with `log.level` set to `level`; the base URL and the address.
async fn serve_logging_at(level: &str) -> (Binary, String, SocketAddr) {
    let snapshot = fixture("auth.json");
    let mut binary = Binary::start(
        &[
            "--port",
            "0",
            "--snapshot",
            snapshot.to_str().expect("UTF-8"),
            "--now",
            FROZEN_NOW,
        ],
        &[("TOOKEN__LOG__LEVEL", level)],
    );
    let base = binary.wait_for_banner().await;
    let address = base
        .strip_prefix("http://")
        .and_then(|a| a.parse().ok())
        .expect("an address");
    (binary, base, address)
}

/// Sends every refused request, then one the server answers and logs: once that line is
/// written, any line about the refused ones is too. Returns the whole log.
async fn refuse_each_then_log_one(binary: &Binary, base: &str, address: SocketAddr) -> String {
    for (what, request, status) in refused_requests() {
        let response = raw_exchange(address, &request).await;
        assert_eq!(response.status, Some(status), "{what}: {}", response.text);
    }
    let answered = reqwest::Client::new()
        .get(format!("{base}/v1/tokens"))
        .header("X-Request-Id", "after-the-refusals")
        .send()
        .await
        .expect("answered");
    assert_eq!(answered.status(), reqwest::StatusCode::UNAUTHORIZED);
    binary.wait_for_stderr("after-the-refusals").await
}

#[tokio::test]
async fn requests_the_http_parser_refuses_log_no_error_at_the_default_level() {
    // Arrange
    let (binary, base, address) = serve_logging_at("info").await;

    // Act
    let log = refuse_each_then_log_one(&binary, &base, address).await;

    // Assert
    let errors: Vec<&str> = log.lines().filter(|l| l.contains("ERROR")).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(!log.contains("stream error"), "{log}");
}

#[tokio::test]
async fn requests_the_http_parser_refuses_are_logged_when_debugging() {
    // Arrange
    let (binary, base, address) = serve_logging_at("debug").await;

    // Act
    let log = refuse_each_then_log_one(&binary, &base, address).await;

    // Assert
    let refusals = log.lines().filter(|l| l.contains(REFUSAL_LINE)).count();
    assert_eq!(refusals, refused_requests().len(), "{log}");
}

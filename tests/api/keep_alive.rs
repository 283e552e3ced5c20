//! Rule 45, keep-alive: `Keep-Alive: timeout=N` announces `server.keep_alive_secs` on every
//! response that leaves its connection open, from the mock and the proxy alike; a connection
//! idle for less than the timeout still answers, one idle past it is closed.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::helpers::{send_raw, spawn_app_with, FROZEN_NOW};
use crate::proxy::spawn_proxy;

const KEEP: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/// Reads one response (head and `Content-Length` body) from `stream`, lower-cased; `None`
/// when the server closed the connection (or reset it) before a whole response.
async fn read_response(stream: TcpStream) -> (TcpStream, Option<String>) {
    tokio::task::spawn_blocking(move || {
        let mut stream = stream;
        let mut received = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            let text = String::from_utf8_lossy(&received).to_ascii_lowercase();
            if let Some(end) = text.find("\r\n\r\n") {
                let length: usize = text[..end]
                    .lines()
                    .find_map(|line| line.strip_prefix("content-length:"))
                    .and_then(|value| value.trim().parse().ok())
                    .unwrap_or(0);
                if received.len() >= end + 4 + length {
                    return (stream, Some(text));
                }
            }
            match stream.read(&mut buffer) {
                Ok(0) | Err(_) => return (stream, None),
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await
    .expect("the reading task completes")
}

/// Sends `request` on `stream` and reads the answer; `None` when the connection is closed.
async fn exchange(mut stream: TcpStream, request: &[u8]) -> (TcpStream, Option<String>) {
    if stream.write_all(request).is_err() {
        return (stream, None);
    }
    read_response(stream).await
}

/// One request on a fresh connection, its answer lower-cased.
async fn one(address: SocketAddr, request: &[u8]) -> String {
    read_response(send_raw(address, request))
        .await
        .1
        .expect("an answer")
}

#[actix_web::test]
async fn the_keep_alive_header_follows_the_setting_on_the_mock_and_the_proxy() {
    // Arrange
    let app = spawn_app_with(
        "auth.json",
        FROZEN_NOW,
        &[("TOOKEN__SERVER__KEEP_ALIVE_SECS", "42")],
    )
    .await;
    let upstream = format!("http://{}/v1", app.address);
    let proxy = spawn_proxy(&upstream, &[("TOOKEN__SERVER__KEEP_ALIVE_SECS", "17")]).await;
    let listing =
        b"GET /v1/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer nope\r\n\r\n";
    let missing = b"GET /nothing-here HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    for (server, address, value) in [
        ("mock", app.address, "keep-alive: timeout=42\r\n"),
        ("proxy", proxy.address, "keep-alive: timeout=17\r\n"),
    ] {
        // Act: a success, an error from the API, an unknown path.
        for request in [KEEP, listing.as_slice(), missing.as_slice()] {
            let text = one(address, request).await;

            // Assert
            assert!(text.contains(value), "{server}: {text}");
            assert!(!text.contains("connection: close"), "{server}: {text}");
        }
    }
}

#[actix_web::test]
async fn responses_that_close_their_connection_announce_no_keep_alive() {
    // Arrange
    let app = spawn_app_with(
        "auth.json",
        FROZEN_NOW,
        &[("TOOKEN__SERVER__KEEP_ALIVE_SECS", "42")],
    )
    .await;
    let off = spawn_app_with(
        "auth.json",
        FROZEN_NOW,
        &[("TOOKEN__SERVER__KEEP_ALIVE_SECS", "0")],
    )
    .await;
    let upstream = format!("http://{}/v1", app.address);
    let proxy = spawn_proxy(&upstream, &[("TOOKEN__SERVER__KEEP_ALIVE_SECS", "17")]).await;
    let close = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    let old = b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";

    for (server, address, request) in [
        ("mock, Connection: close", app.address, close.as_slice()),
        ("mock, HTTP/1.0", app.address, old.as_slice()),
        ("proxy, Connection: close", proxy.address, close.as_slice()),
        ("proxy, HTTP/1.0", proxy.address, old.as_slice()),
        ("mock, keep_alive_secs = 0", off.address, KEEP),
    ] {
        // Act
        let text = one(address, request).await;

        // Assert
        assert!(text.contains(" 200 "), "{server}: {text}");
        assert!(!text.contains("keep-alive"), "{server}: {text}");
    }
}

#[actix_web::test]
async fn the_default_keeps_a_connection_idle_past_six_seconds_open() {
    // Arrange: the default settings; the connection answers once, then idles 6 s.
    let app = spawn_app_with("auth.json", FROZEN_NOW, &[]).await;
    let (stream, first) = exchange(send_raw(app.address, b""), KEEP).await;
    let first = first.expect("a first answer");
    let announced: u64 = first
        .lines()
        .find_map(|line| line.strip_prefix("keep-alive: timeout="))
        .and_then(|secs| secs.trim().parse().ok())
        .expect("the timeout is announced");
    tokio::time::sleep(Duration::from_secs(6)).await;

    // Act
    let (_, second) = exchange(stream, KEEP).await;

    // Assert: answered on the same connection; the announced timeout leaves clients room.
    let second = second.expect("the same connection answers after 6 s idle");
    assert!(second.starts_with("http/1.1 200"), "{second}");
    assert!(announced >= 60, "announced {announced} s");
}

#[actix_web::test]
async fn a_connection_idle_past_a_configured_timeout_is_closed() {
    // Arrange: 2 s; the connection answers once, then idles past it.
    let two = [("TOOKEN__SERVER__KEEP_ALIVE_SECS", "2")];
    let app = spawn_app_with("auth.json", FROZEN_NOW, &two).await;
    let upstream = format!("http://{}/v1", app.address);
    let proxy = spawn_proxy(&upstream, &two).await;
    for (server, address) in [("mock", app.address), ("proxy", proxy.address)] {
        let (stream, first) = exchange(send_raw(address, b""), KEEP).await;
        let first = first.expect("a first answer");
        assert!(
            first.contains("keep-alive: timeout=2\r\n"),
            "{server}: {first}"
        );
        let (stream, within) = exchange(stream, KEEP).await;
        assert!(within.is_some(), "{server}: open within the timeout");
        tokio::time::sleep(Duration::from_millis(3500)).await;

        // Act
        let (_, after) = exchange(stream, KEEP).await;

        // Assert
        assert_eq!(after, None, "{server}: closed after the timeout");
    }
}

//! The `Host` check against DNS rebinding: on loopback only loopback names and the hosts of
//! `server.allowed_hosts` are answered, on every surface but the probes; beyond loopback the
//! check is off unless hosts are listed; a request without `Host` is answered as before.

use std::net::SocketAddr;

use serde_json::{json, Value};

use crate::helpers::{auth, raw_exchange, spawn_app, spawn_app_with, FROZEN_NOW};

const FIXTURE: &str = "auth.json";

/// What came back for a `GET path` with this `Host` (and the reader's secret).
async fn get_with_host(address: SocketAddr, path: &str, host: &str) -> (u16, Value) {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\n\
         Connection: close\r\n\r\n",
        auth::READER
    );
    let response = raw_exchange(address, request.as_bytes()).await;
    let status = response
        .status
        .unwrap_or_else(|| panic!("no status for {host}: {}", response.text));
    let (head, body) = response
        .text
        .split_once("\r\n\r\n")
        .expect("a head and a body");
    let problem = head
        .to_ascii_lowercase()
        .contains("content-type: application/problem+json");
    let body = match problem {
        true => serde_json::from_str(body).expect("a JSON problem"),
        false => Value::Null,
    };
    (status, body)
}

/// Every surface that answers a browser: the API, the admin API, Swagger UI and the documents.
const SURFACES: [&str; 7] = [
    "/v1/tokens",
    "/__admin/clock",
    "/__admin/snapshot",
    "/docs/",
    "/openapi.json",
    "/openapi.yaml",
    "/metrics",
];

#[actix_web::test]
async fn a_rebinding_host_gets_403_forbidden_host_on_every_surface() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let port = app.address.port();

    for host in [format!("rebind.evil.example:{port}"), "evil.example".into()] {
        for path in SURFACES {
            // Act
            let (status, problem) = get_with_host(app.address, path, &host).await;

            // Assert
            assert_eq!(status, 403, "{host} {path}");
            assert_eq!(problem["code"], "forbidden_host", "{host} {path}");
            let detail = problem["detail"].as_str().expect("a detail");
            assert!(detail.contains("server.allowed_hosts"), "{detail}");
        }
    }
}

#[actix_web::test]
async fn loopback_hosts_are_answered_with_any_port() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let port = app.address.port();

    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        format!("app.localhost:{port}"),
        "localhost".to_owned(),
        "127.0.0.1:1".to_owned(),
    ] {
        for path in SURFACES {
            // Act
            let (status, _) = get_with_host(app.address, path, &host).await;

            // Assert
            assert_eq!(status, 200, "{host} {path}");
        }
    }
}

#[actix_web::test]
async fn hosts_listed_in_server_allowed_hosts_are_answered_and_others_still_refused() {
    // Arrange
    let app = spawn_app_with(
        FIXTURE,
        FROZEN_NOW,
        &[(
            "TOOKEN__SERVER__ALLOWED_HOSTS",
            "mock.internal, .dev.example",
        )],
    )
    .await;

    for (host, status) in [
        ("mock.internal:8080", 200),
        ("api.dev.example", 200),
        ("dev.example:443", 200),
        ("localhost:3000", 200),
        ("mock.internal.evil.example", 403),
        ("other.example", 403),
    ] {
        // Act
        let (answered, _) = get_with_host(app.address, "/v1/tokens", host).await;

        // Assert
        assert_eq!(answered, status, "{host}");
    }
}

#[actix_web::test]
async fn the_probes_answer_whatever_the_host() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    for path in ["/healthz", "/readyz"] {
        // Act
        let (status, _) = get_with_host(app.address, path, "10.1.2.3:8080").await;

        // Assert
        assert_eq!(status, 200, "{path}");
    }
}

#[actix_web::test]
async fn beyond_loopback_any_host_is_answered_unless_allowed_hosts_is_set() {
    // Arrange
    let open = spawn_app_with(FIXTURE, FROZEN_NOW, &[("TOOKEN__SERVER__HOST", "0.0.0.0")]).await;
    let listed = spawn_app_with(
        FIXTURE,
        FROZEN_NOW,
        &[
            ("TOOKEN__SERVER__HOST", "0.0.0.0"),
            ("TOOKEN__SERVER__ALLOWED_HOSTS", "mock.internal"),
        ],
    )
    .await;

    // Act
    let (pod_ip, _) = get_with_host(open.address, "/v1/tokens", "10.1.2.3:8080").await;
    let (refused, problem) = get_with_host(listed.address, "/v1/tokens", "10.1.2.3:8080").await;
    let (named, _) = get_with_host(listed.address, "/v1/tokens", "mock.internal").await;

    // Assert
    assert_eq!(pod_ip, 200);
    assert_eq!(
        (refused, problem["code"].clone()),
        (403, json!("forbidden_host"))
    );
    assert_eq!(named, 200);
}

#[actix_web::test]
async fn a_request_without_host_is_answered_as_before() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let request = format!(
        "GET /v1/tokens HTTP/1.0\r\nAuthorization: Bearer {}\r\n\r\n",
        auth::READER
    );

    // Act
    let response = raw_exchange(app.address, request.as_bytes()).await;

    // Assert
    let status_line = response.text.lines().next().unwrap_or_default();
    assert!(status_line.ends_with("200 OK"), "{}", response.text);
}

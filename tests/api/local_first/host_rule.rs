//! One `Host` rule for every route of both servers (rule 42): the probes (`/healthz`,
//! `/readyz`) answer any `Host`, and every other path, `/metrics`, the admin API, the API,
//! the documents and a path no route serves alike, is refused with 403 `forbidden_host` when
//! the `Host` is not allowed; a request without `Host` is let through. The mock and the proxy
//! give the same status for the same kind of route, on loopback and beyond it (where a
//! container probe sends the pod's address as `Host`).

use std::net::SocketAddr;

use crate::helpers::{raw_exchange, spawn_app, spawn_app_with, FROZEN_NOW};
use crate::proxy::spawn_proxy;

/// The kinds of route, each with its path on the mock and on the proxy.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Liveness,
    Readiness,
    Metrics,
    Admin,
    Api,
    Document,
    Unknown,
}

const KINDS: [(Kind, &str, &str); 7] = [
    (Kind::Liveness, "/healthz", "/healthz"),
    (Kind::Readiness, "/readyz", "/readyz"),
    (Kind::Metrics, "/metrics", "/metrics"),
    (Kind::Admin, "/__admin/clock", "/__admin/violations"),
    (Kind::Api, "/v1/tokens", "/v1/tokens"),
    (Kind::Document, "/openapi.json", "/openapi.json"),
    (Kind::Unknown, "/nothing-here", "/nothing-here"),
];

/// Where the two servers listen, and what they allow besides loopback names.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Place {
    /// On loopback, with no `server.allowed_hosts`.
    Loopback,
    /// Beyond loopback (a pod), with `server.allowed_hosts = "mock.internal, 10.1.2.3"` and
    /// the admin token set.
    Pod,
}

const ADMIN_TOKEN: &str = "admin-token-for-host-rule";

const POD: [(&str, &str); 3] = [
    ("TOOKEN__SERVER__HOST", "0.0.0.0"),
    ("TOOKEN__SERVER__ALLOWED_HOSTS", "mock.internal, 10.1.2.3"),
    ("TOOKEN__ADMIN__TOKEN", ADMIN_TOKEN),
];

/// `Host` values (`None`: an HTTP/1.0 request without one) and whether each place allows
/// them.
const HOSTS: [(Option<&str>, bool, bool); 13] = [
    (Some("localhost"), true, true),
    (Some("localhost:8080"), true, true),
    (Some("127.0.0.1:8080"), true, true),
    (Some("[::1]"), true, true),
    (Some("[::1]:8080"), true, true),
    (Some("rebound.example"), false, false),
    (Some("rebound.example:8080"), false, false),
    (Some("[fd00::5]:8080"), false, false),
    (Some("mock.internal:8080"), false, true),
    (Some("10.1.2.3:8080"), false, true),
    // A pod's own address, not listed: what the kubelet sends to its probes.
    (Some("10.9.9.9:8080"), false, false),
    (Some("[::1]:http"), false, false),
    (None, true, true),
];

/// The status a route of this kind gives a request it lets in (no credentials sent).
fn answer(kind: Kind, place: Place) -> u16 {
    match kind {
        Kind::Liveness | Kind::Readiness | Kind::Metrics | Kind::Document => 200,
        Kind::Admin if place == Place::Loopback => 200,
        // Beyond loopback the admin routes want the admin token.
        Kind::Admin | Kind::Api => 401,
        Kind::Unknown => 404,
    }
}

/// The rule: the probes whatever the `Host`; every other route only for an allowed one.
fn expected(kind: Kind, place: Place, allowed: bool) -> u16 {
    let probe = matches!(kind, Kind::Liveness | Kind::Readiness);
    match probe || allowed {
        true => answer(kind, place),
        false => 403,
    }
}

/// The status of `GET path` with this `Host` header (or none, over HTTP/1.0).
async fn status(port: u16, path: &str, host: Option<&str>) -> u16 {
    let request = match host {
        Some(host) => format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        None => format!("GET {path} HTTP/1.0\r\n\r\n"),
    };
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let response = raw_exchange(address, request.as_bytes()).await;
    response
        .text
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status for {host:?} {path}: {}", response.text))
}

#[actix_web::test]
async fn every_kind_of_route_answers_each_host_alike_on_the_mock_and_the_proxy() {
    for place in [Place::Loopback, Place::Pod] {
        // Arrange
        let env: &[(&str, &str)] = match place {
            Place::Loopback => &[],
            Place::Pod => &POD,
        };
        let mock = spawn_app_with("contract.json", FROZEN_NOW, env).await;
        let upstream = spawn_app("contract.json").await;
        let proxy = spawn_proxy(&upstream.url("/v1"), env).await;
        let servers = [
            ("mock", mock.address.port()),
            ("proxy", proxy.address.port()),
        ];

        for (kind, mock_path, proxy_path) in KINDS {
            for (host, on_loopback, in_pod) in HOSTS {
                let allowed = match place {
                    Place::Loopback => on_loopback,
                    Place::Pod => in_pod,
                };
                let want = expected(kind, place, allowed);
                for ((server, port), path) in servers.iter().zip([mock_path, proxy_path]) {
                    // Act
                    let got = status(*port, path, host).await;

                    // Assert
                    assert_eq!(
                        got, want,
                        "{place:?} {server} {kind:?} {path} Host {host:?}"
                    );
                }
            }
        }
    }
}

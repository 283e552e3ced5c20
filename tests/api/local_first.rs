//! Local-first security (rules 31 and 42): no web page the developer visits can read or change
//! the mock. The admin API refuses pages on other origins unless `admin.cors_origins` lists
//! them, while its own origin (Swagger UI) keeps working; a server on loopback answers only
//! `Host` values that name loopback or a host of `server.allowed_hosts`, so a page reaching it
//! through DNS rebinding is refused everywhere.

use std::net::SocketAddr;

use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, auth, header, raw_exchange, spawn_app, spawn_app_with, TestApp, FROZEN_NOW,
};

const FIXTURE: &str = "auth.json";
const EVIL: &str = "https://evil.example";
const LISTED: &str = "http://localhost:5173";

/// A request of the admin API with `Origin: origin`, as a page's `fetch` sends it.
async fn admin_from(app: &TestApp, origin: &str, method: Method, path: &str) -> Response {
    app.client
        .request(method, app.url(path))
        .header("Origin", origin)
        .header("Content-Type", "application/json")
        .body(r#"{"seconds": 86400}"#)
        .send()
        .await
        .expect("the request is answered")
}

/// The preflight a browser sends before `method path` from a page on `origin`.
async fn preflight(app: &TestApp, origin: &str, method: &str, path: &str) -> Response {
    app.client
        .request(Method::OPTIONS, app.url(path))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", method)
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .expect("the preflight is answered")
}

/// No header that would let a browser hand the response to a page on another origin.
fn assert_no_cors_headers(response: &Response, what: &str) {
    for name in [
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "access-control-allow-methods",
        "access-control-expose-headers",
    ] {
        assert!(response.headers().get(name).is_none(), "{what}: {name}");
    }
}

/// The admin calls a page could make: reads of the whole state and changes of it.
const ADMIN_CALLS: [(&str, &str); 8] = [
    ("GET", "/__admin/snapshot"),
    ("PUT", "/__admin/snapshot"),
    ("GET", "/__admin/requests"),
    ("POST", "/__admin/reset"),
    ("POST", "/__admin/clock/advance"),
    ("PUT", "/__admin/faults"),
    ("DELETE", "/__admin/tokens/tok_0000000000000000000000aa"),
    ("GET", "/__admin/openapi.json"),
];

#[actix_web::test]
async fn a_page_on_another_origin_can_neither_read_nor_change_the_admin_api() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let before = app.get_json("/__admin/clock").await;

    for (method, path) in ADMIN_CALLS {
        let method = Method::from_bytes(method.as_bytes()).expect("a method");

        // Act
        let response = admin_from(&app, EVIL, method.clone(), path).await;

        // Assert
        let what = format!("{method} {path}");
        assert_no_cors_headers(&response, &what);
        let problem = assert_problem(response, StatusCode::FORBIDDEN, "cors_refused").await;
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("admin.cors_origins"), "{what}: {detail}");
    }
    // The refused calls did nothing: not even the advance sent without a preflight.
    assert_eq!(app.get_json("/__admin/clock").await, before);
}

#[actix_web::test]
async fn a_cross_origin_preflight_to_the_admin_api_is_a_403_problem() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    for (method, path) in ADMIN_CALLS {
        // Act
        let response = preflight(&app, EVIL, method, path).await;

        // Assert
        let what = format!("preflight of {method} {path}");
        assert_no_cors_headers(&response, &what);
        assert_problem(response, StatusCode::FORBIDDEN, "cors_refused").await;
    }
}

#[actix_web::test]
async fn the_servers_own_origin_calls_the_admin_api_as_swagger_ui_does() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let own = format!("http://{}", app.address);

    // Act
    let advanced = admin_from(&app, &own, Method::POST, "/__admin/clock/advance").await;
    let document = admin_from(&app, &own, Method::GET, "/__admin/openapi.json").await;

    // Assert
    assert_eq!(advanced.status(), StatusCode::OK);
    let clock: Value = advanced.json().await.expect("the clock");
    assert_eq!(clock["now"], "2026-05-02T00:00:00Z");
    assert_eq!(document.status(), StatusCode::OK);
}

#[actix_web::test]
async fn an_origin_listed_in_admin_cors_origins_may_call_the_admin_api() {
    // Arrange
    let app = spawn_app_with(
        FIXTURE,
        FROZEN_NOW,
        &[(
            "TOOKEN__ADMIN__CORS_ORIGINS",
            "https://a.example.com, http://localhost:5173",
        )],
    )
    .await;

    for method in ["GET", "PUT", "POST", "PATCH", "DELETE"] {
        // Act
        let response = preflight(&app, LISTED, method, "/__admin/clock").await;

        // Assert
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{method}");
        let headers = response.headers();
        assert_eq!(header(headers, "access-control-allow-origin"), LISTED);
        assert_eq!(header(headers, "access-control-allow-credentials"), "true");
        let methods = header(headers, "access-control-allow-methods");
        assert!(methods.contains(method), "{method} in {methods}");
    }
    let read = admin_from(&app, LISTED, Method::GET, "/__admin/requests").await;
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(
        header(read.headers(), "access-control-allow-origin"),
        LISTED
    );
    let other = admin_from(&app, EVIL, Method::GET, "/__admin/requests").await;
    assert_problem(other, StatusCode::FORBIDDEN, "cors_refused").await;
}

#[actix_web::test]
async fn the_apis_own_cors_still_reflects_any_origin() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app
        .client
        .get(app.url("/v1/tokens"))
        .header("Origin", EVIL)
        .bearer_auth(auth::READER)
        .send()
        .await
        .expect("the request is answered");

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(response.headers(), "access-control-allow-origin"),
        EVIL
    );
}

// ---- the Host check ----

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

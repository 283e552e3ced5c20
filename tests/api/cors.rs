//! Rule 30: CORS of the API — any origin reflected with credentials by default, any request
//! header a preflight asks for, the documented exposed headers, preflights answered 204 (a
//! refused one is a 403 problem), and settings that restrict the origins and the headers. The
//! admin API's own rule (same origin unless listed) is checked in `local_first.rs`.

use std::collections::BTreeSet;

use reqwest::header::HeaderMap;
use reqwest::{Method, Response, StatusCode};

use crate::helpers::{
    assert_problem, auth, header, spawn_app, spawn_app_with, TestApp, FROZEN_NOW,
};

const FIXTURE: &str = "auth.json";
const ORIGIN: &str = "http://localhost:5173";

/// The headers a browser may send, lowercase.
const ALLOWED_HEADERS: [&str; 5] = [
    "authorization",
    "content-type",
    "prefer",
    "x-request-id",
    "x-mock-session",
];

/// Headers that browser SDKs add to every request (OpenTelemetry, Sentry, CSRF protection).
const SDK_HEADERS: [&str; 5] = [
    "traceparent",
    "tracestate",
    "baggage",
    "sentry-trace",
    "x-csrf-token",
];

/// The headers a browser's script may read, lowercase.
const EXPOSED_HEADERS: [&str; 8] = [
    "link",
    "x-request-id",
    "retry-after",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
    "preference-applied",
    "x-mock-session",
];

/// A comma-separated header as a set of lowercase items.
fn header_list(headers: &HeaderMap, name: &str) -> BTreeSet<String> {
    headers
        .get_all(name)
        .iter()
        .flat_map(|v| v.to_str().expect("ASCII").split(','))
        .map(|item| item.trim().to_ascii_lowercase())
        .filter(|item| !item.is_empty())
        .collect()
}

/// `GET path` from a page on `origin`, with the reader's secret.
async fn get_from(app: &TestApp, origin: &str, path: &str) -> Response {
    app.client
        .get(app.url(path))
        .header("Origin", origin)
        .bearer_auth(auth::READER)
        .send()
        .await
        .expect("the request is answered")
}

/// The preflight a browser sends before `method path` with `headers`.
async fn preflight(
    app: &TestApp,
    origin: &str,
    method: &str,
    path: &str,
    headers: &str,
) -> Response {
    app.client
        .request(Method::OPTIONS, app.url(path))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", method)
        .header("Access-Control-Request-Headers", headers)
        .send()
        .await
        .expect("the preflight is answered")
}

#[actix_web::test]
async fn any_origin_is_reflected_with_credentials_allowed_by_default() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    for origin in [ORIGIN, "https://some-app.example.org"] {
        // Act
        let response = get_from(&app, origin, "/v1/tokens").await;

        // Assert
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers();
        assert_eq!(header(headers, "access-control-allow-origin"), origin);
        assert_eq!(header(headers, "access-control-allow-credentials"), "true");
        assert!(
            header_list(headers, "vary").contains("origin"),
            "a reflected origin varies the response"
        );
    }
}

#[actix_web::test]
async fn a_response_exposes_the_documented_headers_to_scripts() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = get_from(&app, ORIGIN, "/v1/tokens").await;

    // Assert
    let exposed = header_list(response.headers(), "access-control-expose-headers");
    for name in EXPOSED_HEADERS {
        assert!(exposed.contains(name), "{name} in {exposed:?}");
    }
}

#[actix_web::test]
async fn errors_and_forced_responses_carry_the_cors_headers_too() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    for (path, secret, status) in [
        ("/v1/tokens", None, StatusCode::UNAUTHORIZED),
        (
            "/v1/tokens?page=0",
            Some(auth::READER),
            StatusCode::BAD_REQUEST,
        ),
        ("/v1/tokens?__code=429", None, StatusCode::TOO_MANY_REQUESTS),
    ] {
        let mut request = app.client.get(app.url(path)).header("Origin", ORIGIN);
        if let Some(secret) = secret {
            request = request.bearer_auth(secret);
        }

        // Act
        let response = request.send().await.expect("the request is answered");

        // Assert
        assert_eq!(response.status(), status, "{path}");
        let headers = response.headers();
        assert_eq!(
            header(headers, "access-control-allow-origin"),
            ORIGIN,
            "{path}"
        );
        assert_eq!(
            header(headers, "access-control-allow-credentials"),
            "true",
            "{path}"
        );
        let exposed = header_list(headers, "access-control-expose-headers");
        assert!(exposed.contains("x-request-id"), "{path}: {exposed:?}");
    }
}

#[actix_web::test]
async fn a_preflight_is_answered_204_allowing_the_documented_headers() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act: no credentials, as browsers send preflights.
    let response = preflight(
        &app,
        ORIGIN,
        "GET",
        "/v1/tokens",
        "authorization, content-type, prefer, x-request-id, x-mock-session",
    )
    .await;

    // Assert
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let headers = response.headers().clone();
    assert_eq!(header(&headers, "access-control-allow-origin"), ORIGIN);
    assert_eq!(header(&headers, "access-control-allow-credentials"), "true");
    let methods = header_list(&headers, "access-control-allow-methods");
    assert!(methods.contains("get"), "{methods:?}");
    let allowed = header_list(&headers, "access-control-allow-headers");
    for name in ALLOWED_HEADERS {
        assert!(allowed.contains(name), "{name} in {allowed:?}");
    }
    let body = response.bytes().await.expect("a body");
    assert!(body.is_empty());
}

#[actix_web::test]
async fn with_allowed_origins_set_only_those_origins_may_call() {
    // Arrange
    let app = spawn_app_with(
        FIXTURE,
        FROZEN_NOW,
        &[("TOOKEN__CORS__ALLOWED_ORIGINS", "https://a.example.com")],
    )
    .await;

    // Act
    let allowed = get_from(&app, "https://a.example.com", "/v1/tokens").await;
    let other = get_from(&app, "https://b.example.com", "/v1/tokens").await;
    let other_preflight = preflight(
        &app,
        "https://b.example.com",
        "GET",
        "/v1/tokens",
        "authorization",
    )
    .await;

    // Assert
    assert_eq!(
        header(allowed.headers(), "access-control-allow-origin"),
        "https://a.example.com"
    );
    assert_eq!(
        header(allowed.headers(), "access-control-allow-credentials"),
        "true"
    );
    assert!(other.headers().get("access-control-allow-origin").is_none());
    assert!(other_preflight
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert_problem(other_preflight, StatusCode::FORBIDDEN, "cors_refused").await;
}

#[actix_web::test]
async fn several_allowed_origins_are_separated_by_commas() {
    // Arrange
    let app = spawn_app_with(
        FIXTURE,
        FROZEN_NOW,
        &[(
            "TOOKEN__CORS__ALLOWED_ORIGINS",
            "https://a.example.com, http://localhost:3000",
        )],
    )
    .await;

    for (origin, allowed) in [
        ("https://a.example.com", true),
        ("http://localhost:3000", true),
        ("http://localhost:3001", false),
    ] {
        // Act
        let response = preflight(&app, origin, "GET", "/v1/tokens", "authorization").await;

        // Assert
        let reflected = response
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().expect("ASCII").to_owned());
        assert_eq!(reflected, allowed.then(|| origin.to_owned()), "{origin}");
        if allowed {
            assert_eq!(response.status(), StatusCode::NO_CONTENT, "{origin}");
        }
    }
}

#[actix_web::test]
async fn by_default_a_preflight_may_ask_for_any_header_a_browser_sdk_adds() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    for extra in SDK_HEADERS {
        let asked = format!("authorization, {extra}");

        // Act
        let response = preflight(&app, ORIGIN, "GET", "/v1/tokens", &asked).await;

        // Assert
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{asked}");
        let headers = response.headers();
        assert_eq!(header(headers, "access-control-allow-origin"), ORIGIN);
        let allowed = header_list(headers, "access-control-allow-headers");
        assert!(
            allowed.contains("authorization") && allowed.contains(extra),
            "{asked}: {allowed:?}"
        );
    }
}

#[actix_web::test]
async fn with_allowed_headers_set_a_preflight_for_another_header_is_a_403_problem() {
    // Arrange
    let app = spawn_app_with(
        FIXTURE,
        FROZEN_NOW,
        &[("TOOKEN__CORS__ALLOWED_HEADERS", "Authorization, prefer")],
    )
    .await;

    // Act
    let listed = preflight(&app, ORIGIN, "GET", "/v1/tokens", "authorization, prefer").await;
    let other = preflight(
        &app,
        ORIGIN,
        "GET",
        "/v1/tokens",
        "authorization, traceparent",
    )
    .await;

    // Assert
    assert_eq!(listed.status(), StatusCode::NO_CONTENT);
    let allowed = header_list(listed.headers(), "access-control-allow-headers");
    assert_eq!(
        allowed,
        BTreeSet::from(["authorization".to_owned(), "prefer".to_owned()])
    );
    assert!(other.headers().get("access-control-allow-origin").is_none());
    assert_problem(other, StatusCode::FORBIDDEN, "cors_refused").await;
}

#[actix_web::test]
async fn a_page_may_name_its_session_with_x_mock_session_which_is_exposed() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app
        .client
        .get(app.url("/v1/tokens"))
        .header("Origin", ORIGIN)
        .header("X-Mock-Session", "tab-1")
        .bearer_auth(auth::READER)
        .send()
        .await
        .expect("the request is answered");

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    let exposed = header_list(response.headers(), "access-control-expose-headers");
    assert!(exposed.contains("x-mock-session"), "{exposed:?}");
}

#[actix_web::test]
async fn a_preflight_is_journaled_like_every_other_api_request_and_admin_calls_are_not() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let preflight = app
        .client
        .request(Method::OPTIONS, app.url("/v1/tokens"))
        .header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .expect("the preflight is answered");
    let journal = app.get_json("/__admin/requests").await;

    // Assert
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    let entries: Vec<(String, String, u64)> = journal["data"]
        .as_array()
        .expect("a list of entries")
        .iter()
        .map(|e| {
            let text = |key: &str| e[key].as_str().unwrap_or_default().to_owned();
            (
                text("method"),
                text("path"),
                e["status"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [("OPTIONS".to_owned(), "/v1/tokens".to_owned(), 204)]
    );
}

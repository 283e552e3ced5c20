//! The admin API is same-origin: pages on other origins get 403 `cors_refused` and no CORS
//! headers, preflight or not, and change nothing; its own origin and listed ones may call.

use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

use crate::helpers::{
    assert_problem, auth, header, spawn_app, spawn_app_with, TestApp, FROZEN_NOW,
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

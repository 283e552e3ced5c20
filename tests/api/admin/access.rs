//! Who may use the admin API: anyone on loopback; beyond it only with `admin.token`, and
//! nobody without one.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{ok_json, ADMIN_ROUTES};
use crate::helpers::{assert_problem, names, spawn_app_with, FROZEN_NOW, NORTH_READER};

const ADMIN_TOKEN: &str = "admin-token-for-tests";

/// Settings that listen on every interface, with the admin token set.
const BEYOND_LOOPBACK_WITH_TOKEN: [(&str, &str); 2] = [
    ("TOOKEN__SERVER__HOST", "0.0.0.0"),
    ("TOOKEN__ADMIN__TOKEN", ADMIN_TOKEN),
];

#[actix_web::test]
async fn on_loopback_the_admin_api_is_open_even_when_an_admin_token_is_set() {
    // Arrange
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[("TOOKEN__ADMIN__TOKEN", ADMIN_TOKEN)],
    )
    .await;

    // Act
    let response = app.get("/__admin/clock", None).await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
}

#[actix_web::test]
async fn beyond_loopback_every_admin_route_needs_the_admin_token() {
    // Arrange
    let app = spawn_app_with("workspaces.json", FROZEN_NOW, &BEYOND_LOOPBACK_WITH_TOKEN).await;

    for (method, path) in ADMIN_ROUTES {
        // Act
        let without = app.request(method.clone(), path, None).await;
        let wrong = app
            .request(method.clone(), path, Some("not-the-admin-token"))
            .await;
        let api_secret = app.request(method.clone(), path, Some(NORTH_READER)).await;

        // Assert
        assert_problem(without, StatusCode::UNAUTHORIZED, "missing_token").await;
        assert_problem(wrong, StatusCode::UNAUTHORIZED, "invalid_token").await;
        assert_problem(api_secret, StatusCode::UNAUTHORIZED, "invalid_token").await;
    }
}

#[actix_web::test]
async fn beyond_loopback_the_admin_token_opens_the_admin_api() {
    // Arrange
    let app = spawn_app_with("workspaces.json", FROZEN_NOW, &BEYOND_LOOPBACK_WITH_TOKEN).await;

    // Act
    let clock = app.get("/__admin/clock", Some(ADMIN_TOKEN)).await;
    let advanced = app
        .client
        .post(app.url("/__admin/clock/advance"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"seconds": 60}))
        .send()
        .await
        .expect("the request is answered");
    let api = app.get("/v1/tokens", Some(NORTH_READER)).await;

    // Assert
    assert_eq!(
        ok_json(clock).await,
        json!({"now": FROZEN_NOW, "frozen": true})
    );
    assert_eq!(ok_json(advanced).await["now"], "2026-05-01T00:01:00Z");
    assert_eq!(
        api.status(),
        StatusCode::OK,
        "the API serves beyond loopback"
    );
}

#[actix_web::test]
async fn beyond_loopback_without_an_admin_token_the_admin_api_is_off() {
    // Arrange
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[("TOOKEN__SERVER__HOST", "0.0.0.0")],
    )
    .await;
    let mut routes = ADMIN_ROUTES.to_vec();
    routes.extend([
        (Method::GET, "/__admin/openapi.json"),
        (Method::GET, "/__admin/"),
        (Method::GET, "/__admin"),
        (Method::GET, "/__admin/no-such-route"),
        (Method::DELETE, "/__admin/sessions/s1?__session=attacker-1"),
    ]);

    for (method, path) in routes {
        // Act
        let response = app.request(method.clone(), path, Some(ADMIN_TOKEN)).await;

        // Assert: a problem that says why, and what turns the admin API on.
        let body = assert_problem(response, StatusCode::FORBIDDEN, "admin_off").await;
        let detail = body["detail"].as_str().unwrap_or_default();
        for named in ["admin.token", "TOOKEN__ADMIN__TOKEN"] {
            assert!(detail.contains(named), "{method} {path}: {detail}");
        }
    }
    let script = app
        .get("/docs/swagger-initializer.js", None)
        .await
        .text()
        .await
        .expect("a script");
    assert!(script.contains("\"/openapi.json\""), "{script}");
    assert!(!script.contains("/__admin/"), "{script}");
    let api = app.list("/v1/tokens", NORTH_READER).await;
    assert_eq!(names(&api).len(), 4, "the API still serves");
}

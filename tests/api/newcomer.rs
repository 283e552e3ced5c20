//! A newcomer is told why and led somewhere: `/` lists the server's URLs, `/__admin/` the
//! admin routes, and the public endpoints (documents, Swagger UI, probes, metrics) answer any
//! allowed origin without credentials. (Where the admin API is off, see `admin::access`.)

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{spawn_app, spawn_app_with, FROZEN_NOW};

/// The public endpoints: none needs credentials.
const PUBLIC: [&str; 8] = [
    "/",
    "/openapi.json",
    "/openapi.yaml",
    "/docs/",
    "/docs/swagger-initializer.js",
    "/healthz",
    "/readyz",
    "/metrics",
];

const ORIGIN: &str = "http://localhost:5173";

#[actix_web::test]
async fn the_root_lists_urls_that_each_answer() {
    // Arrange
    let app = spawn_app("auth.json").await;

    // Act
    let index = app.get_json("/").await;

    // Assert: every URL it gives answers (the API with the 401 that asks for a token).
    for field in [
        "docs",
        "admin",
        "admin_openapi",
        "healthz",
        "readyz",
        "metrics",
    ] {
        let url = index[field]
            .as_str()
            .unwrap_or_else(|| panic!("{field}: {index}"));
        let response = app.get(url, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{field}: {url}");
    }
    for url in index["openapi"].as_array().expect("two documents") {
        let response = app.get(url.as_str().expect("a URL"), None).await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
    }
    let api = app.get(index["api"].as_str().expect("a URL"), None).await;
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn where_the_admin_api_is_off_the_root_says_which_setting_turns_it_on() {
    let app = spawn_app_with(
        "auth.json",
        FROZEN_NOW,
        &[("TOOKEN__SERVER__HOST", "0.0.0.0")],
    )
    .await;
    let index = app.get_json("/").await;
    let admin = index["admin"].as_str().expect("a sentence");
    assert!(admin.contains("TOOKEN__ADMIN__TOKEN"), "{index}");
    assert!(index.get("admin_openapi").is_none(), "{index}");
}

#[actix_web::test]
async fn the_admin_root_lists_every_operation_of_the_admin_document() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let document = app.get_json("/__admin/openapi.json").await;

    for root in ["/__admin/", "/__admin"] {
        // Act
        let listing = app.get_json(root).await;

        // Assert
        let listed: Vec<(String, String)> = listing["routes"]
            .as_array()
            .expect("routes")
            .iter()
            .map(|r| {
                (
                    r["method"].as_str().unwrap_or("?").to_owned(),
                    r["path"].as_str().unwrap_or("?").to_owned(),
                )
            })
            .collect();
        let mut documented = Vec::new();
        for (path, operations) in document["paths"].as_object().expect("paths") {
            for method in operations.as_object().expect("operations").keys() {
                documented.push((method.to_ascii_uppercase(), format!("/__admin{path}")));
            }
        }
        assert_eq!(listed, documented, "{root}");
        assert!(listed.len() >= 16);
        assert_eq!(listing["document"], "/__admin/openapi.json");
    }
    // A listed route without a path parameter answers something other than 404.
    let reset = app.request(Method::GET, "/__admin/sessions", None).await;
    assert_eq!(reset.status(), StatusCode::OK);
}

async fn public_answer(
    app: &crate::helpers::TestApp,
    method: Method,
    path: &str,
) -> reqwest::Response {
    let mut request = app
        .client
        .request(method.clone(), app.url(path))
        .header("Origin", ORIGIN);
    if method == Method::OPTIONS {
        request = request.header("Access-Control-Request-Method", "GET");
    }
    request.send().await.expect("answered")
}

#[actix_web::test]
async fn public_endpoints_answer_any_origin_without_allowing_credentials() {
    // Arrange
    let app = spawn_app("auth.json").await;

    for path in PUBLIC {
        for method in [Method::GET, Method::OPTIONS] {
            // Act
            let response = public_answer(&app, method.clone(), path).await;

            // Assert
            assert!(
                response.status().is_success(),
                "{method} {path}: {}",
                response.status()
            );
            let headers = response.headers();
            assert_eq!(
                headers
                    .get("access-control-allow-origin")
                    .map(|v| v.as_bytes()),
                Some(ORIGIN.as_bytes()),
                "{method} {path}"
            );
            assert!(
                headers.get("access-control-allow-credentials").is_none(),
                "{method} {path} allows credentials"
            );
        }
    }
    // The API itself still allows them (a page sends its bearer token).
    let api = public_answer(&app, Method::GET, "/v1/tokens").await;
    let credentials = api.headers().get("access-control-allow-credentials");
    assert_eq!(credentials.map(|v| v.as_bytes()), Some(&b"true"[..]));
}

#[actix_web::test]
async fn the_root_is_json_and_names_the_service() {
    let app = spawn_app("auth.json").await;
    let response = app.get("/", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert!(body["service"]
        .as_str()
        .is_some_and(|s| s.contains("tooken-mock")));
}

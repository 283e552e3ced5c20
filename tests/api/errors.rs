//! Rules 22-24: problem+json everywhere, the codes, 404 and 405, HEAD, and `X-Request-Id`.

use reqwest::{Method, StatusCode};

use crate::helpers::{assert_problem, auth, header, is_generated_request_id, spawn_app};

const FIXTURE: &str = "auth.json";

fn sorted_keys(body: &serde_json::Value) -> Vec<String> {
    let mut keys: Vec<String> = body
        .as_object()
        .expect("an object")
        .keys()
        .cloned()
        .collect();
    keys.sort_unstable();
    keys
}

const PROBLEM_KEYS: [&str; 6] = ["code", "detail", "request_id", "status", "title", "type"];

#[actix_web::test]
async fn every_error_is_a_problem_with_exactly_the_rfc_9457_fields_and_errors_only_on_400() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let cases = [
        (
            Method::GET,
            "/v1/tokens?per_page=0",
            Some(auth::READER),
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            Method::GET,
            "/v1/tokens",
            None,
            StatusCode::UNAUTHORIZED,
            "missing_token",
        ),
        (
            Method::GET,
            "/v1/tokens",
            Some(auth::UNKNOWN),
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        ),
        (
            Method::GET,
            "/v1/tokens",
            Some(auth::DEPLOY_ONLY),
            StatusCode::FORBIDDEN,
            "insufficient_scope",
        ),
        (
            Method::GET,
            "/v1/token",
            Some(auth::READER),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Method::GET,
            "/v2/tokens",
            None,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Method::POST,
            "/v1/tokens",
            Some(auth::READER),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
    ];

    for (method, path, secret, status, code) in cases {
        // Act
        let response = app.request(method.clone(), path, secret).await;

        // Assert
        let body = assert_problem(response, status, code).await;
        let mut expected: Vec<&str> = PROBLEM_KEYS.to_vec();
        if status == StatusCode::BAD_REQUEST {
            expected.push("errors");
            expected.sort_unstable();
        }
        assert_eq!(sorted_keys(&body), expected, "{method} {path}: {body}");
    }
}

#[actix_web::test]
async fn an_unknown_path_is_404_not_found() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app.get("/nothing/here?page=0", Some(auth::READER)).await;

    // Assert
    assert!(response.headers().get("www-authenticate").is_none());
    assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
}

#[actix_web::test]
async fn any_method_but_get_and_head_is_405_with_allow_get_head() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        // Act
        let response = app
            .request(method.clone(), "/v1/tokens", Some(auth::READER))
            .await;

        // Assert
        assert_eq!(header(response.headers(), "allow"), "GET, HEAD", "{method}");
        assert_problem(
            response,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        )
        .await;
    }
}

#[actix_web::test]
async fn every_read_only_path_answers_another_method_with_a_405_problem_allowing_get() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let paths = [
        "/",
        "/openapi.json",
        "/openapi.yaml",
        "/docs",
        "/healthz",
        "/readyz",
        "/metrics",
        "/__admin/openapi.json",
    ];

    for path in paths {
        for method in [Method::POST, Method::DELETE] {
            // Act
            let response = app.request(method.clone(), path, None).await;

            // Assert
            assert_eq!(
                header(response.headers(), "allow"),
                "GET",
                "{method} {path}"
            );
            assert_problem(
                response,
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
            )
            .await;
        }
    }
}

#[actix_web::test]
async fn head_is_answered_like_get_without_a_body() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let head = app
        .request(Method::HEAD, "/v1/tokens?per_page=1", Some(auth::READER))
        .await;
    let get = app.get("/v1/tokens?per_page=1", Some(auth::READER)).await;

    // Assert
    assert_eq!(head.status(), StatusCode::OK);
    let headers = head.headers().clone();
    assert_eq!(header(&headers, "content-type"), "application/json");
    assert_eq!(header(&headers, "link"), header(get.headers(), "link"));
    assert_eq!(header(&headers, "cache-control"), "no-store");
    assert!(headers.contains_key("x-request-id"));
    assert!(head.bytes().await.expect("a body").is_empty());
}

#[actix_web::test]
async fn head_of_an_error_has_its_headers_and_no_body() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app.request(Method::HEAD, "/v1/tokens", None).await;

    // Assert
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let headers = response.headers().clone();
    assert_eq!(header(&headers, "content-type"), "application/problem+json");
    assert_eq!(
        header(&headers, "www-authenticate"),
        r#"Bearer realm="tooken""#
    );
    assert!(response.bytes().await.expect("a body").is_empty());
}

#[actix_web::test]
async fn a_safe_x_request_id_is_echoed_in_the_header_and_the_problem() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let longest = "a".repeat(64);

    for id in ["abc.DEF-1_2", "x", longest.as_str()] {
        // Act
        let ok = app
            .client
            .get(app.url("/v1/tokens"))
            .bearer_auth(auth::READER)
            .header("X-Request-Id", id)
            .send()
            .await
            .expect("answered");
        let error = app
            .client
            .get(app.url("/v1/tokens"))
            .header("X-Request-Id", id)
            .send()
            .await
            .expect("answered");

        // Assert
        assert_eq!(header(ok.headers(), "x-request-id"), id);
        assert_eq!(header(error.headers(), "x-request-id"), id);
        let body = assert_problem(error, StatusCode::UNAUTHORIZED, "missing_token").await;
        assert_eq!(body["request_id"], id);
    }
}

#[actix_web::test]
async fn an_unsafe_or_missing_x_request_id_is_replaced_by_a_generated_one() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let too_long = "a".repeat(65);
    let sent: [Option<&str>; 6] = [
        None,
        Some(""),
        Some("has space"),
        Some("semi;colon"),
        Some("slash/no"),
        Some(too_long.as_str()),
    ];
    let mut seen = Vec::new();

    for id in sent {
        // Act
        let mut request = app.client.get(app.url("/v1/tokens"));
        if let Some(id) = id {
            request = request.header("X-Request-Id", id);
        }
        let response = request.send().await.expect("answered");

        // Assert
        let echoed = header(response.headers(), "x-request-id").to_owned();
        assert!(is_generated_request_id(&echoed), "{id:?} -> {echoed}");
        let body = assert_problem(response, StatusCode::UNAUTHORIZED, "missing_token").await;
        assert_eq!(body["request_id"], echoed.as_str());
        seen.push(echoed);
    }
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), sent.len(), "every generated id is fresh");
}

#[actix_web::test]
async fn a_successful_response_carries_a_generated_request_id_too() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app.get("/v1/tokens", Some(auth::READER)).await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    assert!(is_generated_request_id(header(
        response.headers(),
        "x-request-id"
    )));
}

//! Rate limiting (rule 23's 429): off by default; when on, per secret, 429 with `Retry-After`
//! over the limit, and `RateLimit-*` headers on every `/v1/tokens` response.

use reqwest::header::HeaderMap;
use reqwest::{Response, StatusCode};

use crate::helpers::{
    assert_problem, auth, header, spawn_app, spawn_app_with, TestApp, FROZEN_NOW,
};

const FIXTURE: &str = "auth.json";

async fn limited_to(requests_per_minute: &str) -> TestApp {
    spawn_app_with(
        FIXTURE,
        FROZEN_NOW,
        &[(
            "TOOKEN__RATE_LIMIT__REQUESTS_PER_MINUTE",
            requests_per_minute,
        )],
    )
    .await
}

fn number(headers: &HeaderMap, name: &str) -> u64 {
    header(headers, name)
        .parse()
        .unwrap_or_else(|_| panic!("{name} is a whole number"))
}

/// `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` of a response.
fn rate_limit_headers(response: &Response) -> (u64, u64, u64) {
    let headers = response.headers();
    (
        number(headers, "ratelimit-limit"),
        number(headers, "ratelimit-remaining"),
        number(headers, "ratelimit-reset"),
    )
}

#[actix_web::test]
async fn rate_limiting_is_off_by_default() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    for _ in 0..100 {
        // Act
        let response = app.get("/v1/tokens", Some(auth::READER)).await;

        // Assert
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers().get("ratelimit-limit").is_none());
        assert!(response.headers().get("ratelimit-remaining").is_none());
    }
}

#[actix_web::test]
async fn each_response_counts_down_the_remaining_requests() {
    // Arrange
    let app = limited_to("3").await;

    for remaining in [2, 1, 0] {
        // Act
        let response = app.get("/v1/tokens", Some(auth::READER)).await;

        // Assert
        assert_eq!(response.status(), StatusCode::OK);
        let (limit, left, reset) = rate_limit_headers(&response);
        assert_eq!((limit, left), (3, remaining));
        assert!((1..=60).contains(&reset), "{reset}");
    }
}

#[actix_web::test]
async fn over_the_limit_a_secret_gets_429_with_retry_after() {
    // Arrange
    let app = limited_to("3").await;
    for _ in 0..3 {
        app.list("/v1/tokens", auth::READER).await;
    }

    // Act
    let response = app.get("/v1/tokens", Some(auth::READER)).await;

    // Assert
    let (limit, remaining, reset) = rate_limit_headers(&response);
    assert_eq!((limit, remaining), (3, 0));
    let retry_after = number(response.headers(), "retry-after");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(retry_after, reset);
    let body = assert_problem(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    let detail = body["detail"].as_str().expect("a detail");
    assert!(detail.contains(&retry_after.to_string()), "{detail}");
}

#[actix_web::test]
async fn other_secrets_are_unaffected_by_one_secret_going_over() {
    // Arrange
    let app = limited_to("2").await;
    for _ in 0..3 {
        app.get("/v1/tokens", Some(auth::READER)).await;
    }
    let refused = app.get("/v1/tokens", Some(auth::READER)).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);

    // Act
    let other = app.get("/v1/tokens", Some(auth::OBSERVER)).await;

    // Assert
    assert_eq!(other.status(), StatusCode::OK);
    let (limit, remaining, _) = rate_limit_headers(&other);
    assert_eq!((limit, remaining), (2, 1));
}

#[actix_web::test]
async fn the_limit_counts_the_secret_however_the_authorization_header_spells_it() {
    // Arrange: the scheme is case-insensitive and any number of spaces may follow it.
    let app = limited_to("2").await;
    app.get_with_authorization("/v1/tokens", &format!("Bearer {}", auth::READER))
        .await;
    app.get_with_authorization("/v1/tokens", &format!("bearer {}", auth::READER))
        .await;

    // Act
    let response = app
        .get_with_authorization("/v1/tokens", &format!("BEARER   {}", auth::READER))
        .await;

    // Assert
    assert_problem(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[actix_web::test]
async fn every_tokens_response_carries_the_rate_limit_headers_while_limiting_is_on() {
    // Arrange
    let app = limited_to("100").await;
    let cases = [
        ("/v1/tokens", None, StatusCode::UNAUTHORIZED),
        ("/v1/tokens", Some(auth::DEPLOY_ONLY), StatusCode::FORBIDDEN),
        (
            "/v1/tokens?page=0",
            Some(auth::READER),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/v1/tokens?__code=500",
            Some(auth::OBSERVER),
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
        (
            "/v1/tokens?__example=empty",
            Some(auth::OBSERVER),
            StatusCode::OK,
        ),
        ("/v1/tokens", Some(auth::REVOKED), StatusCode::UNAUTHORIZED),
    ];

    for (path, secret, status) in cases {
        // Act
        let response = app.get(path, secret).await;

        // Assert
        assert_eq!(response.status(), status, "{path} {secret:?}");
        let (limit, remaining, reset) = rate_limit_headers(&response);
        assert_eq!(limit, 100, "{path} {secret:?}");
        assert!(remaining < 100, "{path} {secret:?}");
        assert!((1..=60).contains(&reset), "{path} {secret:?}");
    }
}

#[actix_web::test]
async fn rate_limit_headers_stay_off_the_routes_outside_the_api() {
    // Arrange
    let app = limited_to("1").await;

    for path in ["/healthz", "/readyz", "/openapi.json"] {
        // Act: more requests than the limit allows.
        let first = app.get(path, None).await;
        let second = app.get(path, None).await;

        // Assert
        assert_eq!(first.status(), StatusCode::OK, "{path}");
        assert_eq!(second.status(), StatusCode::OK, "{path}");
        assert!(second.headers().get("ratelimit-limit").is_none(), "{path}");
    }
}

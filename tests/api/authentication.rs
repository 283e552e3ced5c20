//! Rules 1-8: bearer authentication, the scope check, their order, and `last_used_at`.

use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use crate::helpers::{
    assert_problem, auth, header, spawn_app, spawn_app_with, token_named, FROZEN_NOW,
    INSUFFICIENT_SCOPE_CHALLENGE, MISSING_TOKEN_CHALLENGE,
};

const FIXTURE: &str = "auth.json";

#[actix_web::test]
async fn the_bearer_scheme_is_matched_case_insensitively() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        // Act
        let response = app
            .get_with_authorization("/v1/tokens", &format!("{scheme} {}", auth::READER))
            .await;

        // Assert
        assert_eq!(response.status(), StatusCode::OK, "scheme {scheme}");
    }
}

#[actix_web::test]
async fn several_spaces_may_separate_the_scheme_from_the_secret() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app
        .get_with_authorization("/v1/tokens", &format!("Bearer    {}", auth::READER))
        .await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
}

#[actix_web::test]
async fn whitespace_around_the_header_value_is_not_part_of_the_secret() {
    // Arrange: RFC 9110 §5.5, optional whitespace around a field value is not part of it.
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app
        .get_with_authorization("/v1/tokens", &format!("  Bearer {}  ", auth::READER))
        .await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
}

#[actix_web::test]
async fn a_request_without_bearer_credentials_is_401_missing_token_with_a_bare_challenge() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let basic = "Basic dXNlcjpwYXNzd29yZA==".to_owned();
    let secret_under_basic = format!("Basic {}", auth::READER);
    let cases: [(&str, Option<&str>); 6] = [
        ("no header", None),
        ("an empty header", Some("")),
        ("the scheme alone", Some("Bearer")),
        ("the scheme and spaces", Some("Bearer    ")),
        ("another scheme", Some(&basic)),
        (
            "a valid secret under another scheme",
            Some(&secret_under_basic),
        ),
    ];

    for (case, authorization) in cases {
        // Act
        let response = match authorization {
            None => app.get("/v1/tokens", None).await,
            Some(value) => app.get_with_authorization("/v1/tokens", value).await,
        };

        // Assert
        assert_eq!(
            header(response.headers(), "www-authenticate"),
            MISSING_TOKEN_CHALLENGE,
            "{case}"
        );
        let body = assert_problem(response, StatusCode::UNAUTHORIZED, "missing_token").await;
        assert!(body.get("errors").is_none(), "{case}: {body}");
    }
}

#[actix_web::test]
async fn a_secret_that_matches_no_token_is_401_invalid_token() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app.get("/v1/tokens", Some(auth::UNKNOWN)).await;

    // Assert
    let challenge = header(response.headers(), "www-authenticate").to_owned();
    assert!(
        challenge
            .starts_with(r#"Bearer realm="tooken", error="invalid_token", error_description=""#),
        "{challenge}"
    );
    assert!(challenge.ends_with('"'), "{challenge}");
    assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
}

#[actix_web::test]
async fn a_revoked_token_is_401_invalid_token_saying_it_has_been_revoked() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app.get("/v1/tokens", Some(auth::REVOKED)).await;

    // Assert
    let challenge = header(response.headers(), "www-authenticate").to_owned();
    assert!(challenge
        .starts_with(r#"Bearer realm="tooken", error="invalid_token", error_description=""#));
    assert!(challenge.contains("revoked"), "{challenge}");
    let body = assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let detail = body["detail"].as_str().expect("a detail");
    assert!(detail.contains("token has been revoked"), "{detail}");
}

#[actix_web::test]
async fn a_token_stored_as_expired_is_401_invalid_token_saying_it_has_expired() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app.get("/v1/tokens", Some(auth::EXPIRED)).await;

    // Assert
    let challenge = header(response.headers(), "www-authenticate").to_owned();
    assert!(challenge
        .starts_with(r#"Bearer realm="tooken", error="invalid_token", error_description=""#));
    let body = assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let detail = body["detail"].as_str().expect("a detail");
    assert!(detail.contains("token has expired"), "{detail}");
}

#[actix_web::test]
async fn an_active_token_whose_expiry_has_passed_at_the_frozen_clock_is_401_expired() {
    // Arrange: the token is stored active and expires one second before the frozen clock.
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app.get("/v1/tokens", Some(auth::LAPSED)).await;

    // Assert
    let body = assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let detail = body["detail"].as_str().expect("a detail");
    assert!(detail.contains("token has expired"), "{detail}");
}

#[actix_web::test]
async fn a_valid_token_without_tokens_read_is_403_insufficient_scope() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // tokens:write does not imply tokens:read.
    for secret in [auth::DEPLOY_ONLY, auth::WRITE_ONLY] {
        // Act
        let response = app.get("/v1/tokens", Some(secret)).await;

        // Assert
        assert_eq!(
            header(response.headers(), "www-authenticate"),
            INSUFFICIENT_SCOPE_CHALLENGE
        );
        assert_problem(response, StatusCode::FORBIDDEN, "insufficient_scope").await;
    }
}

#[actix_web::test]
async fn an_unauthenticated_request_with_a_bad_query_is_401_not_400() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let bad_query = "/v1/tokens?page=0&per_page=abc&status=paused";

    // Act
    let missing = app.get(bad_query, None).await;
    let unknown = app.get(bad_query, Some(auth::UNKNOWN)).await;
    let revoked = app.get(bad_query, Some(auth::REVOKED)).await;

    // Assert
    let body = assert_problem(missing, StatusCode::UNAUTHORIZED, "missing_token").await;
    assert!(body.get("errors").is_none(), "{body}");
    let body = assert_problem(unknown, StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert!(body.get("errors").is_none(), "{body}");
    let body = assert_problem(revoked, StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert!(body.get("errors").is_none(), "{body}");
}

#[actix_web::test]
async fn a_token_without_the_scope_and_a_bad_query_is_403_not_400() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app
        .get("/v1/tokens?page=0&per_page=abc", Some(auth::DEPLOY_ONLY))
        .await;

    // Assert
    let body = assert_problem(response, StatusCode::FORBIDDEN, "insufficient_scope").await;
    assert!(body.get("errors").is_none(), "{body}");
}

#[actix_web::test]
async fn a_successful_request_shows_its_own_last_used_at_as_the_frozen_time() {
    // Arrange: the reader has never been used.
    let app = spawn_app(FIXTURE).await;

    // Act
    let body = app.list("/v1/tokens", auth::READER).await;

    // Assert
    assert_eq!(token_named(&body, "Reader")["last_used_at"], FROZEN_NOW);
}

#[actix_web::test]
async fn a_request_refused_with_403_still_sets_last_used_at() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let before = app.list("/v1/tokens", auth::OBSERVER).await;
    assert_eq!(
        token_named(&before, "Deploy only")["last_used_at"],
        serde_json::Value::Null
    );

    // Act
    let refused = app.get("/v1/tokens", Some(auth::DEPLOY_ONLY)).await;

    // Assert
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let after = app.list("/v1/tokens", auth::OBSERVER).await;
    assert_eq!(
        token_named(&after, "Deploy only")["last_used_at"],
        FROZEN_NOW
    );
}

#[actix_web::test]
async fn a_request_refused_with_400_still_sets_last_used_at() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let before = app.list("/v1/tokens", auth::OBSERVER).await;
    assert_eq!(
        token_named(&before, "Bad query sender")["last_used_at"],
        serde_json::Value::Null
    );

    // Act
    let refused = app
        .get("/v1/tokens?per_page=101", Some(auth::BAD_QUERY_SENDER))
        .await;

    // Assert
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let after = app.list("/v1/tokens", auth::OBSERVER).await;
    assert_eq!(
        token_named(&after, "Bad query sender")["last_used_at"],
        FROZEN_NOW
    );
}

#[actix_web::test]
async fn a_request_refused_with_401_leaves_last_used_at_unchanged() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    for secret in [auth::REVOKED, auth::EXPIRED, auth::LAPSED] {
        let response = app.get("/v1/tokens", Some(secret)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    // Assert: the values written in the fixture.
    let after = app.list("/v1/tokens", auth::OBSERVER).await;
    assert_eq!(
        token_named(&after, "Revoked key")["last_used_at"],
        "2026-02-01T10:00:00Z"
    );
    assert_eq!(
        token_named(&after, "Expired key")["last_used_at"],
        "2026-02-02T10:00:00Z"
    );
    assert_eq!(
        token_named(&after, "Lapsed key")["last_used_at"],
        "2026-02-03T10:00:00Z"
    );
}

#[actix_web::test]
async fn last_used_at_is_left_alone_when_tracking_is_turned_off() {
    // Arrange
    let app = spawn_app_with(
        FIXTURE,
        FROZEN_NOW,
        &[("TOOKEN__AUTH__TRACK_LAST_USED", "false")],
    )
    .await;

    // Act
    let body = app.list("/v1/tokens", auth::READER).await;

    // Assert
    assert_eq!(
        token_named(&body, "Reader")["last_used_at"],
        serde_json::Value::Null
    );
}

#[actix_web::test]
async fn no_response_ever_contains_a_secret_or_its_digest() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let mut presented: Vec<&str> = auth::ALL.to_vec();
    presented.push(auth::UNKNOWN);
    let digests: Vec<String> = presented
        .iter()
        .map(|s| {
            Sha256::digest(s.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        })
        .collect();
    let mut responses = Vec::new();

    // Act: every outcome, for every secret, with a good and a bad query.
    for secret in &presented {
        for path in ["/v1/tokens?per_page=100", "/v1/tokens?page=0"] {
            let response = app.get(path, Some(secret)).await;
            let status = response.status();
            let headers = format!("{:?}", response.headers());
            let body = response.text().await.expect("a body");
            responses.push((status, headers, body));
        }
    }

    // Assert
    let statuses: Vec<u16> = responses.iter().map(|(s, _, _)| s.as_u16()).collect();
    for expected in [200, 400, 401, 403] {
        assert!(statuses.contains(&expected), "{statuses:?}");
    }
    for (status, headers, body) in &responses {
        for (secret, digest) in presented.iter().zip(&digests) {
            for text in [headers, body] {
                assert!(!text.contains(secret), "{status}: {text}");
                assert!(!text.to_lowercase().contains(digest), "{status}: {text}");
            }
        }
        assert!(!body.contains("tok_live_"), "{status}: {body}");
        assert!(!body.contains("\"secret\""), "{status}: {body}");
    }
}

//! `/__admin/requests`: the journal of recent requests, newest first, never holding a secret.

use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use super::journal_entries;
use crate::helpers::{
    assert_problem, auth, failing_parameters, spawn_app, spawn_app_with, TestApp, FROZEN_NOW,
};

/// `GET /v1/tokens` with a secret and an `X-Request-Id` of the caller's choosing.
async fn get_with_id(app: &TestApp, path: &str, secret: Option<&str>, id: &str) -> Response {
    let mut request = app.client.get(app.url(path)).header("X-Request-Id", id);
    if let Some(secret) = secret {
        request = request.bearer_auth(secret);
    }
    request.send().await.expect("the request is answered")
}

fn request_ids(entries: &[Value]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e["request_id"].as_str().expect("a request id").to_owned())
        .collect()
}

#[actix_web::test]
async fn get_requests_lists_recent_requests_newest_first_with_their_details() {
    // Arrange
    let app = spawn_app("auth.json").await;
    get_with_id(
        &app,
        "/v1/tokens?status=active",
        Some(auth::READER),
        "journal-1",
    )
    .await;
    get_with_id(&app, "/v1/tokens", None, "journal-2").await;
    get_with_id(
        &app,
        "/v1/tokens?page=0",
        Some(auth::BAD_QUERY_SENDER),
        "journal-3",
    )
    .await;

    // Act
    let entries = journal_entries(&app, "/__admin/requests").await;

    // Assert
    assert_eq!(
        request_ids(&entries),
        ["journal-3", "journal-2", "journal-1"]
    );
    let expected = [
        ("page=0", 400, json!("tok_authbadquery000000000000")),
        ("", 401, Value::Null),
        ("status=active", 200, json!("tok_authreader00000000000000")),
    ];
    for (entry, (query, status, token_id)) in entries.iter().zip(expected) {
        assert_eq!(entry["method"], "GET", "{entry}");
        assert_eq!(entry["path"], "/v1/tokens", "{entry}");
        assert_eq!(entry["query"], query, "{entry}");
        assert_eq!(entry["status"], status, "{entry}");
        assert_eq!(entry["token_id"], token_id, "{entry}");
        assert!(
            entry["duration_ms"].as_f64().is_some_and(|d| d >= 0.0),
            "{entry}"
        );
    }
}

#[actix_web::test]
async fn limit_returns_only_the_newest_requests() {
    // Arrange
    let app = spawn_app("auth.json").await;
    for id in ["limit-1", "limit-2", "limit-3", "limit-4"] {
        get_with_id(&app, "/v1/tokens", Some(auth::READER), id).await;
    }

    // Act
    let entries = journal_entries(&app, "/__admin/requests?limit=2").await;

    // Assert
    assert_eq!(request_ids(&entries), ["limit-4", "limit-3"]);
}

#[actix_web::test]
async fn a_limit_that_is_not_a_positive_integer_is_a_400_problem_naming_limit() {
    // Arrange
    let app = spawn_app("auth.json").await;

    for limit in ["0", "abc", "-1"] {
        // Act
        let response = app
            .get(&format!("/__admin/requests?limit={limit}"), None)
            .await;

        // Assert
        let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(failing_parameters(&body), ["limit"], "limit={limit}");
    }
}

#[actix_web::test]
async fn the_journal_never_holds_a_secret() {
    // Arrange: accepted, unknown, revoked, forced and refused requests, all with secrets.
    let app = spawn_app("auth.json").await;
    for secret in [
        auth::READER,
        auth::UNKNOWN,
        auth::REVOKED,
        auth::DEPLOY_ONLY,
        auth::BAD_QUERY_SENDER,
    ] {
        app.get("/v1/tokens?page=0", Some(secret)).await;
        app.get("/v1/tokens?__code=401", Some(secret)).await;
        app.get_with_authorization("/v1/tokens", &format!("bearer   {secret}"))
            .await;
        app.request(Method::POST, "/v1/tokens", Some(secret)).await;
    }

    // Act
    let response = app.get("/__admin/requests?limit=1000", None).await;

    // Assert
    let text = response.text().await.expect("a body");
    let entries: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(entries["data"].as_array().map(Vec::len), Some(20), "{text}");
    for secret in auth::ALL.iter().chain([&auth::UNKNOWN]) {
        assert!(!text.contains(secret), "{secret} in the journal");
    }
    assert!(!text.contains("tok_live_"), "{text}");
}

#[actix_web::test]
async fn delete_requests_empties_the_journal() {
    // Arrange
    let app = spawn_app("auth.json").await;
    app.list("/v1/tokens", auth::READER).await;
    assert_eq!(journal_entries(&app, "/__admin/requests").await.len(), 1);

    // Act
    let response = app.request(Method::DELETE, "/__admin/requests", None).await;

    // Assert
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(journal_entries(&app, "/__admin/requests").await.is_empty());
    get_with_id(&app, "/v1/tokens", Some(auth::READER), "after-clear").await;
    assert_eq!(
        request_ids(&journal_entries(&app, "/__admin/requests").await),
        ["after-clear"]
    );
}

#[actix_web::test]
async fn the_journal_keeps_only_the_configured_number_of_newest_requests() {
    // Arrange
    let app = spawn_app_with(
        "auth.json",
        FROZEN_NOW,
        &[("TOOKEN__ADMIN__JOURNAL_CAPACITY", "3")],
    )
    .await;
    for id in ["cap-1", "cap-2", "cap-3", "cap-4", "cap-5"] {
        get_with_id(&app, "/v1/tokens", Some(auth::READER), id).await;
    }

    // Act: no limit given.
    let entries = journal_entries(&app, "/__admin/requests").await;

    // Assert
    assert_eq!(request_ids(&entries), ["cap-5", "cap-4", "cap-3"]);
}

#[actix_web::test]
async fn admin_calls_are_not_journaled_however_their_path_is_spelled() {
    // Arrange: percent-encoded unreserved characters route to the same admin resource.
    let app = spawn_app("auth.json").await;
    get_with_id(&app, "/v1/tokens", Some(auth::READER), "api-call").await;
    let spellings = [
        "/__admin/requests",
        "/%5F_admin/requests",
        "/%5f%5Fadmin/requests",
        "/__%61dmin/requests",
        "/__admin/%72equests",
    ];

    // Act
    let mut statuses = Vec::new();
    for path in spellings {
        statuses.push(get_with_id(&app, path, None, "admin-call").await.status());
    }
    let entries = journal_entries(&app, "/__admin/requests").await;

    // Assert
    assert_eq!(
        statuses,
        [StatusCode::OK; 5],
        "each spelling reaches the admin API"
    );
    assert_eq!(request_ids(&entries), ["api-call"]);
}

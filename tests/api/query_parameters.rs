//! Rules 9 and 10: strict parsing of `page`, `per_page`, `status` and `name`; unknown
//! parameters are ignored.

use reqwest::StatusCode;

use crate::helpers::{assert_problem, failing_parameters, names, spawn_app, PAGER};

const FIXTURE: &str = "paging.json";

#[actix_web::test]
async fn each_malformed_value_is_400_invalid_parameter_naming_its_parameter() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let cases = [
        ("page=0", "page"),
        ("page=", "page"),
        ("page=1.5", "page"),
        ("page=-1", "page"),
        ("page=%2B1", "page"),
        ("page=1e3", "page"),
        ("page=4294967296", "page"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("per_page=abc", "per_page"),
        ("per_page=", "per_page"),
        ("status=Active", "status"),
        ("status=ACTIVE", "status"),
        ("status=", "status"),
        ("status=paused", "status"),
        ("page=1&page=2", "page"),
        ("per_page=10&per_page=10", "per_page"),
        ("status=active&status=revoked", "status"),
        ("name=a&name=b", "name"),
        ("name=%zz", "name"),
        ("name=100%", "name"),
        ("name=%4", "name"),
        ("name=%ff", "name"),
        ("name=%C3%28", "name"),
        ("status=%ff", "status"),
    ];

    for (query, parameter) in cases {
        // Act
        let response = app.get(&format!("/v1/tokens?{query}"), Some(PAGER)).await;

        // Assert
        let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(failing_parameters(&body), [parameter], "{query}: {body}");
        for error in body["errors"].as_array().expect("errors") {
            let object = error.as_object().expect("an error object");
            let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(keys, ["detail", "parameter"], "{query}");
            assert!(error["detail"].as_str().is_some_and(|d| !d.is_empty()));
        }
    }
}

#[actix_web::test]
async fn the_per_page_error_says_what_is_accepted() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app.get("/v1/tokens?per_page=101", Some(PAGER)).await;

    // Assert
    let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(
        body["errors"],
        serde_json::json!([{"parameter": "per_page", "detail": "must be an integer between 1 and 100"}])
    );
}

#[actix_web::test]
async fn every_failing_parameter_is_named_at_once() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let long_name = "a".repeat(257);

    // Act
    let response = app
        .get(
            &format!("/v1/tokens?page=0&per_page=101&status=Active&name={long_name}&sort=x"),
            Some(PAGER),
        )
        .await;

    // Assert
    let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    let mut found = failing_parameters(&body);
    found.sort_unstable();
    assert_eq!(found, ["name", "page", "per_page", "status"], "{body}");
}

#[actix_web::test]
async fn a_name_of_256_characters_is_accepted_and_257_refused() {
    // Arrange: two-byte characters, so the limit is seen to count characters, not bytes.
    let app = spawn_app(FIXTURE).await;
    let name_of = |n: usize| "%C3%A9".repeat(n);

    // Act
    let accepted = app
        .get(&format!("/v1/tokens?name={}", name_of(256)), Some(PAGER))
        .await;
    let refused = app
        .get(&format!("/v1/tokens?name={}", name_of(257)), Some(PAGER))
        .await;
    let refused_ascii = app
        .get(&format!("/v1/tokens?name={}", "a".repeat(257)), Some(PAGER))
        .await;

    // Assert
    assert_eq!(accepted.status(), StatusCode::OK);
    let body = assert_problem(refused, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(failing_parameters(&body), ["name"]);
    let body = assert_problem(refused_ascii, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(failing_parameters(&body), ["name"]);
}

#[actix_web::test]
async fn the_edges_of_each_range_are_accepted() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    for query in [
        "page=1",
        "page=4294967295",
        "per_page=1",
        "per_page=100",
        "status=active",
        "status=expired",
        "status=revoked",
        "name=",
        "page=0001",
    ] {
        // Act
        let response = app.get(&format!("/v1/tokens?{query}"), Some(PAGER)).await;

        // Assert
        assert_eq!(response.status(), StatusCode::OK, "{query}");
    }
}

#[actix_web::test]
async fn unknown_parameters_are_ignored() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let plain = app.list("/v1/tokens?per_page=3", PAGER).await;

    // Act
    let with_unknown = app
        .list(
            "/v1/tokens?sort=-name&per_page=3&include=secret&Page=9&limit=1&limit=2",
            PAGER,
        )
        .await;

    // Assert
    assert_eq!(with_unknown, plain);
    assert_eq!(names(&with_unknown).len(), 3);
}

#[actix_web::test]
async fn an_empty_name_means_no_filter() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let unfiltered = app.list("/v1/tokens", PAGER).await;

    // Act
    let empty_name = app.list("/v1/tokens?name=", PAGER).await;

    // Assert
    assert_eq!(empty_name, unfiltered);
    assert_eq!(empty_name["meta"]["total"], 8);
}

//! Rules 14, 15, 17 and 18: the body, the token object, `Cache-Control`, and the vendor's
//! own example served back exactly.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{auth, header, spawn_app, spawn_app_at, FORMAT_READER, FROZEN_NOW, PAGER};

const TOKEN_KEYS: [&str; 8] = [
    "id",
    "name",
    "scopes",
    "status",
    "created_at",
    "expires_at",
    "last_used_at",
    "created_by",
];

/// Parses a body that must be written exactly as serde_json writes it (compact, each key once),
/// keeping its keys in the order written.
fn parse_exactly(text: &str) -> Value {
    let value: Value = serde_json::from_str(text).expect("a JSON body");
    let rewritten = serde_json::to_string(&value).expect("a value serialises");
    assert_eq!(rewritten, text, "each key once, nothing but JSON");
    value
}

/// The keys of a JSON object, in the order written.
fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

#[actix_web::test]
async fn the_body_is_json_with_data_then_meta_in_the_contract_field_order() {
    // Arrange
    let app = spawn_app("paging.json").await;

    // Act
    let response = app
        .get("/v1/tokens?status=revoked&per_page=5", Some(PAGER))
        .await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(response.headers(), "content-type"),
        "application/json"
    );
    let text = response.text().await.expect("a body");
    let body = parse_exactly(&text);
    assert_eq!(keys(&body), ["data", "meta"], "{text}");
    let data = body["data"].as_array().expect("data is an array");
    assert_eq!(data.len(), 1, "{text}");
    assert_eq!(keys(&data[0]), TOKEN_KEYS, "{text}");
    assert_eq!(
        keys(&body["meta"]),
        ["page", "per_page", "total", "total_pages"],
        "{text}"
    );
    assert_eq!(
        body["meta"],
        json!({"page": 1, "per_page": 5, "total": 1, "total_pages": 1})
    );
}

#[actix_web::test]
async fn total_pages_is_total_divided_by_per_page_rounded_up_and_0_when_nothing_matches() {
    // Arrange: 8 tokens.
    let app = spawn_app("paging.json").await;
    let cases = [
        ("per_page=1", 8, 8),
        ("per_page=3", 8, 3),
        ("per_page=4", 8, 2),
        ("per_page=8", 8, 1),
        ("per_page=100", 8, 1),
        ("status=expired&per_page=100", 1, 1),
        ("name=no+such+token", 0, 0),
        ("status=expired&name=pager", 0, 0),
    ];

    for (query, total, total_pages) in cases {
        // Act
        let body = app.list(&format!("/v1/tokens?{query}"), PAGER).await;

        // Assert
        assert_eq!(body["meta"]["total"], total, "{query}");
        assert_eq!(body["meta"]["total_pages"], total_pages, "{query}");
    }
}

#[actix_web::test]
async fn a_token_has_exactly_the_contract_fields_with_utc_whole_second_timestamps() {
    // Arrange: the snapshot writes times with offsets and fractions of a second.
    let app = spawn_app("formats.json").await;

    // Act
    let response = app.get("/v1/tokens", Some(FORMAT_READER)).await;

    // Assert
    let text = response.text().await.expect("a body");
    let body = parse_exactly(&text);
    assert_eq!(
        body["data"],
        json!([
            {
                "id": "tok_fmtreader000000000000000",
                "name": "Format reader",
                "scopes": ["tokens:read"],
                "status": "active",
                "created_at": "2026-01-01T00:00:00Z",
                "expires_at": null,
                "last_used_at": FROZEN_NOW,
                "created_by": "owner@example.com"
            },
            {
                "id": "tok_fmtoffsets00000000000000",
                "name": "Offset times",
                "scopes": ["tokens:read", "tokens:write"],
                "status": "active",
                "created_at": "2026-01-15T09:00:00Z",
                "expires_at": "2027-01-15T09:00:00Z",
                "last_used_at": "2026-03-01T12:30:00Z",
                "created_by": "carol@example.com"
            },
            {
                "id": "tok_fmtnulls0000000000000000",
                "name": "Never used",
                "scopes": [],
                "status": "revoked",
                "created_at": "2026-02-01T12:00:00Z",
                "expires_at": null,
                "last_used_at": null,
                "created_by": "owner@example.com"
            }
        ])
    );
    let token_keys: Vec<Vec<&str>> = body["data"]
        .as_array()
        .expect("data is an array")
        .iter()
        .map(keys)
        .collect();
    assert_eq!(token_keys, [TOKEN_KEYS; 3], "{text}");
}

#[actix_web::test]
async fn every_api_response_says_cache_control_no_store() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let requests = [
        (Method::GET, "/v1/tokens", Some(auth::READER), 200),
        (Method::HEAD, "/v1/tokens", Some(auth::READER), 200),
        (Method::GET, "/v1/tokens?page=0", Some(auth::READER), 400),
        (Method::GET, "/v1/tokens", None, 401),
        (Method::GET, "/v1/tokens", Some(auth::REVOKED), 401),
        (Method::GET, "/v1/tokens", Some(auth::DEPLOY_ONLY), 403),
        (Method::GET, "/v1/nothing-here", Some(auth::READER), 404),
        (Method::DELETE, "/v1/tokens", Some(auth::READER), 405),
    ];

    for (method, path, secret, status) in requests {
        // Act
        let response = app.request(method.clone(), path, secret).await;

        // Assert
        assert_eq!(response.status().as_u16(), status, "{method} {path}");
        assert_eq!(
            header(response.headers(), "cache-control"),
            "no-store",
            "{method} {path}"
        );
    }
}

#[actix_web::test]
async fn the_vendor_example_served_as_a_snapshot_comes_back_exactly() {
    // Arrange: the vendor's example response, with a secret added to each token.
    let app = spawn_app_at("vendor_example.json", "2026-04-27T14:32:00Z").await;

    // Act
    let response = app
        .get(
            "/v1/tokens?page=1&per_page=25&status=active",
            Some("tok_live_VendorCiDeployToken00000001"),
        )
        .await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("a JSON body");
    let expected = json!({
        "data": [
            {
                "id": "tok_a1b2c3d4e5f6g7h8i9j0k1l2",
                "name": "CI Deploy Token",
                "scopes": ["tokens:read", "tokens:write"],
                "status": "active",
                "created_at": "2026-01-15T09:00:00Z",
                "expires_at": "2027-01-15T09:00:00Z",
                "last_used_at": "2026-04-27T14:32:00Z",
                "created_by": "alice@example.com"
            },
            {
                "id": "tok_b2c3d4e5f6g7h8i9j0k1l2m3",
                "name": "Read-Only Audit Key",
                "scopes": ["tokens:read"],
                "status": "active",
                "created_at": "2026-02-01T12:00:00Z",
                "expires_at": null,
                "last_used_at": null,
                "created_by": "bob@example.com"
            }
        ],
        "meta": {
            "page": 1,
            "per_page": 25,
            "total": 2,
            "total_pages": 1
        }
    });
    assert_eq!(body, expected);
}

//! What `PUT /__admin/snapshot` refuses (invalid data, text that is not JSON, a body over
//! `admin.max_body_bytes`) and leaves unchanged, and how large a body it takes.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{ok_json, put_fixture, read_fixture};
use crate::helpers::{
    assert_problem, auth, failing_parameters, spawn_app, spawn_app_with, FROZEN_NOW, NORTH_READER,
};
use crate::snapshots::INVALID_VALUE_LOCATIONS;

#[actix_web::test]
async fn an_invalid_snapshot_is_a_422_with_every_problem_at_its_location_and_the_old_state_stays() {
    // Arrange
    let app = spawn_app("workspaces.json").await;
    let before = app.list("/v1/tokens", NORTH_READER).await;

    // Act
    let response = put_fixture(&app, "invalid_values.json").await;

    // Assert
    let body = assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_snapshot",
    )
    .await;
    let locations: BTreeSet<String> = failing_parameters(&body).into_iter().collect();
    let expected: BTreeSet<String> = INVALID_VALUE_LOCATIONS
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert_eq!(locations, expected, "{body}");
    assert_eq!(
        body["errors"].as_array().map(Vec::len),
        Some(INVALID_VALUE_LOCATIONS.len())
    );
    let malformed = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .find(|e| e["parameter"] == "workspaces[0].tokens[1].id")
        .expect("the malformed id");
    assert_eq!(malformed["detail"], "must match ^tok_[a-z0-9]{24}$");
    assert_eq!(app.list("/v1/tokens", NORTH_READER).await, before);
}

#[actix_web::test]
async fn a_snapshot_that_is_not_json_is_a_422_with_its_position_and_the_old_state_stays() {
    // Arrange
    let app = spawn_app("workspaces.json").await;

    // Act
    let response = app
        .send_body(
            Method::PUT,
            "/__admin/snapshot",
            b"{\"workspaces\": [\n".to_vec(),
        )
        .await;

    // Assert
    let body = assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_snapshot",
    )
    .await;
    let locations = failing_parameters(&body);
    assert_eq!(locations.len(), 1, "{body}");
    assert!(locations[0].starts_with('$'), "{body}");
    assert_eq!(
        app.get("/v1/tokens", Some(NORTH_READER)).await.status(),
        StatusCode::OK
    );
}

#[actix_web::test]
async fn a_snapshot_body_over_admin_max_body_bytes_is_413_and_changes_nothing() {
    // Arrange: auth.json is over 3 KiB.
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[("TOOKEN__ADMIN__MAX_BODY_BYTES", "1024")],
    )
    .await;
    let body = read_fixture("auth.json");
    assert!(body.len() > 1024);

    // Act
    let response = app.send_body(Method::PUT, "/__admin/snapshot", body).await;

    // Assert
    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert_eq!(
        app.get("/v1/tokens", Some(NORTH_READER)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get("/v1/tokens", Some(auth::READER)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

/// A bare-array snapshot of `count` tokens; the first has the secret `secret`.
fn many_tokens(count: usize, secret: &str) -> Vec<u8> {
    let tokens: Vec<Value> = (0..count)
        .map(|i| {
            let mut token = json!({
                "id": format!("tok_bulk{i:020}"),
                "name": format!("Bulk token number {i}"),
                "scopes": ["tokens:read"],
                "status": "active",
                "created_at": "2026-01-01T00:00:00Z",
                "expires_at": null,
                "last_used_at": null,
                "created_by": "bulk@example.com"
            });
            if i == 0 {
                token["secret"] = json!(secret);
            }
            token
        })
        .collect();
    serde_json::to_vec(&tokens).expect("JSON")
}

#[actix_web::test]
async fn a_snapshot_body_within_admin_max_body_bytes_is_accepted_however_large() {
    // Arrange: well over the 256 KiB that actix-web limits bodies to by default.
    let app = spawn_app("workspaces.json").await;
    let secret = "tok_live_BulkReader00000000000000001";
    let body = many_tokens(2000, secret);
    assert!(body.len() > 400 * 1024, "{}", body.len());

    // Act
    let response = app.send_body(Method::PUT, "/__admin/snapshot", body).await;

    // Assert
    assert_eq!(
        ok_json(response).await,
        json!({"tokens": 2000, "workspaces": 1})
    );
    let listed = app.list("/v1/tokens", secret).await;
    assert_eq!(listed["meta"]["total"], 2000);
}

//! Rule 21: a request only sees, counts and links the tokens of its own workspace.

use serde_json::json;

use crate::helpers::{ids, link_map, links, names, spawn_app, NORTH_READER, SOUTH_READER};

/// `workspaces.json`: ws_north has 4 tokens (one revoked), ws_south 2, with the same names.
const FIXTURE: &str = "workspaces.json";

#[actix_web::test]
async fn each_workspace_sees_and_counts_only_its_own_tokens() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let north = app.list("/v1/tokens?per_page=100", NORTH_READER).await;
    let south = app.list("/v1/tokens?per_page=100", SOUTH_READER).await;

    // Assert
    assert_eq!(
        ids(&north),
        [
            "tok_north01reader00000000000",
            "tok_north0200000000000000000",
            "tok_north0300000000000000000",
            "tok_north0400000000000000000",
        ]
    );
    assert_eq!(
        ids(&south),
        [
            "tok_south01reader00000000000",
            "tok_south0200000000000000000"
        ]
    );
    assert_eq!(north["meta"]["total"], 4);
    assert_eq!(south["meta"]["total"], 2);
}

#[actix_web::test]
async fn a_name_filter_matching_both_workspaces_returns_only_the_callers_tokens() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let north = app.list("/v1/tokens?name=shared", NORTH_READER).await;
    let south = app.list("/v1/tokens?name=shared", SOUTH_READER).await;
    let south_active = app
        .list("/v1/tokens?name=shared+name&status=active", SOUTH_READER)
        .await;

    // Assert
    assert_eq!(
        names(&north),
        ["Shared reader", "Shared name", "Shared name"]
    );
    assert!(ids(&north).iter().all(|id| id.starts_with("tok_north")));
    assert_eq!(names(&south), ["Shared reader", "Shared name"]);
    assert!(ids(&south).iter().all(|id| id.starts_with("tok_south")));
    assert_eq!(ids(&south_active), ["tok_south0200000000000000000"]);
    assert_eq!(
        south_active["meta"],
        json!({"page": 1, "per_page": 25, "total": 1, "total_pages": 1})
    );
}

#[actix_web::test]
async fn status_counts_and_links_follow_the_callers_workspace_only() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let north = app
        .get("/v1/tokens?status=active&per_page=1", Some(NORTH_READER))
        .await;
    let south = app
        .get("/v1/tokens?status=active&per_page=1", Some(SOUTH_READER))
        .await;
    let south_revoked = app.list("/v1/tokens?status=revoked", SOUTH_READER).await;

    // Assert
    assert_eq!(
        links(north.headers())["last"],
        "/v1/tokens?page=3&per_page=1&status=active"
    );
    assert_eq!(
        links(south.headers()),
        link_map(&[
            ("first", "/v1/tokens?page=1&per_page=1&status=active"),
            ("next", "/v1/tokens?page=2&per_page=1&status=active"),
            ("last", "/v1/tokens?page=2&per_page=1&status=active"),
        ])
    );
    let south: serde_json::Value = south.json().await.expect("a JSON body");
    assert_eq!(south["meta"]["total"], 2);
    assert_eq!(
        south_revoked,
        json!({"data": [], "meta": {"page": 1, "per_page": 25, "total": 0, "total_pages": 0}})
    );
}

//! `GET` and `PUT /__admin/snapshot`: the whole state exported, replaced in any of the three
//! shapes, and swapped so that a request in flight sees the old state or the new, never a mix.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{ok_json, put_fixture, read_fixture};
use crate::helpers::{
    assert_problem, auth, header, spawn_app, spawn_app_with, token_named, FROZEN_NOW,
    NAMES_OBSERVER, NORTH_READER, SOUTH_READER,
};

fn sha256_hex(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[actix_web::test]
async fn get_snapshot_exports_the_whole_state_with_secrets_as_sha256_digests() {
    // Arrange: a request records its use, which the export must show.
    let app = spawn_app("workspaces.json").await;
    app.list("/v1/tokens", NORTH_READER).await;

    // Act
    let response = app.get("/__admin/snapshot", None).await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    assert!(header(response.headers(), "content-type").starts_with("application/json"));
    let text = response.text().await.expect("a body");
    assert!(!text.contains("tok_live_"), "no secret in the export");
    let export: Value = serde_json::from_str(&text).expect("JSON");
    let original: Value = serde_json::from_slice(&read_fixture("workspaces.json")).expect("JSON");
    let workspaces = export["workspaces"]
        .as_array()
        .expect("the workspaces shape");
    assert_eq!(workspaces.len(), 2);
    for (exported, loaded) in workspaces
        .iter()
        .zip(original["workspaces"].as_array().expect("ws"))
    {
        assert_eq!(exported["id"], loaded["id"]);
        assert_eq!(exported["name"], loaded["name"]);
        let tokens = exported["tokens"].as_array().expect("tokens");
        let loaded_tokens = loaded["tokens"].as_array().expect("tokens");
        assert_eq!(tokens.len(), loaded_tokens.len());
        for (token, loaded) in tokens.iter().zip(loaded_tokens) {
            assert_eq!(token["id"], loaded["id"]);
            assert!(token.get("secret").is_none(), "{token}");
            match loaded["secret"].as_str() {
                Some(secret) => assert_eq!(token["secret_sha256"], sha256_hex(secret)),
                None => assert!(token.get("secret_sha256").is_none(), "{token}"),
            }
        }
    }
    let north = json!({"data": workspaces[0]["tokens"].clone()});
    assert_eq!(
        token_named(&north, "Shared reader")["last_used_at"],
        FROZEN_NOW
    );
}

#[actix_web::test]
async fn putting_back_an_export_authenticates_the_same_secrets() {
    // Arrange
    let app = spawn_app("workspaces.json").await;
    let north_before = app.list("/v1/tokens", NORTH_READER).await;
    let south_before = app.list("/v1/tokens", SOUTH_READER).await;
    let export = app
        .get("/__admin/snapshot", None)
        .await
        .bytes()
        .await
        .expect("the export");
    ok_json(put_fixture(&app, "auth.json").await).await;
    let replaced = app.get("/v1/tokens", Some(NORTH_READER)).await;
    assert_eq!(replaced.status(), StatusCode::UNAUTHORIZED);

    // Act
    let response = app
        .send_body(Method::PUT, "/__admin/snapshot", export.to_vec())
        .await;

    // Assert
    assert_eq!(
        ok_json(response).await,
        json!({"tokens": 6, "workspaces": 2})
    );
    assert_eq!(app.list("/v1/tokens", NORTH_READER).await, north_before);
    assert_eq!(app.list("/v1/tokens", SOUTH_READER).await, south_before);
}

#[actix_web::test]
async fn put_snapshot_replaces_the_whole_state_in_any_of_the_three_shapes() {
    // Arrange
    let app = spawn_app("workspaces.json").await;
    let cases = [
        ("auth.json", auth::READER, 9, 1),
        ("names.json", NAMES_OBSERVER, 16, 1),
        (
            "vendor_example.json",
            "tok_live_VendorAuditKey0000000000002",
            2,
            1,
        ),
    ];

    for (name, secret, tokens, workspaces) in cases {
        // Act
        let loaded = ok_json(put_fixture(&app, name).await).await;

        // Assert
        assert_eq!(
            loaded,
            json!({"tokens": tokens, "workspaces": workspaces}),
            "{name}"
        );
        let body = app.list("/v1/tokens?per_page=100", secret).await;
        assert_eq!(body["meta"]["total"], tokens, "{name}");
        let old = app.get("/v1/tokens", Some(NORTH_READER)).await;
        assert_problem(old, StatusCode::UNAUTHORIZED, "invalid_token").await;
    }
}

/// `workspaces.json` with `ws_north` renamed `ws_east` and its last token left out: the
/// North reader's secret then lists 3 tokens of `ws_east` instead of 4 of `ws_north`.
fn workspaces_moved_east() -> Vec<u8> {
    let mut snapshot: Value =
        serde_json::from_slice(&read_fixture("workspaces.json")).expect("JSON");
    snapshot["workspaces"][0]["id"] = json!("ws_east");
    snapshot["workspaces"][0]["tokens"]
        .as_array_mut()
        .expect("tokens")
        .pop();
    serde_json::to_vec(&snapshot).expect("JSON")
}

#[actix_web::test]
async fn a_request_in_flight_during_put_snapshot_sees_the_old_state_or_the_new_never_a_mix() {
    // Arrange
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[("TOOKEN__SERVER__WORKERS", "4")],
    )
    .await;
    let (north, east) = (read_fixture("workspaces.json"), workspaces_moved_east());
    let stop = std::cell::Cell::new(false);
    let requester = || async {
        let mut totals = Vec::new();
        while !stop.get() {
            let body = app.list("/v1/tokens", NORTH_READER).await;
            totals.push(body["meta"]["total"].as_u64().expect("a total"));
        }
        totals
    };
    let swapper = async {
        for round in 0..100 {
            let snapshot = if round % 2 == 0 { &east } else { &north };
            let response = app
                .send_body(Method::PUT, "/__admin/snapshot", snapshot.clone())
                .await;
            assert_eq!(response.status(), StatusCode::OK);
        }
        stop.set(true);
    };

    // Act
    let (a, b, c, d, ()) =
        tokio::join!(requester(), requester(), requester(), requester(), swapper);

    // Assert: 4 from ws_north, 3 from ws_east.
    let totals: Vec<u64> = [a, b, c, d].concat();
    assert!(totals.len() >= 100, "{}", totals.len());
    let mixed: BTreeSet<u64> = totals
        .iter()
        .copied()
        .filter(|&t| t != 4 && t != 3)
        .collect();
    let count = totals.iter().filter(|&&t| t != 4 && t != 3).count();
    assert!(
        mixed.is_empty(),
        "{count} of {} listings were of neither state (totals {mixed:?})",
        totals.len()
    );
}

//! Rule 38: single-token changes through the admin API. A created token and its secret, a
//! changed name, scopes, status, expiry or use, and a deletion are each seen by the very next
//! request of the session: in listings, counts, links, filters and authentication.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, auth, ids, links, names, spawn_app, token_named, FROZEN_NOW, NORTH_READER,
    SOUTH_READER,
};
use crate::in_session::InSession;

const READER_ID: &str = "tok_authreader00000000000000";
const OBSERVER_ID: &str = "tok_authobserver000000000000";

/// A new token of `ws_auth` that may list tokens.
pub fn new_reader(name: &str) -> Value {
    json!({"workspace": "ws_auth", "name": name, "scopes": ["tokens:read"]})
}

/// The total of a listing.
async fn total(session: InSession<'_>, query: &str) -> u64 {
    let body = session
        .list(&format!("/v1/tokens{query}"), auth::READER)
        .await;
    body["meta"]["total"].as_u64().expect("a total")
}

/// The 401 a secret gets in the session; returns its detail.
async fn refused(session: InSession<'_>, secret: &str) -> String {
    let response = session.get("/v1/tokens", Some(secret)).await;
    let problem = assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
    problem["detail"].as_str().expect("a detail").to_owned()
}

#[actix_web::test]
async fn a_created_token_is_listed_counted_linked_and_authenticates_at_once() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let s = app.session("s");
    let before = total(s, "?status=active").await;

    // Act
    let response = s
        .send_json(Method::POST, "/__admin/tokens", &new_reader("Playwright"))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let text = response.text().await.expect("a body");
    let created: Value = serde_json::from_str(&text).expect("JSON");
    let secret = created["secret"].as_str().expect("a secret");
    let id = created["token"]["id"].as_str().expect("an id");
    let own = s.list("/v1/tokens?name=playwright", secret).await;

    // Assert: the token, as the API shows tokens, with the session's clock and defaults...
    let keys: Vec<&String> = created.as_object().expect("an object").keys().collect();
    assert_eq!(keys, ["token", "secret"]);
    let token = &created["token"];
    assert_eq!(token["status"], "active");
    assert_eq!(token["created_at"], FROZEN_NOW);
    assert_eq!(token["expires_at"], Value::Null);
    assert_eq!(token["last_used_at"], Value::Null);
    assert_eq!(token["created_by"], "admin@example.com");
    assert!(id.starts_with("tok_") && id.len() == 28, "{id}");
    assert!(
        secret.starts_with("tok_live_") && secret.len() >= 33,
        "{secret}"
    );
    // ...whose secret authenticates on the very next request, recording the use...
    assert_eq!(ids(&own), [id]);
    assert_eq!(token_named(&own, "Playwright")["last_used_at"], FROZEN_NOW);
    // ...and that counts, filters and links like any other.
    assert_eq!(total(s, "?status=active").await, before + 1);
    assert_eq!(total(s, "?status=revoked").await, 1);
    // 10 tokens: a fourth page of 3, holding the newest token alone.
    let response = s.get("/v1/tokens?per_page=3", Some(auth::READER)).await;
    assert_eq!(
        links(response.headers())["last"],
        "/v1/tokens?page=4&per_page=3"
    );
    let last_page = s.list("/v1/tokens?per_page=3&page=4", auth::READER).await;
    assert_eq!(names(&last_page), ["Playwright"]);
    // The secret is shown this once: the export holds its digest only.
    let export = s
        .admin(Method::GET, "/__admin/snapshot", None, StatusCode::OK)
        .await;
    assert!(!export.to_string().contains(secret));
}

#[actix_web::test]
async fn a_token_is_created_in_the_workspace_named_and_seen_only_there() {
    // Arrange
    let app = spawn_app("workspaces.json").await;
    let s = app.session("s");
    let south = json!({"workspace": "ws_south", "name": "South deploy", "scopes": []});

    // Act
    s.create_token(&south).await;

    // Assert
    let south_names = names(&s.list("/v1/tokens", SOUTH_READER).await);
    assert!(
        south_names.contains(&"South deploy".to_owned()),
        "{south_names:?}"
    );
    let north_names = names(&s.list("/v1/tokens", NORTH_READER).await);
    assert!(
        !north_names.contains(&"South deploy".to_owned()),
        "{north_names:?}"
    );
}

#[actix_web::test]
async fn each_change_of_a_token_is_seen_by_the_next_request() {
    // Arrange: an indexed token (the Observer) and one of the session's own.
    let app = spawn_app("auth.json").await;
    let s = app.session("s");
    let mut fields = new_reader("Own");
    fields["created_at"] = json!("2026-03-01T00:00:00Z");
    let (own, own_secret) = s.create_token(&fields).await;
    let own = own["id"].as_str().expect("an id").to_owned();
    let tokens = [
        (OBSERVER_ID, auth::OBSERVER),
        (own.as_str(), own_secret.as_str()),
    ];

    for (i, (id, secret)) in tokens.into_iter().enumerate() {
        // Act / Assert: a new name is what the name filter finds, the old one is gone.
        let old_name = if i == 0 { "Observer" } else { "Own" };
        s.patch_token(id, &json!({"name": format!("Renamed{i} ünïcode")}))
            .await;
        let found = s
            .list(
                &format!("/v1/tokens?name=RENAMED{i}%20%C3%9CN"),
                auth::READER,
            )
            .await;
        assert_eq!(ids(&found), [id]);
        let old = s
            .list(&format!("/v1/tokens?name={old_name}"), auth::READER)
            .await;
        assert!(ids(&old).is_empty(), "{old}");
        let renamed = format!("/v1/tokens?name=renamed{i}");

        // Without tokens:read, the secret may no longer list (403).
        s.patch_token(id, &json!({"scopes": ["tokens:write"]}))
            .await;
        let response = s.get("/v1/tokens", Some(secret)).await;
        assert_problem(response, StatusCode::FORBIDDEN, "insufficient_scope").await;
        s.patch_token(id, &json!({"scopes": ["tokens:read"]})).await;

        // A recorded use as given; then one by the secret itself, at the session's clock.
        s.patch_token(id, &json!({"last_used_at": "2026-04-01T00:00:00Z"}))
            .await;
        let body = s.list(&renamed, auth::READER).await;
        assert_eq!(body["data"][0]["last_used_at"], "2026-04-01T00:00:00Z");
        s.freeze("2026-05-02T00:00:00Z").await;
        let body = s.list(&renamed, secret).await;
        assert_eq!(body["data"][0]["last_used_at"], "2026-05-02T00:00:00Z");
        s.freeze(FROZEN_NOW).await;

        // An expiry in the past: expired, listed and counted so, and refused.
        let expired_before = total(s, "?status=expired").await;
        s.patch_token(id, &json!({"expires_at": "2026-04-30T00:00:00Z"}))
            .await;
        assert!(refused(s, secret).await.contains("expired"));
        assert_eq!(total(s, "?status=expired").await, expired_before + 1);
        // No expiry: active again.
        s.patch_token(id, &json!({"expires_at": null})).await;
        assert_eq!(
            s.get("/v1/tokens", Some(secret)).await.status(),
            StatusCode::OK
        );

        // Revoked: listed and counted so, and the secret is refused as revoked.
        let revoked_before = total(s, "?status=revoked").await;
        let changed = s.patch_token(id, &json!({"status": "revoked"})).await;
        assert_eq!(changed["status"], "revoked");
        assert!(refused(s, secret).await.contains("revoked"));
        assert_eq!(total(s, "?status=revoked").await, revoked_before + 1);
    }
}

#[actix_web::test]
async fn a_token_created_after_the_clock_is_not_valid_yet() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let s = app.session("s");
    let mut fields = new_reader("From the future");
    fields["created_at"] = json!("2026-06-01T00:00:00Z");

    // Act
    let (_, secret) = s.create_token(&fields).await;

    // Assert: listed, but it cannot authenticate until the clock reaches it.
    assert!(refused(s, &secret).await.contains("not valid yet"));
    s.freeze("2026-06-01T00:00:00Z").await;
    assert_eq!(
        s.get("/v1/tokens", Some(&secret)).await.status(),
        StatusCode::OK
    );
}

#[actix_web::test]
async fn a_deleted_token_is_gone_from_listings_counts_and_authentication() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let s = app.session("s");
    let (own, own_secret) = s.create_token(&new_reader("Own")).await;
    let own = own["id"].as_str().expect("an id").to_owned();
    let before = total(s, "").await;

    for (id, secret) in [
        (OBSERVER_ID, auth::OBSERVER),
        (own.as_str(), own_secret.as_str()),
    ] {
        // Act
        let path = format!("/__admin/tokens/{id}");
        s.admin(Method::DELETE, &path, None, StatusCode::NO_CONTENT)
            .await;

        // Assert
        assert!(
            !ids(&s.list("/v1/tokens?per_page=100", auth::READER).await).contains(&id.to_owned())
        );
        let response = s.get("/v1/tokens", Some(secret)).await;
        assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
        for method in [Method::DELETE, Method::PATCH] {
            let again = s.send_json(method, &path, &json!({})).await;
            assert_problem(again, StatusCode::NOT_FOUND, "not_found").await;
        }
    }
    assert_eq!(total(s, "").await, before - 2);
    for unknown in [
        "tok_nobodyhasthisid000000000",
        "not_an_id",
        READER_ID.to_uppercase().as_str(),
    ] {
        let path = format!("/__admin/tokens/{unknown}");
        let response = s
            .send_json(Method::PATCH, &path, &json!({"name": "x"}))
            .await;
        assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
        let response = s
            .request(Method::DELETE, &path)
            .send()
            .await
            .expect("answered");
        assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    }
}

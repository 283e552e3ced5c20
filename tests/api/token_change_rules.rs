//! Rule 38, continued: a token change is held to the snapshot rules (a 422 naming each bad
//! field by its location, in the snapshot's own words, and nothing changed); a change is seen
//! in its session only; and an export of a changed session loads back as it was.

use reqwest::{Method, StatusCode};
use serde_json::{json, Map, Value};
use tooken_mock::store::snapshot::Snapshot;

use crate::helpers::{assert_problem, auth, names, spawn_app, FROZEN_NOW};
use crate::in_session::{sessions, InSession};
use crate::token_changes::new_reader;

/// `(location, detail)` of each entry of a problem's `errors`.
fn errors(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            let text = |key: &str| e[key].as_str().expect("a string").to_owned();
            (text("parameter"), text("detail"))
        })
        .collect()
}

/// What the snapshot rules say of `token` loaded as a one-token snapshot: each problem's
/// location within the token, and its message.
fn snapshot_problems(token: &Value) -> Vec<(String, String)> {
    let bytes = serde_json::to_vec(&json!([token])).expect("JSON");
    match Snapshot::parse(&bytes) {
        Ok(_) => Vec::new(),
        Err(error) => error
            .0
            .into_iter()
            .map(|p| (p.location.trim_start_matches("[0].").to_owned(), p.message))
            .collect(),
    }
}

/// Bad values of the fields both a creation and a change may give.
fn bad_values() -> Vec<(&'static str, Value)> {
    vec![
        ("name", json!("")),
        ("name", json!("x".repeat(257))),
        ("name", json!(5)),
        ("name", Value::Null),
        ("scopes", json!(["Tokens:Read"])),
        ("scopes", json!(["tokens:read", "read"])),
        ("scopes", json!("tokens:read")),
        ("scopes", json!([5])),
        ("expires_at", json!("soon")),
        ("expires_at", json!("2026-01-01")),
        ("expires_at", json!("2020-01-01T00:00:00Z")),
        ("expires_at", json!(1_767_225_600)),
    ]
}

/// Sends `body` and checks the 422: exactly `expected`, in any order.
async fn assert_refused(
    s: InSession<'_>,
    method: Method,
    path: &str,
    body: &Value,
    expected: &[(String, String)],
) {
    let response = s.send_json(method, path, body).await;
    let problem = assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_token_change",
    )
    .await;
    let mut got = errors(&problem);
    let mut expected = expected.to_vec();
    got.sort();
    expected.sort();
    assert_eq!(got, expected, "{body}");
}

#[actix_web::test]
async fn a_creation_breaking_the_snapshot_rules_is_a_422_naming_each_field_in_their_words() {
    // Arrange: what a created token is, before its fields are given.
    let app = spawn_app("auth.json").await;
    let s = app.session("s");
    let defaults = json!({"id": "tok_aaaaaaaaaaaaaaaaaaaaaaaa", "status": "active",
        "created_at": FROZEN_NOW, "expires_at": null, "last_used_at": null,
        "created_by": "admin@example.com", "secret": "tok_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAA"});
    let mut cases = bad_values();
    cases.extend([
        ("status", json!("paused")),
        ("status", json!("Active")),
        ("created_at", json!("yesterday")),
        ("created_at", json!("2026-05-01T00:00:00")),
        ("created_by", json!("alice")),
        ("created_by", json!(["alice@example.com"])),
    ]);
    let mut all_at_once = new_reader("Valid");

    for (field, value) in cases {
        let mut body = new_reader("Valid");
        body[field] = value.clone();
        let mut token = defaults.clone();
        for (key, given) in body.as_object().expect("an object") {
            if key != "workspace" {
                token[key] = given.clone();
            }
        }
        let expected = snapshot_problems(&token);
        assert!(
            !expected.is_empty(),
            "{field}: {value} breaks a snapshot rule"
        );

        // Act / Assert
        assert_refused(s, Method::POST, "/__admin/tokens", &body, &expected).await;
        if field != "created_at" {
            all_at_once[field] = value;
        }
    }
    // All at once, with the workspace missing and fields a client may not choose (its id,
    // its secret): each is named. Then the workspace, which the snapshot rules do not know.
    let problems = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(l, d)| (l.to_string(), d.to_string()))
            .collect()
    };
    let mut body = all_at_once.as_object().expect("an object").clone();
    body.remove("workspace");
    body.insert("id".into(), json!("tok_aaaaaaaaaaaaaaaaaaaaaaaa"));
    body.insert(
        "secret".into(),
        json!("tok_live_ChosenByTheClient000000000001"),
    );
    let response = s
        .send_json(Method::POST, "/__admin/tokens", &Value::Object(body))
        .await;
    let problem = assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_token_change",
    )
    .await;
    let locations: Vec<String> = errors(&problem).into_iter().map(|(l, _)| l).collect();
    for expected in [
        "workspace",
        "id",
        "secret",
        "name",
        "scopes",
        "status",
        "expires_at",
        "created_by",
    ] {
        assert!(
            locations
                .iter()
                .any(|l| l == expected || l.starts_with(&format!("{expected}["))),
            "{expected} in {locations:?}"
        );
    }
    for (workspace, detail) in [
        (
            json!("ws_nope"),
            "must be the id of a workspace of this session",
        ),
        (json!(5), "must be a string"),
    ] {
        let mut body = new_reader("Valid");
        body["workspace"] = workspace;
        assert_refused(
            s,
            Method::POST,
            "/__admin/tokens",
            &body,
            &problems(&[("workspace", detail)]),
        )
        .await;
    }
    let missing: Map<String, Value> = Map::new();
    let expected = problems(&[
        ("workspace", "is required"),
        ("name", "is required"),
        ("scopes", "is required"),
    ]);
    assert_refused(
        s,
        Method::POST,
        "/__admin/tokens",
        &Value::Object(missing),
        &expected,
    )
    .await;
    for not_an_object in [json!([]), json!("x"), json!(null)] {
        let response = s
            .send_json(Method::POST, "/__admin/tokens", &not_an_object)
            .await;
        assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    }

    // Nothing was created.
    assert_eq!(sessions(&app).await[0]["tokens_changed"], 0);
    assert_eq!(s.list("/v1/tokens", auth::READER).await["meta"]["total"], 9);
}

#[actix_web::test]
async fn a_change_breaking_the_snapshot_rules_is_a_422_naming_each_field_in_their_words() {
    // Arrange: the Reader as the session's export shows it, with its digest as its secret.
    let app = spawn_app("auth.json").await;
    let s = app.session("s");
    let export = s
        .admin(Method::GET, "/__admin/snapshot", None, StatusCode::OK)
        .await;
    let reader = export["workspaces"][0]["tokens"][0].clone();
    let path = format!("/__admin/tokens/{}", reader["id"].as_str().expect("an id"));
    let mut cases = bad_values();
    cases.extend([
        ("last_used_at", json!("2025-12-31T00:00:00Z")),
        ("last_used_at", json!("later")),
    ]);

    for (field, value) in cases {
        let mut token = reader.clone();
        token[field] = value.clone();
        let expected = snapshot_problems(&token);
        assert!(
            !expected.is_empty(),
            "{field}: {value} breaks a snapshot rule"
        );

        // Act / Assert
        assert_refused(s, Method::PATCH, &path, &json!({ field: value }), &expected).await;
    }
    let own_rules = [
        ("status", json!("active"), "can only be set to revoked"),
        ("status", json!("paused"), "can only be set to revoked"),
        ("created_at", json!(FROZEN_NOW), "unknown field"),
        ("created_by", json!("a@example.com"), "unknown field"),
        ("id", json!("tok_aaaaaaaaaaaaaaaaaaaaaaaa"), "unknown field"),
        (
            "secret",
            json!("tok_live_ChosenByTheClient000000000001"),
            "unknown field",
        ),
    ];
    let mut all_at_once = json!({"name": "", "scopes": ["X"], "expires_at": "soon"});
    for (field, value, detail) in own_rules {
        let expected = vec![(field.to_owned(), detail.to_owned())];
        assert_refused(s, Method::PATCH, &path, &json!({ field: value }), &expected).await;
        all_at_once[field] = value;
    }
    let response = s.send_json(Method::PATCH, &path, &all_at_once).await;
    let problem = assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_token_change",
    )
    .await;
    assert_eq!(errors(&problem).len(), 8, "{problem}");

    // Nothing was changed.
    assert_eq!(sessions(&app).await[0]["tokens_changed"], 0);
    let again = s
        .admin(Method::GET, "/__admin/snapshot", None, StatusCode::OK)
        .await;
    assert_eq!(again, export);
}

#[actix_web::test]
async fn changes_in_one_session_are_not_seen_in_the_default_session_or_in_others() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let (a, b, default) = (app.session("a"), app.session("b"), app.default_session());

    // Act: a creates, changes and deletes; the default session revokes the Observer.
    let (_, a_secret) = a.create_token(&new_reader("Only in a")).await;
    a.patch_token(
        "tok_authreader00000000000000",
        &json!({"name": "Renamed in a"}),
    )
    .await;
    let delete = "/__admin/tokens/tok_authbadquery000000000000";
    a.admin(Method::DELETE, delete, None, StatusCode::NO_CONTENT)
        .await;
    let (_, default_secret) = default.create_token(&new_reader("Only in default")).await;
    default
        .patch_token(
            "tok_authobserver000000000000",
            &json!({"status": "revoked"}),
        )
        .await;

    // Assert
    let in_a = names(&a.list("/v1/tokens", auth::OBSERVER).await);
    assert!(in_a.contains(&"Only in a".to_owned()) && in_a.contains(&"Renamed in a".to_owned()));
    assert!(
        !in_a.contains(&"Bad query sender".to_owned())
            && !in_a.contains(&"Only in default".to_owned())
    );
    let in_b = names(&b.list("/v1/tokens", auth::OBSERVER).await);
    let in_default = names(&default.list("/v1/tokens", auth::READER).await);
    for (who, seen) in [("b", &in_b), ("default", &in_default)] {
        assert!(
            seen.contains(&"Reader".to_owned()) && seen.contains(&"Bad query sender".to_owned()),
            "{who}: {seen:?}"
        );
        assert!(!seen.contains(&"Only in a".to_owned()), "{who}: {seen:?}");
    }
    assert!(!in_b.contains(&"Only in default".to_owned()));
    assert_eq!(b.get("/v1/tokens", Some(&a_secret)).await.status(), 401);
    assert_eq!(
        default.get("/v1/tokens", Some(&a_secret)).await.status(),
        401
    );
    assert_eq!(
        b.get("/v1/tokens", Some(&default_secret)).await.status(),
        401
    );
    assert_eq!(
        a.get("/v1/tokens", Some(&default_secret)).await.status(),
        401
    );
    assert_eq!(
        b.get("/v1/tokens", Some(auth::OBSERVER)).await.status(),
        200
    );
}

#[actix_web::test]
async fn the_export_of_a_changed_session_loads_back_as_it_was() {
    // Arrange: a created, changed, revoked, used and deleted tokens.
    let app = spawn_app("auth.json").await;
    let (a, c) = (app.session("a"), app.session("c"));
    let (created, secret) = a.create_token(&new_reader("Exported")).await;
    let created = created["id"].as_str().expect("an id");
    a.list("/v1/tokens", &secret).await;
    a.patch_token(created, &json!({"scopes": ["tokens:read", "tokens:write"]}))
        .await;
    a.patch_token(
        "tok_authobserver000000000000",
        &json!({"status": "revoked"}),
    )
    .await;
    let delete = "/__admin/tokens/tok_authbadquery000000000000";
    a.admin(Method::DELETE, delete, None, StatusCode::NO_CONTENT)
        .await;
    let export = a
        .request(Method::GET, "/__admin/snapshot")
        .send()
        .await
        .expect("answered");
    let export = export.bytes().await.expect("a body").to_vec();

    // Act: loaded into session c.
    let response = c
        .request(Method::PUT, "/__admin/snapshot")
        .header("Content-Type", "application/json")
        .body(export.clone())
        .send()
        .await
        .expect("answered");

    // Assert: c serves what a serves, the created token's secret included, and exports the
    // same bytes.
    assert_eq!(response.status(), StatusCode::OK);
    let again = c
        .request(Method::GET, "/__admin/snapshot")
        .send()
        .await
        .expect("answered");
    assert_eq!(again.bytes().await.expect("a body").to_vec(), export);
    let page = "/v1/tokens?per_page=100";
    assert_eq!(c.list(page, &secret).await, a.list(page, &secret).await);
    let revoked = c.get("/v1/tokens", Some(auth::OBSERVER)).await;
    assert_problem(revoked, StatusCode::UNAUTHORIZED, "invalid_token").await;
}

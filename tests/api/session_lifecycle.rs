//! Rule 37, the life of a session: listed by `GET /__admin/sessions`, dropped by `DELETE`,
//! by `sessions.max` (least recently used first) and by `sessions.idle_ttl_secs`; both
//! settings validated at start-up. What reset, replace and a watched reload do to named
//! sessions: each acts on its own session only, and named sessions keep their state.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, auth, fixture, run_binary, spawn_app, spawn_app_from, spawn_app_with,
    token_named, FROZEN_NOW,
};
use crate::in_session::{session_names, sessions};

/// Whether `text` is an RFC 3339 UTC time in whole seconds (`2026-05-01T00:00:00Z`).
fn is_timestamp(text: &Value) -> bool {
    text.as_str().is_some_and(|t| {
        t.len() == 20 && t.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(t).is_ok()
    })
}

#[actix_web::test]
async fn the_session_list_shows_each_named_session_and_what_it_changed() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let a = app.session("a");
    let created = json!({"workspace": "ws_auth", "name": "Mine", "scopes": ["tokens:read"]});

    // Act: a creates a token and changes it twice, changes one indexed token and deletes
    // another (3 tokens); b only lists; the default session changes a token.
    let (mine, _) = a.create_token(&created).await;
    let mine = mine["id"].as_str().expect("an id");
    a.patch_token(mine, &json!({"name": "Mine, renamed"})).await;
    a.patch_token(mine, &json!({"status": "revoked"})).await;
    a.patch_token("tok_authreader00000000000000", &json!({"name": "R"}))
        .await;
    let path = "/__admin/tokens/tok_authobserver000000000000";
    a.admin(Method::DELETE, path, None, StatusCode::NO_CONTENT)
        .await;
    app.session("b").list("/v1/tokens", auth::READER).await;
    let default = app.default_session();
    default
        .patch_token("tok_authreader00000000000000", &json!({"name": "D"}))
        .await;
    let listed = sessions(&app).await;

    // Assert: by name, the default session not among them.
    let summary: Vec<(&Value, &Value)> = listed
        .iter()
        .map(|s| (&s["name"], &s["tokens_changed"]))
        .collect();
    assert_eq!(
        summary,
        [(&json!("a"), &json!(3)), (&json!("b"), &json!(0))]
    );
    for session in &listed {
        assert!(is_timestamp(&session["created_at"]), "{session}");
        assert!(is_timestamp(&session["last_used_at"]), "{session}");
        assert!(session["last_used_at"].as_str() >= session["created_at"].as_str());
    }

    // Act: a second later, a is used again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    a.now().await;
    let later = sessions(&app).await;

    // Assert: its last use moved, its creation did not.
    assert_eq!(later[0]["created_at"], listed[0]["created_at"]);
    assert!(later[0]["last_used_at"].as_str() > listed[0]["last_used_at"].as_str());
    assert_eq!(later[1]["last_used_at"], listed[1]["last_used_at"]);
}

#[actix_web::test]
async fn deleting_a_session_drops_it_and_everything_it_held() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let a = app.session("a");
    a.freeze("2030-01-01T00:00:00Z").await;
    let path = "/__admin/tokens/tok_authobserver000000000000";
    a.admin(Method::DELETE, path, None, StatusCode::NO_CONTENT)
        .await;

    // Act
    let first = app
        .request(Method::DELETE, "/__admin/sessions/a", None)
        .await;
    let second = app
        .request(Method::DELETE, "/__admin/sessions/a", None)
        .await;
    let never = app
        .request(Method::DELETE, "/__admin/sessions/nobody", None)
        .await;
    let bad = app
        .request(Method::DELETE, "/__admin/sessions/a%20b", None)
        .await;

    // Assert
    assert_eq!(first.status(), StatusCode::NO_CONTENT);
    assert_problem(second, StatusCode::NOT_FOUND, "not_found").await;
    assert_problem(never, StatusCode::NOT_FOUND, "not_found").await;
    let problem = assert_problem(bad, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(problem["errors"][0]["parameter"], "name", "{problem}");
    assert!(session_names(&app).await.is_empty());
    // The name used again starts afresh from the configured data and clock.
    assert_eq!(a.now().await, FROZEN_NOW);
    assert_eq!(
        a.list("/v1/tokens", auth::OBSERVER).await["meta"]["total"],
        9
    );
}

#[actix_web::test]
async fn past_sessions_max_the_least_recently_used_session_is_dropped() {
    // Arrange
    let env = [("TOOKEN__SESSIONS__MAX", "2")];
    let app = spawn_app_with("auth.json", FROZEN_NOW, &env).await;
    app.session("a").freeze("2030-01-01T00:00:00Z").await;
    app.session("b").freeze("2031-01-01T00:00:00Z").await;
    app.session("a").now().await;

    // Act: a third session; b is the least recently used.
    app.session("c").now().await;

    // Assert
    assert_eq!(session_names(&app).await, ["a", "c"]);
    assert_eq!(app.session("a").now().await, "2030-01-01T00:00:00Z");

    // Act: b again, now the newest; c is the least recently used.
    let b_again = app.session("b").now().await;

    // Assert: b started afresh.
    assert_eq!(b_again, FROZEN_NOW);
    assert_eq!(session_names(&app).await, ["a", "b"]);
}

#[actix_web::test]
async fn a_session_unused_for_idle_ttl_secs_is_dropped() {
    // Arrange
    let env = [("TOOKEN__SESSIONS__IDLE_TTL_SECS", "1")];
    let app = spawn_app_with("auth.json", FROZEN_NOW, &env).await;
    for name in ["idle", "gone", "listed", "busy"] {
        app.session(name).freeze("2030-01-01T00:00:00Z").await;
    }

    // Act: for 2 seconds, only "busy" is used.
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        app.session("busy").now().await;
    }

    // Assert: a lookup of an idle session starts it afresh, a drop finds nothing, the list
    // no longer shows it; the session in use kept its state.
    assert_eq!(app.session("idle").now().await, FROZEN_NOW);
    let gone = app
        .request(Method::DELETE, "/__admin/sessions/gone", None)
        .await;
    assert_problem(gone, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(session_names(&app).await, ["busy", "idle"]);
    assert_eq!(app.session("busy").now().await, "2030-01-01T00:00:00Z");
}

/// Starts the binary with `env` and checks that it stops, naming `setting`.
async fn assert_start_up_refused(env: &[(&str, &str)], setting: &str) {
    let snapshot = fixture("auth.json");
    let args = [
        "--snapshot",
        snapshot.to_str().expect("UTF-8"),
        "--port",
        "0",
    ];
    let (status, stdout, stderr) = run_binary(&args, env).await;
    assert!(!status.success(), "{env:?}: {status}\n{stdout}");
    assert!(stderr.contains(setting), "{setting} in\n{stderr}");
    assert!(!stdout.contains("/v1/tokens"), "no banner: {stdout}");
}

#[tokio::test]
async fn session_settings_out_of_range_stop_start_up_naming_the_setting() {
    for (variable, value, setting) in [
        ("TOOKEN__SESSIONS__MAX", "0", "sessions.max"),
        ("TOOKEN__SESSIONS__MAX", "100001", "sessions.max"),
        ("TOOKEN__SESSIONS__MAX", "-1", "sessions.max"),
        (
            "TOOKEN__SESSIONS__IDLE_TTL_SECS",
            "0",
            "sessions.idle_ttl_secs",
        ),
        (
            "TOOKEN__SESSIONS__IDLE_TTL_SECS",
            "2592001",
            "sessions.idle_ttl_secs",
        ),
        (
            "TOOKEN__SESSIONS__IDLE_TTL_SECS",
            "soon",
            "sessions.idle_ttl_secs",
        ),
    ] {
        assert_start_up_refused(&[(variable, value)], setting).await;
    }
}

#[actix_web::test]
async fn reset_and_replace_act_on_their_own_session_only() {
    // Arrange: a and the default session each moved their clock and deleted a token.
    let app = spawn_app("auth.json").await;
    let (a, b, default) = (app.session("a"), app.session("b"), app.default_session());
    let delete = "/__admin/tokens/tok_authobserver000000000000";
    for session in [a, default] {
        session.freeze("2030-01-01T00:00:00Z").await;
        session
            .admin(Method::DELETE, delete, None, StatusCode::NO_CONTENT)
            .await;
    }
    b.freeze("2031-01-01T00:00:00Z").await;
    let one_token = json!([{"id": "tok_replaced0000000000000000", "name": "Only one",
        "scopes": ["tokens:read"], "status": "active", "created_at": "2026-01-01T00:00:00Z",
        "expires_at": null, "last_used_at": null, "created_by": "x@example.com",
        "secret": "tok_live_ReplacedOnlyOne0000000000001"}]);

    // Act: the default session is reset; a is reset; b's data is replaced.
    default
        .admin(Method::POST, "/__admin/reset", None, StatusCode::OK)
        .await;
    a.admin(Method::POST, "/__admin/reset", None, StatusCode::OK)
        .await;
    b.admin(
        Method::PUT,
        "/__admin/snapshot",
        Some(&one_token),
        StatusCode::OK,
    )
    .await;

    // Assert: each is back to the configured state, or serves what it was given...
    for session in [a, default] {
        assert_eq!(session.now().await, FROZEN_NOW, "{:?}", session.name);
        let body = session.list("/v1/tokens", auth::OBSERVER).await;
        assert_eq!(body["meta"]["total"], 9, "{:?}", session.name);
    }
    let secret = "tok_live_ReplacedOnlyOne0000000000001";
    assert_eq!(b.list("/v1/tokens", secret).await["meta"]["total"], 1);
    // ...b kept its clock, and new sessions still fork the configured data.
    assert_eq!(b.now().await, "2031-01-01T00:00:00Z");
    assert_eq!(a.get("/v1/tokens", Some(secret)).await.status(), 401);
    let fresh = app.session("fresh").list("/v1/tokens", auth::READER).await;
    assert_eq!(fresh["meta"]["total"], 9);
}

#[actix_web::test]
async fn a_watched_reload_serves_the_default_and_new_sessions_and_leaves_named_ones_alone() {
    // Arrange: a watched copy of auth.json; session a exists before the reload.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("snapshot.json");
    std::fs::copy(fixture("auth.json"), &path).expect("copied");
    let watch = [
        ("TOOKEN__SNAPSHOT__WATCH", "true"),
        ("TOOKEN__SNAPSHOT__WATCH_INTERVAL_MS", "50"),
    ];
    let app = spawn_app_from(&path, FROZEN_NOW, &watch).await;
    let a = app.session("a");
    a.list("/v1/tokens", auth::READER).await;

    // Act: the file is renamed token by token ("Reader" becomes "Reader, reloaded").
    let mut snapshot: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("JSON");
    snapshot["workspaces"][0]["tokens"][0]["name"] = json!("Reader, reloaded");
    std::fs::write(&path, serde_json::to_vec(&snapshot).expect("JSON")).expect("written");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while app.list("/v1/tokens", auth::READER).await["data"][0]["name"] != "Reader, reloaded" {
        assert!(std::time::Instant::now() < deadline, "no reload");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Assert
    let in_a = a.list("/v1/tokens", auth::READER).await;
    token_named(&in_a, "Reader");
    let fresh = app.session("fresh").list("/v1/tokens", auth::READER).await;
    token_named(&fresh, "Reader, reloaded");
}

#[actix_web::test]
async fn a_new_session_never_gets_the_pages_of_a_dropped_one() {
    // Arrange: sessions made and dropped one after another, each at its own time, so the
    // memory of a dropped one is soon reused for the next.
    let app = spawn_app("auth.json").await;
    for day in 1..=20 {
        let name = format!("s{day}");
        let session = app.session(&name);
        let at = format!("2026-05-{day:02}T00:00:00Z");
        session.freeze(&at).await;

        // Act: the second listing may be answered from the page cache.
        session.list("/v1/tokens", auth::READER).await;
        let body = session.list("/v1/tokens", auth::READER).await;

        // Assert
        assert_eq!(token_named(&body, "Reader")["last_used_at"], at.as_str());
        let path = format!("/__admin/sessions/{name}");
        let dropped = app.request(Method::DELETE, &path, None).await;
        assert_eq!(dropped.status(), StatusCode::NO_CONTENT);
    }
}

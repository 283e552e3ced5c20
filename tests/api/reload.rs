//! Live reload (`--watch`, rule 26 on reload): a changed snapshot file is served without a
//! restart, swapped atomically; a broken one is refused, reported in `/readyz` and the log,
//! and the previous data keeps serving without a failed request.

use std::cell::{Cell, RefCell};
use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use tempfile::TempDir;

use crate::helpers::{
    fixture, names, run_binary, spawn_app_from, Binary, TestApp, FROZEN_NOW, NORTH_READER,
    PROCESS_TIMEOUT,
};

/// How often the tests' watchers look at the file.
const WATCH: [(&str, &str); 2] = [
    ("TOOKEN__SNAPSHOT__WATCH", "true"),
    ("TOOKEN__SNAPSHOT__WATCH_INTERVAL_MS", "50"),
];

/// The name of the token the new data adds to `ws_north`.
const ADDED: &str = "Reloaded token";

/// How long a change gets to be picked up.
const RELOAD_TIMEOUT: Duration = Duration::from_secs(10);

fn read_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).expect("the fixture exists")
}

/// `workspaces.json` with one more token in `ws_north`: 5 there instead of 4.
fn workspaces_with_one_more() -> Vec<u8> {
    let mut snapshot: Value =
        serde_json::from_slice(&read_fixture("workspaces.json")).expect("JSON");
    snapshot["workspaces"][0]["tokens"]
        .as_array_mut()
        .expect("tokens")
        .push(json!({
            "id": "tok_north05reloaded000000000",
            "name": ADDED,
            "scopes": ["tokens:read"],
            "status": "active",
            "created_at": "2026-01-05T00:00:00Z",
            "expires_at": null,
            "last_used_at": null,
            "created_by": "owner@example.com"
        }));
    serde_json::to_vec_pretty(&snapshot).expect("JSON")
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).expect("the snapshot file is written");
}

/// Serves a watched copy of `workspaces.json` in `dir`.
async fn serve_watched(dir: &TempDir) -> (TestApp, std::path::PathBuf) {
    let path = dir.path().join("snapshot.json");
    write(&path, &read_fixture("workspaces.json"));
    let app = spawn_app_from(&path, FROZEN_NOW, &WATCH).await;
    (app, path)
}

/// How many tokens the North reader's listing counts.
async fn north_total(app: &TestApp) -> u64 {
    app.list("/v1/tokens", NORTH_READER).await["meta"]["total"]
        .as_u64()
        .expect("a total")
}

/// Polls `/readyz` until `done` holds for it; returns that body.
async fn readyz_until(app: &TestApp, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + RELOAD_TIMEOUT;
    loop {
        let ready = app.get_json("/readyz").await;
        if done(&ready) {
            return ready;
        }
        assert!(Instant::now() < deadline, "{what}: {ready}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Polls the North listing until it counts `total` tokens.
async fn north_total_until(app: &TestApp, total: u64) {
    let deadline = Instant::now() + RELOAD_TIMEOUT;
    while north_total(app).await != total {
        assert!(Instant::now() < deadline, "no reload to {total} tokens");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn reload_error(ready: &Value) -> Option<&str> {
    ready["last_reload_error"].as_str()
}

#[actix_web::test]
async fn with_watch_a_changed_snapshot_file_is_served_without_a_restart() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (app, path) = serve_watched(&dir).await;
    assert_eq!(north_total(&app).await, 4);

    // Act
    write(&path, &workspaces_with_one_more());

    // Assert
    north_total_until(&app, 5).await;
    let listed = app.list("/v1/tokens", NORTH_READER).await;
    assert!(names(&listed).contains(&ADDED.to_owned()), "{listed}");
    let ready = app.get_json("/readyz").await;
    assert_eq!(ready["tokens"], 7, "{ready}");
    assert_eq!(ready["last_reload_error"], Value::Null, "{ready}");
}

#[actix_web::test]
async fn a_broken_file_is_refused_and_the_previous_data_keeps_serving_without_a_failed_request() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (app, path) = serve_watched(&dir).await;
    assert_eq!(north_total(&app).await, 4);
    let stop = Cell::new(false);
    let seen: RefCell<Vec<(StatusCode, Option<u64>)>> = RefCell::new(Vec::new());
    let requester = async {
        while !stop.get() {
            let response = app.get("/v1/tokens", Some(NORTH_READER)).await;
            let status = response.status();
            let body: Option<Value> = response.json().await.ok();
            let total = body.and_then(|b| b["meta"]["total"].as_u64());
            seen.borrow_mut().push((status, total));
        }
    };
    let writer = async {
        // Act: a half-written file, then one that fails validation, then a good one.
        write(&path, b"{\"workspaces\": [\n");
        let truncated = readyz_until(&app, "the truncated file is refused", |r| {
            reload_error(r).is_some()
        })
        .await;
        write(&path, &read_fixture("invalid_values.json"));
        let invalid = readyz_until(&app, "the invalid file is refused", |r| {
            reload_error(r).is_some_and(|e| e.contains("workspaces[0].tokens[1].id"))
        })
        .await;
        let total_while_broken = north_total(&app).await;
        write(&path, &workspaces_with_one_more());
        north_total_until(&app, 5).await;
        let recovered = app.get_json("/readyz").await;
        stop.set(true);
        (truncated, invalid, total_while_broken, recovered)
    };

    let ((), (truncated, invalid, total_while_broken, recovered)) = tokio::join!(requester, writer);

    // Assert
    assert_eq!(truncated["tokens"], 6, "the old data stays: {truncated}");
    assert_eq!(invalid["tokens"], 6, "the old data stays: {invalid}");
    let problems = reload_error(&invalid).expect("the problems");
    assert!(
        problems.contains("workspaces[2].id"),
        "every problem: {problems}"
    );
    assert_eq!(total_while_broken, 4);
    assert_eq!(recovered["tokens"], 7, "{recovered}");
    assert_eq!(recovered["last_reload_error"], Value::Null, "{recovered}");
    let seen = seen.into_inner();
    assert!(seen.len() >= 10, "only {} requests", seen.len());
    assert!(
        seen.iter().all(|(status, _)| *status == StatusCode::OK),
        "{seen:?}"
    );
    let totals: Vec<u64> = seen.iter().map(|(_, total)| total.unwrap_or(0)).collect();
    let first_new = totals.iter().position(|&t| t == 5).unwrap_or(totals.len());
    assert!(
        totals[..first_new].iter().all(|&t| t == 4) && totals[first_new..].iter().all(|&t| t == 5),
        "old data, then new data, nothing else: {totals:?}"
    );
}

#[actix_web::test]
async fn a_change_written_as_soon_as_the_server_is_built_is_picked_up() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (app, path) = serve_watched(&dir).await;

    // Act: before anything else runs on the server's system.
    write(&path, &workspaces_with_one_more());

    // Assert
    north_total_until(&app, 5).await;
}

#[actix_web::test]
async fn a_snapshot_file_that_vanishes_leaves_the_data_served_until_it_returns() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (app, path) = serve_watched(&dir).await;

    // Act
    std::fs::remove_file(&path).expect("the file is removed");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let while_gone = north_total(&app).await;
    write(&path, &workspaces_with_one_more());

    // Assert
    assert_eq!(while_gone, 4);
    north_total_until(&app, 5).await;
}

#[actix_web::test]
async fn without_watch_a_changed_file_is_not_reloaded() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("snapshot.json");
    write(&path, &read_fixture("workspaces.json"));
    let app = spawn_app_from(
        &path,
        FROZEN_NOW,
        &[("TOOKEN__SNAPSHOT__WATCH_INTERVAL_MS", "50")],
    )
    .await;

    // Act
    write(&path, &workspaces_with_one_more());
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Assert
    assert_eq!(north_total(&app).await, 4);
}

#[tokio::test]
async fn the_watch_flag_reloads_the_file_and_logs_a_refused_reload() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("snapshot.json");
    write(&path, &read_fixture("workspaces.json"));
    let path_text = path.to_str().expect("a UTF-8 path");
    let mut binary = Binary::start(
        &[
            "--port",
            "0",
            "--snapshot",
            path_text,
            "--now",
            FROZEN_NOW,
            "--watch",
        ],
        &[("TOOKEN__SNAPSHOT__WATCH_INTERVAL_MS", "50")],
    );
    let base = binary.wait_for_banner().await;
    let client = reqwest::Client::new();
    let total = || async {
        let response = client
            .get(format!("{base}/v1/tokens"))
            .bearer_auth(NORTH_READER)
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("JSON");
        body["meta"]["total"].as_u64().expect("a total")
    };
    assert_eq!(total().await, 4);

    // Act: a broken file first.
    write(&path, &read_fixture("invalid_values.json"));
    let deadline = Instant::now() + PROCESS_TIMEOUT;
    while !binary.stderr().contains("workspaces[0].tokens[1].id") {
        assert!(
            Instant::now() < deadline,
            "no refusal logged:\n{}",
            binary.stderr()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }

    // Assert: refused and logged, the old data served; then a good file is served.
    assert_eq!(total().await, 4);
    write(&path, &workspaces_with_one_more());
    let deadline = Instant::now() + RELOAD_TIMEOUT;
    while total().await != 5 {
        assert!(Instant::now() < deadline, "no reload");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn watch_without_a_snapshot_file_stops_start_up_naming_snapshot_watch() {
    // Act
    let (status, stdout, stderr) = run_binary(&["--port", "0", "--watch"], &[]).await;

    // Assert
    assert!(!status.success(), "{status}\n{stdout}");
    assert!(stderr.contains("snapshot.watch"), "{stderr}");
}

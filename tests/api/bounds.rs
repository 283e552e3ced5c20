//! Rule 44: nothing a client sends makes the server hold memory in proportion to it. Journals
//! are bounded in entries and bytes and keep a bounded part of each path and query; refused
//! snapshots list their first problems and a count; each admin route has its body limit; and
//! beyond loopback with an admin token, requests without it neither create nor drop sessions.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use config::Environment;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tempfile::TempDir;
use tooken_mock::record::{record, CallerSecret, Progress, RecordError, RecordOptions};
use tooken_mock::settings::{Overrides, Settings};

use crate::helpers::{
    assert_problem, failing_parameters, fixture, spawn_app_from, spawn_app_with, Binary, TestApp,
    FROZEN_NOW,
};

const ADMIN_TOKEN: &str = "admin-token-for-bounds-tests";

/// The admin API of `app` with the admin token, in session `session`.
async fn admin_get(app: &TestApp, path: &str, session: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("X-Mock-Session", session)
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("answered")
}

/// The journal of session `session` (loopback: no token needed).
async fn journal(app: &TestApp, session: &str) -> Vec<Value> {
    let body = app
        .get_json(&format!("/__admin/requests?limit=1000&__session={session}"))
        .await;
    body["data"].as_array().expect("entries").clone()
}

#[actix_web::test]
async fn a_journal_entry_keeps_a_bounded_part_of_a_long_path_and_query_and_says_what_was_cut() {
    // Arrange
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[("TOOKEN__ADMIN__JOURNAL_MAX_TARGET_BYTES", "256")],
    )
    .await;
    let long_path = format!("/v1/tokens/{}", "p".repeat(6000));
    let long_query = format!("name={}", "q".repeat(6000));

    // Act
    for target in [long_path.clone(), format!("/v1/tokens?{long_query}")] {
        let path = format!(
            "{target}{}__session=cut",
            if target.contains('?') { "&" } else { "?" }
        );
        app.get(&path, None).await;
    }
    let entries = journal(&app, "cut").await;

    // Assert: each keeps at most 256 bytes of path and query, then the marker and the count.
    assert_eq!(entries.len(), 2, "{entries:?}");
    for entry in &entries {
        let (path, query) = (
            entry["path"].as_str().unwrap(),
            entry["query"].as_str().unwrap(),
        );
        let kept = |text: &str| text.split('…').next().unwrap().len();
        assert!(kept(path) + kept(query) <= 256, "{entry}");
        assert!(
            path.ends_with("more bytes]") || query.ends_with("more bytes]"),
            "{entry}"
        );
    }
    let with_long_path = &entries[1];
    let cut = 11 + 6000 - 256;
    assert_eq!(
        with_long_path["path"].as_str().unwrap(),
        format!("{}…[{cut} more bytes]", &long_path[..256])
    );
}

#[actix_web::test]
async fn a_sessions_journal_holds_no_more_bytes_than_its_limit_and_keeps_the_newest() {
    // Arrange: 64 KiB for each journal; each request below costs over 2 KiB.
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[
            ("TOOKEN__ADMIN__JOURNAL_MAX_BYTES", "65536"),
            ("TOOKEN__ADMIN__JOURNAL_MAX_TARGET_BYTES", "4096"),
        ],
    )
    .await;

    // Act
    for n in 0..100 {
        let path = format!("/v1/tokens/{n:04}{}?__session=heavy", "x".repeat(2000));
        app.get(&path, None).await;
    }
    let entries = journal(&app, "heavy").await;

    // Assert: far fewer than 100 entries, of which the newest is the last request.
    let kept: usize = entries
        .iter()
        .map(|e| e["path"].as_str().unwrap().len() + e["query"].as_str().unwrap().len())
        .sum();
    assert!(entries.len() < 32, "{} entries", entries.len());
    assert!(kept <= 65536, "{kept} bytes");
    assert!(entries[0]["path"]
        .as_str()
        .unwrap()
        .starts_with("/v1/tokens/0099"));
}

#[actix_web::test]
async fn past_the_limit_of_all_journals_a_session_makes_room_from_its_own_entries_only() {
    // Arrange: 64 KiB in all, as much as one session may hold.
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[
            ("TOOKEN__ADMIN__JOURNAL_MAX_BYTES", "65536"),
            ("TOOKEN__ADMIN__JOURNAL_TOTAL_BYTES", "65536"),
            ("TOOKEN__ADMIN__JOURNAL_MAX_TARGET_BYTES", "4096"),
        ],
    )
    .await;
    app.get("/v1/tokens?__session=quiet", None).await;

    // Act: other sessions send large requests until every journal together is full.
    for n in 0..120 {
        let path = format!("/v1/tokens/{}?__session=loud-{}", "x".repeat(3000), n % 4);
        app.get(&path, None).await;
    }

    // Assert: the quiet session still has its entry.
    let quiet = journal(&app, "quiet").await;
    assert_eq!(quiet.len(), 1, "{quiet:?}");
    let loud: usize = futures_len(&app, 4).await;
    assert!(loud < 120, "{loud} loud entries kept");
}

async fn futures_len(app: &TestApp, sessions: usize) -> usize {
    let mut total = 0;
    for n in 0..sessions {
        total += journal(app, &format!("loud-{n}")).await.len();
    }
    total
}

#[actix_web::test]
async fn requests_without_the_admin_token_neither_create_nor_drop_sessions() {
    // Arrange: beyond loopback with an admin token, room for two named sessions; one holds
    // a token made by an admin call.
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[
            ("TOOKEN__SERVER__HOST", "0.0.0.0"),
            ("TOOKEN__ADMIN__TOKEN", ADMIN_TOKEN),
            ("TOOKEN__SESSIONS__MAX", "2"),
        ],
    )
    .await;
    let created = app
        .client
        .post(app.url("/__admin/tokens?__session=kept"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"workspace": "ws_north", "name": "made by admin", "scopes": ["tokens:read"]}))
        .send()
        .await
        .expect("answered");
    assert_eq!(created.status(), StatusCode::CREATED);
    let secret = created.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();

    // Act: 60 requests naming new sessions, by query and by header, without the admin token.
    let mut refused = Vec::new();
    for n in 0..30 {
        let by_query = app
            .get(&format!("/v1/tokens?__session=attacker-{n}"), Some(&secret))
            .await;
        refused.push(assert_problem(by_query, StatusCode::BAD_REQUEST, "invalid_parameter").await);
        let by_header = app
            .client
            .get(app.url("/v1/tokens"))
            .header("X-Mock-Session", format!("attacker-h{n}"))
            .bearer_auth(&secret)
            .send()
            .await
            .expect("answered");
        refused.push(assert_problem(by_header, StatusCode::BAD_REQUEST, "invalid_parameter").await);
    }

    // Assert: each refusal names where the session was named; only the admin-made session
    // exists, and its token still lists.
    assert_eq!(failing_parameters(&refused[0]), ["__session"]);
    assert_eq!(failing_parameters(&refused[1]), ["X-Mock-Session"]);
    let listed = admin_get(&app, "/__admin/sessions", "kept").await;
    let listed: Value = listed.json().await.unwrap();
    let names: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["kept"]);
    let in_kept = app.get("/v1/tokens?__session=kept", Some(&secret)).await;
    assert_eq!(in_kept.status(), StatusCode::OK);
}

#[actix_web::test]
async fn a_refused_snapshot_lists_its_first_problems_and_counts_them_all() {
    // Arrange: 500 tokens with a bad id each.
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[("TOOKEN__SNAPSHOT__MAX_PROBLEMS", "10")],
    )
    .await;

    // Act
    let response = app
        .send_json(Method::PUT, "/__admin/snapshot", &many_problems(500))
        .await;

    // Assert
    let problem = assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_snapshot",
    )
    .await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 10, "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("500 problem(s)"), "{detail}");
    assert!(detail.contains("snapshot.max_problems"), "{detail}");
}

/// A snapshot of one workspace whose `count` tokens each have a bad id.
fn many_problems(count: usize) -> Value {
    let tokens: Vec<Value> = (0..count)
        .map(|n| {
            json!({
                "id": format!("bad-{n}"), "name": "t", "scopes": ["tokens:read"],
                "status": "active", "created_at": "2026-01-01T00:00:00Z", "expires_at": null,
                "last_used_at": null, "created_by": "owner@example.com"
            })
        })
        .collect();
    json!({"workspaces": [{"id": "ws_north", "name": "North", "tokens": tokens}]})
}

#[actix_web::test]
async fn readyz_after_a_refused_reload_lists_the_first_problems_and_counts_them_all() {
    // Arrange
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("snapshot.json");
    std::fs::copy(fixture("workspaces.json"), &path).unwrap();
    let app = spawn_app_from(
        &path,
        FROZEN_NOW,
        &[
            ("TOOKEN__SNAPSHOT__WATCH", "true"),
            ("TOOKEN__SNAPSHOT__WATCH_INTERVAL_MS", "50"),
            ("TOOKEN__SNAPSHOT__MAX_PROBLEMS", "10"),
        ],
    )
    .await;

    // Act
    std::fs::write(&path, serde_json::to_vec(&many_problems(2000)).unwrap()).unwrap();
    let started = Instant::now();
    let ready = loop {
        let ready = app.get_json("/readyz").await;
        if !ready["last_reload_error"].is_null() || started.elapsed() > Duration::from_secs(10) {
            break ready;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    };

    // Assert: ten problem lines, then how many more.
    let error = ready["last_reload_error"]
        .as_str()
        .expect("a refused reload");
    assert!(error.contains("2000 problem(s)"), "{error}");
    assert!(error.contains("and 1990 more"), "{error}");
    assert!(error.len() < 4096, "{} bytes", error.len());
}

#[actix_web::test]
async fn each_admin_route_holds_bodies_to_its_own_limit_and_the_413_names_it() {
    // Arrange
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[("TOOKEN__ADMIN__MAX_CONTROL_BODY_BYTES", "4096")],
    )
    .await;
    let padded = |object: Value| {
        let mut object = object;
        object["padding"] = json!("x".repeat(8192));
        serde_json::to_vec(&object).unwrap()
    };

    // Act + Assert: every control body over 4 KiB is a 413 naming the control limit...
    for (method, path) in [
        (Method::PUT, "/__admin/clock"),
        (Method::PUT, "/__admin/faults"),
        (Method::POST, "/__admin/clock/advance"),
        (Method::POST, "/__admin/tokens"),
        (
            Method::PATCH,
            "/__admin/tokens/tok_north01reader00000000000",
        ),
    ] {
        let response = app.send_body(method.clone(), path, padded(json!({}))).await;
        let problem =
            assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains("4096 bytes (admin.max_control_body_bytes)"),
            "{method} {path}: {detail}"
        );
    }
    // ...while a snapshot of the same size is read (and judged on its content).
    let snapshot = std::fs::read(fixture("workspaces.json")).unwrap();
    let mut snapshot: Value = serde_json::from_slice(&snapshot).unwrap();
    snapshot["workspaces"][0]["name"] = json!("n".repeat(8192));
    let response = app
        .send_json(Method::PUT, "/__admin/snapshot", &snapshot)
        .await;
    assert_ne!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[actix_web::test]
async fn past_the_tracked_secrets_limit_new_secrets_share_one_window_and_tracked_ones_keep_theirs()
{
    // Arrange: two secrets tracked at most, three requests a minute each.
    let app = spawn_app_with(
        "auth.json",
        FROZEN_NOW,
        &[
            ("TOOKEN__RATE_LIMIT__REQUESTS_PER_MINUTE", "3"),
            ("TOOKEN__RATE_LIMIT__MAX_TRACKED_SECRETS", "2"),
        ],
    )
    .await;
    let status = |secret: String| {
        let app = &app;
        async move { app.get("/v1/tokens", Some(&secret)).await.status() }
    };
    for tracked in ["tok_live_tracked1", "tok_live_tracked2"] {
        assert_ne!(
            status(tracked.to_owned()).await,
            StatusCode::TOO_MANY_REQUESTS
        );
    }

    // Act: four secrets never seen before, one request each.
    let mut untracked = Vec::new();
    for n in 0..4 {
        untracked.push(status(format!("tok_live_untracked{n}")).await);
    }

    // Assert: the shared window lets three through; the tracked secrets keep their own.
    let limited = untracked
        .iter()
        .filter(|&&s| s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(limited, 1, "{untracked:?}");
    assert_ne!(
        status("tok_live_tracked1".to_owned()).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[actix_web::test]
async fn metrics_give_series_to_the_first_workspaces_only_and_count_every_workspace_by_status() {
    // Arrange: workspaces.json has two workspaces; one gets series of its own.
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[("TOOKEN__METRICS__MAX_WORKSPACES", "1")],
    )
    .await;

    // Act
    let text = app.get("/metrics", None).await.text().await.unwrap();

    // Assert
    let series: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("tooken_tokens{"))
        .collect();
    assert_eq!(series.len(), 3, "one workspace, three statuses: {series:?}");
    assert!(series.iter().all(|l| l.contains(r#"workspace="ws_north""#)));
    assert!(text.contains("tooken_workspaces_unlisted 1"), "{text}");
    let served: u64 = text
        .lines()
        .filter(|l| l.starts_with("tooken_tokens_served{"))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    let listed = app.get_json("/readyz").await;
    assert_eq!(served, listed["tokens"].as_u64().unwrap(), "{listed}");
}

/// Polls `/readyz` until it reports a refused reload, for up to ten seconds.
async fn refused_reload(app: &TestApp) -> String {
    let started = Instant::now();
    loop {
        let ready = app.get_json("/readyz").await;
        if let Some(error) = ready["last_reload_error"].as_str() {
            return error.to_owned();
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{ready}");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn a_watched_file_replaced_by_a_fifo_or_a_file_over_the_limit_is_refused_without_reading_it()
{
    let original = std::fs::metadata(fixture("workspaces.json")).unwrap().len();
    let limit = (original + 64).to_string();
    for case in ["fifo", "large"] {
        // Arrange: room for the fixture and 64 bytes more.
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("snapshot.json");
        std::fs::copy(fixture("workspaces.json"), &path).unwrap();
        let app = spawn_app_from(
            &path,
            FROZEN_NOW,
            &[
                ("TOOKEN__SNAPSHOT__WATCH", "true"),
                ("TOOKEN__SNAPSHOT__WATCH_INTERVAL_MS", "50"),
                ("TOOKEN__SNAPSHOT__MAX_FILE_BYTES", &limit),
            ],
        )
        .await;

        // Act: a FIFO nobody writes to, or a file past the limit, takes the file's place.
        let next = dir.path().join("next");
        if case == "fifo" {
            let made = std::process::Command::new("mkfifo")
                .arg(&next)
                .status()
                .unwrap();
            assert!(made.success());
        } else {
            std::fs::write(&next, vec![b' '; original as usize + 65]).unwrap();
        }
        std::fs::rename(&next, &path).unwrap();
        let error = refused_reload(&app).await;

        // Assert: refused, said why, and the old data still serves.
        let why = match case {
            "fifo" => "not a regular file",
            _ => "larger than snapshot.max_file_bytes",
        };
        assert!(error.contains(why), "{case}: {error}");
        let healthy = app.get("/healthz", None).await;
        assert_eq!(healthy.status(), StatusCode::OK, "{case}");
    }
}

#[actix_web::test]
async fn a_request_line_in_the_log_keeps_a_bounded_part_of_a_long_path() {
    // Arrange: the real binary, logging as text and as JSON.
    for format in ["text", "json"] {
        let mut binary = Binary::start(
            &["--port", "0"],
            &[
                ("TOOKEN__LOG__MAX_FIELD_BYTES", "128"),
                ("TOOKEN__LOG__FORMAT", format),
            ],
        );
        let base = binary.wait_for_banner().await;

        // Act
        let path = format!("/v1/tokens/{}", "L".repeat(12_000));
        reqwest::get(format!("{base}{path}"))
            .await
            .expect("answered");
        let line = binary.wait_for_stderr("more bytes]").await;

        // Assert: the line holds 128 bytes of the path, then the marker.
        let line = line
            .lines()
            .find(|l| l.contains("more bytes]"))
            .expect("the request line")
            .to_owned();
        assert!(line.len() < 600, "{format}: {} bytes", line.len());
        assert!(
            line.contains(&format!(
                "{}…[{} more bytes]",
                &path[..128],
                path.len() - 128
            )),
            "{line}"
        );
    }
}

/// An upstream whose every page says `total` tokens, 100 a page, and carries `padding` bytes
/// of name in its one token, streamed without `Content-Length`; it counts its requests.
async fn boundless_upstream(total: u64, padding: usize) -> (String, Arc<AtomicU64>) {
    let requests = Arc::new(AtomicU64::new(0));
    let counted = requests.clone();
    let server = actix_web::HttpServer::new(move || {
        let counted = counted.clone();
        actix_web::App::new().route(
            "/v1/tokens",
            actix_web::web::get().to(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                let page = json!({
                    "data": [{"id": "tok_000000000000000000000001", "name": "x".repeat(padding),
                        "scopes": ["tokens:read"], "status": "active",
                        "created_at": "2026-01-01T00:00:00Z", "expires_at": null,
                        "last_used_at": null, "created_by": "a@example.com"}],
                    "meta": {"page": 1, "per_page": 100, "total": total,
                        "total_pages": total.div_ceil(100)}
                });
                let bytes = actix_web::web::Bytes::from(serde_json::to_vec(&page).expect("JSON"));
                let chunks = bytes
                    .chunks(64 * 1024)
                    .map(|c| Ok::<_, std::io::Error>(actix_web::web::Bytes::copy_from_slice(c)))
                    .collect::<Vec<_>>();
                async move {
                    actix_web::HttpResponse::Ok()
                        .content_type("application/json")
                        .streaming(futures_util::stream::iter(chunks))
                }
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .expect("binds");
    let address = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    (format!("http://{address}/v1"), requests)
}

fn record_options(from: &str, env: &[(&str, &str)]) -> RecordOptions {
    let overrides = Overrides {
        upstream: Some(from.to_owned()),
        ..Overrides::default()
    };
    let vars: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let env = Environment::with_prefix("TOOKEN").source(Some(vars));
    let settings = Settings::load_from(&overrides, env).expect("valid settings");
    RecordOptions {
        caller: CallerSecret {
            secret: "tok_live_AnyReaderSecret000000000001".to_owned(),
            secret_for: None,
            digest_only: false,
        },
        upstream: settings.upstream,
    }
}

struct Quiet;

impl Progress for Quiet {
    fn page(&mut self, _: u32, _: u64, _: u64) {}
    fn waiting(&mut self, _: u64, _: u64) {}
    fn restarting(&mut self, _: &str) {}
}

#[actix_web::test]
async fn record_stops_at_a_total_past_its_limit_before_page_two_and_names_the_setting() {
    // Arrange: an upstream that claims 10^15 tokens.
    let (from, requests) = boundless_upstream(1_000_000_000_000_000, 1).await;

    // Act
    let refused = record(&record_options(&from, &[]), &mut Quiet).await;

    // Assert
    let error = refused.expect_err("refused").to_string();
    assert!(error.contains("upstream.max_record_tokens"), "{error}");
    assert_eq!(requests.load(Ordering::SeqCst), 1, "only page 1 was read");
}

#[actix_web::test]
async fn record_stops_reading_a_page_past_the_response_limit_and_names_the_setting() {
    // Arrange: one page of 2 MiB, streamed, against a limit of 1 MiB.
    let (from, _) = boundless_upstream(1, 2 << 20).await;
    let options = record_options(
        &from,
        &[("TOOKEN__UPSTREAM__MAX_RESPONSE_BYTES", "1048576")],
    );

    // Act
    let refused = record(&options, &mut Quiet).await;

    // Assert
    let error = refused.expect_err("refused");
    assert!(
        matches!(
            error,
            RecordError::PageTooLarge {
                page: 1,
                limit: 1_048_576
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("upstream.max_response_bytes"));
}

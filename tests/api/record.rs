//! `tooken-mock record`: a recording of a tooken-mock upstream is accepted by `check` and,
//! served, answers the same pages; 429s are waited out as `Retry-After` says; an upstream
//! that changes while it is read is read again once; secrets are written only when asked.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use config::Environment;
use serde_json::{json, Value};
use tooken_mock::domain::SecretDigest;
use tooken_mock::generate::{generate, DemoSecret, GenerateOptions};
use tooken_mock::record::{record, CallerSecret, Progress, RecordError, RecordOptions};
use tooken_mock::settings::{Overrides, Settings};

use tempfile::TempDir;

use crate::helpers::{run_binary, spawn_app_from, TestApp};

/// After every generated `created_at`, before the generated active tokens expire.
const LATE_NOW: &str = "2027-01-15T00:00:00Z";

/// 250 generated tokens in one workspace (three pages of 100), served at [`LATE_NOW`], and
/// the secret of an active token with `tokens:read`.
async fn generated_upstream(dir: &TempDir) -> (TestApp, DemoSecret) {
    let path = dir.path().join("upstream.json");
    let options = GenerateOptions {
        tokens: 250,
        workspaces: 1,
        seed: 41,
    };
    let mut file = std::fs::File::create(&path).expect("a file");
    let secrets = generate(&options, &mut file, &mut |_| {}).expect("generated");
    let reader = secrets
        .into_iter()
        .find(|s| s.outcome.starts_with("200") && s.status == "active")
        .expect("a reader among the generated secrets");
    (spawn_app_from(&path, LATE_NOW, &[]).await, reader)
}

/// Every query of the battery: pages, sizes, filters, past the end, bad parameters.
const BATTERY: [&str; 14] = [
    "",
    "?per_page=100",
    "?page=2&per_page=100",
    "?page=3&per_page=100",
    "?per_page=7&page=5",
    "?page=99",
    "?status=active",
    "?status=expired&per_page=10&page=2",
    "?status=revoked",
    "?name=a",
    "?name=deploy&per_page=3",
    "?name=no-such-name",
    "?per_page=0",
    "?status=paused&page=0",
];

/// Status, `Link` and body of `query` with a fixed request id.
async fn answer(app: &TestApp, query: &str, secret: &str) -> (u16, Option<String>, Value) {
    let response = app
        .client
        .get(app.url(&format!("/v1/tokens{query}")))
        .bearer_auth(secret)
        .header("X-Request-Id", "record-battery")
        .send()
        .await
        .expect("answered");
    let status = response.status().as_u16();
    let link = response
        .headers()
        .get("link")
        .map(|v| v.to_str().unwrap_or("?").to_owned());
    (status, link, response.json().await.expect("JSON"))
}

#[actix_web::test]
async fn a_recording_is_accepted_by_check_and_served_answers_the_same_pages() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (upstream, reader) = generated_upstream(&dir).await;
    let out = dir.path().join("recorded.json");
    let out_arg = out.to_string_lossy().into_owned();
    let from = upstream.url("/v1");

    // Act
    let args = [
        "record",
        "--from",
        &from,
        "--secret",
        &reader.secret,
        "--out",
        &out_arg,
        "--secret-for",
        &reader.token_id,
    ];
    let (status, _, stderr) = run_binary(&args, &[]).await;
    let (checked, check_out, _) = run_binary(&["check", &out_arg], &[]).await;
    let served = spawn_app_from(&out, LATE_NOW, &[]).await;

    // Assert
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("pass 1: page 3/3"), "{stderr}");
    assert!(checked.success(), "{check_out}");
    let mut compared = 0;
    for query in BATTERY {
        let expected = answer(&upstream, query, &reader.secret).await;
        let got = answer(&served, query, &reader.secret).await;
        assert_eq!(got, expected, "{query}");
        compared += usize::from(expected.0 == 200);
    }
    assert!(compared >= 10, "the battery lists pages");
    let document: Value =
        serde_json::from_slice(&std::fs::read(&out).expect("written")).expect("JSON");
    let tokens = document["workspaces"][0]["tokens"]
        .as_array()
        .expect("tokens");
    let with_secret: Vec<&Value> = tokens
        .iter()
        .filter(|t| t.get("secret").is_some())
        .collect();
    assert_eq!(with_secret.len(), 1);
    assert_eq!(with_secret[0]["id"], reader.token_id.as_str());
}

#[actix_web::test]
async fn secrets_are_written_only_when_asked_and_as_a_digest_with_digest_only() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (upstream, reader) = generated_upstream(&dir).await;
    let from = upstream.url("/v1");
    let digest_file = dir
        .path()
        .join("digest.json")
        .to_string_lossy()
        .into_owned();

    // Act
    let (plain, stdout, hint) = run_binary(
        &["record", "--from", &from],
        &[("TOOKEN_RECORD_SECRET", &reader.secret)],
    )
    .await;
    let digest_args = [
        "record",
        "--from",
        &from,
        "--secret",
        &reader.secret,
        "--out",
        &digest_file,
        "--secret-for",
        &reader.token_id,
        "--digest-only",
    ];
    let (digested, _, stderr) = run_binary(&digest_args, &[]).await;

    // Assert
    assert!(plain.success(), "{hint}");
    assert!(
        !stdout.contains("\"secret") && !stdout.contains(&reader.secret),
        "no secret unless asked"
    );
    assert_eq!(
        serde_json::from_str::<Value>(&stdout).expect("a snapshot on stdout")["workspaces"][0]
            ["tokens"]
            .as_array()
            .map(Vec::len),
        Some(250)
    );
    assert!(hint.contains("--secret-for"), "{hint}");
    assert!(digested.success(), "{stderr}");
    let text = std::fs::read_to_string(&digest_file).expect("written");
    assert!(!text.contains(&reader.secret) && !text.contains("\"secret\""));
    let hex = SecretDigest::of(reader.secret.as_bytes()).to_hex();
    assert_eq!(
        text.matches(&format!("\"secret_sha256\": \"{hex}\""))
            .count(),
        1
    );
    let served = spawn_app_from(std::path::Path::new(&digest_file), LATE_NOW, &[]).await;
    assert_eq!(
        answer(&served, "", &reader.secret).await.0,
        200,
        "the digest authenticates"
    );
}

#[actix_web::test]
async fn a_refusal_or_an_unknown_token_id_writes_nothing_and_says_why() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (upstream, reader) = generated_upstream(&dir).await;
    let from = upstream.url("/v1");
    let out = dir.path().join("never.json");
    let out_arg = out.to_string_lossy().into_owned();

    // Act
    let wrong = "tok_live_NobodyHasThisSecret000000009";
    let (refused, _, refusal) = run_binary(
        &[
            "record", "--from", &from, "--secret", wrong, "--out", &out_arg,
        ],
        &[],
    )
    .await;
    let unknown = "tok_000000000000000000000000";
    let args = [
        "record",
        "--from",
        &from,
        "--secret",
        &reader.secret,
        "--out",
        &out_arg,
        "--secret-for",
        unknown,
    ];
    let (missing, _, complaint) = run_binary(&args, &[]).await;

    // Assert
    assert_eq!(refused.code(), Some(1));
    assert!(
        refusal.contains("401") && refusal.contains("invalid_token"),
        "{refusal}"
    );
    assert_eq!(missing.code(), Some(1));
    assert!(complaint.contains(unknown), "{complaint}");
    assert!(!out.exists());
}

/// What a recording reported, for assertions.
#[derive(Default)]
struct Events {
    waits: Vec<(u64, u64)>,
    restarts: Vec<String>,
}

impl Progress for Events {
    fn page(&mut self, _: u32, _: u64, _: u64) {}
    fn waiting(&mut self, page: u64, seconds: u64) {
        self.waits.push((page, seconds));
    }
    fn restarting(&mut self, reason: &str) {
        self.restarts.push(reason.to_owned());
    }
}

fn options(from: &str) -> RecordOptions {
    let overrides = Overrides {
        upstream: Some(from.to_owned()),
        ..Overrides::default()
    };
    let env = Environment::with_prefix("TOOKEN").source(Some(HashMap::new()));
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

/// A test upstream: `count(n)` says how many tokens there are at its `n`th request (from 0);
/// it answers `429` with `Retry-After: 1` to its first `throttled` requests, and pages of 2.
struct Scripted {
    requests: AtomicU64,
    throttled: u64,
    count: fn(u64) -> u64,
    seen: Mutex<Vec<Instant>>,
}

async fn scripted(req: HttpRequest, state: web::Data<Scripted>) -> HttpResponse {
    state.seen.lock().expect("lock").push(Instant::now());
    let n = state.requests.fetch_add(1, Ordering::SeqCst);
    if n < state.throttled {
        return HttpResponse::TooManyRequests()
            .insert_header(("Retry-After", "1"))
            .finish();
    }
    let total = (state.count)(n - state.throttled);
    let page: u64 = req
        .query_string()
        .split('&')
        .find_map(|p| p.strip_prefix("page="))
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    let data: Vec<Value> = ((page - 1) * 2..(page * 2).min(total))
        .map(|i| json!({"id": format!("tok_{i:024}"), "name": format!("Token {i}"), "scopes": ["tokens:read"], "status": "active",
            "created_at": format!("2026-01-01T00:00:{:02}Z", i % 60), "expires_at": null, "last_used_at": null, "created_by": "a@example.com"}))
        .collect();
    HttpResponse::Ok().json(json!({"data": data, "meta": {"page": page, "per_page": 2, "total": total, "total_pages": total.div_ceil(2)}}))
}

async fn spawn_scripted(throttled: u64, count: fn(u64) -> u64) -> (String, web::Data<Scripted>) {
    let state = web::Data::new(Scripted {
        requests: AtomicU64::new(0),
        throttled,
        count,
        seen: Mutex::new(Vec::new()),
    });
    let shared = state.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(shared.clone())
            .route("/v1/tokens", web::get().to(scripted))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .expect("binds");
    let address = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    (format!("http://{address}/v1"), state)
}

#[actix_web::test]
async fn two_429s_are_waited_out_as_retry_after_says_and_the_recording_completes() {
    // Arrange
    let (from, upstream) = spawn_scripted(2, |_| 5).await;
    let mut events = Events::default();

    // Act
    let recording = record(&options(&from), &mut events)
        .await
        .expect("recorded");

    // Assert
    assert_eq!(
        (recording.tokens, recording.pages, recording.passes),
        (5, 3, 1)
    );
    assert_eq!(events.waits, [(1, 1), (1, 1)]);
    let seen = upstream.seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 5, "two refusals, then three pages");
    for pair in seen[..3].windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_secs(1),
            "waited as Retry-After says"
        );
    }
}

#[actix_web::test]
async fn an_upstream_that_changes_while_read_is_read_once_more_then_refused() {
    // Arrange: one token more from the second request on; or one more at every request.
    let (grows_once, _) = spawn_scripted(0, |n| if n == 0 { 5 } else { 6 }).await;
    let (keeps_growing, _) = spawn_scripted(0, |n| 5 + n).await;
    let mut once = Events::default();
    let mut always = Events::default();

    // Act
    let recorded = record(&options(&grows_once), &mut once)
        .await
        .expect("recorded");
    let refused = record(&options(&keeps_growing), &mut always).await;

    // Assert
    assert_eq!((recorded.tokens, recorded.passes), (6, 2));
    assert_eq!(once.restarts.len(), 1);
    assert!(
        once.restarts[0].contains("page 2 counts 6 tokens"),
        "{:?}",
        once.restarts
    );
    assert!(
        matches!(refused, Err(RecordError::Changed(_))),
        "{refused:?}"
    );
    assert_eq!(always.restarts.len(), 1);
}

//! Rule 35: signals at any moment, on the real binary. SIGTERM and SIGINT end a start-up
//! promptly (also as PID 1 of a PID namespace, where the kernel drops a signal nobody handles);
//! shutdown never waits on a standard error nobody reads nor on a FIFO standing where the
//! watched snapshot was; SIGHUP reloads the snapshot file; SIGQUIT leaves at once.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use tooken_mock::generate::{generate, GenerateOptions};
use tooken_mock::signals::QUIT_EXIT_CODE;

use crate::helpers::{fixture, Binary, NORTH_READER};

/// Tokens of the snapshot whose loading the signals interrupt: seconds to read and index.
const LARGE_TOKENS: u64 = 400_000;

/// How soon after the signal a start-up must be over.
const PROMPTLY: Duration = Duration::from_secs(3);

/// A large snapshot file, made once for every test of this file.
fn large_snapshot() -> &'static Path {
    static MADE: OnceLock<PathBuf> = OnceLock::new();
    MADE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory").keep();
        let path = dir.join("large.json");
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("created"));
        let options = GenerateOptions {
            tokens: LARGE_TOKENS,
            workspaces: 40,
            seed: 35,
        };
        generate(&options, &mut file, &mut |_| {}).expect("generated");
        path
    })
}

fn kill(signal: &str, pid: u32) {
    let sent = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success(), "kill {signal} {pid}");
}

/// Lets `binary` get well into loading [`large_snapshot`] (seconds of work), past the few
/// milliseconds its start takes before that.
async fn wait_until_loading(binary: &Binary) {
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!binary.stdout().contains("Try it"), "still starting up");
}

async fn start_up_ends_promptly_on(signal: &str) {
    // Arrange
    let snapshot = large_snapshot().to_str().expect("UTF-8");
    let mut binary = Binary::start(&["--port", "0", "--snapshot", snapshot], &[]);
    wait_until_loading(&binary).await;

    // Act
    let sent = Instant::now();
    kill(signal, binary.pid());
    let status = binary.wait_for_exit().await;

    // Assert
    let elapsed = sent.elapsed();
    let stderr = binary.stderr();
    assert!(
        elapsed < PROMPTLY,
        "exited {elapsed:?} after {signal}:\n{stderr}"
    );
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        !binary.stdout().contains("Try it"),
        "the signal came during start-up, before serving"
    );
    assert!(stderr.contains("start-up stopped"), "{stderr}");
}

#[tokio::test]
async fn sigterm_during_start_up_ends_it_promptly_with_exit_0() {
    start_up_ends_promptly_on("-TERM").await;
}

#[tokio::test]
async fn sigint_during_start_up_ends_it_promptly_with_exit_0() {
    start_up_ends_promptly_on("-INT").await;
}

/// The host PID of the only child of `parent`, once there is one.
async fn child_of(parent: u32) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let children = std::fs::read_to_string(format!("/proc/{parent}/task/{parent}/children"))
            .unwrap_or_default();
        if let Some(pid) = children.split_whitespace().next() {
            return pid.parse().expect("a PID");
        }
        assert!(Instant::now() < deadline, "no child of {parent}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn as_pid_1_of_a_pid_namespace_sigterm_during_start_up_ends_it_promptly() {
    // Arrange: `unshare` makes a PID namespace whose PID 1 is the server (root only).
    let can_unshare = Command::new("unshare")
        .args(["--pid", "--fork", "--mount-proc", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !can_unshare {
        eprintln!("skipped: unshare --pid needs root and util-linux; see docs/signals.md");
        return;
    }
    let snapshot = large_snapshot().to_str().expect("UTF-8");
    let mut child = tokio::process::Command::new("unshare")
        .args(["--pid", "--fork", "--mount-proc", "--kill-child"])
        .arg(env!("CARGO_BIN_EXE_tooken-mock"))
        .args(["--port", "0", "--snapshot", snapshot])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("unshare starts");
    let server = child_of(child.id().expect("running")).await;
    let status_file = std::fs::read_to_string(format!("/proc/{server}/status")).expect("status");
    assert!(
        status_file.contains(&format!("NSpid:\t{server}\t1")),
        "the server is PID 1 of its namespace:\n{status_file}"
    );
    // Past the installing of the handlers (a few milliseconds), into the loading.
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Act
    let sent = Instant::now();
    kill("-TERM", server);
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("the server ends without SIGKILL")
        .expect("waited");

    // Assert
    assert!(
        sent.elapsed() < PROMPTLY,
        "exited {:?} after SIGTERM",
        sent.elapsed()
    );
    assert_eq!(status.code(), Some(0));
}

#[tokio::test]
async fn shutdown_does_not_wait_on_a_standard_error_that_nobody_reads() {
    // Arrange: standard error is a pipe that is never read, filled by a line per request.
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_tooken-mock"))
        .args(["--port", "0"])
        .env("TOOKEN__SERVER__WORKERS", "2")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let mut stdout = server.stdout.take().expect("piped");
    let base = read_banner_base(&mut stdout).await;
    let client = reqwest::Client::new();
    // Each line is over 150 bytes: 2,000 of them are several times a pipe's 64 KiB.
    for n in 0..2000 {
        let response = client
            .get(format!("{base}/healthz?n={n}"))
            .send()
            .await
            .expect("served while standard error is full");
        assert_eq!(response.status(), StatusCode::OK);
    }

    // Act
    let sent = Instant::now();
    kill("-TERM", server.id().expect("running"));
    let status = tokio::time::timeout(Duration::from_secs(15), server.wait())
        .await
        .expect("the server exits although its standard error is full")
        .expect("waited");

    // Assert
    assert_eq!(status.code(), Some(0));
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "{:?}",
        sent.elapsed()
    );
}

/// Reads standard output up to the banner's `API` line; returns the base URL.
async fn read_banner_base(stdout: &mut tokio::process::ChildStdout) -> String {
    use tokio::io::AsyncReadExt;
    let mut text = Vec::new();
    let mut buffer = [0u8; 1024];
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let read = tokio::time::timeout(Duration::from_secs(20), stdout.read(&mut buffer))
            .await
            .expect("banner in time")
            .expect("read");
        assert!(read > 0 && Instant::now() < deadline, "no banner");
        text.extend_from_slice(&buffer[..read]);
        let printed = String::from_utf8_lossy(&text);
        if printed.contains("Try it") {
            return crate::helpers::banner_base_url(&printed).expect("the API line");
        }
    }
}

/// A copy of `workspaces.json` in a directory of its own; returns the directory and the file.
fn snapshot_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("snapshot.json");
    std::fs::copy(fixture("workspaces.json"), &path).expect("copied");
    (dir, path)
}

#[tokio::test]
async fn shutdown_does_not_wait_on_a_fifo_standing_where_the_watched_snapshot_was() {
    // Arrange
    let (_dir, path) = snapshot_copy();
    let file = path.to_str().expect("UTF-8");
    let mut binary = Binary::start(
        &["--port", "0", "--snapshot", file, "--watch"],
        &[("TOOKEN__SNAPSHOT__WATCH_INTERVAL_MS", "50")],
    );
    let base = binary.wait_for_banner().await;
    std::fs::remove_file(&path).expect("removed");
    let made = Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    binary.wait_for_stderr("not a regular file").await;

    // Act
    let sent = Instant::now();
    kill("-TERM", binary.pid());
    let status = binary.wait_for_exit().await;

    // Assert
    assert_eq!(status.code(), Some(0), "{}", binary.stderr());
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "{:?}",
        sent.elapsed()
    );
    drop(base);
}

async fn north_names(base: &str) -> Vec<String> {
    let body: Value = reqwest::Client::new()
        .get(format!("{base}/v1/tokens?per_page=100"))
        .bearer_auth(NORTH_READER)
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    body["data"]
        .as_array()
        .expect("a page")
        .iter()
        .map(|t| t["name"].as_str().expect("a name").to_owned())
        .collect()
}

#[tokio::test]
async fn sighup_reloads_the_snapshot_file_and_the_server_serves_on() {
    // Arrange: a server without --watch over a file that then changes.
    let (_dir, path) = snapshot_copy();
    let mut binary = Binary::start(
        &["--port", "0", "--snapshot", path.to_str().expect("UTF-8")],
        &[],
    );
    let base = binary.wait_for_banner().await;
    let before = north_names(&base).await;
    let text = std::fs::read_to_string(&path).expect("read");
    let renamed = before.first().expect("a token").clone();
    std::fs::write(&path, text.replace(&renamed, "Renamed by a reload")).expect("written");

    // Act
    kill("-HUP", binary.pid());
    binary.wait_for_stderr("snapshot reloaded").await;

    // Assert
    let after = north_names(&base).await;
    assert!(
        after.contains(&"Renamed by a reload".to_owned()),
        "{after:?}"
    );
    assert!(!after.contains(&renamed), "{after:?}");
    kill("-TERM", binary.pid());
    assert_eq!(binary.wait_for_exit().await.code(), Some(0));
}

#[tokio::test]
async fn sighup_without_a_snapshot_file_is_logged_and_the_server_serves_on() {
    // Arrange
    let mut binary = Binary::start(&["--port", "0"], &[]);
    let base = binary.wait_for_banner().await;

    // Act
    kill("-HUP", binary.pid());
    binary.wait_for_stderr("nothing to reload").await;

    // Assert
    let health = reqwest::get(format!("{base}/healthz"))
        .await
        .expect("answered");
    assert_eq!(health.status(), StatusCode::OK);
    kill("-TERM", binary.pid());
    assert_eq!(binary.wait_for_exit().await.code(), Some(0));
}

#[tokio::test]
async fn sigquit_leaves_at_once_with_its_documented_status() {
    // Arrange: a request in flight for 5 s.
    let mut binary = Binary::start(&["--port", "0"], &[]);
    let base = binary.wait_for_banner().await;
    let slow = tokio::spawn(
        reqwest::Client::new()
            .get(format!("{base}/v1/tokens"))
            .bearer_auth(tooken_mock::store::DEMO_SECRET)
            .header("Prefer", "delay=5000")
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Act
    let sent = Instant::now();
    kill("-QUIT", binary.pid());
    let status = binary.wait_for_exit().await;

    // Assert
    assert!(
        sent.elapsed() < Duration::from_secs(2),
        "{:?}",
        sent.elapsed()
    );
    assert_eq!(status.code(), Some(QUIT_EXIT_CODE));
    assert!(
        slow.await.expect("task").is_err(),
        "the request in flight is dropped"
    );
}

#[tokio::test]
async fn sigint_lets_the_proxys_requests_in_flight_finish_then_it_exits_0() {
    // Arrange: the mock as the upstream, answering after 1.5 s, and the proxy before it.
    let mut upstream = Binary::start(&["--port", "0"], &[]);
    let upstream_base = upstream.wait_for_banner().await;
    let upstream_api = format!("{upstream_base}/v1");
    let mut proxy = Binary::start(&["proxy", "--upstream", &upstream_api, "--port", "0"], &[]);
    let base = proxy.wait_for_banner().await;
    let in_flight: Vec<_> = (0..3)
        .map(|_| {
            let request = reqwest::Client::new()
                .get(format!("{base}/v1/tokens"))
                .bearer_auth(tooken_mock::store::DEMO_SECRET)
                .header("Prefer", "delay=1500");
            tokio::spawn(async move { request.send().await.map(|r| r.status()) })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        in_flight.iter().all(|t| !t.is_finished()),
        "still in flight"
    );

    // Act
    kill("-INT", proxy.pid());
    let mut statuses = Vec::new();
    for task in in_flight {
        statuses.push(task.await.expect("task").expect("answered despite SIGINT"));
    }
    let status = proxy.wait_for_exit().await;

    // Assert
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(status.code(), Some(0), "{}", proxy.stderr());
    kill("-TERM", upstream.pid());
    assert_eq!(upstream.wait_for_exit().await.code(), Some(0));
}

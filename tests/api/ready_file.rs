//! Rule 32: `--ready-file PATH` (`server.ready_file`) tells launchers the bound address as one
//! JSON object, written whole once the server listens, removed when it stops.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{run_binary, Binary, PROCESS_TIMEOUT};

/// Waits for the ready file to appear and parses it; panics if the binary exits first.
async fn read_ready_file(binary: &mut Binary, path: &Path) -> Value {
    let deadline = Instant::now() + PROCESS_TIMEOUT;
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            return serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("the ready file is JSON ({e}): {text:?}"));
        }
        assert!(
            Instant::now() < deadline,
            "no ready file within {PROCESS_TIMEOUT:?}\nstderr:\n{}",
            binary.stderr()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn text<'a>(ready: &'a Value, key: &str) -> &'a str {
    ready[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is a string in {ready}"))
}

#[tokio::test]
async fn the_ready_file_names_urls_that_answer_the_pid_and_the_version() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("ready.json");
    let mut binary = Binary::start(
        &[
            "serve",
            "--port",
            "0",
            "--ready-file",
            path.to_str().expect("UTF-8"),
        ],
        &[],
    );

    // Act
    let ready = read_ready_file(&mut binary, &path).await;

    // Assert: exactly the documented members, each URL under the bound base URL.
    let keys: Vec<&str> = ready
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["url", "api", "admin", "docs", "openapi", "pid", "version"]
    );
    let url = text(&ready, "url");
    assert!(url.starts_with("http://127.0.0.1:"), "{ready}");
    assert_ne!(url, "http://127.0.0.1:0", "{ready}");
    assert_eq!(ready["pid"].as_u64(), Some(u64::from(binary.pid())));
    assert_eq!(text(&ready, "version"), env!("CARGO_PKG_VERSION"));
    let client = reqwest::Client::new();
    let get = |url: String| {
        let client = client.clone();
        async move { client.get(&url).send().await.expect("answered").status() }
    };
    assert_eq!(get(format!("{url}/readyz")).await, StatusCode::OK);
    assert_eq!(
        get(text(&ready, "api").to_owned()).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(format!("{}/clock", text(&ready, "admin"))).await,
        StatusCode::OK
    );
    assert_eq!(get(text(&ready, "docs").to_owned()).await, StatusCode::OK);
    assert_eq!(
        get(text(&ready, "openapi").to_owned()).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_setting_writes_the_ready_file_and_stopping_removes_it() {
    // Arrange: the environment variable instead of the flag.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("ready.json");
    let variable = [("TOOKEN__SERVER__READY_FILE", path.to_str().expect("UTF-8"))];
    let mut binary = Binary::start(&["--port", "0"], &variable);
    let ready = read_ready_file(&mut binary, &path).await;
    assert_eq!(ready["pid"].as_u64(), Some(u64::from(binary.pid())));

    // Act
    let sent = Command::new("kill")
        .args(["-TERM", &binary.pid().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let status = binary.wait_for_exit().await;

    // Assert: a clean exit, no ready file left, no temporary file beside it.
    assert_eq!(status.code(), Some(0));
    assert!(!path.exists(), "the ready file outlived the server");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("readable")
        .map(|entry| entry.expect("an entry").file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn a_ready_file_that_cannot_be_written_stops_start_up_naming_the_setting() {
    // Arrange: a directory that does not exist.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("missing").join("ready.json");

    // Act
    let (status, _, stderr) = run_binary(
        &["--port", "0", "--ready-file", path.to_str().expect("UTF-8")],
        &[],
    )
    .await;

    // Assert
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("server.ready_file"), "{stderr}");
    assert!(stderr.contains(path.to_str().expect("UTF-8")), "{stderr}");
}

#[tokio::test]
async fn version_prints_the_package_version() {
    // Act
    let (status, stdout, _) = run_binary(&["--version"], &[]).await;

    // Assert
    assert!(status.success());
    assert_eq!(
        stdout.trim(),
        format!("tooken-mock {}", env!("CARGO_PKG_VERSION"))
    );
}

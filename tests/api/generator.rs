//! The generator: `tooken-mock generate` writes a valid snapshot, the same bytes for the same
//! arguments, and `serve --generate N` serves generated data with a banner that works.

use reqwest::StatusCode;
use serde_json::Value;
use tooken_mock::store::snapshot::Snapshot;
use tooken_mock::store::DEMO_SECRET;

use tempfile::TempDir;

use crate::helpers::{run_binary, Binary, FROZEN_NOW};

/// Runs `generate` with `args`, which must succeed; returns its standard output and error.
async fn generate(args: &[&str]) -> (String, String) {
    let mut all_args = vec!["generate"];
    all_args.extend_from_slice(args);
    let (status, stdout, stderr) = run_binary(&all_args, &[]).await;
    assert!(status.success(), "{args:?}: {status}\n{stderr}");
    (stdout, stderr)
}

/// Runs `generate` with `args` and `--out` a file in `dir`; returns the file's bytes and
/// the standard error.
async fn generate_to_file(dir: &TempDir, file: &str, args: &[&str]) -> (Vec<u8>, String) {
    let path = dir.path().join(file);
    let path_text = path.to_str().expect("a UTF-8 path");
    let mut all_args = args.to_vec();
    all_args.extend_from_slice(&["--out", path_text]);
    let (stdout, stderr) = generate(&all_args).await;
    assert!(stdout.is_empty(), "the snapshot goes to the file: {stdout}");
    (std::fs::read(&path).expect("the file is written"), stderr)
}

/// The secrets printed by `generate` or `serve --generate`, with the status each should get.
fn printed_secrets(stderr: &str) -> Vec<(String, u16)> {
    stderr
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let secret = line.split_whitespace().next()?;
            if !secret.starts_with("tok_live_") {
                return None;
            }
            let outcome = line.split("-> ").nth(1)?;
            let status = outcome.get(..3)?.parse().ok()?;
            Some((secret.to_owned(), status))
        })
        .collect()
}

/// The `Authorization` value and the URL of the banner's curl line.
fn curl_line(stdout: &str) -> (String, String) {
    let curl = stdout
        .lines()
        .find(|line| line.contains("curl "))
        .unwrap_or_else(|| panic!("a curl line in\n{stdout}"));
    let quoted: Vec<&str> = curl.split('\'').collect();
    let authorization = quoted[1]
        .strip_prefix("Authorization: ")
        .expect("an Authorization header");
    (authorization.to_owned(), quoted[3].to_owned())
}

/// Runs the banner's curl line; returns the status and body.
async fn run_curl_line(stdout: &str) -> (StatusCode, Value) {
    let (authorization, url) = curl_line(stdout);
    let response = reqwest::Client::new()
        .get(&url)
        .header("Authorization", authorization)
        .send()
        .await
        .expect("answered");
    let status = response.status();
    (status, response.json().await.expect("JSON"))
}

#[tokio::test]
async fn generate_writes_a_valid_snapshot_with_the_tokens_and_workspaces_asked_for() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temporary directory");

    // Act
    let (bytes, _) = generate_to_file(
        &dir,
        "generated.json",
        &["--tokens", "50", "--workspaces", "3", "--seed", "7"],
    )
    .await;

    // Assert
    let snapshot = Snapshot::parse(&bytes).expect("a valid snapshot");
    assert_eq!(snapshot.token_count(), 50);
    let sizes: Vec<usize> = snapshot.workspaces.iter().map(|w| w.tokens.len()).collect();
    assert_eq!(sizes.len(), 3, "{sizes:?}");
    let (min, max) = (sizes.iter().min(), sizes.iter().max());
    assert!(
        max.zip(min).is_some_and(|(max, min)| max - min <= 1),
        "{sizes:?}"
    );
}

#[tokio::test]
async fn the_same_arguments_give_byte_identical_snapshots() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temporary directory");
    let args = ["--tokens", "200", "--workspaces", "4", "--seed", "42"];

    // Act
    let (first, _) = generate_to_file(&dir, "first.json", &args).await;
    let (second, _) = generate_to_file(&dir, "second.json", &args).await;
    let (to_stdout, _) = generate(&args).await;
    let (other_seed, _) = generate_to_file(
        &dir,
        "other.json",
        &["--tokens", "200", "--workspaces", "4", "--seed", "43"],
    )
    .await;

    // Assert
    assert!(first == second, "the same arguments, the same bytes");
    assert!(
        to_stdout.as_bytes() == first.as_slice(),
        "standard output gets the same bytes"
    );
    assert!(first != other_seed, "another seed, other data");
}

#[tokio::test]
async fn every_printed_secret_gets_the_outcome_printed_beside_it() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (_, stderr) = generate_to_file(
        &dir,
        "generated.json",
        &["--tokens", "30", "--workspaces", "2", "--seed", "5"],
    )
    .await;
    let secrets = printed_secrets(&stderr);
    assert_eq!(secrets.len(), 8, "four per workspace:\n{stderr}");
    let path = dir.path().join("generated.json");
    let mut binary = Binary::start(
        &[
            "--port",
            "0",
            "--snapshot",
            path.to_str().expect("a UTF-8 path"),
        ],
        &[],
    );
    let base = binary.wait_for_banner().await;
    let client = reqwest::Client::new();

    for (secret, expected) in secrets {
        // Act
        let response = client
            .get(format!("{base}/v1/tokens"))
            .bearer_auth(&secret)
            .send()
            .await
            .expect("answered");

        // Assert
        assert_eq!(response.status().as_u16(), expected, "{secret}");
    }
}

#[tokio::test]
async fn generate_refuses_arguments_out_of_range_naming_the_flag() {
    for (args, flag) in [
        (vec!["generate", "--tokens", "0"], "--tokens"),
        (
            vec!["generate", "--tokens", "3", "--workspaces", "5"],
            "--workspaces",
        ),
        (
            vec!["generate", "--tokens", "3", "--workspaces", "0"],
            "--workspaces",
        ),
    ] {
        // Act
        let (status, stdout, stderr) = run_binary(&args, &[]).await;

        // Assert
        assert!(!status.success(), "{args:?}");
        assert!(stderr.contains(flag), "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: no snapshot written");
    }
}

#[tokio::test]
async fn serve_generate_serves_generated_data_and_the_banners_curl_line_works() {
    for args in [
        vec!["serve", "--generate", "40", "--seed", "3", "--port", "0"],
        vec!["--generate", "40", "--seed", "3", "--port", "0"],
    ] {
        // Arrange
        let mut binary = Binary::start(&args, &[]);
        binary.wait_for_banner().await;
        let stdout = binary.stdout();

        // Act
        let (status, body) = run_curl_line(&stdout).await;

        // Assert
        assert!(stdout.contains("serving 40 tokens"), "{args:?}: {stdout}");
        let (authorization, _) = curl_line(&stdout);
        assert!(
            !authorization.contains(DEMO_SECRET),
            "{args:?}: a generated secret"
        );
        assert_eq!(status, StatusCode::OK, "{args:?}: {body}");
        assert!(
            body["meta"]["total"].as_u64().is_some_and(|t| t > 0),
            "{args:?}: {body}"
        );
    }
}

#[tokio::test]
async fn serving_generated_data_with_the_same_seed_serves_the_same_data() {
    // Arrange
    let serve = |seed: &'static str| async move {
        let mut binary = Binary::start(
            &[
                "--generate",
                "40",
                "--seed",
                seed,
                "--port",
                "0",
                "--now",
                FROZEN_NOW,
            ],
            &[],
        );
        binary.wait_for_banner().await;
        let stdout = binary.stdout();
        let (status, body) = run_curl_line(&stdout).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        (curl_line(&stdout).0, body)
    };

    // Act
    let (first_secret, first) = serve("3").await;
    let (second_secret, second) = serve("3").await;
    let (other_secret, _) = serve("4").await;

    // Assert
    assert_eq!(first_secret, second_secret);
    assert_eq!(first, second);
    assert_ne!(first_secret, other_secret);
}

#[tokio::test]
async fn generate_and_a_snapshot_file_together_stop_start_up_naming_snapshot_generate() {
    // Act
    let (status, stdout, stderr) = run_binary(
        &["--port", "0", "--generate", "10", "--snapshot", "some.json"],
        &[],
    )
    .await;

    // Assert
    assert!(!status.success(), "{status}\n{stdout}");
    assert!(stderr.contains("snapshot.generate"), "{stderr}");
}

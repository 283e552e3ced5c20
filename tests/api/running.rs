//! Rules 32-35: the banner, settings layering and validation, health endpoints, and a clean
//! exit on SIGTERM and SIGINT.

use std::collections::HashMap;
use std::process::Command;

use chrono::{DateTime, Utc};
use config::Environment;
use reqwest::StatusCode;
use serde_json::Value;
use tooken_mock::settings::{Overrides, Settings};

use crate::helpers::{fixture, header, run_binary, spawn_app, token_named, Binary, NORTH_READER};

#[tokio::test]
async fn the_banner_names_the_api_the_docs_the_spec_and_a_curl_line() {
    // Arrange
    let mut binary = Binary::start(&["--port", "0"], &[]);

    // Act
    let base = binary.wait_for_banner().await;

    // Assert
    let stdout = binary.stdout();
    assert!(base.starts_with("http://127.0.0.1:"), "{stdout}");
    assert!(stdout.contains(&format!("{base}/v1/tokens")), "{stdout}");
    assert!(stdout.contains(&format!("{base}/docs/")), "{stdout}");
    assert!(stdout.contains(&format!("{base}/openapi.json")), "{stdout}");
    assert!(stdout.contains(&format!("{base}/openapi.yaml")), "{stdout}");
    assert!(
        stdout.lines().any(|line| line.contains("curl ")),
        "{stdout}"
    );
}

#[tokio::test]
async fn the_printed_curl_line_works_as_printed() {
    // Arrange: curl -H 'Authorization: Bearer SECRET' 'URL'
    let mut binary = Binary::start(&["--port", "0"], &[]);
    binary.wait_for_banner().await;
    let stdout = binary.stdout();
    let curl = stdout
        .lines()
        .find(|line| line.contains("curl "))
        .expect("a curl line");
    let quoted: Vec<&str> = curl.split('\'').collect();
    let authorization = quoted[1]
        .strip_prefix("Authorization: ")
        .expect("an Authorization header");
    let url = quoted[3];

    // Act
    let response = reqwest::Client::new()
        .get(url)
        .header("Authorization", authorization)
        .send()
        .await
        .expect("answered");

    // Assert
    assert_eq!(response.status(), StatusCode::OK, "{curl}");
    let body: Value = response.json().await.expect("JSON");
    assert!(
        body["meta"]["total"].as_u64().is_some_and(|t| t > 0),
        "{body}"
    );
}

#[tokio::test]
async fn every_url_the_banner_prints_answers() {
    // Arrange
    let mut binary = Binary::start(&["--port", "0"], &[]);
    let base = binary.wait_for_banner().await;
    let client = reqwest::Client::new();

    for path in ["/docs/", "/openapi.json", "/openapi.yaml"] {
        // Act
        let response = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("answered");

        // Assert
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn beyond_loopback_the_banner_names_the_variable_that_turns_the_admin_api_on() {
    // Arrange: no log lines, so only the banner can tell.
    let beyond = [
        ("TOOKEN__SERVER__HOST", "0.0.0.0"),
        ("TOOKEN__LOG__LEVEL", "off"),
    ];
    let mut without_token = Binary::start(&["--port", "0"], &beyond);
    without_token.wait_for_banner().await;
    let stdout = without_token.stdout();
    let advice = stdout
        .lines()
        .find(|line| line.trim_start().starts_with("Admin API"))
        .unwrap_or_else(|| panic!("an Admin API line:\n{stdout}"));
    let variable = advice
        .split_whitespace()
        .find(|word| word.starts_with("TOOKEN__"))
        .unwrap_or_else(|| panic!("a variable named in {advice:?}"));

    // Act: follow the advice.
    let mut with_token = Binary::start(
        &["--port", "0"],
        &[beyond[0], beyond[1], (variable, "admin-token-0001")],
    );
    let base = with_token.wait_for_banner().await;
    let clock = reqwest::Client::new()
        .get(format!("{base}/__admin/clock"))
        .bearer_auth("admin-token-0001")
        .send()
        .await
        .expect("answered");

    // Assert
    assert!(advice.contains(" off"), "{advice}");
    assert_eq!(clock.status(), StatusCode::OK, "after setting {variable}");
    assert!(
        with_token.stdout().contains(&format!("{base}/__admin/")),
        "{}",
        with_token.stdout()
    );
}

fn settings_with(config_file: bool, env: &[(&str, &str)], now_flag: Option<&str>) -> Settings {
    let vars: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let overrides = Overrides {
        config_file: config_file.then(|| fixture("settings/january.toml")),
        now: now_flag.map(str::to_owned),
        ..Default::default()
    };
    Settings::load_from(
        &overrides,
        Environment::with_prefix("TOOKEN").source(Some(vars)),
    )
    .expect("valid settings")
}

#[test]
fn a_config_file_overrides_the_defaults_env_overrides_the_file_and_flags_override_both() {
    // Arrange
    let env = [("TOOKEN__CLOCK__NOW", "2026-02-01T00:00:00Z")];

    // Act
    let defaults = settings_with(false, &[], None);
    let file = settings_with(true, &[], None);
    let file_and_env = settings_with(true, &env, None);
    let all_three = settings_with(true, &env, Some("2026-03-01T00:00:00Z"));

    // Assert
    let at = |text: &str| Some(text.parse::<DateTime<Utc>>().expect("an RFC 3339 time"));
    assert_eq!(defaults.clock.now, None);
    assert_eq!(file.clock.now, at("2026-01-01T00:00:00Z"));
    assert_eq!(file_and_env.clock.now, at("2026-02-01T00:00:00Z"));
    assert_eq!(all_three.clock.now, at("2026-03-01T00:00:00Z"));
}

#[test]
fn only_the_final_value_after_layering_is_validated() {
    // Arrange: a bad port in the environment, replaced by a flag.
    let vars = HashMap::from([("TOOKEN__SERVER__PORT".to_owned(), "abc".to_owned())]);
    let overrides = Overrides {
        port: Some(9000),
        ..Default::default()
    };

    // Act
    let settings = Settings::load_from(
        &overrides,
        Environment::with_prefix("TOOKEN").source(Some(vars)),
    );

    // Assert
    assert_eq!(
        settings.expect("the flag's value is valid").server.port,
        9000
    );
}

#[tokio::test]
async fn serving_is_the_default_command_and_can_also_be_named() {
    // Arrange
    let snapshot = fixture("workspaces.json");
    let snapshot = snapshot.to_str().expect("UTF-8");

    for args in [
        vec!["--snapshot", snapshot, "--port", "0"],
        vec!["serve", "--snapshot", snapshot, "--port", "0"],
    ] {
        // Act
        let mut binary = Binary::start(&args, &[]);
        let base = binary.wait_for_banner().await;
        let response = reqwest::Client::new()
            .get(format!("{base}/v1/tokens"))
            .bearer_auth(NORTH_READER)
            .send()
            .await
            .expect("answered");

        // Assert
        assert_eq!(response.status(), StatusCode::OK, "{args:?}");
    }
}

/// The `last_used_at` that the North reader's own request records: the clock's time.
async fn clock_of_binary(args: &[&str], env: &[(&str, &str)]) -> Value {
    let snapshot = fixture("workspaces.json");
    let mut all_args = vec![
        "--port",
        "0",
        "--snapshot",
        snapshot.to_str().expect("UTF-8"),
    ];
    all_args.extend_from_slice(args);
    let mut binary = Binary::start(&all_args, env);
    let base = binary.wait_for_banner().await;
    let body: Value = reqwest::Client::new()
        .get(format!("{base}/v1/tokens"))
        .bearer_auth(NORTH_READER)
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    token_named(&body, "Shared reader")["last_used_at"].clone()
}

#[tokio::test]
async fn the_binary_layers_config_file_then_environment_then_flags() {
    // Arrange
    let config = fixture("settings/january.toml");
    let config = config.to_str().expect("UTF-8");
    let env = [("TOOKEN__CLOCK__NOW", "2026-02-01T00:00:00Z")];

    // Act
    let file = clock_of_binary(&["--config", config], &[]).await;
    let file_and_env = clock_of_binary(&["--config", config], &env).await;
    let all_three =
        clock_of_binary(&["--config", config, "--now", "2026-03-01T00:00:00Z"], &env).await;

    // Assert
    assert_eq!(file, "2026-01-01T00:00:00Z");
    assert_eq!(file_and_env, "2026-02-01T00:00:00Z");
    assert_eq!(all_three, "2026-03-01T00:00:00Z");
}

/// Starts the binary with one bad setting and checks that it stops, naming the setting.
async fn assert_start_up_refused(extra_args: &[&str], env: &[(&str, &str)], setting: &str) {
    let snapshot = fixture("workspaces.json");
    let mut args = vec!["--snapshot", snapshot.to_str().expect("UTF-8")];
    args.extend_from_slice(extra_args);

    let (status, stdout, stderr) = run_binary(&args, env).await;

    assert!(!status.success(), "{setting}: {status}\n{stdout}");
    assert!(stderr.contains(setting), "{setting} in\n{stderr}");
    assert!(!stdout.contains("/v1/tokens"), "no banner: {stdout}");
}

#[tokio::test]
async fn a_bad_port_in_the_environment_stops_start_up_naming_server_port() {
    // No --port flag: the environment's value is the final one.
    assert_start_up_refused(&[], &[("TOOKEN__SERVER__PORT", "abc")], "server.port").await;
}

#[tokio::test]
async fn a_bad_now_flag_stops_start_up_naming_clock_now() {
    assert_start_up_refused(&["--port", "0", "--now", "yesterday"], &[], "clock.now").await;
}

#[tokio::test]
async fn a_bad_value_in_the_config_file_stops_start_up_naming_its_setting() {
    let bad_file = fixture("settings/bad_max_per_page.toml");
    let args = ["--port", "0", "--config", bad_file.to_str().expect("UTF-8")];
    assert_start_up_refused(&args, &[], "pagination.max_per_page").await;
}

#[tokio::test]
async fn a_bad_typed_setting_stops_start_up_naming_it() {
    let flags = ["--port", "0", "--log-format", "xml"];
    assert_start_up_refused(&flags, &[], "log.format").await;
    let env_cases = [
        ("TOOKEN__LOG__LEVEL", "loud", "log.level"),
        ("TOOKEN__CLOCK__NOW", "2026-05-01", "clock.now"),
        (
            "TOOKEN__CORS__ALLOWED_ORIGINS",
            "https://*.example.com",
            "cors.allowed_origins",
        ),
        ("TOOKEN__FAULTS__ERROR_RATE", "2", "faults.error_rate"),
        (
            "TOOKEN__FAULTS__LATENCY_JITTER_MS",
            "30001",
            "faults.latency_jitter_ms",
        ),
    ];
    for (var, value, setting) in env_cases {
        assert_start_up_refused(&["--port", "0"], &[(var, value)], setting).await;
    }
}

#[actix_web::test]
async fn healthz_and_readyz_answer_200_outside_the_api() {
    // Arrange
    let app = spawn_app("workspaces.json").await;

    for path in ["/healthz", "/readyz"] {
        // Act: no credentials needed.
        let response = app.get(path, None).await;

        // Assert
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(header(response.headers(), "content-type").starts_with("application/json"));
    }
}

async fn exit_code_after_signal(signal: &str) -> Option<i32> {
    let snapshot = fixture("workspaces.json");
    let mut binary = Binary::start(
        &[
            "--port",
            "0",
            "--snapshot",
            snapshot.to_str().expect("UTF-8"),
        ],
        &[],
    );
    let base = binary.wait_for_banner().await;
    {
        // A request first, so the server is known to be serving; the client (and its
        // keep-alive connection) is gone before the signal.
        let response = reqwest::Client::new()
            .get(format!("{base}/v1/tokens"))
            .bearer_auth(NORTH_READER)
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::OK);
    }
    let sent = Command::new("kill")
        .args([signal, &binary.pid().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    binary.wait_for_exit().await.code()
}

#[tokio::test]
async fn sigterm_stops_the_server_with_exit_code_0() {
    // Act
    let code = exit_code_after_signal("-TERM").await;

    // Assert
    assert_eq!(code, Some(0));
}

#[tokio::test]
async fn sigint_stops_the_server_with_exit_code_0() {
    // Act
    let code = exit_code_after_signal("-INT").await;

    // Assert
    assert_eq!(code, Some(0));
}

/// A keep-alive request (HTTP/1.1, no `Connection: close`) for `/healthz`, read until the
/// server closes the connection.
async fn healthz_on_one_connection(address: std::net::SocketAddr) -> String {
    let request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    crate::helpers::raw_exchange(address, request)
        .await
        .text
        .to_ascii_lowercase()
}

#[actix_web::test]
async fn server_settings_shape_the_mock_and_the_proxy_alike() {
    // Arrange: keep-alive off for both, the proxy in front of the mock.
    let off = [("TOOKEN__SERVER__KEEP_ALIVE_SECS", "0")];
    let app = crate::helpers::spawn_app_with("auth.json", crate::helpers::FROZEN_NOW, &off).await;
    let upstream = format!("http://{}/v1", app.address);
    let proxy = crate::proxy::spawn_proxy(&upstream, &off).await;

    // Act: each answers, then closes the connection instead of keeping it open.
    let from_mock = healthz_on_one_connection(app.address).await;
    let from_proxy = healthz_on_one_connection(proxy.address).await;

    // Assert
    for (server, text) in [("mock", &from_mock), ("proxy", &from_proxy)] {
        assert!(text.starts_with("http/1.1 200"), "{server}: {text}");
        assert!(text.contains("connection: close"), "{server}: {text}");
    }
}

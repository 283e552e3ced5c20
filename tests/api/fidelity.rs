//! `tooken-mock fidelity` over real processes: a workspace recorded from "the real API" (a
//! second server), served by the mock, a client's session captured through `proxy --har`,
//! replayed: 100 %. Then the real API drifts, and each drift is reported by its rule and
//! location, and nothing else is.

mod real_api;
mod refusals;

use std::path::{Path, PathBuf};
use std::process::ExitStatus;

use serde_json::Value;
use tempfile::TempDir;

use crate::har::assert_valid_har;
use crate::helpers::{run_binary, spawn_app_from, Binary, TestApp};
use real_api::{spawn_real_api, Drift, RealApi, Secrets, LATE_NOW};

/// The queries of the client's session, each with the reader's secret.
const SESSION: [&str; 9] = [
    "",
    "?per_page=100",
    "?page=2&per_page=100",
    "?page=3&per_page=100",
    "?status=active&per_page=10",
    "?status=revoked",
    "?name=deploy&per_page=3",
    "?page=99",
    "?per_page=0",
];

/// The real API, the secrets of its client, and the mock serving what `record` made of it.
struct Setup {
    dir: TempDir,
    real: RealApi,
    secrets: Secrets,
    mock: TestApp,
}

/// Records the real API's workspace with `record` (the reader's secret attached), gives the
/// forbidden token its secret too, and serves the recording.
async fn recorded() -> Setup {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (real, secrets) = spawn_real_api(&dir).await;
    let out = dir.path().join("recorded.json");
    let from = format!("{}/v1", real.base);
    let out_arg = out.to_string_lossy().into_owned();
    let args = [
        "record",
        "--from",
        &from,
        "--secret",
        &secrets.reader.secret,
        "--out",
        &out_arg,
        "--secret-for",
        &secrets.reader.token_id,
    ];
    let (status, _, stderr) = run_binary(&args, &[]).await;
    assert!(status.success(), "{stderr}");
    let mut document: Value =
        serde_json::from_slice(&std::fs::read(&out).expect("recorded")).expect("JSON");
    let forbidden = document["workspaces"][0]["tokens"]
        .as_array_mut()
        .expect("tokens")
        .iter_mut()
        .find(|t| t["id"] == secrets.forbidden.token_id.as_str())
        .expect("the forbidden token is recorded");
    forbidden["secret"] = Value::from(secrets.forbidden.secret.as_str());
    std::fs::write(&out, document.to_string()).expect("written");
    let mock = spawn_app_from(&out, LATE_NOW, &[]).await;
    Setup {
        dir,
        real,
        secrets,
        mock,
    }
}

/// A client's session through `proxy --har` in front of the real API: the HAR written.
async fn capture(setup: &Setup, name: &str) -> PathBuf {
    let har = setup.dir.path().join(format!("{name}.har"));
    let upstream = format!("{}/v1", setup.real.base);
    let har_arg = har.to_string_lossy().into_owned();
    let mut proxy = Binary::start(
        &[
            "proxy",
            "--upstream",
            &upstream,
            "--port",
            "0",
            "--har",
            &har_arg,
        ],
        &[],
    );
    let base = proxy.wait_for_banner().await;
    let client = reqwest::Client::new();
    let get = |query: &str, secret: Option<&str>| {
        let mut request = client.get(format!("{base}/v1/tokens{query}"));
        if let Some(secret) = secret {
            request = request.bearer_auth(secret);
        }
        request.send()
    };
    for query in SESSION {
        get(query, Some(&setup.secrets.reader.secret))
            .await
            .expect("answered");
    }
    get("", None).await.expect("answered");
    get("", Some(&setup.secrets.forbidden.secret))
        .await
        .expect("answered");
    get("", Some("tok_live_NoSuchSecretAnywhere0000000000"))
        .await
        .expect("answered");
    drop(proxy);
    har
}

/// Runs `fidelity --json` on `har` against the mock: exit status and report.
async fn fidelity(setup: &Setup, har: &Path) -> (ExitStatus, Value) {
    let har_arg = har.to_string_lossy().into_owned();
    let mock = setup.mock.url("");
    let args = [
        "fidelity",
        "--har",
        &har_arg,
        "--mock",
        &mock,
        "--json",
        "--secret",
        &setup.secrets.reader.secret,
        "--secret",
        &setup.secrets.forbidden.secret,
        "--secret",
        "tok_live_NoSuchSecretAnywhere0000000000",
    ];
    let (status, stdout, stderr) = run_binary(&args, &[]).await;
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("a JSON report ({e}):\n{stdout}\n{stderr}"));
    (status, report)
}

fn keys(value: &Value) -> Vec<String> {
    value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

#[actix_web::test]
async fn a_session_captured_from_the_api_the_mock_was_recorded_from_replays_at_100_percent() {
    // Arrange
    let setup = recorded().await;
    let har = capture(&setup, "same").await;

    // Act
    let (status, report) = fidelity(&setup, &har).await;

    // Assert
    let written = std::fs::read_to_string(&har).expect("the HAR");
    for secret in [
        &setup.secrets.reader.secret,
        &setup.secrets.forbidden.secret,
    ] {
        assert!(!written.contains(secret.as_str()), "a secret in the HAR");
    }
    assert!(written.contains("Bearer redacted:sha256:"), "{written}");
    assert_valid_har(&serde_json::from_str(&written).expect("JSON"));
    assert_eq!(report["replayed"], 12, "{report:#}");
    assert_eq!(report["identical"], 12, "{report:#}");
    assert_eq!(report["score"], 100.0);
    assert!(report["by_rule"].as_object().expect("by_rule").is_empty());
    assert_eq!(
        keys(&report["compared_by_rule"]),
        ["last_used_at", "request_id"]
    );
    assert!(status.success(), "{report:#}");
}

#[actix_web::test]
async fn each_drift_of_the_real_api_is_reported_by_its_rule_and_location_and_nothing_else() {
    // Arrange
    let setup = recorded().await;
    let link_locations: Vec<String> = ["first", "last", "next", "prev"]
        .iter()
        .map(|rel| format!("header.link headers.Link rel=\"{rel}\""))
        .collect();
    let cases: [(Drift, &str, &[&str]); 4] = [
        (
            Drift::Renamed,
            "body.renamed",
            &["body.renamed /data/*/name"],
        ),
        (Drift::Order, "body.order", &["body.order /data"]),
        (Drift::LinkDropped, "header.link", &[]),
        (Drift::Unauthorized, "status", &["status status"]),
    ];

    for (drift, rule, locations) in cases {
        // Act
        setup.real.drift(drift);
        let har = capture(&setup, &format!("{drift:?}")).await;
        let (status, report) = fidelity(&setup, &har).await;

        // Assert
        assert_eq!(status.code(), Some(1), "{drift:?}: {report:#}");
        assert_eq!(keys(&report["by_rule"]), [rule], "{drift:?}: {report:#}");
        let found = keys(&report["by_location"]);
        match drift {
            Drift::LinkDropped => {
                assert!(!found.is_empty());
                assert!(
                    found.iter().all(|l| link_locations.contains(l)),
                    "{found:?}"
                );
            }
            _ => assert_eq!(found, locations, "{drift:?}: {report:#}"),
        }
        let differing = report["exchanges"].as_array().expect("exchanges").len();
        assert_eq!(
            report["identical"].as_u64().expect("a count") as usize + differing,
            12
        );
    }
}

#[actix_web::test]
async fn the_text_report_names_the_rule_the_location_and_both_sides() {
    // Arrange
    let setup = recorded().await;
    setup.real.drift(Drift::Renamed);
    let har = capture(&setup, "renamed").await;
    let har_arg = har.to_string_lossy().into_owned();
    let mock = setup.mock.url("");

    // Act
    let (status, stdout, _) = run_binary(
        &[
            "fidelity",
            "--har",
            &har_arg,
            "--mock",
            &mock,
            "--min",
            "50",
            "--secret",
            &setup.secrets.reader.secret,
            "--secret",
            &setup.secrets.forbidden.secret,
            "--secret",
            "tok_live_NoSuchSecretAnywhere0000000000",
        ],
        &[],
    )
    .await;

    // Assert: the 200 pages with tokens differ (7 of 12), below --min 50.
    assert_eq!(status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("below --min 50"), "{stdout}");
    assert!(stdout.contains("body.renamed /data/*/name"), "{stdout}");
    assert!(
        stdout.contains("    body.renamed /data/*/name, 100 times (first /data/0/name)\n      - title\n      + name\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("last_used_at: an RFC 3339 timestamp or null"),
        "{stdout}"
    );
}

#[actix_web::test]
async fn a_redacted_secret_that_no_secret_given_matches_is_reported_not_sent() {
    // Arrange
    let setup = recorded().await;
    let har = capture(&setup, "secretless").await;
    let har_arg = har.to_string_lossy().into_owned();
    let mock = setup.mock.url("");

    // Act
    let (status, stdout, _) = run_binary(
        &["fidelity", "--har", &har_arg, "--mock", &mock, "--json"],
        &[],
    )
    .await;

    // Assert: only the request without credentials could be replayed.
    let report: Value = serde_json::from_str(&stdout).expect("a JSON report");
    assert_eq!(status.code(), Some(1));
    assert_eq!(keys(&report["by_rule"]), ["replay.secret"], "{report:#}");
    assert_eq!(report["identical"], 1, "{report:#}");
}

//! Rules 25-27: the three snapshot shapes, validation with locations (through the library
//! and through the binary), and the embedded default with its documented demo secrets.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;
use tooken_mock::store::snapshot::{Problem, Snapshot};
use tooken_mock::store::{DEFAULT_SNAPSHOT, DEMO_SECRET};

use crate::helpers::{fixture, names, run_binary, Binary};

fn parse_fixture(name: &str) -> Result<Snapshot, Vec<Problem>> {
    let bytes = std::fs::read(fixture(name)).expect("the fixture exists");
    Snapshot::parse(&bytes).map_err(|e| e.0)
}

fn workspace_summary(snapshot: &Snapshot) -> Vec<(String, usize)> {
    snapshot
        .workspaces
        .iter()
        .map(|w| (w.id.as_str().to_owned(), w.tokens.len()))
        .collect()
}

fn locations(problems: &[Problem]) -> BTreeSet<String> {
    problems.iter().map(|p| p.location.clone()).collect()
}

fn message_at<'a>(problems: &'a [Problem], location: &str) -> &'a str {
    problems
        .iter()
        .find(|p| p.location == location)
        .map(|p| p.message.as_str())
        .unwrap_or_else(|| panic!("no problem at {location}: {problems:?}"))
}

/// Every location `invalid_values.json` has a problem at.
pub const INVALID_VALUE_LOCATIONS: [&str; 15] = [
    "workspaces[0].tokens[1].id",
    "workspaces[0].tokens[2].id",
    "workspaces[0].tokens[2].secret",
    "workspaces[0].tokens[3].name",
    "workspaces[0].tokens[3].scopes[0]",
    "workspaces[0].tokens[3].status",
    "workspaces[0].tokens[3].created_at",
    "workspaces[0].tokens[3].created_by",
    "workspaces[0].tokens[3].secret",
    "workspaces[0].tokens[4].expires_at",
    "workspaces[0].tokens[4].last_used_at",
    "workspaces[0].tokens[5].name",
    "workspaces[1].id",
    "workspaces[2].id",
    "workspaces[2].tokens[0].id",
];

#[test]
fn the_workspaces_shape_loads_each_workspace() {
    // Act
    let snapshot = parse_fixture("workspaces.json").expect("a valid snapshot");

    // Assert
    assert_eq!(
        workspace_summary(&snapshot),
        [("ws_north".to_owned(), 4), ("ws_south".to_owned(), 2)]
    );
}

#[test]
fn the_api_response_shape_loads_into_ws_default_ignoring_meta() {
    // Act
    let snapshot = parse_fixture("vendor_example.json").expect("a valid snapshot");

    // Assert
    assert_eq!(workspace_summary(&snapshot), [("ws_default".to_owned(), 2)]);
}

#[test]
fn a_bare_array_of_tokens_loads_into_ws_default() {
    // Act
    let snapshot = parse_fixture("names.json").expect("a valid snapshot");

    // Assert
    assert_eq!(
        workspace_summary(&snapshot),
        [("ws_default".to_owned(), 16)]
    );
}

#[test]
fn every_bad_value_is_reported_at_once_with_its_location() {
    // Act
    let problems = parse_fixture("invalid_values.json").expect_err("an invalid snapshot");

    // Assert
    let expected: BTreeSet<String> = INVALID_VALUE_LOCATIONS
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert_eq!(locations(&problems), expected, "{problems:#?}");
    assert_eq!(
        problems.len(),
        INVALID_VALUE_LOCATIONS.len(),
        "{problems:#?}"
    );
    let malformed = problems
        .iter()
        .find(|p| p.location == "workspaces[0].tokens[1].id")
        .expect("the malformed id");
    assert_eq!(
        malformed.to_string(),
        "workspaces[0].tokens[1].id: must match ^tok_[a-z0-9]{24}$"
    );
}

#[test]
fn a_duplicate_is_reported_at_its_later_occurrence_naming_the_first() {
    // Act
    let problems = parse_fixture("invalid_values.json").expect_err("an invalid snapshot");

    // Assert
    for (later, first) in [
        ("workspaces[0].tokens[2].id", "workspaces[0].tokens[0]"),
        ("workspaces[0].tokens[2].secret", "workspaces[0].tokens[0]"),
        ("workspaces[2].tokens[0].id", "workspaces[0].tokens[0]"),
        ("workspaces[2].id", "workspaces[0]"),
    ] {
        let message = message_at(&problems, later);
        assert!(message.contains("duplicate"), "{later}: {message}");
        assert!(message.contains(first), "{later}: {message}");
    }
    assert!(!locations(&problems).contains("workspaces[0].tokens[0].id"));
}

#[test]
fn wrong_json_types_and_unknown_fields_are_reported_with_their_locations() {
    // Act
    let problems = parse_fixture("invalid_types.json").expect_err("an invalid snapshot");

    // Assert
    let expected: BTreeSet<String> = [
        "version",
        "workspaces[0].tokens[0].id",
        "workspaces[0].tokens[0].scopes",
        "workspaces[0].tokens[0].expires_at",
        "workspaces[0].tokens[0].owner",
        "workspaces[0].tokens[1].name",
        "workspaces[0].tokens[1].scopes[1]",
        "workspaces[0].tokens[1].status",
        "workspaces[0].tokens[1].secret",
        "workspaces[0].tokens[1].created_by",
        "workspaces[0].tokens[2]",
    ]
    .iter()
    .map(|l| l.to_string())
    .collect();
    assert_eq!(locations(&problems), expected, "{problems:#?}");
    assert!(message_at(&problems, "workspaces[0].tokens[0].owner").contains("unknown field"));
    assert!(message_at(&problems, "version").contains("unknown field"));
    assert!(message_at(&problems, "workspaces[0].tokens[1].created_by").contains("required"));
}

#[test]
fn locations_in_the_data_and_bare_shapes_point_into_those_shapes() {
    // Arrange
    let token = r#"{"id": "tok_BAD", "name": "n", "scopes": [], "status": "active",
        "created_at": "2026-01-01T00:00:00Z", "expires_at": null, "last_used_at": null,
        "created_by": "a@example.com"}"#;
    let data = format!(r#"{{"data": [{token}], "meta": {{"total": 1}}}}"#);
    let bare = format!("[{token}]");

    // Act
    let data_problems = Snapshot::parse(data.as_bytes()).expect_err("invalid").0;
    let bare_problems = Snapshot::parse(bare.as_bytes()).expect_err("invalid").0;

    // Assert
    assert_eq!(
        locations(&data_problems),
        BTreeSet::from(["data[0].id".to_owned()])
    );
    assert_eq!(
        locations(&bare_problems),
        BTreeSet::from(["[0].id".to_owned()])
    );
}

#[test]
fn a_document_that_is_not_json_is_reported_with_its_position() {
    // Act
    let problems = Snapshot::parse(b"{\"workspaces\": [\n")
        .expect_err("invalid")
        .0;

    // Assert
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].location.starts_with('$'), "{problems:?}");
    assert!(problems[0].location.contains("line 2"), "{problems:?}");
}

#[tokio::test]
async fn check_prints_every_problem_and_exits_1_for_a_bad_snapshot() {
    // Arrange
    let path = fixture("invalid_values.json");

    // Act
    let (status, stdout, stderr) =
        run_binary(&["check", path.to_str().expect("a UTF-8 path")], &[]).await;

    // Assert
    assert_eq!(status.code(), Some(1), "{stdout}{stderr}");
    let printed = format!("{stdout}{stderr}");
    assert!(printed.contains("workspaces[0].tokens[1].id: must match ^tok_[a-z0-9]{24}$"));
    for location in INVALID_VALUE_LOCATIONS {
        assert!(
            printed.contains(&format!("{location}: ")),
            "{location} in\n{printed}"
        );
    }
}

#[tokio::test]
async fn check_reads_as_the_server_does_a_fifo_or_an_oversized_file_refused_and_problems_bounded() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temporary directory");
    let fifo = dir.path().join("fifo.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let invalid = fixture("invalid_values.json");
    let big = dir.path().join("big.json");
    std::fs::write(&big, vec![b' '; 4096]).expect("written");

    // Act
    let (fifo_status, _, fifo_err) =
        run_binary(&["check", fifo.to_str().expect("UTF-8")], &[]).await;
    let (big_status, _, big_err) = run_binary(
        &["check", big.to_str().expect("UTF-8")],
        &[("TOOKEN__SNAPSHOT__MAX_FILE_BYTES", "1024")],
    )
    .await;
    let (few_status, few_out, few_err) = run_binary(
        &["check", invalid.to_str().expect("UTF-8")],
        &[("TOOKEN__SNAPSHOT__MAX_PROBLEMS", "1")],
    )
    .await;

    // Assert
    assert_eq!(fifo_status.code(), Some(1), "{fifo_err}");
    assert!(fifo_err.contains("not a regular file"), "{fifo_err}");
    assert_eq!(big_status.code(), Some(1), "{big_err}");
    assert!(big_err.contains("snapshot.max_file_bytes"), "{big_err}");
    assert_eq!(few_status.code(), Some(1), "{few_out}{few_err}");
    let listed = few_err
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("  ..."))
        .count();
    assert_eq!(listed, 1, "{few_err}");
    assert!(few_err.contains("15 problem(s)"), "{few_err}");
    assert!(
        few_err.contains("and 14 more (snapshot.max_problems)"),
        "{few_err}"
    );
}

#[tokio::test]
async fn check_prints_a_summary_per_workspace_and_exits_0_for_a_good_snapshot() {
    // Arrange: no token of this fixture changes status as real time passes.
    let path = fixture("workspaces.json");

    // Act
    let (status, stdout, stderr) =
        run_binary(&["check", path.to_str().expect("a UTF-8 path")], &[]).await;

    // Assert
    assert_eq!(status.code(), Some(0), "{stdout}{stderr}");
    let row = |workspace: &str| -> Vec<String> {
        stdout
            .lines()
            .find(|line| line.trim_start().starts_with(workspace))
            .unwrap_or_else(|| panic!("no line for {workspace} in\n{stdout}"))
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    };
    assert!(stdout.contains("active") && stdout.contains("expired") && stdout.contains("revoked"));
    assert_eq!(row("ws_north"), ["ws_north", "3", "0", "1"]);
    assert_eq!(row("ws_south"), ["ws_south", "2", "0", "0"]);
}

#[tokio::test]
async fn starting_with_a_bad_snapshot_exits_non_zero_with_the_report() {
    // Arrange
    let path = fixture("invalid_values.json");

    // Act
    let (status, stdout, stderr) = run_binary(
        &[
            "--port",
            "0",
            "--snapshot",
            path.to_str().expect("a UTF-8 path"),
        ],
        &[],
    )
    .await;

    // Assert
    assert!(!status.success(), "{status}");
    assert!(!stdout.contains("/v1/tokens"), "no banner: {stdout}");
    assert!(
        stderr.contains("workspaces[0].tokens[1].id: must match ^tok_[a-z0-9]{24}$"),
        "{stderr}"
    );
    assert!(stderr.contains("workspaces[2].id"), "{stderr}");
}

#[tokio::test]
async fn starting_with_a_missing_snapshot_exits_non_zero_naming_the_file() {
    // Arrange
    let path = fixture("no-such-snapshot.json");

    // Act
    let (status, _, stderr) = run_binary(
        &[
            "--port",
            "0",
            "--snapshot",
            path.to_str().expect("a UTF-8 path"),
        ],
        &[],
    )
    .await;

    // Assert
    assert!(!status.success(), "{status}");
    assert!(stderr.contains("no-such-snapshot.json"), "{stderr}");
}

fn default_tokens() -> Vec<(String, Value)> {
    let doc: Value = serde_json::from_slice(DEFAULT_SNAPSHOT).expect("JSON");
    doc["workspaces"]
        .as_array()
        .expect("the workspaces shape")
        .iter()
        .flat_map(|w| {
            let id = w["id"].as_str().expect("an id").to_owned();
            w["tokens"]
                .as_array()
                .expect("tokens")
                .iter()
                .map(move |t| (id.clone(), t.clone()))
        })
        .collect()
}

#[test]
fn the_embedded_default_is_valid_and_has_something_for_every_rule() {
    // Act
    let snapshot = Snapshot::parse(DEFAULT_SNAPSHOT).expect("the embedded default is valid");
    let tokens = default_tokens();

    // Assert
    assert!(snapshot.workspaces.len() >= 2);
    let statuses: BTreeSet<&str> = tokens
        .iter()
        .map(|(_, t)| t["status"].as_str().expect("status"))
        .collect();
    assert_eq!(statuses, BTreeSet::from(["active", "expired", "revoked"]));
    let has_secret = |t: &Value| t["secret"].is_string();
    let reads = |t: &Value| {
        t["scopes"]
            .as_array()
            .expect("scopes")
            .iter()
            .any(|s| s == "tokens:read")
    };
    assert!(
        tokens.iter().any(|(_, t)| has_secret(t) && !reads(t)),
        "a token without tokens:read"
    );
    assert!(tokens
        .iter()
        .any(|(_, t)| has_secret(t) && t["status"] == "expired"));
    assert!(tokens
        .iter()
        .any(|(_, t)| has_secret(t) && t["status"] == "revoked"));
    assert!(
        tokens
            .iter()
            .any(|(_, t)| !t["name"].as_str().expect("name").is_ascii()),
        "a Unicode name"
    );
    assert!(
        tokens
            .iter()
            .any(|(_, t)| t["name"].as_str().expect("name").chars().count() > 64),
        "a long name"
    );
    for vendor_id in [
        "tok_a1b2c3d4e5f6g7h8i9j0k1l2",
        "tok_b2c3d4e5f6g7h8i9j0k1l2m3",
    ] {
        assert!(
            tokens.iter().any(|(_, t)| t["id"] == vendor_id),
            "{vendor_id}"
        );
    }
    let (_, demo) = tokens
        .iter()
        .find(|(_, t)| t["secret"] == DEMO_SECRET)
        .expect("the banner's demo secret belongs to a token");
    assert_eq!(
        demo["expires_at"],
        Value::Null,
        "the banner's example keeps working"
    );
    assert!(reads(demo));
}

fn read_doc(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Checks every `| `tok_live_…` | `ws_…` | name[, `tok_…`] | … |` row of a document's table.
fn assert_demo_table_matches_the_default(path: &str) {
    let doc = read_doc(path);
    let tokens = default_tokens();
    let rows: Vec<Vec<String>> = doc
        .lines()
        .filter(|line| line.starts_with("| `tok_live_"))
        .map(|line| line.split('|').map(|c| c.trim().replace('`', "")).collect())
        .collect();
    assert!(rows.len() >= 4, "{path} lists the demo secrets");

    for row in rows {
        let (secret, workspace, token_column) = (&row[1], &row[2], &row[3]);
        let (found_workspace, token) = tokens
            .iter()
            .find(|(_, t)| t["secret"] == secret.as_str())
            .unwrap_or_else(|| panic!("{path}: {secret} is not in the default"));
        assert_eq!(found_workspace, workspace, "{path}: {secret}");
        let name = token["name"].as_str().expect("a name");
        assert!(token_column.contains(name), "{path}: {secret} is {name}");
        if let Some(id) = token_column
            .split([' ', ','])
            .find(|w| w.starts_with("tok_"))
        {
            assert_eq!(token["id"], id, "{path}: {secret}");
        }
    }
}

#[test]
fn every_demo_secret_in_the_docs_and_the_readme_belongs_to_the_token_they_name() {
    assert_demo_table_matches_the_default("docs/demo-secrets.md");
    assert_demo_table_matches_the_default("README.md");
}

#[test]
fn the_secrets_the_examples_of_the_readme_and_the_docs_use_never_expire() {
    // Arrange
    let mut pages = vec![read_doc("README.md")];
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    for entry in std::fs::read_dir(docs).expect("docs/").flatten() {
        if entry.path().extension().is_some_and(|e| e == "md") {
            pages.push(std::fs::read_to_string(entry.path()).expect("a page"));
        }
    }
    let tokens = default_tokens();
    let used: BTreeSet<&str> = pages
        .iter()
        .flat_map(|page| page.lines())
        .filter(|line| line.contains("curl") || line.contains("TOKEN="))
        .flat_map(|line| line.split(|c: char| !c.is_ascii_alphanumeric() && c != '_'))
        .filter(|word| word.starts_with("tok_live_"))
        .collect();
    assert!(
        !used.is_empty(),
        "the README and the docs have examples with secrets"
    );

    for secret in used {
        // Act
        let token = tokens.iter().find(|(_, t)| t["secret"] == secret);

        // Assert
        let (_, token) = token.unwrap_or_else(|| panic!("{secret} is not in the default"));
        assert_eq!(token["expires_at"], Value::Null, "{secret}");
        assert_eq!(token["status"], "active", "{secret}");
    }
}

#[tokio::test]
async fn the_binary_serves_the_embedded_default_and_the_demo_secrets_behave_as_documented() {
    // Arrange
    let mut binary = Binary::start(&["--port", "0"], &[]);
    let base = binary.wait_for_banner().await;
    let client = reqwest::Client::new();
    let get = |secret: &'static str| {
        client
            .get(format!("{base}/v1/tokens?per_page=100"))
            .bearer_auth(secret)
            .send()
    };

    // Act
    let audit = get("tok_live_AcmeAuditReadOnlyKey2026Demo0001")
        .await
        .expect("answered");
    let deploy_bot = get("tok_live_AcmeDeployOnlyNoTokensRead000003")
        .await
        .expect("answered");
    let revoked = get("tok_live_AcmeRevokedToken401Demo000000004")
        .await
        .expect("answered");
    let expired = get("tok_live_AcmeExpiredToken401Demo000000005")
        .await
        .expect("answered");
    let globex = get("tok_live_GlobexReadTokensDemo000000000006")
        .await
        .expect("answered");

    // Assert
    assert_eq!(audit.status(), StatusCode::OK);
    let audit: Value = audit.json().await.expect("JSON");
    assert!(names(&audit).contains(&"Read-Only Audit Key".to_owned()));
    assert_eq!(deploy_bot.status(), StatusCode::FORBIDDEN);
    let deploy_bot: Value = deploy_bot.json().await.expect("JSON");
    assert_eq!(deploy_bot["code"], "insufficient_scope");
    assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);
    let revoked: Value = revoked.json().await.expect("JSON");
    assert!(revoked["detail"]
        .as_str()
        .is_some_and(|d| d.contains("token has been revoked")));
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    let expired: Value = expired.json().await.expect("JSON");
    assert!(expired["detail"]
        .as_str()
        .is_some_and(|d| d.contains("token has expired")));
    assert_eq!(globex.status(), StatusCode::OK);
    let globex: Value = globex.json().await.expect("JSON");
    assert!(names(&globex).contains(&"Globex read-only".to_owned()));
    assert!(!names(&globex).contains(&"Read-Only Audit Key".to_owned()));
}

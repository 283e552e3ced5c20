//! Rules 4 and 31: whatever the API and the admin API produce loads again. With the clock set
//! before a token was created, its secret is "not valid yet" (so no use is recorded before a
//! creation); and after uses of every demo secret, clock moves both ways and single-token
//! changes, the export is accepted by `PUT /__admin/snapshot` and by `check`, and exports
//! identically again. The same property, on random sequences, is in `tests/export_properties.rs`.

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use tempfile::TempDir;

use crate::helpers::{assert_problem, run_binary, Binary};

/// The clock of the report: before the "Year-end report" token was created (2026-09-01).
const BEFORE_CREATION: &str = "2026-04-27T14:32:00Z";
/// The secret of the "Year-end report" token of the demo data.
const YEAR_END: &str = "tok_live_AcmeExpiresNewYearsEve2026000007";

/// Every secret of the embedded demo data, read from the data itself.
fn demo_secrets() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/store/default_snapshot.json"
    );
    let text = std::fs::read_to_string(path).expect("the demo data");
    let document: Value = serde_json::from_str(&text).expect("JSON");
    let secrets: Vec<String> = document["workspaces"]
        .as_array()
        .expect("workspaces")
        .iter()
        .flat_map(|w| w["tokens"].as_array().expect("tokens").iter())
        .filter_map(|t| t["secret"].as_str().map(str::to_owned))
        .collect();
    assert!(secrets.len() >= 7, "{secrets:?}");
    secrets
}

/// The admin API of a running binary.
struct Mock {
    base: String,
    client: Client,
}

impl Mock {
    async fn export(&self) -> Vec<u8> {
        let response = self
            .client
            .get(format!("{}/__admin/snapshot", self.base))
            .send()
            .await;
        let response = response.expect("the export is answered");
        assert_eq!(response.status(), StatusCode::OK);
        response.bytes().await.expect("a body").to_vec()
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> reqwest::Response {
        self.client
            .request(method, format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("the request is answered")
    }

    async fn list(&self, secret: &str) -> StatusCode {
        let url = format!("{}/v1/tokens", self.base);
        let response = self.client.get(url).bearer_auth(secret).send().await;
        response.expect("the listing is answered").status()
    }
}

/// Exports, puts the export back, `check`s it and exports again: all must agree.
async fn assert_export_loads_back(mock: &Mock, dir: &TempDir, label: &str) {
    let exported = mock.export().await;
    let put = mock
        .client
        .put(format!("{}/__admin/snapshot", mock.base))
        .header("Content-Type", "application/json")
        .body(exported.clone())
        .send()
        .await
        .expect("the replacement is answered");
    let status = put.status();
    let answer = put.text().await.unwrap_or_default();
    assert_eq!(status, StatusCode::OK, "{label}: {answer}");
    let file = dir.path().join(format!("{label}.json"));
    std::fs::write(&file, &exported).expect("the export is written");
    let path = file.to_string_lossy().into_owned();
    let (exit, stdout, stderr) = run_binary(&["check", &path], &[]).await;
    assert!(
        exit.success(),
        "{label}: check exits {exit}\n{stdout}\n{stderr}"
    );
    assert_eq!(
        mock.export().await,
        exported,
        "{label}: the second export differs"
    );
}

#[actix_web::test]
async fn an_export_after_uses_clock_moves_and_changes_loads_back_and_exports_identically() {
    // Arrange: the demo data, the clock before the Year-end report token was created.
    let mut binary = Binary::start(&["--port", "0", "--now", BEFORE_CREATION], &[]);
    let mock = Mock {
        base: binary.wait_for_banner().await,
        client: Client::new(),
    };
    let dir = tempfile::tempdir().expect("a temporary directory");

    // Act and assert: the report's own steps.
    let not_yet = mock
        .client
        .get(format!("{}/v1/tokens", mock.base))
        .bearer_auth(YEAR_END)
        .send()
        .await
        .expect("the listing is answered");
    let problem = assert_problem(not_yet, StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert!(problem["detail"]
        .as_str()
        .is_some_and(|d| d.contains("not valid yet")));
    assert_export_loads_back(&mock, &dir, "report").await;

    // Every secret used at times on both sides of every creation and expiry.
    let secrets = demo_secrets();
    for seconds in [0, 200 * 86_400, 400 * 86_400, -700 * 86_400, 1_000 * 86_400] {
        let moved = mock
            .send(
                reqwest::Method::POST,
                "/__admin/clock/advance",
                json!({ "seconds": seconds }),
            )
            .await;
        assert_eq!(moved.status(), StatusCode::OK);
        for secret in &secrets {
            mock.list(secret).await;
        }
    }
    assert_export_loads_back(&mock, &dir, "uses").await;

    // Single-token changes, then the clock back before the new token existed.
    let created = mock
        .send(
            reqwest::Method::POST,
            "/__admin/tokens",
            json!({"workspace": "ws_acme", "name": "Round trip", "scopes": ["tokens:read"]}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.expect("the new token");
    let secret = created["secret"].as_str().expect("a secret").to_owned();
    assert_eq!(mock.list(&secret).await, StatusCode::OK);
    let id = created["token"]["id"].as_str().expect("an id");
    let patch = json!({"name": "Round trip, renamed", "expires_at": "2031-01-01T00:00:00Z"});
    let patched = mock
        .send(
            reqwest::Method::PATCH,
            &format!("/__admin/tokens/{id}"),
            patch,
        )
        .await;
    assert_eq!(patched.status(), StatusCode::OK);
    let back = mock
        .send(
            reqwest::Method::POST,
            "/__admin/clock/advance",
            json!({"seconds": -86_400}),
        )
        .await;
    assert_eq!(back.status(), StatusCode::OK);
    assert_eq!(mock.list(&secret).await, StatusCode::UNAUTHORIZED);
    assert_export_loads_back(&mock, &dir, "changes").await;
}

//! HAR 1.2 written by the mock: `GET /__admin/requests?format=har` holds the session's
//! requests with headers and response bodies, valid against the HAR 1.2 JSON Schema
//! (`tests/fixtures/har-schema`), credentials redacted, long bodies cut and marked.

use reqwest::StatusCode;
use serde_json::{Map, Value};

use crate::helpers::{
    assert_problem, auth, failing_parameters, fixture, spawn_app, spawn_app_with, TestApp,
};

/// The HAR 1.2 schema: the vendored files joined into one document.
pub fn har_schema() -> jsonschema::Validator {
    let dir = fixture("har-schema");
    let mut definitions = Map::new();
    for file in std::fs::read_dir(&dir).expect("the schema directory") {
        let path = file.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let name = path
                .file_stem()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path).expect("a schema file");
            let mut schema: Value = serde_json::from_str(&text).expect("JSON");
            local_references(&mut schema);
            let object = schema.as_object_mut().expect("an object");
            object.remove("$id");
            object.remove("$schema");
            definitions.insert(name, schema);
        }
    }
    let root = serde_json::json!({
        "$schema": "http://json-schema.org/draft-06/schema#",
        "$ref": "#/definitions/har",
        "definitions": definitions,
    });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft6)
        .should_validate_formats(true)
        .build(&root)
        .expect("the HAR schema compiles")
}

/// `"$ref": "log.json#"` becomes `"$ref": "#/definitions/log"`.
fn local_references(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, member) in object.iter_mut() {
                match (key.as_str(), member.as_str()) {
                    ("$ref", Some(target)) => {
                        let name = target.trim_end_matches('#').trim_end_matches(".json");
                        *member = Value::from(format!("#/definitions/{name}"));
                    }
                    _ => local_references(member),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(local_references),
        _ => {}
    }
}

/// Panics with every error when `document` is not a valid HAR 1.2 document.
pub fn assert_valid_har(document: &Value) {
    let schema = har_schema();
    let errors: Vec<String> = schema
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "not HAR 1.2: {errors:#?}");
}

async fn har_of(app: &TestApp) -> Value {
    app.get_json("/__admin/requests?format=har").await
}

#[actix_web::test]
async fn the_journal_as_har_holds_each_request_with_headers_and_body_oldest_first() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let listed = app
        .get("/v1/tokens?status=active", Some(auth::READER))
        .await;
    let listed_body = listed.text().await.expect("a body");
    app.get("/v1/tokens", Some(auth::DEPLOY_ONLY)).await;
    app.get("/v1/tokens", None).await;

    // Act
    let har = har_of(&app).await;

    // Assert
    assert_valid_har(&har);
    let entries = har["log"]["entries"].as_array().expect("entries");
    let statuses: Vec<&Value> = entries.iter().map(|e| &e["response"]["status"]).collect();
    assert_eq!(statuses, [200, 403, 401]);
    let first = &entries[0];
    assert_eq!(first["request"]["method"], "GET");
    assert!(
        first["request"]["url"]
            .as_str()
            .expect("a URL")
            .ends_with("/v1/tokens?status=active"),
        "{first:#}"
    );
    assert_eq!(first["request"]["queryString"][0]["value"], "active");
    assert_eq!(first["response"]["content"]["text"], listed_body.as_str());
    assert_eq!(first["response"]["content"]["mimeType"], "application/json");
    let headers = first["response"]["headers"].as_array().expect("headers");
    assert!(headers.iter().any(|h| h["name"] == "link"), "{headers:?}");
    let text = har.to_string();
    for secret in [auth::READER, auth::DEPLOY_ONLY] {
        assert!(!text.contains(secret), "a secret in the HAR");
    }
    assert!(text.contains("Bearer redacted:sha256:"), "{text}");
}

#[actix_web::test]
async fn a_body_longer_than_journal_body_bytes_is_cut_there_and_marked() {
    // Arrange
    let env = [("TOOKEN__ADMIN__JOURNAL_BODY_BYTES", "64")];
    let app = spawn_app_with("auth.json", crate::helpers::FROZEN_NOW, &env).await;
    let whole = app.get("/v1/tokens", Some(auth::READER)).await;
    let whole = whole.bytes().await.expect("a body");

    // Act
    let har = har_of(&app).await;

    // Assert
    assert_valid_har(&har);
    let content = &har["log"]["entries"][0]["response"]["content"];
    assert_eq!(
        content["text"],
        String::from_utf8_lossy(&whole[..64]).as_ref()
    );
    assert_eq!(content["size"], whole.len());
    let comment = content["comment"].as_str().expect("a comment");
    assert!(
        comment.contains(&format!(
            "64 of {} bytes (admin.journal_body_bytes)",
            whole.len()
        )),
        "{comment}"
    );
}

#[actix_web::test]
async fn a_bad_format_or_limit_is_a_400_naming_each() {
    // Arrange
    let app = spawn_app("auth.json").await;

    // Act
    let response = app.get("/__admin/requests?format=xml&limit=0", None).await;

    // Assert
    let problem = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    let mut named = failing_parameters(&problem);
    named.sort();
    assert_eq!(named, ["format", "limit"]);
}

#[test]
fn the_har_schema_refuses_what_har_1_2_forbids() {
    let schema = har_schema();
    let valid = serde_json::json!({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"},
        "entries": [{"startedDateTime": "2026-05-01T00:00:00.000Z", "time": 1, "cache": {},
        "timings": {"send": 0, "wait": 1, "receive": 0},
        "request": {"method": "GET", "url": "http://x/", "httpVersion": "HTTP/1.1", "cookies": [],
            "headers": [], "queryString": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "cookies": [],
            "headers": [], "content": {"size": 0, "mimeType": ""}, "redirectURL": "",
            "headersSize": -1, "bodySize": 0}}]}});
    assert!(schema.is_valid(&valid));
    let breaks: [(&str, Value); 4] = [
        ("/log/entries/0/timings", serde_json::json!({"send": 0})),
        ("/log/entries/0/response/status", Value::from("200")),
        ("/log/entries/0/startedDateTime", Value::from("yesterday")),
        (
            "/log/entries/0/request/headers",
            serde_json::json!([{"name": "a"}]),
        ),
    ];
    for (pointer, broken) in breaks {
        let mut document = valid.clone();
        *document.pointer_mut(pointer).expect("a member") = broken;
        assert!(!schema.is_valid(&document), "{pointer}");
    }
}

#[actix_web::test]
async fn the_mocks_own_har_replays_against_it_at_100_percent_and_cut_bodies_are_incomplete() {
    // Arrange: one session with whole bodies, one cutting them at 64 bytes.
    let whole = spawn_app("auth.json").await;
    let env = [("TOOKEN__ADMIN__JOURNAL_BODY_BYTES", "64")];
    let cut = spawn_app_with("auth.json", crate::helpers::FROZEN_NOW, &env).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut files = Vec::new();
    for (name, app) in [("whole", &whole), ("cut", &cut)] {
        app.get("/v1/tokens?per_page=2", Some(auth::READER)).await;
        app.get("/v1/tokens", Some(auth::DEPLOY_ONLY)).await;
        app.get("/v1/tokens?status=bogus", Some(auth::READER)).await;
        let path = dir.path().join(format!("{name}.har"));
        std::fs::write(&path, har_of(app).await.to_string()).expect("written");
        files.push(path.to_string_lossy().into_owned());
    }

    // Act
    let mut reports = Vec::new();
    for (file, app) in files.iter().zip([&whole, &whole]) {
        let mock = app.url("");
        let args = [
            "fidelity",
            "--har",
            file,
            "--mock",
            &mock,
            "--json",
            "--secret",
            auth::READER,
            "--secret",
            auth::DEPLOY_ONLY,
        ];
        let (status, stdout, stderr) = crate::helpers::run_binary(&args, &[]).await;
        let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stderr}"));
        reports.push((status, report));
    }

    // Assert
    let (status, report) = &reports[0];
    assert_eq!(
        (report["identical"].clone(), report["replayed"].clone()),
        (3.into(), 3.into())
    );
    assert!(status.success(), "{report:#}");
    let (status, report) = &reports[1];
    assert_eq!(status.code(), Some(1));
    let rules: Vec<&String> = report["by_rule"]
        .as_object()
        .expect("rules")
        .keys()
        .collect();
    assert_eq!(rules, ["har.incomplete"], "{report:#}");
}

#[actix_web::test]
async fn the_authorization_of_a_journaled_request_is_the_fingerprint_of_its_secret_however_spelled()
{
    // Arrange: the secret's SHA-256, as `fidelity --secret` matches it.
    use sha2::{Digest, Sha256};
    let app = spawn_app("auth.json").await;
    let digest = Sha256::digest(auth::READER.as_bytes());
    let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    let spellings = [
        ("Bearer", format!("Bearer {}", auth::READER)),
        ("bearer", format!("bearer    {}", auth::READER)),
        ("BEARER", format!("BEARER {}\t", auth::READER)),
    ];
    for (_, value) in &spellings {
        let response = app.get_with_authorization("/v1/tokens", value).await;
        assert_eq!(response.status(), StatusCode::OK, "{value}");
    }

    // Act
    let har = app.get_json("/__admin/requests?format=har").await;

    // Assert
    let entries = har["log"]["entries"].as_array().expect("HAR entries");
    assert_eq!(entries.len(), spellings.len());
    for (entry, (scheme, _)) in entries.iter().zip(spellings) {
        let authorization = entry["request"]["headers"]
            .as_array()
            .expect("request headers")
            .iter()
            .find(|h| h["name"] == "authorization")
            .and_then(|h| h["value"].as_str())
            .expect("an Authorization header");
        assert_eq!(authorization, format!("{scheme} redacted:sha256:{hex}"));
    }
}

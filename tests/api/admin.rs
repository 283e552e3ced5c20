//! Rule 31: the admin API under `/__admin/` — its own document, reset, export and replace,
//! the clock, the journal of recent requests, faults, and who may use it.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::{
    assert_problem, auth, failing_parameters, fixture, header, names, spawn_app, spawn_app_at,
    spawn_app_with, token_named, TestApp, FROZEN_NOW, NAMES_OBSERVER, NORTH_READER, SOUTH_READER,
};
use crate::snapshots::INVALID_VALUE_LOCATIONS;

/// Every admin route, as method and path.
const ADMIN_ROUTES: [(Method, &str); 11] = [
    (Method::POST, "/__admin/reset"),
    (Method::GET, "/__admin/snapshot"),
    (Method::PUT, "/__admin/snapshot"),
    (Method::GET, "/__admin/clock"),
    (Method::PUT, "/__admin/clock"),
    (Method::DELETE, "/__admin/clock"),
    (Method::POST, "/__admin/clock/advance"),
    (Method::GET, "/__admin/requests"),
    (Method::DELETE, "/__admin/requests"),
    (Method::GET, "/__admin/faults"),
    (Method::PUT, "/__admin/faults"),
];

const ADMIN_TOKEN: &str = "admin-token-for-tests";

/// Settings that listen on every interface, with the admin token set.
const BEYOND_LOOPBACK_WITH_TOKEN: [(&str, &str); 2] = [
    ("TOOKEN__SERVER__HOST", "0.0.0.0"),
    ("TOOKEN__ADMIN__TOKEN", ADMIN_TOKEN),
];

fn read_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).expect("the fixture exists")
}

fn sha256_hex(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The body of a response that must be 200.
async fn ok_json(response: Response) -> Value {
    let url = response.url().to_string();
    let status = response.status();
    let text = response.text().await.expect("a body");
    assert_eq!(status, StatusCode::OK, "{url}: {text}");
    serde_json::from_str(&text).expect("a JSON body")
}

/// `PUT /__admin/snapshot` with the bytes of `name` under `tests/fixtures/`.
async fn put_fixture(app: &TestApp, name: &str) -> Response {
    app.send_body(Method::PUT, "/__admin/snapshot", read_fixture(name))
        .await
}

/// `GET /v1/tokens` with a secret and an `X-Request-Id` of the caller's choosing.
async fn get_with_id(app: &TestApp, path: &str, secret: Option<&str>, id: &str) -> Response {
    let mut request = app.client.get(app.url(path)).header("X-Request-Id", id);
    if let Some(secret) = secret {
        request = request.bearer_auth(secret);
    }
    request.send().await.expect("the request is answered")
}

async fn journal(app: &TestApp, path: &str) -> Vec<Value> {
    let body = app.get_json(path).await;
    body["data"].as_array().expect("data is an array").clone()
}

fn request_ids(entries: &[Value]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e["request_id"].as_str().expect("a request id").to_owned())
        .collect()
}

fn parse_time(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("an RFC 3339 time: {value}"))
}

#[actix_web::test]
async fn the_admin_api_is_described_by_its_own_document_apart_from_the_apis() {
    // Arrange
    let app = spawn_app("workspaces.json").await;

    // Act
    let admin = app.get_json("/__admin/openapi.json").await;
    let api = app.get_json("/openapi.json").await;

    // Assert
    assert!(admin["openapi"]
        .as_str()
        .is_some_and(|v| v.starts_with("3.")));
    for (method, path) in ADMIN_ROUTES {
        let operation = &admin["paths"][path][method.as_str().to_ascii_lowercase()];
        assert!(operation.is_object(), "{method} {path} is documented");
    }
    let api_paths: Vec<&String> = api["paths"].as_object().expect("paths").keys().collect();
    assert!(
        api_paths.iter().all(|p| !p.contains("__admin")),
        "{api_paths:?}"
    );
}

#[actix_web::test]
async fn swagger_ui_offers_the_admin_document_as_a_second_definition() {
    // Arrange
    let app = spawn_app("workspaces.json").await;

    // Act
    let response = app.get("/docs/swagger-initializer.js", None).await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    let script = response.text().await.expect("a script");
    let api = script
        .find("\"/openapi.json\"")
        .expect("the API's document");
    let admin = script
        .find("\"/__admin/openapi.json\"")
        .expect("the admin document");
    assert!(api < admin, "the API's document comes first:\n{script}");
}

#[actix_web::test]
async fn reset_restores_the_configured_snapshot_clock_and_faults_and_empties_the_journal() {
    // Arrange: configured with a frozen clock and a non-default error status.
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[("TOOKEN__FAULTS__ERROR_STATUS", "503")],
    )
    .await;
    let configured_faults = app.get_json("/__admin/faults").await;
    let before = app.list("/v1/tokens", NORTH_READER).await;
    ok_json(put_fixture(&app, "auth.json").await).await;
    ok_json(
        app.send_json(
            Method::PUT,
            "/__admin/clock",
            &json!({"now": "2030-01-01T00:00:00Z"}),
        )
        .await,
    )
    .await;
    let changed =
        json!({"latency_ms": {"fixed": 0, "jitter": 7}, "error_rate": 0.0, "error_status": 500});
    ok_json(
        app.send_json(Method::PUT, "/__admin/faults", &changed)
            .await,
    )
    .await;
    app.list("/v1/tokens", auth::READER).await;
    assert!(!journal(&app, "/__admin/requests").await.is_empty());

    // Act
    let response = app.request(Method::POST, "/__admin/reset", None).await;

    // Assert
    let loaded = ok_json(response).await;
    assert_eq!(loaded, json!({"tokens": 6, "workspaces": 2}));
    assert_eq!(
        app.get_json("/__admin/clock").await,
        json!({"now": FROZEN_NOW, "frozen": true})
    );
    assert_eq!(app.get_json("/__admin/faults").await, configured_faults);
    assert!(journal(&app, "/__admin/requests").await.is_empty());
    let old_secret = app.get("/v1/tokens", Some(auth::READER)).await;
    assert_problem(old_secret, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let after = app.list("/v1/tokens", NORTH_READER).await;
    assert_eq!(after, before);
}

#[actix_web::test]
async fn reset_returns_a_clock_configured_as_real_time_to_real_time() {
    // Arrange
    let app = spawn_app_at("workspaces.json", "").await;
    ok_json(
        app.send_json(
            Method::PUT,
            "/__admin/clock",
            &json!({"now": "2030-01-01T00:00:00Z"}),
        )
        .await,
    )
    .await;

    // Act
    ok_json(app.request(Method::POST, "/__admin/reset", None).await).await;

    // Assert
    let clock = app.get_json("/__admin/clock").await;
    assert_eq!(clock["frozen"], false, "{clock}");
    let drift = (parse_time(&clock["now"]) - Utc::now()).num_seconds().abs();
    assert!(drift <= 5, "{clock}");
}

#[actix_web::test]
async fn get_snapshot_exports_the_whole_state_with_secrets_as_sha256_digests() {
    // Arrange: a request records its use, which the export must show.
    let app = spawn_app("workspaces.json").await;
    app.list("/v1/tokens", NORTH_READER).await;

    // Act
    let response = app.get("/__admin/snapshot", None).await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    assert!(header(response.headers(), "content-type").starts_with("application/json"));
    let text = response.text().await.expect("a body");
    assert!(!text.contains("tok_live_"), "no secret in the export");
    let export: Value = serde_json::from_str(&text).expect("JSON");
    let original: Value = serde_json::from_slice(&read_fixture("workspaces.json")).expect("JSON");
    let workspaces = export["workspaces"]
        .as_array()
        .expect("the workspaces shape");
    assert_eq!(workspaces.len(), 2);
    for (exported, loaded) in workspaces
        .iter()
        .zip(original["workspaces"].as_array().expect("ws"))
    {
        assert_eq!(exported["id"], loaded["id"]);
        assert_eq!(exported["name"], loaded["name"]);
        let tokens = exported["tokens"].as_array().expect("tokens");
        let loaded_tokens = loaded["tokens"].as_array().expect("tokens");
        assert_eq!(tokens.len(), loaded_tokens.len());
        for (token, loaded) in tokens.iter().zip(loaded_tokens) {
            assert_eq!(token["id"], loaded["id"]);
            assert!(token.get("secret").is_none(), "{token}");
            match loaded["secret"].as_str() {
                Some(secret) => assert_eq!(token["secret_sha256"], sha256_hex(secret)),
                None => assert!(token.get("secret_sha256").is_none(), "{token}"),
            }
        }
    }
    let north = json!({"data": workspaces[0]["tokens"].clone()});
    assert_eq!(
        token_named(&north, "Shared reader")["last_used_at"],
        FROZEN_NOW
    );
}

#[actix_web::test]
async fn putting_back_an_export_authenticates_the_same_secrets() {
    // Arrange
    let app = spawn_app("workspaces.json").await;
    let north_before = app.list("/v1/tokens", NORTH_READER).await;
    let south_before = app.list("/v1/tokens", SOUTH_READER).await;
    let export = app
        .get("/__admin/snapshot", None)
        .await
        .bytes()
        .await
        .expect("the export");
    ok_json(put_fixture(&app, "auth.json").await).await;
    let replaced = app.get("/v1/tokens", Some(NORTH_READER)).await;
    assert_eq!(replaced.status(), StatusCode::UNAUTHORIZED);

    // Act
    let response = app
        .send_body(Method::PUT, "/__admin/snapshot", export.to_vec())
        .await;

    // Assert
    assert_eq!(
        ok_json(response).await,
        json!({"tokens": 6, "workspaces": 2})
    );
    assert_eq!(app.list("/v1/tokens", NORTH_READER).await, north_before);
    assert_eq!(app.list("/v1/tokens", SOUTH_READER).await, south_before);
}

#[actix_web::test]
async fn put_snapshot_replaces_the_whole_state_in_any_of_the_three_shapes() {
    // Arrange
    let app = spawn_app("workspaces.json").await;
    let cases = [
        ("auth.json", auth::READER, 9, 1),
        ("names.json", NAMES_OBSERVER, 16, 1),
        (
            "vendor_example.json",
            "tok_live_VendorAuditKey0000000000002",
            2,
            1,
        ),
    ];

    for (name, secret, tokens, workspaces) in cases {
        // Act
        let loaded = ok_json(put_fixture(&app, name).await).await;

        // Assert
        assert_eq!(
            loaded,
            json!({"tokens": tokens, "workspaces": workspaces}),
            "{name}"
        );
        let body = app.list("/v1/tokens?per_page=100", secret).await;
        assert_eq!(body["meta"]["total"], tokens, "{name}");
        let old = app.get("/v1/tokens", Some(NORTH_READER)).await;
        assert_problem(old, StatusCode::UNAUTHORIZED, "invalid_token").await;
    }
}

/// `workspaces.json` with `ws_north` renamed `ws_east` and its last token left out: the
/// North reader's secret then lists 3 tokens of `ws_east` instead of 4 of `ws_north`.
fn workspaces_moved_east() -> Vec<u8> {
    let mut snapshot: Value =
        serde_json::from_slice(&read_fixture("workspaces.json")).expect("JSON");
    snapshot["workspaces"][0]["id"] = json!("ws_east");
    snapshot["workspaces"][0]["tokens"]
        .as_array_mut()
        .expect("tokens")
        .pop();
    serde_json::to_vec(&snapshot).expect("JSON")
}

#[actix_web::test]
async fn a_request_in_flight_during_put_snapshot_sees_the_old_state_or_the_new_never_a_mix() {
    // Arrange
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[("TOOKEN__SERVER__WORKERS", "4")],
    )
    .await;
    let (north, east) = (read_fixture("workspaces.json"), workspaces_moved_east());
    let stop = std::cell::Cell::new(false);
    let requester = || async {
        let mut totals = Vec::new();
        while !stop.get() {
            let body = app.list("/v1/tokens", NORTH_READER).await;
            totals.push(body["meta"]["total"].as_u64().expect("a total"));
        }
        totals
    };
    let swapper = async {
        for round in 0..100 {
            let snapshot = if round % 2 == 0 { &east } else { &north };
            let response = app
                .send_body(Method::PUT, "/__admin/snapshot", snapshot.clone())
                .await;
            assert_eq!(response.status(), StatusCode::OK);
        }
        stop.set(true);
    };

    // Act
    let (a, b, c, d, ()) =
        tokio::join!(requester(), requester(), requester(), requester(), swapper);

    // Assert: 4 from ws_north, 3 from ws_east.
    let totals: Vec<u64> = [a, b, c, d].concat();
    assert!(totals.len() >= 100, "{}", totals.len());
    let mixed: BTreeSet<u64> = totals
        .iter()
        .copied()
        .filter(|&t| t != 4 && t != 3)
        .collect();
    let count = totals.iter().filter(|&&t| t != 4 && t != 3).count();
    assert!(
        mixed.is_empty(),
        "{count} of {} listings were of neither state (totals {mixed:?})",
        totals.len()
    );
}

#[actix_web::test]
async fn an_invalid_snapshot_is_a_422_with_every_problem_at_its_location_and_the_old_state_stays() {
    // Arrange
    let app = spawn_app("workspaces.json").await;
    let before = app.list("/v1/tokens", NORTH_READER).await;

    // Act
    let response = put_fixture(&app, "invalid_values.json").await;

    // Assert
    let body = assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_snapshot",
    )
    .await;
    let locations: BTreeSet<String> = failing_parameters(&body).into_iter().collect();
    let expected: BTreeSet<String> = INVALID_VALUE_LOCATIONS
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert_eq!(locations, expected, "{body}");
    assert_eq!(
        body["errors"].as_array().map(Vec::len),
        Some(INVALID_VALUE_LOCATIONS.len())
    );
    let malformed = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .find(|e| e["parameter"] == "workspaces[0].tokens[1].id")
        .expect("the malformed id");
    assert_eq!(malformed["detail"], "must match ^tok_[a-z0-9]{24}$");
    assert_eq!(app.list("/v1/tokens", NORTH_READER).await, before);
}

#[actix_web::test]
async fn a_snapshot_that_is_not_json_is_a_422_with_its_position_and_the_old_state_stays() {
    // Arrange
    let app = spawn_app("workspaces.json").await;

    // Act
    let response = app
        .send_body(
            Method::PUT,
            "/__admin/snapshot",
            b"{\"workspaces\": [\n".to_vec(),
        )
        .await;

    // Assert
    let body = assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_snapshot",
    )
    .await;
    let locations = failing_parameters(&body);
    assert_eq!(locations.len(), 1, "{body}");
    assert!(locations[0].starts_with('$'), "{body}");
    assert_eq!(
        app.get("/v1/tokens", Some(NORTH_READER)).await.status(),
        StatusCode::OK
    );
}

#[actix_web::test]
async fn a_snapshot_body_over_admin_max_body_bytes_is_413_and_changes_nothing() {
    // Arrange: auth.json is over 3 KiB.
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[("TOOKEN__ADMIN__MAX_BODY_BYTES", "1024")],
    )
    .await;
    let body = read_fixture("auth.json");
    assert!(body.len() > 1024);

    // Act
    let response = app.send_body(Method::PUT, "/__admin/snapshot", body).await;

    // Assert
    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert_eq!(
        app.get("/v1/tokens", Some(NORTH_READER)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get("/v1/tokens", Some(auth::READER)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

/// A bare-array snapshot of `count` tokens; the first has the secret `secret`.
fn many_tokens(count: usize, secret: &str) -> Vec<u8> {
    let tokens: Vec<Value> = (0..count)
        .map(|i| {
            let mut token = json!({
                "id": format!("tok_bulk{i:020}"),
                "name": format!("Bulk token number {i}"),
                "scopes": ["tokens:read"],
                "status": "active",
                "created_at": "2026-01-01T00:00:00Z",
                "expires_at": null,
                "last_used_at": null,
                "created_by": "bulk@example.com"
            });
            if i == 0 {
                token["secret"] = json!(secret);
            }
            token
        })
        .collect();
    serde_json::to_vec(&tokens).expect("JSON")
}

#[actix_web::test]
async fn a_snapshot_body_within_admin_max_body_bytes_is_accepted_however_large() {
    // Arrange: well over the 256 KiB that actix-web limits bodies to by default.
    let app = spawn_app("workspaces.json").await;
    let secret = "tok_live_BulkReader00000000000000001";
    let body = many_tokens(2000, secret);
    assert!(body.len() > 400 * 1024, "{}", body.len());

    // Act
    let response = app.send_body(Method::PUT, "/__admin/snapshot", body).await;

    // Assert
    assert_eq!(
        ok_json(response).await,
        json!({"tokens": 2000, "workspaces": 1})
    );
    let listed = app.list("/v1/tokens", secret).await;
    assert_eq!(listed["meta"]["total"], 2000);
}

#[actix_web::test]
async fn get_clock_shows_the_time_and_whether_it_is_frozen() {
    // Arrange
    let frozen = spawn_app("workspaces.json").await;
    let real = spawn_app_at("workspaces.json", "").await;

    // Act
    let frozen_clock = frozen.get_json("/__admin/clock").await;
    let real_clock = real.get_json("/__admin/clock").await;

    // Assert
    assert_eq!(frozen_clock, json!({"now": FROZEN_NOW, "frozen": true}));
    assert_eq!(real_clock["frozen"], false, "{real_clock}");
    let drift = (parse_time(&real_clock["now"]) - Utc::now())
        .num_seconds()
        .abs();
    assert!(drift <= 5, "{real_clock}");
}

#[actix_web::test]
async fn put_clock_freezes_it_at_that_time_for_every_request() {
    // Arrange: "Nightly export" of expiry.json expires at 2026-06-01T00:00:00Z.
    let app = spawn_app_at("expiry.json", "").await;
    let nightly = "tok_live_TimeNightly0000000000000002";
    let reader = "tok_live_TimeReader00000000000000001";

    // Act
    let response = app
        .send_json(
            Method::PUT,
            "/__admin/clock",
            &json!({"now": "2026-07-01T12:00:00Z"}),
        )
        .await;

    // Assert
    assert_eq!(
        ok_json(response).await,
        json!({"now": "2026-07-01T12:00:00Z", "frozen": true})
    );
    let listed = app.list("/v1/tokens", reader).await;
    assert_eq!(
        token_named(&listed, "Clock reader")["last_used_at"],
        "2026-07-01T12:00:00Z"
    );
    assert_eq!(token_named(&listed, "Nightly export")["status"], "expired");
    let expired = app.get("/v1/tokens", Some(nightly)).await;
    assert_problem(expired, StatusCode::UNAUTHORIZED, "invalid_token").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        app.get_json("/__admin/clock").await["now"],
        "2026-07-01T12:00:00Z",
        "a frozen clock stands still"
    );
}

#[actix_web::test]
async fn put_clock_with_a_time_that_is_not_rfc_3339_is_a_400_naming_now_and_changes_nothing() {
    // Arrange
    let app = spawn_app("workspaces.json").await;

    // Act
    let response = app
        .send_json(Method::PUT, "/__admin/clock", &json!({"now": "yesterday"}))
        .await;

    // Assert
    let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(failing_parameters(&body), ["now"]);
    assert_eq!(
        app.get_json("/__admin/clock").await,
        json!({"now": FROZEN_NOW, "frozen": true})
    );
}

#[actix_web::test]
async fn a_clock_body_that_does_not_fit_the_schema_is_a_400_problem() {
    // Arrange
    let app = spawn_app("workspaces.json").await;

    for (path, body, field) in [
        ("/__admin/clock", json!({"time": FROZEN_NOW}), "time"),
        (
            "/__admin/clock/advance",
            json!({"seconds": "ten"}),
            "seconds",
        ),
    ] {
        // Act
        let method = if path.ends_with("advance") {
            Method::POST
        } else {
            Method::PUT
        };
        let response = app.send_json(method, path, &body).await;

        // Assert
        let problem = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(failing_parameters(&problem), [field], "{path}");
    }
}

#[actix_web::test]
async fn advancing_the_clock_moves_it_by_the_seconds_given_and_expiry_follows() {
    // Arrange: one second before "Nightly export" expires.
    let app = spawn_app_at("expiry.json", "2026-05-31T23:59:59Z").await;
    let nightly = "tok_live_TimeNightly0000000000000002";
    assert_eq!(
        app.get("/v1/tokens", Some(nightly)).await.status(),
        StatusCode::OK
    );

    // Act
    let forward = app
        .send_json(
            Method::POST,
            "/__admin/clock/advance",
            &json!({"seconds": 1}),
        )
        .await;
    let expired = app.get("/v1/tokens", Some(nightly)).await;
    let back = app
        .send_json(
            Method::POST,
            "/__admin/clock/advance",
            &json!({"seconds": -1}),
        )
        .await;
    let active_again = app.get("/v1/tokens", Some(nightly)).await;

    // Assert
    assert_eq!(
        ok_json(forward).await,
        json!({"now": "2026-06-01T00:00:00Z", "frozen": true})
    );
    assert_problem(expired, StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert_eq!(
        ok_json(back).await,
        json!({"now": "2026-05-31T23:59:59Z", "frozen": true})
    );
    assert_eq!(active_again.status(), StatusCode::OK);
}

#[actix_web::test]
async fn advancing_the_clock_beyond_a_century_is_a_400_naming_seconds() {
    // Arrange
    let app = spawn_app("workspaces.json").await;

    // Act
    let response = app
        .send_json(
            Method::POST,
            "/__admin/clock/advance",
            &json!({"seconds": 9_000_000_000_i64}),
        )
        .await;

    // Assert
    let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(failing_parameters(&body), ["seconds"]);
    assert_eq!(app.get_json("/__admin/clock").await["now"], FROZEN_NOW);
}

#[actix_web::test]
async fn delete_clock_returns_to_real_time() {
    // Arrange
    let app = spawn_app("workspaces.json").await;

    // Act
    let response = app.request(Method::DELETE, "/__admin/clock", None).await;

    // Assert
    let clock = ok_json(response).await;
    assert_eq!(clock["frozen"], false, "{clock}");
    let drift = (parse_time(&clock["now"]) - Utc::now()).num_seconds().abs();
    assert!(drift <= 5, "{clock}");
    let listed = app.list("/v1/tokens", NORTH_READER).await;
    let used = parse_time(&token_named(&listed, "Shared reader")["last_used_at"]);
    assert!((used - Utc::now()).num_seconds().abs() <= 5, "{used}");
}

#[actix_web::test]
async fn get_requests_lists_recent_requests_newest_first_with_their_details() {
    // Arrange
    let app = spawn_app("auth.json").await;
    get_with_id(
        &app,
        "/v1/tokens?status=active",
        Some(auth::READER),
        "journal-1",
    )
    .await;
    get_with_id(&app, "/v1/tokens", None, "journal-2").await;
    get_with_id(
        &app,
        "/v1/tokens?page=0",
        Some(auth::BAD_QUERY_SENDER),
        "journal-3",
    )
    .await;

    // Act
    let entries = journal(&app, "/__admin/requests").await;

    // Assert
    assert_eq!(
        request_ids(&entries),
        ["journal-3", "journal-2", "journal-1"]
    );
    let expected = [
        ("page=0", 400, json!("tok_authbadquery000000000000")),
        ("", 401, Value::Null),
        ("status=active", 200, json!("tok_authreader00000000000000")),
    ];
    for (entry, (query, status, token_id)) in entries.iter().zip(expected) {
        assert_eq!(entry["method"], "GET", "{entry}");
        assert_eq!(entry["path"], "/v1/tokens", "{entry}");
        assert_eq!(entry["query"], query, "{entry}");
        assert_eq!(entry["status"], status, "{entry}");
        assert_eq!(entry["token_id"], token_id, "{entry}");
        assert!(
            entry["duration_ms"].as_f64().is_some_and(|d| d >= 0.0),
            "{entry}"
        );
    }
}

#[actix_web::test]
async fn limit_returns_only_the_newest_requests() {
    // Arrange
    let app = spawn_app("auth.json").await;
    for id in ["limit-1", "limit-2", "limit-3", "limit-4"] {
        get_with_id(&app, "/v1/tokens", Some(auth::READER), id).await;
    }

    // Act
    let entries = journal(&app, "/__admin/requests?limit=2").await;

    // Assert
    assert_eq!(request_ids(&entries), ["limit-4", "limit-3"]);
}

#[actix_web::test]
async fn a_limit_that_is_not_a_positive_integer_is_a_400_problem_naming_limit() {
    // Arrange
    let app = spawn_app("auth.json").await;

    for limit in ["0", "abc", "-1"] {
        // Act
        let response = app
            .get(&format!("/__admin/requests?limit={limit}"), None)
            .await;

        // Assert
        let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(failing_parameters(&body), ["limit"], "limit={limit}");
    }
}

#[actix_web::test]
async fn the_journal_never_holds_a_secret() {
    // Arrange: accepted, unknown, revoked, forced and refused requests, all with secrets.
    let app = spawn_app("auth.json").await;
    for secret in [
        auth::READER,
        auth::UNKNOWN,
        auth::REVOKED,
        auth::DEPLOY_ONLY,
        auth::BAD_QUERY_SENDER,
    ] {
        app.get("/v1/tokens?page=0", Some(secret)).await;
        app.get("/v1/tokens?__code=401", Some(secret)).await;
        app.get_with_authorization("/v1/tokens", &format!("bearer   {secret}"))
            .await;
        app.request(Method::POST, "/v1/tokens", Some(secret)).await;
    }

    // Act
    let response = app.get("/__admin/requests?limit=1000", None).await;

    // Assert
    let text = response.text().await.expect("a body");
    let entries: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(entries["data"].as_array().map(Vec::len), Some(20), "{text}");
    for secret in auth::ALL.iter().chain([&auth::UNKNOWN]) {
        assert!(!text.contains(secret), "{secret} in the journal");
    }
    assert!(!text.contains("tok_live_"), "{text}");
}

#[actix_web::test]
async fn delete_requests_empties_the_journal() {
    // Arrange
    let app = spawn_app("auth.json").await;
    app.list("/v1/tokens", auth::READER).await;
    assert_eq!(journal(&app, "/__admin/requests").await.len(), 1);

    // Act
    let response = app.request(Method::DELETE, "/__admin/requests", None).await;

    // Assert
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(journal(&app, "/__admin/requests").await.is_empty());
    get_with_id(&app, "/v1/tokens", Some(auth::READER), "after-clear").await;
    assert_eq!(
        request_ids(&journal(&app, "/__admin/requests").await),
        ["after-clear"]
    );
}

#[actix_web::test]
async fn the_journal_keeps_only_the_configured_number_of_newest_requests() {
    // Arrange
    let app = spawn_app_with(
        "auth.json",
        FROZEN_NOW,
        &[("TOOKEN__ADMIN__JOURNAL_CAPACITY", "3")],
    )
    .await;
    for id in ["cap-1", "cap-2", "cap-3", "cap-4", "cap-5"] {
        get_with_id(&app, "/v1/tokens", Some(auth::READER), id).await;
    }

    // Act: no limit given.
    let entries = journal(&app, "/__admin/requests").await;

    // Assert
    assert_eq!(request_ids(&entries), ["cap-5", "cap-4", "cap-3"]);
}

#[actix_web::test]
async fn put_faults_sets_latency_and_injected_errors_for_every_api_request() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let failing =
        json!({"latency_ms": {"fixed": 0, "jitter": 0}, "error_rate": 1.0, "error_status": 503});
    let slow =
        json!({"latency_ms": {"fixed": 400, "jitter": 0}, "error_rate": 0.0, "error_status": 500});

    // Act and assert: every request fails.
    let set = ok_json(
        app.send_json(Method::PUT, "/__admin/faults", &failing)
            .await,
    )
    .await;
    assert_eq!(set, failing);
    assert_eq!(app.get_json("/__admin/faults").await, failing);
    for _ in 0..5 {
        let response = app.get("/v1/tokens", Some(auth::READER)).await;
        assert_problem(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    }

    // Act and assert: every request is slow, and succeeds.
    ok_json(app.send_json(Method::PUT, "/__admin/faults", &slow).await).await;
    let started = Instant::now();
    let response = app.get("/v1/tokens", Some(auth::READER)).await;
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(response.status(), StatusCode::OK);
}

#[actix_web::test]
async fn put_faults_out_of_range_is_a_400_naming_each_bad_field_and_changes_nothing() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let before = app.get_json("/__admin/faults").await;
    let cases = [
        (
            json!({"latency_ms": {"fixed": 30001, "jitter": 30001}, "error_rate": 1.5, "error_status": 502}),
            vec![
                "latency_ms.fixed",
                "latency_ms.jitter",
                "error_rate",
                "error_status",
            ],
        ),
        (
            json!({"latency_ms": {"fixed": 0, "jitter": 0}, "error_rate": -0.1, "error_status": 500}),
            vec!["error_rate"],
        ),
        (
            json!({"latency_ms": {"fixed": 0, "jitter": 0}, "error_rate": 0.0, "error_status": 404}),
            vec!["error_status"],
        ),
    ];

    for (faults, fields) in cases {
        // Act
        let response = app.send_json(Method::PUT, "/__admin/faults", &faults).await;

        // Assert
        let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(failing_parameters(&body), fields, "{faults}");
        assert_eq!(app.get_json("/__admin/faults").await, before);
    }
}

#[actix_web::test]
async fn the_limits_of_the_fault_ranges_are_accepted() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let edge = json!({"latency_ms": {"fixed": 30000, "jitter": 30000}, "error_rate": 0.0, "error_status": 503});

    // Act
    let response = app.send_json(Method::PUT, "/__admin/faults", &edge).await;

    // Assert
    assert_eq!(ok_json(response).await, edge);
}

#[actix_web::test]
async fn on_loopback_the_admin_api_is_open_even_when_an_admin_token_is_set() {
    // Arrange
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[("TOOKEN__ADMIN__TOKEN", ADMIN_TOKEN)],
    )
    .await;

    // Act
    let response = app.get("/__admin/clock", None).await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
}

#[actix_web::test]
async fn beyond_loopback_every_admin_route_needs_the_admin_token() {
    // Arrange
    let app = spawn_app_with("workspaces.json", FROZEN_NOW, &BEYOND_LOOPBACK_WITH_TOKEN).await;

    for (method, path) in ADMIN_ROUTES {
        // Act
        let without = app.request(method.clone(), path, None).await;
        let wrong = app
            .request(method.clone(), path, Some("not-the-admin-token"))
            .await;
        let api_secret = app.request(method.clone(), path, Some(NORTH_READER)).await;

        // Assert
        assert_problem(without, StatusCode::UNAUTHORIZED, "missing_token").await;
        assert_problem(wrong, StatusCode::UNAUTHORIZED, "invalid_token").await;
        assert_problem(api_secret, StatusCode::UNAUTHORIZED, "invalid_token").await;
    }
}

#[actix_web::test]
async fn beyond_loopback_the_admin_token_opens_the_admin_api() {
    // Arrange
    let app = spawn_app_with("workspaces.json", FROZEN_NOW, &BEYOND_LOOPBACK_WITH_TOKEN).await;

    // Act
    let clock = app.get("/__admin/clock", Some(ADMIN_TOKEN)).await;
    let advanced = app
        .client
        .post(app.url("/__admin/clock/advance"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"seconds": 60}))
        .send()
        .await
        .expect("the request is answered");
    let api = app.get("/v1/tokens", Some(NORTH_READER)).await;

    // Assert
    assert_eq!(
        ok_json(clock).await,
        json!({"now": FROZEN_NOW, "frozen": true})
    );
    assert_eq!(ok_json(advanced).await["now"], "2026-05-01T00:01:00Z");
    assert_eq!(
        api.status(),
        StatusCode::OK,
        "the API serves beyond loopback"
    );
}

#[actix_web::test]
async fn beyond_loopback_without_an_admin_token_the_admin_api_is_off() {
    // Arrange
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[("TOOKEN__SERVER__HOST", "0.0.0.0")],
    )
    .await;
    let mut routes = ADMIN_ROUTES.to_vec();
    routes.push((Method::GET, "/__admin/openapi.json"));

    for (method, path) in routes {
        // Act
        let response = app.request(method.clone(), path, Some(ADMIN_TOKEN)).await;

        // Assert
        assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    }
    let script = app
        .get("/docs/swagger-initializer.js", None)
        .await
        .text()
        .await
        .expect("a script");
    assert!(script.contains("\"/openapi.json\""), "{script}");
    assert!(!script.contains("/__admin/"), "{script}");
    let api = app.list("/v1/tokens", NORTH_READER).await;
    assert_eq!(names(&api).len(), 4, "the API still serves");
}

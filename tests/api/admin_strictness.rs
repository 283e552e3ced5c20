//! Rule 31: the admin API holds itself to the API's standard. An undeclared method on any of
//! its paths is 405 with `Allow` (read off its own document); a partial `PUT /__admin/faults`
//! takes defaults; every body error names the field by its JSON location in "The request
//! body has ..."; a whole number written `1.0` is an integer; a reset cancels a pending store
//! failure; and no number a client sends, however extreme, gets past a clean 400.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, auth, failing_parameters, spawn_app, TestApp};

const FIXTURE: &str = "auth.json";
const TOKEN_ID: &str = "tok_authreader00000000000000";

/// Methods a client may try on any path; `PROPFIND` stands for the ones nobody declares.
const METHODS: [&str; 8] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "TRACE", "OPTIONS", "PROPFIND",
];

/// A concrete path for a documented template.
fn concrete(template: &str) -> String {
    template
        .replace("{id}", TOKEN_ID)
        .replace("{name}", "some-session")
}

/// The items of a comma-separated header, uppercase.
fn items(value: &str) -> BTreeSet<String> {
    value
        .split(',')
        .map(|m| m.trim().to_ascii_uppercase())
        .collect()
}

#[actix_web::test]
async fn every_admin_path_answers_an_undeclared_method_with_405_and_its_allow() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let document = app.get_json("/__admin/openapi.json").await;
    let mut paths: Vec<(String, BTreeSet<String>)> = document["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .map(|(path, item)| {
            let declared = item
                .as_object()
                .expect("a path item")
                .keys()
                .map(|m| m.to_ascii_uppercase())
                .collect();
            (concrete(path), declared)
        })
        .collect();
    paths.push(("/__admin/openapi.json".into(), items("GET")));
    assert!(paths.len() >= 13, "{paths:?}");

    for (path, declared) in &paths {
        for method in METHODS.iter().filter(|m| !declared.contains(**m)) {
            // Act
            let method = Method::from_bytes(method.as_bytes()).expect("a method");
            let response = app.request(method.clone(), path, None).await;

            // Assert
            let allow = response
                .headers()
                .get("allow")
                .map(|v| items(v.to_str().expect("ASCII")));
            assert_eq!(allow.as_ref(), Some(declared), "{method} {path}");
            assert_problem(
                response,
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
            )
            .await;
        }
    }
}

#[actix_web::test]
async fn a_partial_faults_body_takes_the_defaults_for_what_it_omits() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let full =
        json!({"latency_ms": {"fixed": 5, "jitter": 5}, "error_rate": 0.5, "error_status": 503});
    app.send_json(Method::PUT, "/__admin/faults", &full).await;

    // Act
    let partial = json!({"error_rate": 1.0, "error_status": 503});
    let response = app
        .send_json(Method::PUT, "/__admin/faults", &partial)
        .await;
    let listing = app.get("/v1/tokens", Some(auth::READER)).await;
    let emptied = app
        .send_json(Method::PUT, "/__admin/faults", &json!({}))
        .await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    let shown: Value = response.json().await.expect("the faults");
    assert_eq!(
        shown,
        json!({"latency_ms": {"fixed": 0, "jitter": 0}, "error_rate": 1.0, "error_status": 503})
    );
    assert_problem(listing, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    let emptied: Value = emptied.json().await.expect("the faults");
    assert_eq!(
        emptied,
        json!({"latency_ms": {"fixed": 0, "jitter": 0}, "error_rate": 0.0, "error_status": 500})
    );
}

/// Bodies with problems: method, path, body, the locations named.
fn bad_bodies() -> Vec<(Method, String, &'static str, Vec<&'static str>)> {
    let tokens = "/__admin/tokens".to_owned();
    let token = format!("/__admin/tokens/{TOKEN_ID}");
    let faults = "/__admin/faults".to_owned();
    let advance = "/__admin/clock/advance".to_owned();
    let clock = "/__admin/clock".to_owned();
    vec![
        (
            Method::PUT,
            faults.clone(),
            r#"{"latency_ms": {"fixed": "x"}}"#,
            vec!["latency_ms.fixed"],
        ),
        (
            Method::PUT,
            faults.clone(),
            r#"{"latency_ms": {"fixed": 30001, "jitter": 30001}, "error_rate": 2, "error_status": 502}"#,
            vec![
                "latency_ms.fixed",
                "latency_ms.jitter",
                "error_rate",
                "error_status",
            ],
        ),
        (
            Method::PUT,
            faults.clone(),
            r#"{"latency": 1}"#,
            vec!["latency"],
        ),
        (
            Method::PUT,
            faults.clone(),
            r#"{"error_rate": 0.5"#,
            vec!["body"],
        ),
        (Method::PUT, faults, "[0.5]", vec!["body"]),
        (
            Method::POST,
            advance.clone(),
            r#"{"seconds": "x"}"#,
            vec!["seconds"],
        ),
        (Method::POST, advance.clone(), "{}", vec!["seconds"]),
        (
            Method::POST,
            advance,
            r#"{"seconds": 1.5}"#,
            vec!["seconds"],
        ),
        (Method::PUT, clock.clone(), r#"{"now": 5}"#, vec!["now"]),
        (Method::PUT, clock, r#"{"now": "yesterday"}"#, vec!["now"]),
        (
            Method::POST,
            tokens.clone(),
            r#"{"workspace": "ws_auth", "name": "n", "scopes": "tokens:read"}"#,
            vec!["scopes"],
        ),
        (
            Method::POST,
            tokens,
            r#"{"workspace": "ws_auth", "name": "n"}"#,
            vec!["scopes"],
        ),
        (Method::PATCH, token, r#"{"name": 5}"#, vec!["name"]),
    ]
}

#[actix_web::test]
async fn every_body_error_names_its_fields_by_json_location_as_a_request_body_problem() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    for (method, path, body, fields) in bad_bodies() {
        // Act
        let response = app.send_body(method.clone(), &path, body.into()).await;

        // Assert
        let what = format!("{method} {path} {body}");
        let problem = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(failing_parameters(&problem), fields, "{what}");
        let detail = match fields.len() {
            1 => "The request body has 1 invalid field.".to_owned(),
            n => format!("The request body has {n} invalid fields."),
        };
        assert_eq!(problem["detail"], detail, "{what}");
    }
}

#[actix_web::test]
async fn whole_numbers_written_with_a_fraction_are_accepted_as_integers() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let faults = json!({"latency_ms": {"fixed": 8363.0, "jitter": 1.0}, "error_status": 503.0});

    // Act
    let set = app.send_json(Method::PUT, "/__admin/faults", &faults).await;
    let advanced = app
        .send_json(
            Method::POST,
            "/__admin/clock/advance",
            &json!({"seconds": 86400.0}),
        )
        .await;

    // Assert
    assert_eq!(set.status(), StatusCode::OK);
    let shown: Value = set.json().await.expect("the faults");
    assert_eq!(shown["latency_ms"], json!({"fixed": 8363, "jitter": 1}));
    assert_eq!(shown["error_status"], 503);
    assert_eq!(advanced.status(), StatusCode::OK);
    let clock: Value = advanced.json().await.expect("the clock");
    assert_eq!(clock["now"], "2026-05-02T00:00:00Z");
}

#[actix_web::test]
async fn a_reset_cancels_a_pending_store_failure_in_every_session() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    for session in ["", "?__session=tab-1"] {
        let fail = format!("/__admin/faults/store-failure{session}");
        let injected = app.request(Method::POST, &fail, None).await;
        assert_eq!(injected.status(), StatusCode::ACCEPTED);

        // Act
        let reset = app
            .request(Method::POST, &format!("/__admin/reset{session}"), None)
            .await;
        let listing = app
            .get(&format!("/v1/tokens{session}"), Some(auth::READER))
            .await;

        // Assert
        assert_eq!(reset.status(), StatusCode::OK, "{session}");
        assert_eq!(listing.status(), StatusCode::OK, "{session}");
    }
}

/// The state extreme inputs must leave alone.
async fn controls(app: &TestApp) -> (Value, Value) {
    (
        app.get_json("/__admin/clock").await,
        app.get_json("/__admin/faults").await,
    )
}

#[actix_web::test]
async fn extreme_numbers_in_admin_bodies_are_clean_400s_that_change_nothing() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let before = controls(&app).await;
    let advance = ("POST", "/__admin/clock/advance");
    let faults = ("PUT", "/__admin/faults");
    let cases = [
        (advance, r#"{"seconds": -9223372036854775808}"#, "seconds"),
        (advance, r#"{"seconds": 9223372036854775807}"#, "seconds"),
        (advance, r#"{"seconds": -9223372036854775809}"#, "seconds"),
        (advance, r#"{"seconds": 9223372036854775808}"#, "seconds"),
        (advance, r#"{"seconds": 18446744073709551616}"#, "seconds"),
        (advance, r#"{"seconds": 1e300}"#, "seconds"),
        (advance, r#"{"seconds": -1e300}"#, "seconds"),
        (advance, r#"{"seconds": 3162240001}"#, "seconds"),
        (advance, r#"{"seconds": -3162240001}"#, "seconds"),
        (
            faults,
            r#"{"latency_ms": {"fixed": 18446744073709551615}}"#,
            "latency_ms.fixed",
        ),
        (
            faults,
            r#"{"latency_ms": {"fixed": 18446744073709551616}}"#,
            "latency_ms.fixed",
        ),
        (
            faults,
            r#"{"latency_ms": {"jitter": -1}}"#,
            "latency_ms.jitter",
        ),
        (
            faults,
            r#"{"latency_ms": {"jitter": 1e20}}"#,
            "latency_ms.jitter",
        ),
        (faults, r#"{"error_rate": 1e400}"#, "body"),
        (faults, r#"{"error_rate": -1e-300}"#, "error_rate"),
        (faults, r#"{"error_rate": 1.0000001}"#, "error_rate"),
        (faults, r#"{"error_status": 65536}"#, "error_status"),
        (faults, r#"{"error_status": -1}"#, "error_status"),
        (
            faults,
            r#"{"error_status": 9223372036854775807}"#,
            "error_status",
        ),
    ];

    for ((method, path), body, field) in cases {
        // Act
        let method = Method::from_bytes(method.as_bytes()).expect("a method");
        let response = app.send_body(method, path, body.into()).await;

        // Assert
        let problem = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(failing_parameters(&problem), [field], "{path} {body}");
    }
    assert_eq!(controls(&app).await, before);
}

#[actix_web::test]
async fn the_clock_cannot_be_moved_past_the_years_rfc_3339_can_write() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let last_day = json!({"now": "9999-12-31T00:00:00Z"});
    app.send_json(Method::PUT, "/__admin/clock", &last_day)
        .await;
    let advance = "/__admin/clock/advance";

    // Act
    let past_the_end = app
        .send_json(Method::POST, advance, &json!({"seconds": 86400}))
        .await;
    let last_second = app
        .send_json(Method::POST, advance, &json!({"seconds": 86399}))
        .await;
    let offset_freeze = json!({"now": "9999-12-31T23:59:59-01:00"});
    let beyond = app
        .send_json(Method::PUT, "/__admin/clock", &offset_freeze)
        .await;

    // Assert
    let problem = assert_problem(past_the_end, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(failing_parameters(&problem), ["seconds"]);
    let clock: Value = last_second.json().await.expect("the clock");
    assert_eq!(clock["now"], "9999-12-31T23:59:59Z");
    let problem = assert_problem(beyond, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(failing_parameters(&problem), ["now"]);
}

#[actix_web::test]
async fn extreme_numbers_in_queries_and_controls_are_clean_400s_naming_the_parameter() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let cases = [
        ("/__admin/requests?limit=18446744073709551616", "limit"),
        ("/__admin/requests?limit=0", "limit"),
        ("/__admin/requests?limit=1001", "limit"),
        ("/__admin/requests?limit=-1", "limit"),
        ("/v1/tokens?page=4294967296", "page"),
        ("/v1/tokens?page=18446744073709551616", "page"),
        ("/v1/tokens?per_page=18446744073709551616", "per_page"),
        ("/v1/tokens?__delay=18446744073709551616", "__delay"),
        ("/v1/tokens?__delay=30001", "__delay"),
        ("/v1/tokens?__code=65736", "__code"),
    ];

    for (path, parameter) in cases {
        // Act
        let response = app.get(path, Some(auth::READER)).await;

        // Assert
        let problem = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(failing_parameters(&problem), [parameter], "{path}");
    }
    // The last page a u32 can name is an empty page with the real totals, not an overflow.
    let last = app
        .list("/v1/tokens?page=4294967295&per_page=100", auth::READER)
        .await;
    assert_eq!(last["data"], json!([]));
    assert_eq!(last["meta"]["page"], 4_294_967_295_u64);
}

//! Rule 31: the admin API holds itself to the API's standard. An undeclared method on any of
//! its paths is 405 with `Allow` (read off its own document); a partial `PUT /__admin/faults`
//! takes defaults; every body error names the field by its JSON location in "The request
//! body has ..."; a whole number written `1.0` is an integer; a reset cancels a pending store
//! failure. Extreme numbers are in `numbers.rs`.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, auth, failing_parameters, spawn_app};

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
        // Token bodies are checked whole by the snapshot rules (422); only an unreadable one is
        // a 400 of the body.
        (Method::POST, tokens, "[1]", vec!["body"]),
        (Method::PATCH, token, "not json", vec!["body"]),
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

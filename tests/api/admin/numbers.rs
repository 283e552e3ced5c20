//! No number a client sends, however extreme, gets past a clean 400 naming it: every admin
//! body field, admin query parameter and API parameter or control, at and past the edges of
//! its type; and the clock never leaves the years RFC 3339 can write.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, auth, failing_parameters, spawn_app, TestApp};

const FIXTURE: &str = "auth.json";

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

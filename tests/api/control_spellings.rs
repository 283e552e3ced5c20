//! Every spelling of a control is the same control: a query key is decoded once (percent-
//! encoding in either case of hex, `+`) before it is compared, on the API and on the admin API
//! alike, so `__sessio%6E`, `%5F%5Fsession` and `__session` name the same session.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, auth, failing_parameters, spawn_app, TestApp};

/// Spellings of `name` that decode to it: each of its characters percent-encoded alone (upper-
/// and lower-case hex), and the whole name encoded.
fn spellings(name: &str) -> Vec<String> {
    let mut all = Vec::new();
    for (i, c) in name.char_indices() {
        let before = &name[..i];
        let after = &name[i + c.len_utf8()..];
        all.push(format!("{before}%{:02X}{after}", c as u32));
        all.push(format!("{before}%{:02x}{after}", c as u32));
    }
    all.push(name.bytes().map(|b| format!("%{b:02X}")).collect());
    all
}

async fn put_json(app: &TestApp, path: &str, body: &Value) -> StatusCode {
    app.send_json(Method::PUT, path, body).await.status()
}

#[test]
fn the_spellings_cover_every_character_and_the_whole_name() {
    let all = spellings("__a");
    assert_eq!(
        all,
        [
            "%5F_a",
            "%5f_a",
            "_%5Fa",
            "_%5fa",
            "__%61",
            "__%61",
            "%5F%5F%61"
        ]
    );
}

#[actix_web::test]
async fn an_admin_call_with_an_encoded_session_key_acts_on_that_session_only() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let before = app.list("/v1/tokens?per_page=100", auth::READER).await;

    for (n, key) in spellings("__session").into_iter().enumerate() {
        // Act: an empty snapshot for session `s<n>`, named by a spelling of `__session`.
        let status = put_json(&app, &format!("/__admin/snapshot?{key}=s{n}"), &json!([])).await;

        // Assert: that session is empty, the default one is untouched.
        assert_eq!(status, StatusCode::OK, "{key}");
        let emptied = app
            .get(&format!("/v1/tokens?__session=s{n}"), Some(auth::READER))
            .await;
        assert_problem(emptied, StatusCode::UNAUTHORIZED, "invalid_token").await;
        let default = app.list("/v1/tokens?per_page=100", auth::READER).await;
        assert_eq!(default, before, "{key} reached the default session");
    }
}

#[actix_web::test]
async fn an_api_request_with_an_encoded_session_key_is_answered_from_that_session() {
    // Arrange: session `broken` fails every request; the default one does not.
    let app = spawn_app("auth.json").await;
    let failing =
        json!({"latency_ms": {"fixed": 0, "jitter": 0}, "error_rate": 1.0, "error_status": 503});
    let status = put_json(&app, "/__admin/faults?__session=broken", &failing).await;
    assert_eq!(status, StatusCode::OK);

    for key in spellings("__session") {
        // Act
        let response = app
            .get(&format!("/v1/tokens?{key}=broken"), Some(auth::READER))
            .await;

        // Assert
        assert_problem(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
        // The journal of `broken`, read through the same spelling, holds the request.
        let journal = app
            .get_json(&format!("/__admin/requests?{key}=broken&limit=1"))
            .await;
        let target = journal["data"][0]["query"].as_str().unwrap_or_default();
        assert!(target.contains(&key), "{key}: {journal}");
    }
    let plain = app.get("/v1/tokens", Some(auth::READER)).await;
    assert_eq!(plain.status(), StatusCode::OK);
}

#[actix_web::test]
async fn an_encoded_session_key_with_a_bad_name_is_a_400_naming_the_parameter() {
    let app = spawn_app("auth.json").await;
    for key in spellings("__session") {
        for path in ["/v1/tokens", "/__admin/faults"] {
            let response = app
                .get(&format!("{path}?{key}=bad%20name"), Some(auth::READER))
                .await;
            let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
            assert_eq!(failing_parameters(&body), ["__session"], "{path}?{key}");
        }
    }
}

#[actix_web::test]
async fn every_spelling_of_a_response_control_is_that_control() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let vendor = app.list("/v1/tokens?__example=vendor", auth::READER).await;

    for key in spellings("__code") {
        // Act and assert: `__code=500` forces a 500; `__code=404` is refused as `__code`.
        let forced = app
            .get(&format!("/v1/tokens?{key}=500"), Some(auth::READER))
            .await;
        assert_eq!(forced.status(), StatusCode::INTERNAL_SERVER_ERROR, "{key}");
        let refused = app
            .get(&format!("/v1/tokens?{key}=404"), Some(auth::READER))
            .await;
        let body = assert_problem(refused, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(failing_parameters(&body), ["__code"], "{key}");
    }
    for key in spellings("__example") {
        let body = app
            .list(&format!("/v1/tokens?{key}=vendor"), auth::READER)
            .await;
        assert_eq!(body, vendor, "{key}");
    }
    for key in spellings("__delay") {
        let refused = app
            .get(&format!("/v1/tokens?{key}=abc"), Some(auth::READER))
            .await;
        let body = assert_problem(refused, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(failing_parameters(&body), ["__delay"], "{key}");
    }
    // A delay spelled otherwise still delays.
    let started = std::time::Instant::now();
    let delayed = app
        .get("/v1/tokens?__d%65lay=300", Some(auth::READER))
        .await;
    assert_eq!(delayed.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[actix_web::test]
async fn a_repeated_control_is_refused_however_each_copy_is_spelled() {
    let app = spawn_app("auth.json").await;
    for query in [
        "__session=a&__sessio%6E=b",
        "__code=500&%5F_code=500",
        "__s%65ssion=a&%5f%5fsession=a",
    ] {
        let response = app
            .get(&format!("/v1/tokens?{query}"), Some(auth::READER))
            .await;
        assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    }
}

//! Rules 28 and 29: forced responses from the document's examples (`Prefer: code=N`,
//! `__code=N`, `example=NAME`), per-request delays, and global latency and injected errors.

use std::time::{Duration, Instant};

use reqwest::{Response, StatusCode};
use serde_json::Value;

use crate::helpers::{
    assert_problem, auth, failing_parameters, header, spawn_app, spawn_app_with, TestApp,
    FROZEN_NOW, INSUFFICIENT_SCOPE_CHALLENGE, MISSING_TOKEN_CHALLENGE,
};

const FIXTURE: &str = "auth.json";

/// The codes `GET /tokens` documents, as an undocumented code's 400 lists them.
const DOCUMENTED_CODES: &str = "200, 400, 401, 403, 429, 500";

/// The named examples of the documented 200 response.
const NAMED_EXAMPLES: [&str; 3] = ["vendor", "empty", "last_page"];

/// The example the served document gives for `code` (the named one, for 200).
fn documented_example(document: &Value, code: u16, name: Option<&str>) -> Value {
    let content = &document["paths"]["/tokens"]["get"]["responses"][code.to_string()]["content"];
    let (_, media) = content
        .as_object()
        .and_then(|c| c.iter().next())
        .unwrap_or_else(|| panic!("response {code} has content"));
    let example = match name {
        Some(name) => &media["examples"][name]["value"],
        None => &media["example"],
    };
    assert!(example.is_object(), "{code} {name:?} has an example");
    example.clone()
}

/// `GET /v1/tokens` with `Prefer: <prefer>` and the reader's secret.
async fn get_preferring(app: &TestApp, path: &str, prefer: &str) -> Response {
    app.client
        .get(app.url(path))
        .bearer_auth(auth::READER)
        .header("Prefer", prefer)
        .send()
        .await
        .expect("the request is answered")
}

/// The body of a forced problem, with its `request_id` checked against `X-Request-Id` and
/// then replaced by the document's placeholder so the rest compares as a whole.
async fn problem_with_documented_id(response: Response, documented: &Value) -> Value {
    let request_id = header(response.headers(), "x-request-id").to_owned();
    let mut body: Value = response.json().await.expect("a JSON body");
    assert_eq!(body["request_id"], request_id.as_str(), "{body}");
    body["request_id"] = documented["request_id"].clone();
    body
}

#[actix_web::test]
async fn prefer_code_401_returns_the_documented_401_example_with_its_challenge() {
    // Arrange: the reader's secret would list; the preference wins without evaluating it.
    let app = spawn_app(FIXTURE).await;
    let document = app.get_json("/openapi.json").await;
    let documented = documented_example(&document, 401, None);

    // Act
    let response = get_preferring(&app, "/v1/tokens", "code=401").await;

    // Assert
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let headers = response.headers().clone();
    assert_eq!(header(&headers, "content-type"), "application/problem+json");
    assert_eq!(
        header(&headers, "www-authenticate"),
        MISSING_TOKEN_CHALLENGE
    );
    assert_eq!(header(&headers, "preference-applied"), "code=401");
    let body = problem_with_documented_id(response, &documented).await;
    assert_eq!(body, documented);
}

#[actix_web::test]
async fn every_documented_error_code_can_be_forced_with_prefer_or_code_and_equals_its_example() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let document = app.get_json("/openapi.json").await;

    for code in [400, 401, 403, 429, 500] {
        let documented = documented_example(&document, code, None);
        for forced in [
            get_preferring(&app, "/v1/tokens", &format!("code={code}")).await,
            app.get(&format!("/v1/tokens?__code={code}"), Some(auth::READER))
                .await,
        ] {
            // Act
            let url = forced.url().to_string();
            let status = forced.status();
            let headers = forced.headers().clone();
            let body = problem_with_documented_id(forced, &documented).await;

            // Assert
            assert_eq!(status.as_u16(), code, "{url}");
            assert_eq!(
                header(&headers, "content-type"),
                "application/problem+json",
                "{url}"
            );
            assert_eq!(body, documented, "{url}");
            assert_eq!(
                header(&headers, "preference-applied"),
                format!("code={code}"),
                "{url}"
            );
            let challenge = headers.get("www-authenticate");
            match code {
                401 => assert_eq!(
                    header(&headers, "www-authenticate"),
                    MISSING_TOKEN_CHALLENGE
                ),
                403 => assert_eq!(
                    header(&headers, "www-authenticate"),
                    INSUFFICIENT_SCOPE_CHALLENGE
                ),
                _ => assert!(challenge.is_none(), "{url}: no challenge on {code}"),
            }
            if code == 429 {
                let retry_after: u64 = header(&headers, "retry-after")
                    .parse()
                    .expect("Retry-After in seconds");
                assert!(retry_after > 0, "{url}");
            } else {
                assert!(headers.get("retry-after").is_none(), "{url}");
            }
        }
    }
}

#[actix_web::test]
async fn a_forced_problem_names_the_callers_own_request_id() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app
        .client
        .get(app.url("/v1/tokens?__code=500"))
        .header("X-Request-Id", "trace-forced-500")
        .send()
        .await
        .expect("the request is answered");

    // Assert
    let body = assert_problem(response, StatusCode::INTERNAL_SERVER_ERROR, "internal").await;
    assert_eq!(body["request_id"], "trace-forced-500");
}

#[actix_web::test]
async fn a_forced_response_ignores_missing_credentials_and_bad_parameters() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act: without credentials and with page=0, which would be 401 (and then 400).
    let response = app
        .client
        .get(app.url("/v1/tokens?page=0&per_page=abc"))
        .header("Prefer", "code=429")
        .send()
        .await
        .expect("the request is answered");

    // Assert
    assert!(response.headers().get("retry-after").is_some());
    assert_problem(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[actix_web::test]
async fn a_method_the_resource_does_not_answer_is_a_405_whatever_the_controls_say() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    for method in [
        reqwest::Method::POST,
        reqwest::Method::DELETE,
        reqwest::Method::PUT,
    ] {
        // Act
        let response = app
            .client
            .request(method.clone(), app.url("/v1/tokens?__code=401&__delay=1"))
            .header("Prefer", "code=429")
            .send()
            .await
            .expect("the request is answered");

        // Assert
        assert_eq!(header(response.headers(), "allow"), "GET, HEAD", "{method}");
        assert!(
            response.headers().get("preference-applied").is_none(),
            "{method}"
        );
        assert_problem(
            response,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        )
        .await;
    }
}

#[actix_web::test]
async fn code_200_is_normal_behaviour() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let plain = app.list("/v1/tokens?status=revoked", auth::READER).await;

    // Act
    let preferred = get_preferring(&app, "/v1/tokens?status=revoked", "code=200").await;
    let queried = app
        .get("/v1/tokens?status=revoked&__code=200", Some(auth::READER))
        .await;
    let unauthenticated = app
        .client
        .get(app.url("/v1/tokens?__code=200"))
        .header("Prefer", "code=200")
        .send()
        .await
        .expect("the request is answered");

    // Assert
    for response in [preferred, queried] {
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("a JSON body");
        assert_eq!(body, plain);
    }
    assert_problem(unauthenticated, StatusCode::UNAUTHORIZED, "missing_token").await;
}

#[actix_web::test]
async fn an_undocumented_code_is_a_400_listing_the_documented_codes() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let cases = [
        (
            get_preferring(&app, "/v1/tokens", "code=418").await,
            "Prefer",
        ),
        (
            app.get("/v1/tokens?__code=404", Some(auth::READER)).await,
            "__code",
        ),
        (
            app.get("/v1/tokens?__code=abc", Some(auth::READER)).await,
            "__code",
        ),
    ];

    for (response, parameter) in cases {
        // Act
        let url = response.url().to_string();
        let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;

        // Assert
        assert_eq!(failing_parameters(&body), [parameter], "{url}: {body}");
        let detail = body["errors"][0]["detail"].as_str().expect("a detail");
        assert!(detail.contains(DOCUMENTED_CODES), "{url}: {detail}");
    }
}

#[actix_web::test]
async fn prefer_example_picks_each_named_example_of_the_200_response() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let document = app.get_json("/openapi.json").await;

    for name in NAMED_EXAMPLES {
        let documented = documented_example(&document, 200, Some(name));
        for response in [
            get_preferring(&app, "/v1/tokens", &format!("example={name}")).await,
            app.get(&format!("/v1/tokens?__example={name}"), Some(auth::READER))
                .await,
        ] {
            // Act
            let url = response.url().to_string();
            let status = response.status();
            let applied = header(response.headers(), "preference-applied").to_owned();
            let content_type = header(response.headers(), "content-type").to_owned();
            let body: Value = response.json().await.expect("a JSON body");

            // Assert
            assert_eq!(status, StatusCode::OK, "{url}");
            assert_eq!(content_type, "application/json", "{url}");
            assert_eq!(body, documented, "{url}");
            assert_eq!(applied, format!("example={name}"), "{url}");
        }
    }
}

#[actix_web::test]
async fn the_vendor_example_is_the_default_example_of_a_forced_200() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let document = app.get_json("/openapi.json").await;

    // Act: the reader's own data would list nine tokens.
    let response = app
        .get("/v1/tokens?__example=vendor", Some(auth::READER))
        .await;

    // Assert
    let body: Value = response.json().await.expect("a JSON body");
    assert_eq!(body, documented_example(&document, 200, Some("vendor")));
    assert_eq!(body["meta"]["total"], 2);
}

#[actix_web::test]
async fn an_unknown_example_name_is_a_400_naming_the_parameter_and_the_known_names() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let cases = [
        (
            get_preferring(&app, "/v1/tokens", "example=nope").await,
            "Prefer",
        ),
        (
            app.get("/v1/tokens?__example=nope", Some(auth::READER))
                .await,
            "__example",
        ),
    ];

    for (response, parameter) in cases {
        // Act
        let url = response.url().to_string();
        let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;

        // Assert
        assert_eq!(failing_parameters(&body), [parameter], "{url}: {body}");
        let detail = body["errors"][0]["detail"].as_str().expect("a detail");
        for name in NAMED_EXAMPLES {
            assert!(detail.contains(name), "{url}: {detail}");
        }
    }
}

#[actix_web::test]
async fn prefer_delay_delays_that_response_by_at_least_the_given_milliseconds() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    for (prefer, path) in [
        (Some("delay=300"), "/v1/tokens"),
        (None, "/v1/tokens?__delay=300"),
    ] {
        let mut request = app.client.get(app.url(path)).bearer_auth(auth::READER);
        if let Some(prefer) = prefer {
            request = request.header("Prefer", prefer);
        }

        // Act
        let started = Instant::now();
        let response = request.send().await.expect("the request is answered");
        let elapsed = started.elapsed();

        // Assert
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(elapsed >= Duration::from_millis(300), "{path}: {elapsed:?}");
        assert_eq!(
            header(response.headers(), "preference-applied"),
            "delay=300",
            "{path}"
        );
        let body: Value = response.json().await.expect("a JSON body");
        assert_eq!(body["meta"]["total"], 9, "{path}: the real answer");
    }
}

#[actix_web::test]
async fn a_delay_combines_with_a_forced_code() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let started = Instant::now();
    let response = get_preferring(&app, "/v1/tokens", "code=403, delay=200").await;
    let elapsed = started.elapsed();

    // Assert
    assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
    let applied: Vec<String> = header(response.headers(), "preference-applied")
        .split(',')
        .map(|p| p.trim().to_owned())
        .collect();
    assert!(applied.contains(&"code=403".to_owned()), "{applied:?}");
    assert!(applied.contains(&"delay=200".to_owned()), "{applied:?}");
    assert_problem(response, StatusCode::FORBIDDEN, "insufficient_scope").await;
}

#[actix_web::test]
async fn a_delay_of_0_is_accepted() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app.get("/v1/tokens?__delay=0", Some(auth::READER)).await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
}

#[actix_web::test]
async fn a_delay_outside_0_to_30000_or_not_an_integer_is_a_400_naming_the_parameter() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let mut cases = Vec::new();
    for value in ["30001", "-1", "abc", "1.5", "", "99999999999999999999"] {
        cases.push((
            app.get(&format!("/v1/tokens?__delay={value}"), Some(auth::READER))
                .await,
            "__delay",
        ));
    }
    cases.push((
        get_preferring(&app, "/v1/tokens", "delay=30001").await,
        "Prefer",
    ));

    for (response, parameter) in cases {
        // Act
        let url = response.url().to_string();
        let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;

        // Assert
        assert_eq!(failing_parameters(&body), [parameter], "{url}: {body}");
        let detail = body["errors"][0]["detail"].as_str().expect("a detail");
        assert!(detail.contains("30000"), "{url}: {detail}");
    }
}

#[actix_web::test]
async fn every_bad_control_is_reported_at_once() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app
        .get("/v1/tokens?__delay=abc&__code=999", Some(auth::READER))
        .await;

    // Assert
    let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    let mut parameters = failing_parameters(&body);
    parameters.sort_unstable();
    assert_eq!(parameters, ["__code", "__delay"]);
}

#[actix_web::test]
async fn a_delayed_request_in_flight_does_not_delay_a_concurrent_plain_request() {
    // Arrange: one worker, so a delay that blocked its thread would hold up the other request.
    let app = spawn_app_with(FIXTURE, FROZEN_NOW, &[("TOOKEN__SERVER__WORKERS", "1")]).await;
    let started = Instant::now();
    let delayed = async {
        let response = app.get("/v1/tokens?__delay=1500", Some(auth::READER)).await;
        (response.status(), Instant::now())
    };
    let plain = async {
        // Sent once the delayed request is surely in flight.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let response = app.get("/v1/tokens", Some(auth::READER)).await;
        (response.status(), Instant::now())
    };

    // Act
    let ((delayed_status, delayed_done), (plain_status, plain_done)) = tokio::join!(delayed, plain);

    // Assert
    assert_eq!(delayed_status, StatusCode::OK);
    assert_eq!(plain_status, StatusCode::OK);
    assert!(
        delayed_done.duration_since(started) >= Duration::from_millis(1500),
        "the delay applied"
    );
    assert!(
        plain_done < delayed_done,
        "the plain request finished first"
    );
}

#[actix_web::test]
async fn fixed_latency_from_the_settings_delays_every_api_response() {
    // Arrange
    let app = spawn_app_with(
        FIXTURE,
        FROZEN_NOW,
        &[("TOOKEN__FAULTS__LATENCY_FIXED_MS", "300")],
    )
    .await;

    for secret in [Some(auth::READER), None] {
        // Act
        let started = Instant::now();
        let response = app.get("/v1/tokens", secret).await;
        let elapsed = started.elapsed();

        // Assert
        assert!(
            elapsed >= Duration::from_millis(300),
            "{secret:?}: {elapsed:?}"
        );
        assert!(response.headers().get("preference-applied").is_none());
    }
}

#[actix_web::test]
async fn jitter_adds_a_random_share_of_its_milliseconds_on_top_of_the_fixed_latency() {
    // Arrange
    let app = spawn_app_with(
        FIXTURE,
        FROZEN_NOW,
        &[
            ("TOOKEN__FAULTS__LATENCY_FIXED_MS", "50"),
            ("TOOKEN__FAULTS__LATENCY_JITTER_MS", "200"),
        ],
    )
    .await;
    let mut elapsed = Vec::new();

    // Act
    for _ in 0..10 {
        let started = Instant::now();
        let response = app.get("/v1/tokens", Some(auth::READER)).await;
        elapsed.push(started.elapsed());
        assert_eq!(response.status(), StatusCode::OK);
    }

    // Assert: all ten under 20 ms of jitter is a one-in-ten-billion draw.
    assert!(
        elapsed.iter().all(|e| *e >= Duration::from_millis(50)),
        "{elapsed:?}"
    );
    assert!(
        elapsed.iter().any(|e| *e >= Duration::from_millis(70)),
        "{elapsed:?}"
    );
}

#[actix_web::test]
async fn latency_and_error_settings_are_read_from_the_environment() {
    // Arrange
    let app = spawn_app_with(
        FIXTURE,
        FROZEN_NOW,
        &[
            ("TOOKEN__FAULTS__LATENCY_FIXED_MS", "15"),
            ("TOOKEN__FAULTS__LATENCY_JITTER_MS", "250"),
            ("TOOKEN__FAULTS__ERROR_RATE", "0.25"),
            ("TOOKEN__FAULTS__ERROR_STATUS", "503"),
        ],
    )
    .await;

    // Act
    let faults = app.get_json("/__admin/faults").await;

    // Assert
    assert_eq!(
        faults,
        serde_json::json!({
            "latency_ms": {"fixed": 15, "jitter": 250},
            "error_rate": 0.25,
            "error_status": 503
        })
    );
}

async fn assert_every_request_fails_with(app: &TestApp, status: StatusCode, code: &str) {
    for _ in 0..10 {
        let response = app.get("/v1/tokens", Some(auth::READER)).await;
        let retry_after = response.headers().get("retry-after").cloned();
        assert_problem(response, status, code).await;
        if status == StatusCode::SERVICE_UNAVAILABLE {
            assert!(retry_after.is_some(), "a 503 says when to retry");
        }
    }
}

#[actix_web::test]
async fn an_error_rate_of_1_fails_every_api_request_with_the_configured_status() {
    for (status, code) in [
        (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
    ] {
        // Arrange
        let status_text = status.as_u16().to_string();
        let app = spawn_app_with(
            FIXTURE,
            FROZEN_NOW,
            &[
                ("TOOKEN__FAULTS__ERROR_RATE", "1.0"),
                ("TOOKEN__FAULTS__ERROR_STATUS", &status_text),
            ],
        )
        .await;

        // Act and assert
        assert_every_request_fails_with(&app, status, code).await;
        let health = app.get("/healthz", None).await;
        assert_eq!(health.status(), StatusCode::OK, "only the API fails");
    }
}

#[actix_web::test]
async fn an_error_rate_of_one_half_fails_about_half_of_the_requests() {
    // Arrange
    let app = spawn_app_with(
        FIXTURE,
        FROZEN_NOW,
        &[("TOOKEN__FAULTS__ERROR_RATE", "0.5")],
    )
    .await;
    let mut failed = 0;

    // Act
    for _ in 0..200 {
        let response = app.get("/v1/tokens", Some(auth::READER)).await;
        match response.status() {
            StatusCode::OK => {}
            StatusCode::INTERNAL_SERVER_ERROR => failed += 1,
            other => panic!("unexpected {other}"),
        }
    }

    // Assert: outside 50..=150 of 200 is a one-in-a-trillion draw.
    assert!((50..=150).contains(&failed), "{failed} of 200 failed");
}

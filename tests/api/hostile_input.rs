//! Hostile and malformed input: every request is answered with a 4xx (or a 200 where the
//! input is legal), never a 5xx, a panic or a hang, and the server keeps serving afterwards.
//! What an HTTP client library refuses to send is written byte for byte on a raw connection.

use std::time::{Duration, Instant};

use reqwest::header::HeaderValue;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, auth, failing_parameters, header, is_generated_request_id, link_map, links,
    raw_exchange, read_until_closed, send_raw, spawn_app, spawn_app_with, TestApp, FROZEN_NOW,
};

const FIXTURE: &str = "auth.json";

/// How many tokens `auth.json` holds, all in the reader's workspace.
const FIXTURE_TOKENS: u64 = 9;

/// Checks that the server still answers after whatever came before.
async fn assert_still_serving(app: &TestApp, after: &str) {
    let response = app.get("/healthz", None).await;
    assert_eq!(response.status(), StatusCode::OK, "/healthz after {after}");
}

/// A `GET` request for `target` with `headers` (each a whole `Name: value` line), written as
/// raw bytes; the connection closes after the response.
fn raw_get(target: &[u8], headers: &[&[u8]]) -> Vec<u8> {
    let mut request = b"GET ".to_vec();
    request.extend_from_slice(target);
    request.extend_from_slice(b" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for line in headers {
        request.extend_from_slice(line);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"Connection: close\r\n\r\n");
    request
}

/// `Authorization: Bearer <reader's secret>` as a raw header line.
fn reader_authorization() -> Vec<u8> {
    format!("Authorization: Bearer {}", auth::READER).into_bytes()
}

/// `GET` with a raw `Authorization` value, which may hold any byte a header value may carry.
async fn get_with_authorization_bytes(
    app: &TestApp,
    path: &str,
    value: &[u8],
) -> reqwest::Response {
    let value = HeaderValue::from_bytes(value).expect("a header value reqwest can send");
    app.client
        .get(app.url(path))
        .header("Authorization", value)
        .send()
        .await
        .expect("the request is answered")
}

#[actix_web::test]
async fn invalid_utf8_bytes_sent_raw_in_the_query_are_a_400_and_the_server_keeps_serving() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let authorization = reader_authorization();
    let targets: [&[u8]; 4] = [
        b"/v1/tokens?name=\xff\xfe",
        b"/v1/tokens?page=\xc3\x28",
        b"/v1/tokens?\xe2\x82=1",
        b"/v1/tokens?name=\xed\xa0\x80",
    ];

    for target in targets {
        // Act
        let response = raw_exchange(app.address, &raw_get(target, &[&authorization])).await;

        // Assert
        let shown = String::from_utf8_lossy(target);
        assert_eq!(response.status, Some(400), "{shown}: {}", response.text);
        assert_still_serving(&app, &shown).await;
    }
}

#[actix_web::test]
async fn percent_encoded_invalid_utf8_in_a_parameter_name_or_value_is_a_400_naming_it() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let cases = [
        ("%ff=1", "%ff"),
        ("%C3%28=active", "%C3%28"),
        ("per_page=%ff", "per_page"),
        ("page=%c0%af", "page"),
        ("name=%ed%a0%80", "name"),
        ("name=%fe%ff", "name"),
    ];

    // Act and Assert
    assert_each_names_its_parameter(&app, &cases).await;
}

#[actix_web::test]
async fn obs_text_bytes_in_the_authorization_header_are_a_401_never_a_5xx() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let every_high_byte: Vec<u8> = (0x80..=0xff).collect();
    let mut bearer = b"Bearer ".to_vec();
    bearer.extend_from_slice(&every_high_byte);
    let mut secret_with_high_bytes = format!("Bearer {}", auth::READER).into_bytes();
    secret_with_high_bytes.extend_from_slice(b"\xc3\xa9\xff");
    let cases: [(&[u8], &str); 3] = [
        (&bearer, "invalid_token"),
        (&secret_with_high_bytes, "invalid_token"),
        (&every_high_byte, "missing_token"),
    ];

    for (value, code) in cases {
        // Act
        let response = get_with_authorization_bytes(&app, "/v1/tokens", value).await;

        // Assert
        assert!(
            response.headers().contains_key("www-authenticate"),
            "{value:?}"
        );
        assert_problem(response, StatusCode::UNAUTHORIZED, code).await;
        assert_still_serving(&app, &String::from_utf8_lossy(value)).await;
    }
}

#[actix_web::test]
async fn an_x_request_id_of_obs_text_bytes_is_replaced_by_a_generated_one() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let values: [&[u8]; 3] = [b"\x80\x81\xfe\xff", b"abc\xe9def", b"req_\xc3\xa9t\xc3\xa9"];

    for value in values {
        // Act
        let ok = app
            .client
            .get(app.url("/v1/tokens"))
            .bearer_auth(auth::READER)
            .header(
                "X-Request-Id",
                HeaderValue::from_bytes(value).expect("obs-text"),
            )
            .send()
            .await
            .expect("answered");
        let error = app
            .client
            .get(app.url("/v1/tokens"))
            .header(
                "X-Request-Id",
                HeaderValue::from_bytes(value).expect("obs-text"),
            )
            .send()
            .await
            .expect("answered");

        // Assert
        assert_eq!(ok.status(), StatusCode::OK, "{value:?}");
        assert!(
            is_generated_request_id(header(ok.headers(), "x-request-id")),
            "{value:?}"
        );
        let echoed = header(error.headers(), "x-request-id").to_owned();
        assert!(is_generated_request_id(&echoed), "{value:?} -> {echoed}");
        let body = assert_problem(error, StatusCode::UNAUTHORIZED, "missing_token").await;
        assert_eq!(body["request_id"], echoed.as_str());
    }
}

#[actix_web::test]
async fn a_percent_encoded_nul_in_name_is_a_legal_filter_that_matches_nothing() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let unfiltered = app.list("/v1/tokens?name=Reader", auth::READER).await;

    for query in [
        "name=%00",
        "name=Reader%00",
        "name=Rea%00der",
        "name=%00%00%00",
    ] {
        // Act
        let body = app.list(&format!("/v1/tokens?{query}"), auth::READER).await;

        // Assert
        assert_eq!(
            body,
            json!({"data": [], "meta": {"page": 1, "per_page": 25, "total": 0, "total_pages": 0}}),
            "{query}"
        );
    }
    assert_eq!(unfiltered["meta"]["total"], 1, "without the NUL it matches");
}

#[actix_web::test]
async fn a_raw_nul_byte_in_a_header_is_refused_by_the_http_layer_never_with_a_5xx() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    // "Authorization: Bearer " is 22 bytes: the NUL lands inside the secret.
    let mut nul_in_secret = reader_authorization();
    nul_in_secret.insert(30, 0);
    let lines: [&[u8]; 3] = [
        b"X-Note: a\x00b",
        &nul_in_secret,
        b"X-Request-Id: abc\x00def",
    ];

    for line in lines {
        // Act
        let response = raw_exchange(app.address, &raw_get(b"/v1/tokens", &[line])).await;

        // Assert
        let shown = String::from_utf8_lossy(line);
        assert_eq!(response.status, Some(400), "{shown:?}: {}", response.text);
        assert_still_serving(&app, &shown).await;
    }
}

#[actix_web::test]
async fn percent_encoding_garbage_is_a_400_naming_the_parameter_it_is_in() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let cases = [
        ("name=%", "name"),
        ("name=%g1", "name"),
        ("name=%%", "name"),
        ("name=%%41", "name"),
        ("per_page=%", "per_page"),
        ("status=act%ive", "status"),
        ("%=1", "%"),
        ("%g1=x", "%g1"),
        ("%%=x", "%%"),
    ];

    // Act and Assert
    assert_each_names_its_parameter(&app, &cases).await;
}

#[actix_web::test]
async fn integers_past_u64_for_page_and_per_page_are_a_400_naming_both() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let past_u64 = "18446744073709551616";
    let far_past_u64 = "9".repeat(400);

    for (page, per_page) in [
        (past_u64, past_u64),
        (far_past_u64.as_str(), far_past_u64.as_str()),
        ("18446744073709551615", "4294967297"),
    ] {
        // Act
        let response = app
            .get(
                &format!("/v1/tokens?page={page}&per_page={per_page}"),
                Some(auth::READER),
            )
            .await;

        // Assert
        let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(failing_parameters(&body), ["page", "per_page"], "{page}");
    }
    assert_still_serving(&app, "numbers past u64").await;
}

#[actix_web::test]
async fn the_last_page_number_at_the_largest_page_size_is_an_empty_200_with_the_real_totals() {
    // Arrange: (page - 1) * per_page overflows u32 by far.
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = app
        .get(
            "/v1/tokens?page=4294967295&per_page=100",
            Some(auth::READER),
        )
        .await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        links(response.headers()),
        link_map(&[
            ("first", "/v1/tokens?page=1&per_page=100"),
            ("prev", "/v1/tokens?page=4294967294&per_page=100"),
            ("last", "/v1/tokens?page=1&per_page=100"),
        ])
    );
    let body: Value = response.json().await.expect("a JSON body");
    assert_eq!(
        body,
        json!({
            "data": [],
            "meta": {"page": 4294967295_u64, "per_page": 100, "total": FIXTURE_TOKENS, "total_pages": 1}
        })
    );
}

#[actix_web::test]
async fn a_thousand_repeats_of_page_are_one_400_naming_page_once() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let query = vec!["page=1"; 1000].join("&");

    // Act
    let response = app
        .get(&format!("/v1/tokens?{query}"), Some(auth::READER))
        .await;

    // Assert
    let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(failing_parameters(&body), ["page"], "{body}");
    assert_still_serving(&app, "a thousand repeats").await;
}

#[actix_web::test]
async fn a_thousand_unknown_parameters_are_ignored() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let plain = app.list("/v1/tokens?per_page=4", auth::READER).await;
    let distinct: Vec<String> = (0..1000).map(|i| format!("x{i}=1")).collect();
    let repeated = vec!["x=1"; 1000].join("&");

    for unknown in [distinct.join("&"), repeated] {
        // Act
        let body = app
            .list(&format!("/v1/tokens?{unknown}&per_page=4"), auth::READER)
            .await;

        // Assert
        assert_eq!(body, plain);
    }
}

#[actix_web::test]
async fn several_authorization_headers_are_a_401_even_when_each_holds_a_valid_secret() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let reader = format!("Bearer {}", auth::READER);
    let observer = format!("Bearer {}", auth::OBSERVER);
    let pairs = [
        (reader.as_str(), reader.as_str()),
        (reader.as_str(), observer.as_str()),
        (reader.as_str(), "Basic dXNlcjpwYXNz"),
        ("", reader.as_str()),
    ];

    for (first, second) in pairs {
        // Act
        let response = app
            .client
            .get(app.url("/v1/tokens"))
            .header("Authorization", first)
            .header("Authorization", second)
            .send()
            .await
            .expect("answered");

        // Assert
        assert!(
            header(response.headers(), "www-authenticate").starts_with("Bearer realm=\"tooken\""),
            "{first} / {second}"
        );
        assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
    }
    assert_still_serving(&app, "several Authorization headers").await;
}

#[actix_web::test]
async fn a_bearer_value_of_10_kib_is_a_401_invalid_token_not_a_431() {
    // Arrange: well under the 16 KiB header limit.
    let app = spawn_app(FIXTURE).await;
    let secret = format!("tok_live_{}", "A".repeat(10 * 1024));

    // Act
    let response = app.get("/v1/tokens", Some(&secret)).await;

    // Assert
    assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert_still_serving(&app, "a 10 KiB bearer value").await;
}

#[actix_web::test]
async fn a_bearer_value_of_20_kib_is_a_431_problem() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let secret = format!("tok_live_{}", "A".repeat(20 * 1024));

    // Act
    let response = app.get("/v1/tokens", Some(&secret)).await;

    // Assert
    let body = assert_problem(
        response,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "headers_too_large",
    )
    .await;
    assert!(!body.to_string().contains("AAAA"), "{body}");
    assert_still_serving(&app, "a 20 KiB bearer value").await;
}

/// 512 bytes of a fixed pseudo-random sequence.
fn noise() -> Vec<u8> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    (0..512)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_be_bytes()[0]
        })
        .collect()
}

/// The first bytes of a TLS 1.2/1.3 ClientHello record, as a browser sends to an `https://`
/// URL that points at this plain-HTTP port.
fn tls_client_hello_prefix() -> Vec<u8> {
    let mut hello = vec![
        0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03,
    ];
    hello.extend((0u8..32).map(|i| i.wrapping_mul(37)));
    hello.extend_from_slice(&[0x20, 0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0x00, 0x00]);
    hello
}

#[actix_web::test]
async fn bytes_that_are_not_http_get_a_400_or_a_closed_connection_and_the_server_keeps_serving() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let inputs: [(&str, Vec<u8>); 6] = [
        ("TLS ClientHello", tls_client_hello_prefix()),
        ("pseudo-random bytes", noise()),
        ("NUL bytes", vec![0; 64]),
        ("an SSH banner", b"SSH-2.0-OpenSSH_9.6\r\n".to_vec()),
        ("HTTP/0.9", b"GET /\r\n\r\n".to_vec()),
        (
            "control bytes in the method",
            b"G\x01T / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        ),
    ];

    for (what, bytes) in inputs {
        // Act
        let response = raw_exchange(app.address, &bytes).await;

        // Assert
        assert!(
            matches!(response.status, None | Some(400)),
            "{what}: {}",
            response.text
        );
        assert_still_serving(&app, what).await;
    }
}

#[actix_web::test]
async fn a_query_string_over_8_kib_is_a_414_problem_and_one_of_exactly_8_kib_is_served() {
    // Arrange: `x` is an unknown parameter, ignored when the query is accepted.
    let app = spawn_app(FIXTURE).await;
    let at_limit = format!("x={}", "a".repeat(8192 - 2));
    let over_limit = format!("x={}", "a".repeat(8192 - 1));

    // Act
    let accepted = app
        .get(&format!("/v1/tokens?{at_limit}"), Some(auth::READER))
        .await;
    let refused = app
        .get(&format!("/v1/tokens?{over_limit}"), Some(auth::READER))
        .await;

    // Assert
    assert_eq!(accepted.status(), StatusCode::OK);
    let body = assert_problem(refused, StatusCode::URI_TOO_LONG, "uri_too_long").await;
    assert!(
        body["detail"].as_str().is_some_and(|d| d.contains("8192")),
        "{body}"
    );
    assert_still_serving(&app, "a query over 8 KiB").await;
}

#[actix_web::test]
async fn headers_over_16_kib_are_a_431_problem_and_headers_under_it_are_served() {
    // Arrange
    let app = spawn_app(FIXTURE).await;
    let under = "u".repeat(15 * 1024);
    let over = "o".repeat(17 * 1024);
    let split: Vec<String> = (0..5).map(|_| "s".repeat(4 * 1024)).collect();

    // Act
    let accepted = app
        .client
        .get(app.url("/v1/tokens"))
        .bearer_auth(auth::READER)
        .header("X-Padding", &under)
        .send()
        .await
        .expect("answered");
    let one_large = app
        .client
        .get(app.url("/v1/tokens"))
        .bearer_auth(auth::READER)
        .header("X-Padding", &over)
        .send()
        .await
        .expect("answered");
    let mut many = app.client.get(app.url("/healthz"));
    for (i, value) in split.iter().enumerate() {
        many = many.header(format!("X-Padding-{i}"), value);
    }
    let many_small = many.send().await.expect("answered");

    // Assert
    assert_eq!(accepted.status(), StatusCode::OK);
    for response in [one_large, many_small] {
        let body = assert_problem(
            response,
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
        )
        .await;
        assert!(
            body["detail"].as_str().is_some_and(|d| d.contains("16384")),
            "{body}"
        );
    }
    assert_still_serving(&app, "headers over 16 KiB").await;
}

#[actix_web::test]
async fn a_414_or_431_problem_carries_the_cors_headers_so_a_browser_can_read_it() {
    // Arrange: like every other error (see cors.rs), for a page on another origin.
    let app = spawn_app(FIXTURE).await;
    let origin = "http://localhost:3000";
    let long_query = format!("/v1/tokens?x={}", "a".repeat(9000));
    let padding = "p".repeat(17 * 1024);

    // Act
    let uri_too_long = app
        .client
        .get(app.url(&long_query))
        .bearer_auth(auth::READER)
        .header("Origin", origin)
        .send()
        .await
        .expect("answered");
    let headers_too_large = app
        .client
        .get(app.url("/v1/tokens"))
        .bearer_auth(auth::READER)
        .header("Origin", origin)
        .header("X-Padding", &padding)
        .send()
        .await
        .expect("answered");

    // Assert
    for (response, status) in [
        (uri_too_long, StatusCode::URI_TOO_LONG),
        (
            headers_too_large,
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        ),
    ] {
        assert_eq!(response.status(), status);
        let headers = response.headers();
        assert_eq!(
            headers
                .get("access-control-allow-origin")
                .and_then(|v| v.to_str().ok()),
            Some(origin),
            "{status}: {headers:?}"
        );
        assert!(
            headers
                .get("access-control-expose-headers")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("x-request-id")),
            "{status}: {headers:?}"
        );
    }
}

#[actix_web::test]
async fn a_mock_control_whose_value_does_not_decode_is_a_400_naming_it_not_ignored() {
    // Arrange: `__code=abc` is refused; an undecodable value must not slip through instead.
    let app = spawn_app(FIXTURE).await;
    let cases = [
        ("__code=%ff", "__code"),
        ("__code=%", "__code"),
        ("__delay=%ff", "__delay"),
        ("__delay=%g1", "__delay"),
        ("__example=%ff", "__example"),
    ];

    for (query, parameter) in cases {
        // Act
        let response = app
            .get(&format!("/v1/tokens?{query}"), Some(auth::READER))
            .await;

        // Assert
        let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(failing_parameters(&body), [parameter], "{query}: {body}");
    }
}

#[actix_web::test]
async fn a_client_that_sends_half_a_request_line_is_cut_off_while_another_client_is_served() {
    // Arrange: one worker, so a stalled connection that held it would hold up everyone.
    let app = spawn_app_with(
        FIXTURE,
        FROZEN_NOW,
        &[
            ("TOOKEN__SERVER__WORKERS", "1"),
            ("TOOKEN__SERVER__CLIENT_REQUEST_TIMEOUT_MS", "1000"),
        ],
    )
    .await;
    assert_still_serving(&app, "start-up").await;
    let started = Instant::now();
    let stalled = send_raw(app.address, b"GET /v1/tok");
    let cut_off = async {
        let response = read_until_closed(stalled).await;
        (response, Instant::now())
    };
    let others = async {
        let mut served = Vec::new();
        for _ in 0..3 {
            let response = app.get("/v1/tokens", Some(auth::READER)).await;
            served.push((response.status(), Instant::now()));
        }
        served
    };

    // Act
    let ((stalled_response, cut_off_at), served) = tokio::join!(cut_off, others);

    // Assert
    assert!(
        matches!(stalled_response.status, None | Some(408)),
        "{}",
        stalled_response.text
    );
    assert!(
        cut_off_at.duration_since(started) < Duration::from_secs(4),
        "cut off by the 1 s setting, well before the 5 s default: {:?}",
        cut_off_at.duration_since(started)
    );
    for (status, served_at) in served {
        assert_eq!(status, StatusCode::OK);
        assert!(
            served_at < cut_off_at,
            "the other client was served while the stalled one waited"
        );
    }
    assert_still_serving(&app, "a stalled client").await;
}

/// Asserts that each query is a 400 naming exactly its parameter, and that the server goes on
/// serving after it.
async fn assert_each_names_its_parameter(app: &TestApp, cases: &[(&str, &str)]) {
    for (query, parameter) in cases {
        let response = app
            .get(&format!("/v1/tokens?{query}"), Some(auth::READER))
            .await;
        let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(failing_parameters(&body), [*parameter], "{query}: {body}");
        assert_still_serving(app, query).await;
    }
}

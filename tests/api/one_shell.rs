//! One HTTP shell: the API, the admin API and the proxy read `Authorization`, `Prefer` and
//! `Host` with one parser each, so every spelling gets the same answer from all three.

use std::net::SocketAddr;

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;

use crate::helpers::{assert_problem, spawn_app, spawn_app_with, FROZEN_NOW, NORTH_READER};
use crate::proxy::spawn_proxy;
use crate::proxy_drift::spawn_drifting_upstream;

const ADMIN_TOKEN: &str = "admin-token-for-tests";

/// Listening on every interface, with the admin token set.
const BEYOND_LOOPBACK: [(&str, &str); 2] = [
    ("TOOKEN__SERVER__HOST", "0.0.0.0"),
    ("TOOKEN__ADMIN__TOKEN", ADMIN_TOKEN),
];

/// How a set of `Authorization` fields is read.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Read {
    /// The secret is let in.
    Accepted,
    /// 401 `missing_token`: no bearer secret.
    Missing,
    /// 401 `invalid_token`: refused as it stands.
    Invalid,
}

/// The spellings the API, the admin guard and the proxy's guard used to read differently,
/// and their neighbours; `{}` stands for the secret.
const AUTHORIZATION_SPELLINGS: [(&[&str], Read); 13] = [
    (&["Bearer {}"], Read::Accepted),
    (&["bearer {}"], Read::Accepted),
    (&["BEARER {}"], Read::Accepted),
    (&["Bearer    {}"], Read::Accepted),
    (&["Bearer {} \t "], Read::Accepted),
    (&["Bearer \t{}"], Read::Accepted),
    (&["Bearer {}", "Bearer {}"], Read::Invalid),
    (&["Bearer {}", "Bearer wrong"], Read::Invalid),
    (&["Bearer\t{}"], Read::Missing),
    (&["Bearer"], Read::Missing),
    (&["Basic {}"], Read::Missing),
    (&[""], Read::Missing),
    (&[], Read::Missing),
];

fn with_fields(mut request: RequestBuilder, fields: &[&str], secret: &str) -> RequestBuilder {
    for field in fields {
        request = request.header("Authorization", field.replace("{}", secret));
    }
    request
}

async fn assert_read(response: Response, expected: Read, what: &str) {
    match expected {
        Read::Accepted => assert_eq!(response.status(), StatusCode::OK, "{what}"),
        Read::Missing => {
            assert_problem(response, StatusCode::UNAUTHORIZED, "missing_token").await;
        }
        Read::Invalid => {
            assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
        }
    }
}

/// `address` as a client reaches it: a server on every interface through 127.0.0.1.
fn url(address: SocketAddr, path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", address.port())
}

#[actix_web::test]
async fn every_authorization_spelling_is_read_alike_by_the_api_the_admin_api_and_the_proxy() {
    // Arrange: both servers beyond loopback, where the admin routes need the admin token.
    let app = spawn_app_with("workspaces.json", FROZEN_NOW, &BEYOND_LOOPBACK).await;
    let upstream = spawn_app("contract.json").await;
    let proxy = spawn_proxy(&upstream.url("/v1"), &BEYOND_LOOPBACK).await;
    let client = reqwest::Client::new();

    for (fields, expected) in AUTHORIZATION_SPELLINGS {
        // Act
        let api = with_fields(client.get(app.url("/v1/tokens")), fields, NORTH_READER);
        let admin = with_fields(client.get(app.url("/__admin/clock")), fields, ADMIN_TOKEN);
        let violations = client.get(url(proxy.address, "/__admin/violations"));
        let violations = with_fields(violations, fields, ADMIN_TOKEN);

        // Assert
        let what = format!("{fields:?}");
        let answer = |r: reqwest::Result<Response>| r.expect("answered");
        assert_read(answer(api.send().await), expected, &format!("API {what}")).await;
        assert_read(
            answer(admin.send().await),
            expected,
            &format!("admin {what}"),
        )
        .await;
        assert_read(
            answer(violations.send().await),
            expected,
            &format!("proxy {what}"),
        )
        .await;
    }
}

/// `Prefer` spellings, and whether the mock's controls then decide the answer (a documented
/// example, or a 400 naming the control) instead of the data. RFC 7240: parameters after `;`
/// belong to the preference before them, and only the first instance of a preference counts.
const PREFER_SPELLINGS: [(&[&str], &str, bool); 16] = [
    (&["example=last_page"], "", true),
    (&["return=minimal; example=last_page"], "", false),
    (&["return=minimal, example=last_page"], "", true),
    (&["code=200, code=429"], "", false),
    (&["code=429, code=200"], "", true),
    (&["code=200", "code=429"], "", false),
    (&["CODE=429"], "", true),
    (&["code = \"429\""], "", true),
    (&["code=0200"], "", false),
    (&["code=200"], "", false),
    (&["code, code=429"], "", false),
    (&["delay=1"], "", false),
    (&["code=429"], "&__code=200", false),
    (&["code=200"], "&__code=429", true),
    (&["example=\"last_page\"; q=1"], "", true),
    (&[], "&__c%6Fde=429", true),
];

fn with_prefer(mut request: RequestBuilder, fields: &[&str]) -> RequestBuilder {
    for field in fields {
        request = request.header("Prefer", *field);
    }
    request
}

#[actix_web::test]
async fn every_prefer_spelling_forces_an_answer_for_the_mock_exactly_when_the_proxy_says_so() {
    // Arrange: requests without credentials, which the data would answer 401; the drifting
    // upstream answers every request 200, which the proxy flags unless controls shaped it.
    let app = spawn_app("workspaces.json").await;
    let proxy = spawn_proxy(&spawn_drifting_upstream().await, &[]).await;
    let client = reqwest::Client::new();

    for (probe, (fields, query, forces)) in PREFER_SPELLINGS.iter().enumerate() {
        // Act
        let target = format!("/v1/tokens?probe={probe}{query}");
        let mock = with_prefer(client.get(app.url(&target)), fields);
        let mock = mock.send().await.expect("answered");
        let relayed = with_prefer(client.get(url(proxy.address, &target)), fields);
        let relayed = relayed.send().await.expect("answered");
        assert_eq!(relayed.status(), StatusCode::OK, "{fields:?}{query}");

        // Assert
        let what = format!("{fields:?} {query}");
        assert_eq!(
            mock.status() != StatusCode::UNAUTHORIZED,
            *forces,
            "mock {what}"
        );
        let report = proxy.violations().await;
        let flagged = report["violations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| v["rule"] == "status.for_request")
            .any(|v| {
                v["request"].as_str().is_some_and(|r| {
                    r.contains(&format!("probe={probe}&")) || r.ends_with(&format!("probe={probe}"))
                })
            });
        assert_eq!(flagged, !forces, "proxy {what}: {report:#}");
    }
}

/// `Host` values and whether a server on loopback answers them.
const HOST_SPELLINGS: [(&str, bool); 12] = [
    ("localhost", true),
    ("LOCALHOST:8080", true),
    ("localhost.", true),
    ("app.localhost:3000", true),
    ("127.0.0.1:1", true),
    ("127.0.0.2", true),
    ("[::1]:8080", true),
    ("rebound.example", false),
    ("rebound.example:8080", false),
    ("localhost:http", false),
    ("[::2]", false),
    ("localhost.rebound.example", false),
];

#[actix_web::test]
async fn every_host_spelling_is_answered_alike_by_the_api_the_admin_api_and_the_proxy() {
    // Arrange
    let app = spawn_app("workspaces.json").await;
    let upstream = spawn_app("contract.json").await;
    let proxy = spawn_proxy(&upstream.url("/v1"), &[]).await;
    let client = reqwest::Client::new();
    let targets = [
        app.url("/v1/tokens"),
        app.url("/__admin/clock"),
        url(proxy.address, "/v1/tokens"),
        url(proxy.address, "/__admin/violations"),
        url(proxy.address, "/nothing-here"),
    ];

    for (host, answered) in HOST_SPELLINGS {
        for target in &targets {
            // Act
            let response = client
                .request(Method::GET, target)
                .header("Host", host)
                .header("X-Request-Id", "host-probe")
                .send()
                .await
                .expect("answered");

            // Assert
            if answered {
                assert_ne!(response.status(), StatusCode::FORBIDDEN, "{host} {target}");
            } else {
                let body: Value =
                    assert_problem(response, StatusCode::FORBIDDEN, "forbidden_host").await;
                assert_eq!(body["request_id"], "host-probe", "{host} {target}");
            }
        }
    }
}

#[actix_web::test]
async fn a_session_is_decided_once_at_the_start_and_beyond_loopback_only_an_admin_call_creates_it()
{
    // Arrange: beyond loopback with the admin token, first use creates no session.
    let app = spawn_app_with("workspaces.json", FROZEN_NOW, &BEYOND_LOOPBACK).await;
    let client = reqwest::Client::new();
    let list = |query: &str| {
        client
            .get(app.url(&format!("/v1/tokens{query}")))
            .bearer_auth(NORTH_READER)
    };

    // Act
    let before = list("?__session=fresh").send().await.expect("answered");
    let without_token = client
        .get(app.url("/__admin/clock"))
        .header("X-Mock-Session", "fresh")
        .send()
        .await
        .expect("answered");
    let created = client
        .get(app.url("/__%61dmin/clock?__session=fresh"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("answered");
    let after = list("?__session=fresh").send().await.expect("answered");
    let document = client
        .get(app.url("/openapi.json?__session=bad%20name"))
        .send()
        .await
        .expect("answered");
    let bad = list("?__session=bad%20name")
        .send()
        .await
        .expect("answered");

    // Assert
    let refused = assert_problem(before, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(refused["errors"][0]["parameter"], "__session");
    assert_problem(without_token, StatusCode::UNAUTHORIZED, "missing_token").await;
    assert_eq!(created.status(), StatusCode::OK);
    assert_eq!(after.status(), StatusCode::OK);
    assert_eq!(after.headers()["x-mock-session"], "fresh");
    assert_eq!(
        document.status(),
        StatusCode::OK,
        "a path that needs no session"
    );
    let refused = assert_problem(bad, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(refused["errors"][0]["parameter"], "__session");
}

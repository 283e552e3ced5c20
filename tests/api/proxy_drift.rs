//! `tooken-mock proxy` in front of an upstream that drifts from the contract: each drift is
//! reported with its rule and JSON location and passed on unchanged, or turned into a 502 by
//! strict mode; a hanging upstream is a 504 and an absent one a 502.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_problem, header};
use crate::proxy::{spawn_proxy, TestProxy, CONTRACT_READER};

/// A small upstream that drifts from the contract as `?drift=` asks.
async fn drifting(req: HttpRequest) -> HttpResponse {
    let drift = req
        .query_string()
        .split('&')
        .find_map(|p| p.strip_prefix("drift="))
        .unwrap_or("none")
        .to_owned();
    let token = |id: &str, created: &str| {
        json!({"id": id, "name": "Drifter", "scopes": ["tokens:read"], "status": "active",
        "created_at": created, "expires_at": null, "last_used_at": null, "created_by": "drift@example.com"})
    };
    let mut body = json!({"data": [token("tok_drift0000000000000000001", "2026-01-01T00:00:00Z"), token("tok_drift0000000000000000002", "2026-01-02T00:00:00Z")],
        "meta": {"page": 1, "per_page": 25, "total": 2, "total_pages": 1}});
    let mut link = "</v1/tokens?page=1&per_page=25>; rel=\"first\", </v1/tokens?page=1&per_page=25>; rel=\"last\"";
    let problem = |status: u16, code: &str| {
        json!({"type": "about:blank", "title": "Unauthorized", "status": status,
        "detail": "No token.", "code": code, "request_id": "drift-id"})
    };
    let mut response = HttpResponse::Ok();
    response
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Request-Id", "drift-id"));
    match drift.as_str() {
        "total_pages" => body["meta"]["total_pages"] = json!(2),
        "missing_field" => drop(
            body["data"][1]
                .as_object_mut()
                .map(|t| t.shift_remove("created_by")),
        ),
        "extra_field" => body["data"][0]["secret_sha256"] = json!("00"),
        "order" => body["data"]
            .as_array_mut()
            .into_iter()
            .for_each(|d| d.swap(0, 1)),
        "broken_link" => link = "</v1/tokens?page=1&per_page=25>; rel=\"first\"",
        "401_without_challenge" => {
            return HttpResponse::Unauthorized()
                .insert_header(("Cache-Control", "no-store"))
                .insert_header(("X-Request-Id", "drift-id"))
                .content_type("application/problem+json")
                .body(problem(401, "missing_token").to_string())
        }
        "400_plain" => {
            return HttpResponse::BadRequest()
                .insert_header(("Cache-Control", "no-store"))
                .insert_header(("X-Request-Id", "drift-id"))
                .content_type("text/plain")
                .body("bad request")
        }
        "hang" => actix_web::rt::time::sleep(Duration::from_secs(60)).await,
        "large" => body["data"][0]["name"] = json!("x".repeat(2000)),
        _ => {}
    }
    response.insert_header(("Link", link)).json(body)
}

pub async fn spawn_drifting_upstream() -> String {
    let server = HttpServer::new(|| App::new().route("/v1/tokens", web::get().to(drifting)))
        .workers(1)
        .bind("127.0.0.1:0")
        .expect("binds");
    let address = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    format!("http://{address}/v1")
}

/// Each drift, its status through the proxy, the rule and a JSON location it must raise.
const DRIFTS: [(&str, u16, &str, &str); 7] = [
    ("total_pages", 200, "meta.total_pages", "meta.total_pages"),
    ("missing_field", 200, "schema", "data[1].created_by"),
    ("extra_field", 200, "schema", "data[0].secret_sha256"),
    ("order", 200, "data.order", "data[1]"),
    (
        "401_without_challenge",
        401,
        "www_authenticate",
        "headers.WWW-Authenticate",
    ),
    ("400_plain", 400, "content_type", "headers.Content-Type"),
    (
        "broken_link",
        200,
        "link.relations",
        "headers.Link rel=\"last\"",
    ),
];

async fn get_drift(proxy: &TestProxy, drift: &str) -> reqwest::Response {
    // `per_page=0` makes the request one that the document refuses, so a 400 is its due.
    let query = if drift == "400_plain" {
        "&per_page=0"
    } else {
        ""
    };
    let mut request = proxy
        .client
        .get(proxy.url(&format!("/v1/tokens?drift={drift}{query}")));
    if drift != "401_without_challenge" {
        request = request.bearer_auth(CONTRACT_READER);
    }
    request.send().await.expect("the proxy answers")
}

#[actix_web::test]
async fn each_drift_is_reported_with_its_rule_and_location_and_passed_on_unchanged() {
    // Arrange
    let upstream = spawn_drifting_upstream().await;
    let proxy = spawn_proxy(&upstream, &[]).await;
    assert_eq!(get_drift(&proxy, "none").await.status(), StatusCode::OK);
    assert_eq!(
        proxy.violations().await["violations"],
        json!([]),
        "the undrifted answer is valid"
    );

    for (drift, status, rule, location) in DRIFTS {
        // Act
        let response = get_drift(&proxy, drift).await;

        // Assert
        assert_eq!(response.status().as_u16(), status, "{drift}");
        assert_eq!(header(response.headers(), "x-request-id"), "drift-id");
        let report = proxy.violations().await;
        let newest: Vec<(String, String)> = report["violations"]
            .as_array()
            .expect("a list")
            .iter()
            .take_while(|v| v["request"].as_str().is_some_and(|r| r.contains(drift)))
            .map(|v| {
                (
                    v["rule"].as_str().unwrap_or("").to_owned(),
                    v["location"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        assert!(
            newest.contains(&(rule.to_owned(), location.to_owned())),
            "{drift}: {newest:?}"
        );
        assert_eq!(report["violations"][0]["request_id"], "drift-id");
    }
    let metrics = proxy
        .client
        .get(proxy.url("/metrics"))
        .send()
        .await
        .expect("metrics");
    let metrics = metrics.text().await.expect("text");
    for (_, _, rule, _) in DRIFTS {
        assert!(
            metrics.contains(&format!("tooken_proxy_violations_total{{rule=\"{rule}\"}}")),
            "{rule}"
        );
    }
    assert!(
        metrics.contains("tooken_proxy_violations_total{rule=\"meta.total_pages\"} 1"),
        "{metrics}"
    );
}

#[actix_web::test]
async fn strict_mode_answers_each_drift_with_a_502_listing_its_violations() {
    // Arrange
    let upstream = spawn_drifting_upstream().await;
    let proxy = spawn_proxy(&upstream, &[("TOOKEN__PROXY__STRICT", "true")]).await;
    assert_eq!(get_drift(&proxy, "none").await.status(), StatusCode::OK);

    for (drift, status, rule, location) in DRIFTS {
        // Act
        let response = get_drift(&proxy, drift).await;

        // Assert
        let body = assert_problem(response, StatusCode::BAD_GATEWAY, "contract_violation").await;
        assert_eq!(body["upstream_status"], status, "{drift}");
        let listed = body["violations"].as_array().expect("violations");
        assert!(
            listed
                .iter()
                .any(|v| v["rule"] == rule && v["location"] == location),
            "{drift}: {body:#}"
        );
    }
}

#[actix_web::test]
async fn a_hanging_upstream_is_a_504_and_an_absent_or_oversized_one_a_502() {
    // Arrange
    let upstream = spawn_drifting_upstream().await;
    let hanging = spawn_proxy(&upstream, &[("TOOKEN__UPSTREAM__TIMEOUT_MS", "300")]).await;
    let small = spawn_proxy(
        &upstream,
        &[("TOOKEN__UPSTREAM__MAX_RESPONSE_BYTES", "1024")],
    )
    .await;
    let free = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let closed = free.local_addr().expect("an address");
    drop(free);
    let absent = spawn_proxy(&format!("http://{closed}/v1"), &[]).await;

    // Act: the upstream sleeps a minute; the client gives up after 20 seconds.
    let timed_out = get_drift(&hanging, "hang").await;
    let refused = absent
        .client
        .get(absent.url("/v1/tokens"))
        .send()
        .await
        .expect("answered");
    let oversized = get_drift(&small, "large").await;
    let fits = get_drift(&small, "none").await;

    // Assert
    assert_problem(timed_out, StatusCode::GATEWAY_TIMEOUT, "upstream_timeout").await;
    assert_problem(refused, StatusCode::BAD_GATEWAY, "upstream_unreachable").await;
    assert_problem(oversized, StatusCode::BAD_GATEWAY, "upstream_too_large").await;
    assert_eq!(fits.status(), StatusCode::OK);
}

//! Operating the mock: Prometheus metrics, one log line per request (text or JSON), and a
//! graceful stop on SIGTERM that lets the requests in flight finish.

use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{
    auth, fixture, header, spawn_app, Binary, TestApp, FROZEN_NOW, NORTH_READER, SOUTH_READER,
};

/// The id of the token that `auth::READER` authenticates as.
const READER_ID: &str = "tok_authreader00000000000000";

const STATUSES: [&str; 3] = ["active", "expired", "revoked"];

/// The value of one series of a Prometheus text exposition, named exactly as rendered:
/// `name{label="value",...}` with the labels in alphabetical order.
fn sample(exposition: &str, series: &str) -> Option<f64> {
    exposition.lines().find_map(|line| {
        line.strip_prefix(series)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

/// `GET /metrics`, which must be Prometheus text; returns the exposition.
async fn metrics(app: &TestApp) -> String {
    let response = app.get("/metrics", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        header(response.headers(), "content-type").starts_with("text/plain"),
        "{:?}",
        response.headers()
    );
    response.text().await.expect("a text body")
}

/// How many tokens a listing with `secret` counts in `status`.
async fn listed_total(app: &TestApp, secret: &str, status: &str) -> f64 {
    let body = app
        .list(&format!("/v1/tokens?status={status}"), secret)
        .await;
    body["meta"]["total"].as_f64().expect("a total")
}

#[actix_web::test]
async fn metrics_count_every_answered_request_by_route_and_status_with_its_latency() {
    // Arrange
    let app = spawn_app("auth.json").await;
    for _ in 0..3 {
        app.list("/v1/tokens", auth::READER).await;
    }
    app.get("/v1/tokens", None).await;
    app.get("/v1/tokens", Some(auth::UNKNOWN)).await;
    app.get("/v1/tokens?page=0", Some(auth::READER)).await;
    app.get("/no/such/path-7f3a", None).await;

    // Act
    let text = metrics(&app).await;

    // Assert
    let requests = |route: &str, status: &str| {
        sample(
            &text,
            &format!(r#"tooken_http_requests_total{{route="{route}",status="{status}"}}"#),
        )
    };
    assert_eq!(requests("/v1/tokens", "200"), Some(3.0), "{text}");
    assert_eq!(requests("/v1/tokens", "401"), Some(2.0), "{text}");
    assert_eq!(requests("/v1/tokens", "400"), Some(1.0), "{text}");
    assert_eq!(requests("unmatched", "404"), Some(1.0), "{text}");
    assert!(
        !text.contains("path-7f3a"),
        "a raw path never becomes a label"
    );

    assert!(
        text.contains("# TYPE tooken_http_request_duration_seconds histogram"),
        "{text}"
    );
    let latency = "tooken_http_request_duration_seconds";
    let route = r#"route="/v1/tokens""#;
    assert_eq!(
        sample(&text, &format!("{latency}_count{{{route}}}")),
        Some(6.0)
    );
    assert_eq!(
        sample(&text, &format!(r#"{latency}_bucket{{{route},le="+Inf"}}"#)),
        Some(6.0)
    );
    assert!(sample(&text, &format!("{latency}_sum{{{route}}}")).is_some_and(|s| s > 0.0));
    let buckets: Vec<f64> = text
        .lines()
        .filter(|line| line.starts_with(&format!("{latency}_bucket{{{route},")))
        .map(|line| {
            line.rsplit(' ')
                .next()
                .and_then(|v| v.parse().ok())
                .expect("a count")
        })
        .collect();
    assert!(buckets.len() > 2, "{text}");
    assert!(
        buckets.windows(2).all(|pair| pair[0] <= pair[1]),
        "cumulative buckets: {buckets:?}"
    );
}

#[actix_web::test]
async fn the_token_gauges_count_each_workspace_by_status_as_its_listings_do() {
    // Arrange
    let app = spawn_app("workspaces.json").await;
    let mut expected = Vec::new();
    for (workspace, secret) in [("ws_north", NORTH_READER), ("ws_south", SOUTH_READER)] {
        for status in STATUSES {
            expected.push((workspace, status, listed_total(&app, secret, status).await));
        }
    }

    // Act
    let text = metrics(&app).await;

    // Assert
    for (workspace, status, total) in &expected {
        let series = format!(r#"tooken_tokens{{status="{status}",workspace="{workspace}"}}"#);
        assert_eq!(sample(&text, &series), Some(*total), "{series}\n{text}");
    }
    let counted: f64 = expected.iter().map(|(_, _, total)| total).sum();
    assert_eq!(counted, 6.0, "every token of the fixture is counted once");
}

#[actix_web::test]
async fn the_token_gauges_follow_the_clock_like_the_listings_do() {
    // Arrange: "Lapsed" is stored active and expired one second before the frozen clock.
    let app = spawn_app("auth.json").await;
    let gauge = |text: &str, status: &str| {
        sample(
            text,
            &format!(r#"tooken_tokens{{status="{status}",workspace="ws_auth"}}"#),
        )
    };

    // Act
    let at_frozen_clock = metrics(&app).await;
    let before_expiry: DateTime<Utc> = "2026-04-30T00:00:00Z".parse().expect("a time");
    app.clock.freeze(before_expiry);
    let a_day_earlier = metrics(&app).await;

    // Assert
    assert_eq!(gauge(&at_frozen_clock, "expired"), Some(2.0));
    assert_eq!(gauge(&a_day_earlier, "expired"), Some(1.0));
    for status in STATUSES {
        assert_eq!(
            gauge(&a_day_earlier, status),
            Some(listed_total(&app, auth::READER, status).await),
            "{status}"
        );
    }
    assert_eq!(
        gauge(&at_frozen_clock, "active"),
        gauge(&a_day_earlier, "active").map(|active| active - 1.0)
    );
}

#[actix_web::test]
async fn snapshot_loads_count_the_start_up_load_and_a_refused_admin_replace() {
    // Arrange
    let app = spawn_app("workspaces.json").await;
    let loads = |text: &str, kind: &str, outcome: &str| {
        sample(
            text,
            &format!(r#"tooken_snapshot_loads_total{{kind="{kind}",outcome="{outcome}"}}"#),
        )
    };
    let at_start = metrics(&app).await;
    let invalid = std::fs::read(fixture("invalid_values.json")).expect("the fixture exists");

    // Act
    let refused = app
        .send_body(Method::PUT, "/__admin/snapshot", invalid)
        .await;
    let after_refusal = metrics(&app).await;

    // Assert
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(loads(&at_start, "startup", "ok"), Some(1.0), "{at_start}");
    assert_eq!(loads(&at_start, "admin", "refused"), None, "{at_start}");
    assert_eq!(loads(&after_refusal, "admin", "refused"), Some(1.0));
    assert_eq!(loads(&after_refusal, "admin", "ok"), None);
    assert_eq!(loads(&after_refusal, "startup", "ok"), Some(1.0));
}

/// Starts the binary on `auth.json` with `extra` arguments and returns it with its base URL.
async fn serve_auth_fixture(extra: &[&str]) -> (Binary, String) {
    let snapshot = fixture("auth.json");
    let mut args = vec![
        "--port",
        "0",
        "--snapshot",
        snapshot.to_str().expect("UTF-8"),
        "--now",
        FROZEN_NOW,
    ];
    args.extend_from_slice(extra);
    let mut binary = Binary::start(&args, &[]);
    let base = binary.wait_for_banner().await;
    (binary, base)
}

/// `GET /v1/tokens` against a binary, with an `X-Request-Id` to find its log line by.
async fn get_tokens(base: &str, secret: Option<&str>, request_id: &str) -> StatusCode {
    let mut request = reqwest::Client::new()
        .get(format!("{base}/v1/tokens"))
        .header("X-Request-Id", request_id);
    if let Some(secret) = secret {
        request = request.bearer_auth(secret);
    }
    request.send().await.expect("answered").status()
}

#[tokio::test]
async fn json_logs_are_one_object_a_line_with_method_path_status_request_id_and_token() {
    // Arrange
    let (binary, base) = serve_auth_fixture(&["--log-format", "json"]).await;

    // Act
    let ok = get_tokens(&base, Some(auth::READER), "json-log-ok").await;
    let refused = get_tokens(&base, None, "json-log-refused").await;
    let stderr = binary.wait_for_stderr("json-log-refused").await;

    // Assert
    assert_eq!((ok, refused), (StatusCode::OK, StatusCode::UNAUTHORIZED));
    let lines: Vec<Value> = stderr
        .lines()
        .map(|line| {
            let object: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {line}\n{stderr}"));
            assert!(object.is_object(), "{line}");
            object
        })
        .collect();
    let line_of = |id: &str| {
        lines
            .iter()
            .find(|line| line["request_id"] == id)
            .unwrap_or_else(|| panic!("no line for {id}:\n{stderr}"))
    };
    let served = line_of("json-log-ok");
    assert_eq!(served["method"], "GET", "{served}");
    assert_eq!(served["path"], "/v1/tokens", "{served}");
    assert_eq!(served["status"], 200, "{served}");
    assert_eq!(served["token"], READER_ID, "{served}");
    let unauthenticated = line_of("json-log-refused");
    assert_eq!(unauthenticated["status"], 401, "{unauthenticated}");
    assert!(
        !unauthenticated["token"]
            .as_str()
            .is_some_and(|t| t.starts_with("tok_")),
        "no token authenticated it: {unauthenticated}"
    );
}

#[tokio::test]
async fn text_logs_have_no_ansi_escapes_when_standard_error_is_not_a_terminal() {
    // Arrange: standard error is a pipe.
    let (binary, base) = serve_auth_fixture(&[]).await;

    // Act
    let status = get_tokens(&base, Some(auth::READER), "text-log-ok").await;
    let stderr = binary.wait_for_stderr("text-log-ok").await;

    // Assert
    assert_eq!(status, StatusCode::OK);
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    let line = stderr
        .lines()
        .find(|line| line.contains("text-log-ok"))
        .expect("the request's line");
    assert!(line.contains("status=200"), "{line}");
    assert!(line.contains("/v1/tokens"), "{line}");
    assert!(line.contains(READER_ID), "{line}");
    // The whole line: a UTC timestamp in microseconds, the level, the message, the fields.
    let (stamp, rest) = line.split_once(' ').expect("a timestamp, then the rest");
    assert!(
        stamp.len() == 27
            && stamp.ends_with('Z')
            && chrono::DateTime::parse_from_rfc3339(stamp).is_ok(),
        "{line}"
    );
    let (fields, duration) = rest
        .split_once(" duration_us=")
        .expect("the duration field");
    assert_eq!(
        fields,
        " INFO request request_id=\"text-log-ok\" method=\"GET\" path=\"/v1/tokens\" status=200",
        "{line}"
    );
    let (micros, token) = duration.split_once(' ').expect("the token field");
    assert!(micros.parse::<u64>().is_ok(), "{line}");
    assert_eq!(token, format!("token=\"{READER_ID}\""), "{line}");
}

#[tokio::test]
async fn sigterm_lets_requests_in_flight_finish_with_200_then_exits_0_refusing_new_connections() {
    requests_in_flight_finish_after("-TERM").await;
}

#[tokio::test]
async fn sigint_lets_requests_in_flight_finish_with_200_then_exits_0_like_sigterm() {
    requests_in_flight_finish_after("-INT").await;
}

/// Waits until `/metrics` says that at least `count` requests are being served.
async fn wait_for_in_flight(base: &str, count: u64) {
    let client = reqwest::Client::new();
    for _ in 0..100 {
        let text = client
            .get(format!("{base}/metrics"))
            .send()
            .await
            .expect("/metrics answers")
            .text()
            .await
            .expect("a text body");
        let flying = text
            .lines()
            .find_map(|l| l.strip_prefix("tooken_http_requests_in_flight "))
            .and_then(|n| n.parse::<u64>().ok())
            .expect("the in-flight gauge");
        if flying >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("fewer than {count} requests in flight after 100 scrapes");
}

/// Sends `signal` while requests are in flight: each must finish with 200, new connections
/// must be refused, and the process must exit 0.
async fn requests_in_flight_finish_after(signal: &str) {
    // Arrange: requests that take 1.5 s, still in flight when the signal comes.
    let (mut binary, base) = serve_auth_fixture(&[]).await;
    let client = reqwest::Client::new();
    let in_flight: Vec<_> = (0..4)
        .map(|_| {
            let request = client
                .get(format!("{base}/v1/tokens"))
                .bearer_auth(auth::READER)
                .header("Prefer", "delay=1500");
            tokio::spawn(async move {
                let response = request.send().await.expect("answered despite the signal");
                let status = response.status();
                let body: Value = response.json().await.expect("a JSON body");
                (status, body)
            })
        })
        .collect();
    // The server holds all four (a connection it has not accepted yet would be refused, not
    // drained, when the listener closes), the scrape being the fifth.
    wait_for_in_flight(&base, 5).await;
    assert!(
        in_flight.iter().all(|task| !task.is_finished()),
        "every request is still in flight when the signal is sent"
    );

    // Act
    let sent = Command::new("kill")
        .args([signal, &binary.pid().to_string()])
        .status()
        .expect("kill runs");
    let mut finished = Vec::new();
    for task in in_flight {
        finished.push(task.await.expect("the request task completes"));
    }
    let during_shutdown = reqwest::Client::new()
        .get(format!("{base}/healthz"))
        .send()
        .await;
    let code = binary.wait_for_exit().await.code();
    let after_exit = reqwest::Client::new()
        .get(format!("{base}/healthz"))
        .send()
        .await;

    // Assert
    assert!(sent.success());
    for (status, body) in &finished {
        assert_eq!(*status, StatusCode::OK, "{body}");
        assert_eq!(body["meta"]["total"], 9, "{body}");
    }
    assert_eq!(code, Some(0), "stderr:\n{}", binary.stderr());
    for (when, outcome) in [
        ("during shutdown", during_shutdown),
        ("after exit", after_exit),
    ] {
        let error = outcome
            .map(|r| r.status())
            .expect_err("a new connection is refused");
        assert!(error.is_connect(), "{when}: {error}");
    }
}

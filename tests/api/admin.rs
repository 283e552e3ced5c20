//! Rule 31: the admin API under `/__admin/` — its own document, reset, export and replace,
//! the clock, the journal of recent requests, faults, who may use it, and the API's standard
//! held to it (methods, bodies, numbers). One file per concern; the helpers they share are
//! here.

mod access;
mod clock;
mod document;
mod faults;
mod journal;
mod journal_workers;
mod numbers;
mod reset;
mod snapshot;
mod snapshot_checks;
mod strictness;

use chrono::{DateTime, Utc};
use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

use crate::helpers::{fixture, TestApp};

/// Every admin route, as method and path (but those with a path parameter).
const ADMIN_ROUTES: [(Method, &str); 16] = [
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
    (Method::POST, "/__admin/faults/store-failure"),
    (Method::GET, "/__admin/sessions"),
    (Method::POST, "/__admin/tokens"),
    (Method::GET, "/__admin/coverage"),
    (Method::DELETE, "/__admin/coverage"),
];

fn read_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).expect("the fixture exists")
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

/// The entries `path` (`/__admin/requests...`) lists.
async fn journal_entries(app: &TestApp, path: &str) -> Vec<Value> {
    let body = app.get_json(path).await;
    body["data"].as_array().expect("data is an array").clone()
}

fn parse_time(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("an RFC 3339 time: {value}"))
}

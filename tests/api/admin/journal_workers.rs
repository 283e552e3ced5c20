//! The journal of requests served by several workers at once: each request journaled once,
//! each client's requests in the order it sent them, as entries and as HAR.

use std::collections::HashMap;

use super::journal_entries;
use crate::helpers::{auth, spawn_app, spawn_app_with, TestApp, FROZEN_NOW};

/// Clients sending at once, each on a connection of its own (spread over the two workers).
const CLIENTS: usize = 6;
/// Requests each client sends, one after another.
const EACH: usize = 25;

/// Sends [`EACH`] listings one after another with `X-Request-Id: c{client}-{n}`.
async fn client(app_url: String, client: usize) {
    let http = reqwest::Client::new();
    for n in 0..EACH {
        let response = http
            .get(format!("{app_url}/v1/tokens?per_page=1&page={}", n % 3 + 1))
            .bearer_auth(auth::READER)
            .header("X-Request-Id", format!("c{client}-{n}"))
            .send()
            .await
            .expect("the request is answered");
        assert_eq!(response.status(), 200);
    }
}

async fn send_at_once(app: &TestApp) {
    let base = app.url("");
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| actix_web::rt::spawn(client(base.clone(), c)))
        .collect();
    for task in futures_util::future::join_all(tasks).await {
        task.expect("a client finishes");
    }
}

/// Each client's request numbers, in the order given.
fn by_client<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<usize, Vec<usize>> {
    let mut clients: HashMap<usize, Vec<usize>> = HashMap::new();
    for id in ids {
        let (c, n) = id
            .strip_prefix('c')
            .and_then(|rest| rest.split_once('-'))
            .unwrap_or_else(|| panic!("a client's request id: {id}"));
        clients
            .entry(c.parse().expect("a client number"))
            .or_default()
            .push(n.parse().expect("a request number"));
    }
    clients
}

fn assert_each_once_in_order(clients: HashMap<usize, Vec<usize>>) {
    assert_eq!(clients.len(), CLIENTS);
    let sent: Vec<usize> = (0..EACH).collect();
    for (c, numbers) in clients {
        assert_eq!(
            numbers, sent,
            "client {c}: every request once, in its order"
        );
    }
}

#[actix_web::test]
async fn requests_of_several_clients_at_once_are_journaled_once_each_in_each_clients_order() {
    // Arrange
    let app = spawn_app("auth.json").await;

    // Act
    send_at_once(&app).await;
    let entries = journal_entries(&app, "/__admin/requests?limit=1000").await;

    // Assert: newest first, so each client's numbers come reversed.
    assert_eq!(entries.len(), CLIENTS * EACH);
    let ids: Vec<&str> = entries
        .iter()
        .rev()
        .map(|e| e["request_id"].as_str().expect("a request id"))
        .collect();
    assert_each_once_in_order(by_client(ids.into_iter()));
}

#[actix_web::test]
async fn the_har_of_requests_served_at_once_holds_each_once_in_each_clients_order() {
    // Arrange
    let app = spawn_app("auth.json").await;

    // Act
    send_at_once(&app).await;
    let har = app
        .get_json("/__admin/requests?format=har&limit=1000")
        .await;

    // Assert: oldest first; the id is in the response's X-Request-Id.
    let entries = har["log"]["entries"].as_array().expect("HAR entries");
    assert_eq!(entries.len(), CLIENTS * EACH);
    let ids = entries.iter().map(|e| {
        e["response"]["headers"]
            .as_array()
            .expect("response headers")
            .iter()
            .find(|h| {
                h["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case("x-request-id"))
            })
            .and_then(|h| h["value"].as_str())
            .expect("an X-Request-Id")
    });
    assert_each_once_in_order(by_client(ids));
}

#[actix_web::test]
async fn the_entry_limit_holds_over_requests_served_by_several_workers() {
    // Arrange
    let app = spawn_app_with(
        "auth.json",
        FROZEN_NOW,
        &[("TOOKEN__ADMIN__JOURNAL_CAPACITY", "10")],
    )
    .await;
    send_at_once(&app).await;

    // Act: one request after another, each on a connection of its own (so on either worker).
    for n in 0..EACH {
        let response = reqwest::Client::new()
            .get(app.url("/v1/tokens"))
            .bearer_auth(auth::READER)
            .header("X-Request-Id", format!("last-{n}"))
            .send()
            .await
            .expect("the request is answered");
        assert_eq!(response.status(), 200);
    }
    let entries = journal_entries(&app, "/__admin/requests?limit=1000").await;

    // Assert: the newest ten, newest first.
    let ids: Vec<&str> = entries
        .iter()
        .map(|e| e["request_id"].as_str().expect("a request id"))
        .collect();
    let expected: Vec<String> = (EACH - 10..EACH)
        .rev()
        .map(|n| format!("last-{n}"))
        .collect();
    assert_eq!(ids, expected);
}

//! Rule 39: `GET /__admin/coverage` lists every state of `GET /v1/tokens` a client can meet
//! and whether the session has been served it. Each state is driven over HTTP here, real or
//! forced, and must flip to served, alone; `DELETE` clears; each session has its own.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{auth, spawn_app, spawn_app_with, FROZEN_NOW};
use crate::in_session::InSession;
use crate::token_changes::new_reader;

/// The states the session has been served.
async fn served(session: InSession<'_>) -> BTreeSet<String> {
    let report = session.coverage().await;
    states(&report)
        .iter()
        .filter(|s| s["served"] == true)
        .map(|s| s["state"].as_str().expect("a name").to_owned())
        .collect()
}

fn states(report: &Value) -> &Vec<Value> {
    report["states"].as_array().expect("states is an array")
}

/// A request of the session: a path and query, a secret, a `Prefer` header.
struct Step<'a> {
    path: String,
    secret: Option<&'a str>,
    prefer: Option<&'a str>,
    /// The states this request newly shows.
    shows: &'a [&'a str],
}

fn step<'a>(path: &str, secret: Option<&'a str>, shows: &'a [&'a str]) -> Step<'a> {
    Step {
        path: path.to_owned(),
        secret,
        prefer: None,
        shows,
    }
}

/// Runs each step and checks that exactly the states it shows flipped to served.
async fn drive(session: InSession<'_>, steps: Vec<Step<'_>>) {
    for step in steps {
        let before = served(session).await;
        let mut request = session.request(Method::GET, &step.path);
        if let Some(secret) = step.secret {
            request = request.bearer_auth(secret);
        }
        if let Some(prefer) = step.prefer {
            request = request.header("Prefer", prefer);
        }
        let status = request.send().await.expect("answered").status();
        let after = served(session).await;
        let flipped: Vec<&String> = after.difference(&before).collect();
        assert_eq!(flipped, step.shows, "GET {} ({status})", step.path);
    }
}

#[actix_web::test]
async fn every_state_is_listed_and_flips_to_served_when_a_response_shows_it() {
    // Arrange: a rate limit high enough for every step but the one that spends it.
    let env = [("TOOKEN__RATE_LIMIT__REQUESTS_PER_MINUTE", "40")];
    let app = spawn_app_with("auth.json", FROZEN_NOW, &env).await;
    let s = app.session("s");
    let report = s.coverage().await;
    let names: BTreeSet<&str> = states(&report)
        .iter()
        .map(|s| s["state"].as_str().expect("a name"))
        .collect();
    assert_eq!(names.len(), states(&report).len(), "each state once");
    assert_eq!(report["total"], states(&report).len());
    assert_eq!(report["covered"], 0);
    for state in states(&report) {
        assert_eq!(
            (&state["served"], &state["count"]),
            (&json!(false), &json!(0)),
            "{state}"
        );
        assert!(
            state["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{state}"
        );
    }
    let mut future = new_reader("Not valid yet");
    future["created_at"] = json!("2026-06-01T00:00:00Z");
    let (_, not_yet) = s.create_token(&future).await;
    let long_name = format!("/v1/tokens?name={}", "x".repeat(257));
    let reader = Some(auth::READER);

    // Act / Assert: one request per state (or two that only come together).
    drive(
        s,
        vec![
            step("/v1/tokens", reader, &["page.non_empty"]),
            step("/v1/tokens?page=99", reader, &["page.past_the_end"]),
            step("/v1/tokens?per_page=4&page=3", reader, &["page.last"]),
            step(
                "/v1/tokens?status=active",
                reader,
                &["filter.status.active"],
            ),
            step(
                "/v1/tokens?status=expired",
                reader,
                &["filter.status.expired"],
            ),
            step(
                "/v1/tokens?status=revoked",
                reader,
                &["filter.status.revoked"],
            ),
            step("/v1/tokens?name=READ", reader, &["filter.name.matches"]),
            step(
                "/v1/tokens?name=nobody",
                reader,
                &["filter.name.no_matches", "page.empty_list"],
            ),
            step("/v1/tokens?page=0", reader, &["400.page"]),
            step("/v1/tokens?per_page=101", reader, &["400.per_page"]),
            step("/v1/tokens?status=Active", reader, &["400.status"]),
            step(&long_name, reader, &["400.name"]),
            step("/v1/tokens", None, &["401.missing_token"]),
            step("/v1/tokens", Some(auth::UNKNOWN), &["401.invalid_token"]),
            step("/v1/tokens", Some(auth::REVOKED), &["401.revoked"]),
            step("/v1/tokens", Some(auth::LAPSED), &["401.expired"]),
            step("/v1/tokens", Some(&not_yet), &["401.not_valid_yet"]),
            step(
                "/v1/tokens",
                Some(auth::DEPLOY_ONLY),
                &["403.insufficient_scope"],
            ),
            step("/v1/tokens?__delay=1", reader, &["delayed"]),
        ],
    )
    .await;
    let mut spend = Vec::new();
    for _ in 0..40 {
        spend.push(step("/v1/tokens", Some(auth::OBSERVER), &[]));
    }
    spend.push(step(
        "/v1/tokens",
        Some(auth::OBSERVER),
        &["429.rate_limited"],
    ));
    drive(s, spend).await;
    for (status, state) in [(500, "500.internal"), (503, "503.unavailable")] {
        let faults = json!({"latency_ms": {"fixed": 0, "jitter": 0}, "error_rate": 1.0, "error_status": status});
        s.admin(
            Method::PUT,
            "/__admin/faults",
            Some(&faults),
            StatusCode::OK,
        )
        .await;
        drive(s, vec![step("/v1/tokens", reader, &[state])]).await;
    }

    // Every state a client can meet was met over HTTP, and counted.
    let report = s.coverage().await;
    assert_eq!(report["covered"], report["total"], "{report}");
    let count = |name: &str| {
        states(&report)
            .iter()
            .find(|s| s["state"] == name)
            .expect("listed")["count"]
            .clone()
    };
    assert_eq!(count("429.rate_limited"), 1);
    assert_eq!(count("401.revoked"), 1);
    assert!(count("page.non_empty").as_u64() > Some(40), "{report}");
}

#[actix_web::test]
async fn forced_responses_count_for_the_state_they_force() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let s = app.session("s");
    let forced = |path: &str, prefer: Option<&'static str>, shows: &'static [&'static str]| Step {
        path: path.to_owned(),
        secret: None,
        prefer,
        shows,
    };

    // Act / Assert: no secret at all, yet each shows the state it forces.
    drive(
        s,
        vec![
            forced("/v1/tokens?__code=401", None, &["401.missing_token"]),
            forced("/v1/tokens", Some("code=403"), &["403.insufficient_scope"]),
            forced("/v1/tokens?__code=429", None, &["429.rate_limited"]),
            forced("/v1/tokens", Some("code=500"), &["500.internal"]),
            forced(
                "/v1/tokens?__code=400",
                None,
                &["400.per_page", "400.status"],
            ),
            forced("/v1/tokens?__example=empty", None, &["page.empty_list"]),
            forced(
                "/v1/tokens",
                Some("example=last_page"),
                &["page.last", "page.non_empty"],
            ),
            forced("/v1/tokens?__code=401&__delay=1", None, &["delayed"]),
        ],
    )
    .await;
}

#[actix_web::test]
async fn coverage_is_kept_per_session_and_cleared_by_delete() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let (a, b, default) = (app.session("a"), app.session("b"), app.default_session());

    // Act
    a.get("/v1/tokens", Some(auth::READER)).await;
    b.get("/v1/tokens", Some(auth::REVOKED)).await;
    default
        .get("/v1/tokens?status=revoked", Some(auth::READER))
        .await;

    // Assert
    assert_eq!(
        served(a).await,
        BTreeSet::from(["page.non_empty".to_owned()])
    );
    assert_eq!(served(b).await, BTreeSet::from(["401.revoked".to_owned()]));
    let in_default = served(default).await;
    assert_eq!(
        in_default,
        BTreeSet::from([
            "page.non_empty".to_owned(),
            "filter.status.revoked".to_owned()
        ])
    );

    // Act: a's report cleared.
    a.admin(
        Method::DELETE,
        "/__admin/coverage",
        None,
        StatusCode::NO_CONTENT,
    )
    .await;

    // Assert
    let report = a.coverage().await;
    assert_eq!(report["covered"], 0);
    assert!(states(&report).iter().all(|s| s["count"] == 0), "{report}");
    assert_eq!(served(b).await.len(), 1);
    assert_eq!(served(default).await, in_default);
}

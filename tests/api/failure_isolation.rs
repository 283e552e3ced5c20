//! Rule 34: one failure stays with the request it happened in. A store failure in one session
//! fails none of the listings of another, even those waiting on the same worker; a real panic
//! while listing (on a worker or on the scan thread) fails that listing only, and every worker
//! goes on serving.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use tempfile::TempDir;
use tooken_mock::domain::REQUIRED_SCOPE;
use tooken_mock::generate::{generate, GenerateOptions};

use crate::helpers::{spawn_app_from, TestApp};

/// How long one listing may take before it counts as a hang.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(20);

/// Generated tokens in one workspace: enough that a name filter's scan takes a while, so that
/// listings of other sessions are waiting on it when a failure happens.
const TOKENS: u64 = 60_000;

/// A server over generated data, a secret that may list, and a word of its name.
struct Generated {
    app: TestApp,
    secret: String,
    word: String,
    _dir: TempDir,
}

async fn serve_generated() -> Generated {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("generated.json");
    let mut bytes = Vec::new();
    let options = GenerateOptions {
        tokens: TOKENS,
        workspaces: 1,
        seed: 19,
    };
    let secrets = generate(&options, &mut bytes, &mut |_| {}).expect("generated");
    std::fs::write(&path, bytes).expect("written");
    let reader = secrets
        .iter()
        .find(|s| s.status == "active" && s.scopes.iter().any(|scope| scope == REQUIRED_SCOPE))
        .expect("an active secret that may list");
    let word = reader
        .name
        .split_whitespace()
        .next()
        .expect("a named token")
        .to_lowercase();
    let app = spawn_app_from(&path, "", &[]).await;
    let generated = Generated {
        app,
        secret: reader.secret.clone(),
        word,
        _dir: dir,
    };
    let first = get(&generated, &generated.named("a")).await;
    assert_eq!(first, StatusCode::OK, "the secret lists before any failure");
    generated
}

impl Generated {
    /// A name-filtered listing in `session`.
    fn named(&self, session: &str) -> String {
        format!("/v1/tokens?name={}&__session={session}", self.word)
    }

    /// Asks for the next listing of `session` to fail inside the store.
    async fn inject_failure(&self, session: &str) {
        let path = format!("/__admin/faults/store-failure?__session={session}");
        let response = self.app.request(Method::POST, &path, None).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }

    /// Starts `count` listings of `path` at once; their statuses, in order.
    async fn concurrently(&self, path: &str, count: usize) -> Vec<StatusCode> {
        let handles: Vec<_> = (0..count)
            .map(|_| {
                let (client, url, secret) = (
                    self.app.client.clone(),
                    self.app.url(path),
                    self.secret.clone(),
                );
                actix_web::rt::spawn(async move {
                    let sent = client.get(url).bearer_auth(secret).send();
                    tokio::time::timeout(ANSWER_TIMEOUT, sent)
                        .await
                        .expect("answered in time")
                        .expect("answered")
                        .status()
                })
            })
            .collect();
        let mut statuses = Vec::with_capacity(count);
        for handle in handles {
            statuses.push(handle.await.expect("the request task ends"));
        }
        statuses
    }
}

async fn get(generated: &Generated, path: &str) -> StatusCode {
    generated.concurrently(path, 1).await[0]
}

#[actix_web::test]
async fn a_store_failure_in_one_session_fails_none_of_the_listings_another_session_has_in_flight() {
    // Arrange
    let generated = serve_generated().await;
    let (a, b) = (generated.named("a"), generated.named("b"));

    for round in 0..5 {
        generated.inject_failure("b").await;

        // Act: session A's name filters wait on the workers while B's listing fails.
        let (statuses_a, status_b) =
            futures_util::future::join(generated.concurrently(&a, 30), async {
                actix_web::rt::time::sleep(Duration::from_millis(5)).await;
                get(&generated, &b).await
            })
            .await;

        // Assert
        assert_eq!(status_b, StatusCode::SERVICE_UNAVAILABLE, "round {round}");
        let failed = statuses_a.iter().filter(|s| **s != StatusCode::OK).count();
        assert_eq!(failed, 0, "round {round}: session A got {statuses_a:?}");
    }
}

/// Checks that after a panic, `count` listings in a row of `path` are all 200: every worker
/// (two in tests) and the scan thread serve.
async fn assert_all_served(generated: &Generated, path: &str, count: usize) {
    for n in 0..count {
        assert_eq!(
            get(generated, path).await,
            StatusCode::OK,
            "listing {n} of {path}"
        );
    }
}

#[actix_web::test]
async fn a_panic_while_scanning_names_fails_that_listing_only_and_the_scan_thread_serves_on() {
    // Arrange
    let generated = serve_generated().await;
    let path = generated.named("a");

    for _ in 0..3 {
        generated.inject_failure("a").await;

        // Act
        let failed = get(&generated, &path).await;

        // Assert
        assert_eq!(failed, StatusCode::SERVICE_UNAVAILABLE);
        assert_all_served(&generated, &path, 6).await;
    }
}

#[actix_web::test]
async fn a_panic_while_listing_on_a_worker_fails_that_listing_only_and_every_worker_serves_on() {
    // Arrange
    let generated = serve_generated().await;
    let path = "/v1/tokens?__session=a&per_page=5";

    for _ in 0..3 {
        generated.inject_failure("a").await;

        // Act
        let failed = get(&generated, path).await;

        // Assert
        assert_eq!(failed, StatusCode::SERVICE_UNAVAILABLE);
        // Both workers, several times over (connections are spread across them).
        let statuses = generated.concurrently(path, 12).await;
        assert!(
            statuses.iter().all(|s| *s == StatusCode::OK),
            "after the panic: {statuses:?}"
        );
        assert_all_served(&generated, path, 6).await;
    }
}

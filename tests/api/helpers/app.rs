//! The application in-process on port 0 (`spawn_app`), and requests to it.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use config::Environment;
use reqwest::{Method, Response, StatusCode};
use serde_json::Value;
use tooken_mock::clock::Clock;
use tooken_mock::settings::{Overrides, Settings};
use tooken_mock::startup::Application;

use super::{fixture, FROZEN_NOW};

/// An application served on a free port, with its clock and an HTTP client.
pub struct TestApp {
    pub address: SocketAddr,
    pub clock: Arc<Clock>,
    pub client: reqwest::Client,
}

/// Serves `fixture` with the clock frozen at [`FROZEN_NOW`].
pub async fn spawn_app(fixture_name: &str) -> TestApp {
    spawn_app_with(fixture_name, FROZEN_NOW, &[]).await
}

/// Serves `fixture` with the clock frozen at `now` (an empty `now` follows real time).
pub async fn spawn_app_at(fixture_name: &str, now: &str) -> TestApp {
    spawn_app_with(fixture_name, now, &[]).await
}

/// Serves `fixture` at `now`, with `env` as the only `TOOKEN__*` variables: the developer's
/// own environment never reaches the settings. Must run inside an actix system.
pub async fn spawn_app_with(fixture_name: &str, now: &str, env: &[(&str, &str)]) -> TestApp {
    spawn_app_from(&fixture(fixture_name), now, env).await
}

/// As [`spawn_app_with`], serving the snapshot file at `path`. A server listening on every
/// interface (`TOOKEN__SERVER__HOST=0.0.0.0`) is reached through 127.0.0.1.
pub async fn spawn_app_from(path: &Path, now: &str, env: &[(&str, &str)]) -> TestApp {
    // Two workers keep the thread count low when every test runs its own server.
    let mut vars: HashMap<String, String> =
        HashMap::from([("TOOKEN__SERVER__WORKERS".to_owned(), "2".to_owned())]);
    vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let overrides = Overrides {
        port: Some(0),
        snapshot: Some(path.to_owned()),
        now: Some(now.to_owned()),
        ..Default::default()
    };
    let settings = Settings::load_from(
        &overrides,
        Environment::with_prefix("TOOKEN").source(Some(vars)),
    )
    .expect("the test settings are valid");
    let app = Application::build(&settings).expect("the application starts");
    let mut address = app.address();
    if address.ip().is_unspecified() {
        address.set_ip(Ipv4Addr::LOCALHOST.into());
    }
    let clock = app.clock();
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp {
        address,
        clock,
        client: reqwest::Client::new(),
    }
}

impl TestApp {
    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{}", self.address, path_and_query)
    }

    /// `GET`, with `Authorization: Bearer <secret>` when a secret is given.
    pub async fn get(&self, path_and_query: &str, secret: Option<&str>) -> Response {
        self.request(Method::GET, path_and_query, secret).await
    }

    /// Any method, with `Authorization: Bearer <secret>` when a secret is given.
    pub async fn request(
        &self,
        method: Method,
        path_and_query: &str,
        secret: Option<&str>,
    ) -> Response {
        let mut request = self.client.request(method, self.url(path_and_query));
        if let Some(secret) = secret {
            request = request.bearer_auth(secret);
        }
        request.send().await.expect("the request is answered")
    }

    /// `GET` with a raw `Authorization` header value.
    pub async fn get_with_authorization(&self, path_and_query: &str, value: &str) -> Response {
        self.client
            .get(self.url(path_and_query))
            .header("Authorization", value)
            .send()
            .await
            .expect("the request is answered")
    }

    /// A request with a JSON body.
    pub async fn send_json(&self, method: Method, path: &str, body: &Value) -> Response {
        self.client
            .request(method, self.url(path))
            .json(body)
            .send()
            .await
            .expect("the request is answered")
    }

    /// A request with a raw body, sent as `application/json`.
    pub async fn send_body(&self, method: Method, path: &str, body: Vec<u8>) -> Response {
        self.client
            .request(method, self.url(path))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .expect("the request is answered")
    }

    /// `GET` of a JSON document that must answer 200 (no credentials).
    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.expect("a JSON body")
    }

    /// `GET` that must answer 200; returns the body.
    pub async fn list(&self, path_and_query: &str, secret: &str) -> Value {
        let response = self.get(path_and_query, Some(secret)).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path_and_query}");
        response.json().await.expect("a JSON body")
    }
}

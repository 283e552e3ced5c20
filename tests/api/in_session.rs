//! Requests made in one session (`X-Mock-Session: <name>`), or in the default session, so
//! that tests read like what a parallel test suite does.

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::TestApp;

/// A session of a test server: named (every request carries `X-Mock-Session`) or the
/// default one (no selector at all).
#[derive(Clone, Copy)]
pub struct InSession<'a> {
    pub app: &'a TestApp,
    pub name: Option<&'a str>,
}

impl TestApp {
    /// Requests in the session `name`.
    pub fn session<'a>(&'a self, name: &'a str) -> InSession<'a> {
        InSession {
            app: self,
            name: Some(name),
        }
    }

    /// Requests without a selector.
    pub fn default_session(&self) -> InSession<'_> {
        InSession {
            app: self,
            name: None,
        }
    }
}

impl InSession<'_> {
    /// A request with this session's selector, if it has one.
    pub fn request(&self, method: Method, path_and_query: &str) -> RequestBuilder {
        let request = self
            .app
            .client
            .request(method, self.app.url(path_and_query));
        match self.name {
            Some(name) => request.header("X-Mock-Session", name),
            None => request,
        }
    }

    /// `GET`, with `Authorization: Bearer <secret>` when a secret is given.
    pub async fn get(&self, path_and_query: &str, secret: Option<&str>) -> Response {
        let mut request = self.request(Method::GET, path_and_query);
        if let Some(secret) = secret {
            request = request.bearer_auth(secret);
        }
        request.send().await.expect("the request is answered")
    }

    /// A listing that must answer 200; returns the body.
    pub async fn list(&self, path_and_query: &str, secret: &str) -> Value {
        let response = self.get(path_and_query, Some(secret)).await;
        let status = response.status();
        let text = response.text().await.expect("a body");
        assert_eq!(
            status,
            StatusCode::OK,
            "{:?} GET {path_and_query}: {text}",
            self.name
        );
        serde_json::from_str(&text).expect("a JSON body")
    }

    /// A request with a JSON body.
    pub async fn send_json(&self, method: Method, path: &str, body: &Value) -> Response {
        self.request(method, path)
            .json(body)
            .send()
            .await
            .expect("the request is answered")
    }

    /// An admin call that must answer `expected`; returns the body (`null` when empty).
    pub async fn admin(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        expected: StatusCode,
    ) -> Value {
        let mut request = self.request(method.clone(), path);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("the request is answered");
        let status = response.status();
        let text = response.text().await.expect("a body");
        assert_eq!(status, expected, "{:?} {method} {path}: {text}", self.name);
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("a JSON body")
        }
    }

    /// Freezes the session's clock at `at`.
    pub async fn freeze(&self, at: &str) {
        let body = json!({ "now": at });
        self.admin(Method::PUT, "/__admin/clock", Some(&body), StatusCode::OK)
            .await;
    }

    /// The session's clock, as `GET /__admin/clock` reads it.
    pub async fn now(&self) -> String {
        let clock = self
            .admin(Method::GET, "/__admin/clock", None, StatusCode::OK)
            .await;
        clock["now"].as_str().expect("now is a string").to_owned()
    }

    /// Creates a token (`POST /__admin/tokens`, which must answer 201): token and secret.
    pub async fn create_token(&self, fields: &Value) -> (Value, String) {
        let created = self
            .admin(
                Method::POST,
                "/__admin/tokens",
                Some(fields),
                StatusCode::CREATED,
            )
            .await;
        let secret = created["secret"].as_str().expect("a secret").to_owned();
        (created["token"].clone(), secret)
    }

    /// Changes a token (`PATCH /__admin/tokens/<id>`, which must answer 200).
    pub async fn patch_token(&self, id: &str, fields: &Value) -> Value {
        let path = format!("/__admin/tokens/{id}");
        self.admin(Method::PATCH, &path, Some(fields), StatusCode::OK)
            .await
    }

    /// The session's journal, newest first.
    pub async fn journal(&self) -> Vec<Value> {
        let body = self
            .admin(Method::GET, "/__admin/requests", None, StatusCode::OK)
            .await;
        body["data"].as_array().expect("data is an array").clone()
    }

    /// The session's coverage report.
    pub async fn coverage(&self) -> Value {
        self.admin(Method::GET, "/__admin/coverage", None, StatusCode::OK)
            .await
    }
}

/// `GET /__admin/sessions`: the named sessions, by name.
pub async fn sessions(app: &TestApp) -> Vec<Value> {
    let body = app.get_json("/__admin/sessions").await;
    body["data"].as_array().expect("data is an array").clone()
}

/// The names `GET /__admin/sessions` lists.
pub async fn session_names(app: &TestApp) -> Vec<String> {
    sessions(app)
        .await
        .iter()
        .map(|s| s["name"].as_str().expect("a name").to_owned())
        .collect()
}

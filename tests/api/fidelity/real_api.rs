//! "The real API" of the fidelity tests: a tooken-mock serving generated data, behind a small
//! server of its own that forwards `GET /v1/tokens` and changes the answers as a [`Drift`]
//! says, the way a real API moves after the mock was made from it.

use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{Map, Value};
use tempfile::TempDir;
use tooken_mock::generate::{generate, DemoSecret, GenerateOptions};

use crate::helpers::{spawn_app_from, TestApp};

/// After every generated `created_at`, before the generated active tokens expire.
pub const LATE_NOW: &str = "2027-01-15T00:00:00Z";

/// How the real API has moved away from the mock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drift {
    /// Not at all.
    None,
    /// Each token's `name` is now `title`, in the same place.
    Renamed,
    /// Pages list their tokens newest first.
    Order,
    /// No `Link` header any more.
    LinkDropped,
    /// A token without `tokens:read` gets 401 instead of 403.
    Unauthorized,
}

/// The real API's address, and the drift it applies from now on.
pub struct RealApi {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    drift: Arc<Mutex<Drift>>,
    _upstream: TestApp,
}

impl RealApi {
    pub fn drift(&self, drift: Drift) {
        *self.drift.lock().expect("drift lock") = drift;
    }
}

/// The secrets a client of the real API holds.
pub struct Secrets {
    /// An active token with `tokens:read`: 200.
    pub reader: DemoSecret,
    /// An active token without `tokens:read`: 403.
    pub forbidden: DemoSecret,
}

/// 250 generated tokens in one workspace, served at [`LATE_NOW`] behind the drifting layer.
pub async fn spawn_real_api(dir: &TempDir) -> (RealApi, Secrets) {
    let path = dir.path().join("real.json");
    let options = GenerateOptions {
        tokens: 250,
        workspaces: 1,
        seed: 23,
    };
    let mut file = std::fs::File::create(&path).expect("a file");
    let secrets = generate(&options, &mut file, &mut |_| {}).expect("generated");
    let find = |outcome: &str| {
        secrets
            .iter()
            .find(|s| s.outcome.starts_with(outcome) && s.status == "active")
            .cloned()
            .unwrap_or_else(|| panic!("a generated secret answered {outcome}"))
    };
    let secrets = Secrets {
        reader: find("200"),
        forbidden: find("403"),
    };
    let upstream = spawn_app_from(&path, LATE_NOW, &[]).await;
    let drift = Arc::new(Mutex::new(Drift::None));
    let state = web::Data::new((upstream.url(""), drift.clone(), reqwest::Client::new()));
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/v1/tokens", web::get().to(forward))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .expect("binds");
    let base = format!("http://{}", server.addrs()[0]);
    actix_web::rt::spawn(server.run());
    let api = RealApi {
        base,
        drift,
        _upstream: upstream,
    };
    (api, secrets)
}

type State = web::Data<(String, Arc<Mutex<Drift>>, reqwest::Client)>;

/// Forwards the request to the tooken-mock and drifts its answer.
async fn forward(req: HttpRequest, state: State) -> HttpResponse {
    let (upstream, drift, client) = state.get_ref();
    let drift = *drift.lock().expect("drift lock");
    let mut url = format!("{upstream}/v1/tokens");
    if !req.query_string().is_empty() {
        url = format!("{url}?{}", req.query_string());
    }
    let mut request = client.get(url);
    for (name, value) in req.headers() {
        if name != "host" {
            request = request.header(name.as_str(), value.as_bytes());
        }
    }
    let answer = request.send().await.expect("the upstream answers");
    let mut status = answer.status().as_u16();
    let mut headers: Vec<(String, String)> = answer
        .headers()
        .iter()
        .filter(|(n, _)| !matches!(n.as_str(), "content-length" | "date" | "transfer-encoding"))
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().expect("text").to_owned()))
        .collect();
    let mut body: Value = answer.json().await.expect("a JSON body");
    match drift {
        Drift::None => {}
        Drift::Renamed => each_token(&mut body, |token| {
            *token = token
                .iter()
                .map(|(k, v)| (if k == "name" { "title" } else { k }.to_owned(), v.clone()))
                .collect::<Map<String, Value>>();
        }),
        Drift::Order => {
            if let Some(data) = body.get_mut("data").and_then(Value::as_array_mut) {
                data.reverse();
            }
        }
        Drift::LinkDropped => headers.retain(|(n, _)| n != "link"),
        Drift::Unauthorized if status == 403 => {
            status = 401;
            body["status"] = Value::from(401);
            body["code"] = Value::from("invalid_token");
            body["title"] = Value::from("Unauthorized");
            for (name, value) in &mut headers {
                if name == "www-authenticate" {
                    *value = "Bearer error=\"invalid_token\"".to_owned();
                }
            }
        }
        Drift::Unauthorized => {}
    }
    let mut response =
        HttpResponse::build(actix_web::http::StatusCode::from_u16(status).expect("a status"));
    for (name, value) in headers {
        response.append_header((name, value));
    }
    response.body(body.to_string())
}

fn each_token(body: &mut Value, mut change: impl FnMut(&mut Map<String, Value>)) {
    if let Some(data) = body.get_mut("data").and_then(Value::as_array_mut) {
        for token in data.iter_mut().filter_map(Value::as_object_mut) {
            change(token);
        }
    }
}

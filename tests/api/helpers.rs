//! Shared test plumbing: an in-process server on port 0 (`spawn_app`), the real binary
//! (`Binary`), fixture paths and their secrets, and assertions on problem bodies.

use std::collections::{BTreeMap, HashMap};
use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use config::Environment;
use reqwest::header::HeaderMap;
use reqwest::{Method, Response, StatusCode};
use serde_json::Value;
use tooken_mock::clock::Clock;
use tooken_mock::settings::{Overrides, Settings};
use tooken_mock::startup::Application;

/// The instant most tests freeze the clock at.
pub const FROZEN_NOW: &str = "2026-05-01T00:00:00Z";

/// The exact challenge of a request without bearer credentials (RFC 6750 §3).
pub const MISSING_TOKEN_CHALLENGE: &str = r#"Bearer realm="tooken""#;

/// The exact challenge of a token without `tokens:read`.
pub const INSUFFICIENT_SCOPE_CHALLENGE: &str =
    r#"Bearer realm="tooken", error="insufficient_scope", scope="tokens:read""#;

/// The secrets of `tests/fixtures/auth.json` (workspace `ws_auth`).
pub mod auth {
    pub const READER: &str = "tok_live_AuthReader00000000000000001";
    pub const OBSERVER: &str = "tok_live_AuthObserver000000000000002";
    pub const DEPLOY_ONLY: &str = "tok_live_AuthDeployOnly0000000000003";
    pub const WRITE_ONLY: &str = "tok_live_AuthWriteOnly00000000000004";
    pub const BAD_QUERY_SENDER: &str = "tok_live_AuthBadQuery000000000000005";
    pub const REVOKED: &str = "tok_live_AuthRevoked0000000000000006";
    /// Stored with status `expired`.
    pub const EXPIRED: &str = "tok_live_AuthExpired0000000000000007";
    /// Stored `active`, but its `expires_at` (2026-04-30T23:59:59Z) precedes [`super::FROZEN_NOW`].
    pub const LAPSED: &str = "tok_live_AuthLapsed00000000000000008";
    /// Well formed, but no token has it.
    pub const UNKNOWN: &str = "tok_live_NobodyHasThisSecret000000009";
    pub const ALL: [&str; 8] = [
        READER,
        OBSERVER,
        DEPLOY_ONLY,
        WRITE_ONLY,
        BAD_QUERY_SENDER,
        REVOKED,
        EXPIRED,
        LAPSED,
    ];
}

/// The secret of the token "Observer" of `names.json`.
pub const NAMES_OBSERVER: &str = "tok_live_NamesObserver00000000000001";
/// The secret of the token "Pager" of `paging.json`.
pub const PAGER: &str = "tok_live_PagingReader000000000000001";
/// The secret of the token "Format reader" of `formats.json`.
pub const FORMAT_READER: &str = "tok_live_FormatReader000000000000001";

/// The secrets of `tests/fixtures/workspaces.json`.
pub const NORTH_READER: &str = "tok_live_NorthReader0000000000000001";
pub const SOUTH_READER: &str = "tok_live_SouthReader0000000000000002";

/// The path of a file under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

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

/// The `name` of every token in a listing's `data`, in order.
pub fn names(body: &Value) -> Vec<String> {
    field_of_each(body, "name")
}

/// The `id` of every token in a listing's `data`, in order.
pub fn ids(body: &Value) -> Vec<String> {
    field_of_each(body, "id")
}

fn field_of_each(body: &Value, field: &str) -> Vec<String> {
    body["data"]
        .as_array()
        .expect("data is an array")
        .iter()
        .map(|token| token[field].as_str().expect("a string field").to_owned())
        .collect()
}

/// The token named `name` in a listing's `data`.
pub fn token_named<'a>(body: &'a Value, name: &str) -> &'a Value {
    body["data"]
        .as_array()
        .expect("data is an array")
        .iter()
        .find(|token| token["name"] == name)
        .unwrap_or_else(|| panic!("no token named {name} in {body}"))
}

/// A header's value as text; panics if absent.
pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .expect("a visible ASCII header value")
}

/// The `Link` header as `rel -> URL`.
pub fn links(headers: &HeaderMap) -> BTreeMap<String, String> {
    let value = header(headers, "link");
    value
        .split(", ")
        .map(|part| {
            let (url, rel) = part.split_once(">; rel=\"").expect("<url>; rel=\"...\"");
            let url = url.strip_prefix('<').expect("a link starts with <");
            let rel = rel.strip_suffix('"').expect("a quoted rel");
            (rel.to_owned(), url.to_owned())
        })
        .collect()
}

/// Builds the expected `rel -> URL` map.
pub fn link_map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(rel, url)| (rel.to_string(), url.to_string()))
        .collect()
}

/// Checks that `response` is an RFC 9457 problem with this status and code, whose
/// `request_id` is the response's `X-Request-Id`; returns the body.
pub async fn assert_problem(response: Response, status: StatusCode, code: &str) -> Value {
    let url = response.url().to_string();
    assert_eq!(response.status(), status, "{url}");
    let headers = response.headers().clone();
    assert_eq!(
        header(&headers, "content-type"),
        "application/problem+json",
        "{url}"
    );
    let body: Value = response.json().await.expect("a JSON problem body");
    assert_eq!(body["type"], "about:blank", "{url}: {body}");
    let title = status.canonical_reason().expect("a known status");
    assert_eq!(body["title"], title, "{url}: {body}");
    assert_eq!(body["status"], status.as_u16(), "{url}: {body}");
    assert_eq!(body["code"], code, "{url}: {body}");
    let detail = body["detail"].as_str();
    assert!(detail.is_some_and(|d| !d.is_empty()), "{url}: {body}");
    assert_eq!(
        body["request_id"],
        header(&headers, "x-request-id"),
        "{url}"
    );
    body
}

/// The `parameter` of every entry of a 400's `errors`, in order.
pub fn failing_parameters(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .expect("errors is an array")
        .iter()
        .map(|e| {
            e["parameter"]
                .as_str()
                .expect("parameter is a string")
                .to_owned()
        })
        .collect()
}

/// Every object key of a JSON text, in the order written (serde_json's `Value` sorts them).
pub fn keys_in_order(json: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut chars = json.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut text = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => break,
                c => text.push(c),
            }
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek() == Some(&':') {
            keys.push(text);
        }
    }
    keys
}

/// Percent-encodes every byte of `text` except unreserved characters.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Whether `id` is a generated request id: `req_` and 24 lowercase letters or digits.
pub fn is_generated_request_id(id: &str) -> bool {
    id.strip_prefix("req_").is_some_and(|rest| {
        rest.len() == 24
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// How long a spawned binary gets to print its banner or to exit.
pub const PROCESS_TIMEOUT: Duration = Duration::from_secs(20);

/// The `tooken-mock` binary running as a child process; killed when dropped.
pub struct Binary {
    child: Child,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    exited: Option<ExitStatus>,
}

impl Binary {
    /// Starts the binary with `args` and, of all `TOOKEN*` variables, only `env`.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Binary {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tooken-mock"));
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, _) in std::env::vars_os() {
            if key
                .to_string_lossy()
                .to_ascii_uppercase()
                .starts_with("TOOKEN")
            {
                command.env_remove(key);
            }
        }
        command.envs(env.iter().copied());
        let mut child = command.spawn().expect("the binary starts");
        let stdout = drain(child.stdout.take().expect("piped stdout"));
        let stderr = drain(child.stderr.take().expect("piped stderr"));
        Binary {
            child,
            stdout,
            stderr,
            exited: None,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything printed on standard output so far.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().expect("output lock")).into_owned()
    }

    /// Everything printed on standard error so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().expect("output lock")).into_owned()
    }

    /// Waits for the serving banner and returns the base URL (`http://127.0.0.1:PORT`) read
    /// from its `API` line. Panics if the process exits or the timeout passes first.
    pub async fn wait_for_banner(&mut self) -> String {
        let deadline = Instant::now() + PROCESS_TIMEOUT;
        loop {
            let stdout = self.stdout();
            if let Some(base) = banner_base_url(&stdout) {
                if stdout.contains("Try it") {
                    return base;
                }
            }
            if let Some(status) = self.try_exit() {
                panic!(
                    "the binary exited ({status}) before serving\nstdout:\n{stdout}\nstderr:\n{}",
                    self.stderr()
                );
            }
            assert!(
                Instant::now() < deadline,
                "no banner within {PROCESS_TIMEOUT:?}\nstdout:\n{stdout}\nstderr:\n{}",
                self.stderr()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits for the process to exit and returns its status; panics after the timeout.
    pub async fn wait_for_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PROCESS_TIMEOUT;
        loop {
            if let Some(status) = self.try_exit() {
                // Let the reader threads take the last of the output.
                tokio::time::sleep(Duration::from_millis(50)).await;
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "still running after {PROCESS_TIMEOUT:?}\nstdout:\n{}\nstderr:\n{}",
                self.stdout(),
                self.stderr()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits until standard error contains `needle` and returns all of it; panics if the
    /// timeout passes first.
    pub async fn wait_for_stderr(&self, needle: &str) -> String {
        let deadline = Instant::now() + PROCESS_TIMEOUT;
        loop {
            let stderr = self.stderr();
            if stderr.contains(needle) {
                return stderr;
            }
            assert!(
                Instant::now() < deadline,
                "no {needle:?} on standard error within {PROCESS_TIMEOUT:?}:\n{stderr}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    fn try_exit(&mut self) -> Option<ExitStatus> {
        if self.exited.is_none() {
            self.exited = self.child.try_wait().expect("the child can be polled");
        }
        self.exited
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        if self.try_exit().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs the binary to completion: its exit status, standard output and standard error.
pub async fn run_binary(args: &[&str], env: &[(&str, &str)]) -> (ExitStatus, String, String) {
    let mut binary = Binary::start(args, env);
    let status = binary.wait_for_exit().await;
    (status, binary.stdout(), binary.stderr())
}

/// Reads a pipe to its end on its own thread, so the child never blocks on a full pipe.
fn drain(mut pipe: impl Read + Send + 'static) -> Arc<Mutex<Vec<u8>>> {
    let text = Arc::new(Mutex::new(Vec::new()));
    let sink = text.clone();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buffer) {
            if n == 0 {
                break;
            }
            sink.lock()
                .expect("output lock")
                .extend_from_slice(&buffer[..n]);
        }
    });
    text
}

/// The base URL of the banner line `API         http://127.0.0.1:PORT/v1/tokens`.
pub fn banner_base_url(stdout: &str) -> Option<String> {
    stdout.lines().find_map(|line| {
        let url = line.trim().strip_prefix("API")?.trim();
        url.strip_suffix("/v1/tokens").map(str::to_owned)
    })
}

/// A fresh directory under the system's temporary directory, removed with its contents
/// when dropped.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let unique = format!(
            "tooken-mock-{label}-{}-{nanos}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(unique);
        std::fs::create_dir_all(&path).expect("the temporary directory is created");
        TempDir { path }
    }

    /// The path of `name` inside the directory.
    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// How long a raw connection may stay silent before the server is deemed to hang.
pub const RAW_TIMEOUT: Duration = Duration::from_secs(10);

/// What came back on a raw connection.
#[derive(Debug)]
pub struct RawResponse {
    /// The status of the response, or `None` if the server closed the connection without one.
    pub status: Option<u16>,
    /// Everything read, as text (invalid UTF-8 replaced).
    pub text: String,
}

/// Opens a connection to `address` and writes `bytes` exactly as given: what `reqwest`
/// refuses to send (raw bytes above 0x7f, NUL, half a request, no HTTP at all).
pub fn send_raw(address: SocketAddr, bytes: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(address).expect("the server accepts connections");
    stream
        .set_read_timeout(Some(RAW_TIMEOUT))
        .expect("a read timeout");
    stream
        .set_write_timeout(Some(RAW_TIMEOUT))
        .expect("a write timeout");
    // The server may refuse and close before it has read everything: that is an answer too.
    let _ = stream.write_all(bytes).and_then(|()| stream.flush());
    stream
}

/// Reads until the server closes the connection; panics if it stays silent for
/// [`RAW_TIMEOUT`]. Runs on the blocking pool, so an in-process server keeps running.
pub async fn read_until_closed(mut stream: TcpStream) -> RawResponse {
    tokio::task::spawn_blocking(move || {
        let mut received = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    panic!(
                        "no answer and no close within {RAW_TIMEOUT:?}; read so far: {:?}",
                        String::from_utf8_lossy(&received)
                    )
                }
                // A reset after (or instead of) a response: the connection is closed.
                Err(_) => break,
            }
        }
        let text = String::from_utf8_lossy(&received).into_owned();
        let status = text
            .strip_prefix("HTTP/1.1 ")
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok());
        RawResponse { status, text }
    })
    .await
    .expect("the reading task completes")
}

/// Writes `bytes` on a fresh connection and reads until the server closes it.
pub async fn raw_exchange(address: SocketAddr, bytes: &[u8]) -> RawResponse {
    read_until_closed(send_raw(address, bytes)).await
}

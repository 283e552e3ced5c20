//! Rules 7 and 31 and "Exposure" of docs/operating.md: no secret in any response, header, log line or
//! metric; the store-failure fault is guarded like the rest of the admin API; the binary
//! listens on loopback unless told otherwise.
//!
//! The rest of the admin API beyond loopback is covered in `admin.rs`
//! (`beyond_loopback_every_admin_route_needs_the_admin_token`,
//! `beyond_loopback_without_an_admin_token_the_admin_api_is_off`), the built-in default host
//! by the settings' unit tests, and the banner's address in `running.rs`.

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::helpers::{
    assert_problem, auth, fixture, spawn_app_with, Binary, TestApp, FROZEN_NOW, NORTH_READER,
};

const ADMIN_TOKEN: &str = "admin-token-for-security-tests";

/// What the banner's curl line shows instead of a secret of a snapshot file.
const BANNER_PLACEHOLDER: &str = "Bearer <a secret from your snapshot>";

/// One response of the session, as text to sweep.
struct Exchange {
    what: String,
    status: StatusCode,
    headers: String,
    body: String,
}

/// Requests against a running binary, every response kept.
struct Session {
    base: String,
    client: reqwest::Client,
    exchanges: Vec<Exchange>,
}

impl Session {
    fn new(base: String) -> Session {
        Session {
            base,
            client: reqwest::Client::new(),
            exchanges: Vec::new(),
        }
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    /// Sends the request and keeps its response; returns the status.
    async fn send(&mut self, what: impl Into<String>, request: RequestBuilder) -> StatusCode {
        let response: Response = request.send().await.expect("the request is answered");
        let status = response.status();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| format!("{name}: {}\n", String::from_utf8_lossy(value.as_bytes())))
            .collect();
        let body = response.text().await.expect("a body");
        self.exchanges.push(Exchange {
            what: what.into(),
            status,
            headers,
            body,
        });
        status
    }
}

fn sha256_hex(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `auth.json` with the secret of token `index` replaced.
fn auth_fixture_with_secret(index: usize, secret: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(fixture("auth.json")).expect("the fixture exists");
    let mut document: Value = serde_json::from_str(&text).expect("JSON");
    document["workspaces"][0]["tokens"][index]["secret"] = Value::from(secret);
    serde_json::to_vec(&document).expect("serialisable")
}

/// Drives every kind of answer: listings, 400, 401, 403, 404, 405, forced codes, a store
/// failure, refused snapshots, the export, the journal, the probes and the metrics.
async fn varied_session(session: &mut Session, secrets: &[&str]) {
    for secret in secrets {
        let tag = &secret[9..20];
        session
            .send(
                format!("{tag} list"),
                session.get("/v1/tokens?per_page=100").bearer_auth(secret),
            )
            .await;
        session
            .send(
                format!("{tag} bad query"),
                session
                    .get("/v1/tokens?page=0&status=x")
                    .bearer_auth(secret),
            )
            .await;
        for value in [
            format!("bearer   {secret}"),
            format!("Basic {secret}"),
            secret.to_string(),
        ] {
            session
                .send(
                    format!("{tag} authorization {}", &value[..6]),
                    session.get("/v1/tokens").header("Authorization", value),
                )
                .await;
        }
        session
            .send(
                format!("{tag} HEAD"),
                session
                    .request(Method::HEAD, "/v1/tokens")
                    .bearer_auth(secret),
            )
            .await;
        session
            .send(
                format!("{tag} POST"),
                session
                    .request(Method::POST, "/v1/tokens")
                    .bearer_auth(secret),
            )
            .await;
        session
            .send(
                format!("{tag} __code=429"),
                session.get("/v1/tokens?__code=429").bearer_auth(secret),
            )
            .await;
        session
            .send(
                format!("{tag} Prefer code=500"),
                session
                    .get("/v1/tokens")
                    .bearer_auth(secret)
                    .header("Prefer", "code=500"),
            )
            .await;
        session
            .send(
                format!("{tag} unknown path"),
                session.get("/v1/secrets").bearer_auth(secret),
            )
            .await;
    }
    let reader = auth::READER;
    session
        .send(
            "two credentials",
            session
                .get("/v1/tokens")
                .bearer_auth(reader)
                .bearer_auth(auth::OBSERVER),
        )
        .await;
    for prefer in ["code=999", "example=empty", "code=401", "delay=x"] {
        session
            .send(
                format!("Prefer {prefer}"),
                session
                    .get("/v1/tokens")
                    .bearer_auth(reader)
                    .header("Prefer", prefer),
            )
            .await;
    }
    for (what, body) in [
        ("duplicate secret", auth_fixture_with_secret(1, reader)),
        (
            "malformed secret",
            auth_fixture_with_secret(0, &format!("{reader}!")),
        ),
    ] {
        session
            .send(
                what,
                session
                    .request(Method::PUT, "/__admin/snapshot")
                    .header("Content-Type", "application/json")
                    .body(body),
            )
            .await;
    }
    session
        .send(
            "store failure",
            session.request(Method::POST, "/__admin/faults/store-failure"),
        )
        .await;
    session
        .send(
            "failed listing",
            session.get("/v1/tokens").bearer_auth(reader),
        )
        .await;
    session
        .send("reset", session.request(Method::POST, "/__admin/reset"))
        .await;
    for path in [
        "/__admin/snapshot",
        "/__admin/requests?limit=1000",
        "/__admin/faults",
        "/__admin/clock",
        "/readyz",
        "/healthz",
        "/metrics",
    ] {
        session
            .send(path, session.get(path).bearer_auth(reader))
            .await;
    }
}

#[tokio::test]
async fn no_secret_appears_in_any_response_header_log_line_or_metric_of_a_varied_session() {
    // Arrange: a snapshot file, so the banner prints no secret by design; debug logging.
    let snapshot = fixture("auth.json");
    let mut binary = Binary::start(
        &[
            "--port",
            "0",
            "--snapshot",
            snapshot.to_str().expect("UTF-8"),
            "--now",
            FROZEN_NOW,
        ],
        &[("TOOKEN__LOG__LEVEL", "debug")],
    );
    let base = binary.wait_for_banner().await;
    let mut secrets = auth::ALL.to_vec();
    secrets.push(auth::UNKNOWN);
    let mut session = Session::new(base);

    // Act
    varied_session(&mut session, &secrets).await;
    session
        .send(
            "last",
            session.get("/healthz").header("X-Request-Id", "sweep-done"),
        )
        .await;
    let stderr = binary.wait_for_stderr("sweep-done").await;
    let stdout = binary.stdout();

    // Assert: the session was varied, and the logs were written.
    let statuses: Vec<u16> = session
        .exchanges
        .iter()
        .map(|e| e.status.as_u16())
        .collect();
    for expected in [200, 202, 400, 401, 403, 404, 405, 422, 429, 500, 503] {
        assert!(statuses.contains(&expected), "{expected} in {statuses:?}");
    }
    assert!(stderr.contains("tok_authreader00000000000000"), "{stderr}");
    assert!(stdout.contains(BANNER_PLACEHOLDER), "{stdout}");

    // Assert: no secret anywhere; no digest outside the export, which carries digests by design.
    for secret in &secrets {
        let digest = sha256_hex(secret);
        for exchange in &session.exchanges {
            let Exchange {
                what,
                status,
                headers,
                body,
            } = exchange;
            assert!(!headers.contains(secret), "{what} ({status}): {headers}");
            assert!(!body.contains(secret), "{what} ({status}): {body}");
            assert!(!headers.contains(&digest), "{what} ({status}): {headers}");
            if what != "/__admin/snapshot" {
                assert!(!body.contains(&digest), "{what} ({status}): {body}");
            }
        }
        for (stream, text) in [("stdout", &stdout), ("stderr", &stderr)] {
            assert!(!text.contains(secret), "{secret} on {stream}:\n{text}");
            assert!(!text.contains(&digest), "{secret}'s digest on {stream}");
        }
    }
}

#[actix_web::test]
async fn beyond_loopback_injecting_a_store_failure_needs_the_admin_token() {
    // Arrange
    let app = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[
            ("TOOKEN__SERVER__HOST", "0.0.0.0"),
            ("TOOKEN__ADMIN__TOKEN", ADMIN_TOKEN),
        ],
    )
    .await;
    let path = "/__admin/faults/store-failure";

    // Act
    let without = app.request(Method::POST, path, None).await;
    let wrong = app
        .request(Method::POST, path, Some("not-the-admin-token"))
        .await;
    let api_secret = app.request(Method::POST, path, Some(NORTH_READER)).await;
    let unharmed = app.get("/v1/tokens", Some(NORTH_READER)).await;
    let with_token = app.request(Method::POST, path, Some(ADMIN_TOKEN)).await;
    let failed = app.get("/v1/tokens", Some(NORTH_READER)).await;

    // Assert
    assert_problem(without, StatusCode::UNAUTHORIZED, "missing_token").await;
    assert_problem(wrong, StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert_problem(api_secret, StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert_eq!(unharmed.status(), StatusCode::OK, "no failure was injected");
    assert_eq!(with_token.status(), StatusCode::ACCEPTED);
    assert_problem(failed, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
}

#[actix_web::test]
async fn beyond_loopback_without_an_admin_token_a_store_failure_cannot_be_injected() {
    // Arrange
    let app: TestApp = spawn_app_with(
        "workspaces.json",
        FROZEN_NOW,
        &[("TOOKEN__SERVER__HOST", "0.0.0.0")],
    )
    .await;

    // Act
    let injected = app
        .request(
            Method::POST,
            "/__admin/faults/store-failure",
            Some(ADMIN_TOKEN),
        )
        .await;
    let listing = app.get("/v1/tokens", Some(NORTH_READER)).await;

    // Assert
    assert_problem(injected, StatusCode::FORBIDDEN, "admin_off").await;
    assert_eq!(listing.status(), StatusCode::OK);
}

/// The IPv4 addresses (as `a.b.c.d`) that sockets listening on `port` are bound to, read
/// from the kernel's table of TCP sockets.
#[cfg(target_os = "linux")]
fn listening_addresses(port: u16) -> Vec<String> {
    let table = std::fs::read_to_string("/proc/net/tcp").expect("the kernel's TCP table");
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (address, local_port) = fields.get(1)?.split_once(':')?;
            let listening = fields.get(3) == Some(&"0A");
            let matches = u16::from_str_radix(local_port, 16).ok() == Some(port);
            let address = u32::from_str_radix(address, 16).ok()?;
            // The kernel prints the address in host byte order (little-endian here).
            let octets = address.to_le_bytes();
            (listening && matches).then(|| {
                octets
                    .iter()
                    .map(u8::to_string)
                    .collect::<Vec<_>>()
                    .join(".")
            })
        })
        .collect()
}

/// Starts the binary with `extra` arguments on a free port and returns where it listens.
#[cfg(target_os = "linux")]
async fn bound_addresses(extra: &[&str]) -> Vec<String> {
    let snapshot = fixture("workspaces.json");
    let mut args = vec![
        "--port",
        "0",
        "--snapshot",
        snapshot.to_str().expect("UTF-8"),
    ];
    args.extend_from_slice(extra);
    let mut binary = Binary::start(&args, &[]);
    let base = binary.wait_for_banner().await;
    let port = base
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port in the banner");
    listening_addresses(port)
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn without_a_host_setting_the_binary_listens_on_loopback_only() {
    // Act: the banner shows 127.0.0.1 either way, so the kernel's table is asked.
    let by_default = bound_addresses(&[]).await;
    let every_interface = bound_addresses(&["--host", "0.0.0.0"]).await;

    // Assert
    assert_eq!(by_default, ["127.0.0.1"]);
    assert_eq!(every_interface, ["0.0.0.0"], "the check tells them apart");
}

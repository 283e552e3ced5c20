//! `tooken-mock proxy` in front of a tooken-mock upstream: a battery of requests passes
//! unchanged with no violation, and the process prints its summary on SIGTERM without ever
//! logging a secret.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use config::Environment;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tooken_mock::proxy::Proxy;
use tooken_mock::settings::{Overrides, Settings};

use crate::helpers::{auth, spawn_app, Binary};
use crate::proxy_drift::spawn_drifting_upstream;

/// The reader of `contract.json`: 60 tokens in every status.
pub const CONTRACT_READER: &str = "tok_live_ContractReader00000000000000000001";

/// A proxy served on a free port, in front of `upstream`.
pub struct TestProxy {
    pub address: SocketAddr,
    pub client: reqwest::Client,
}

impl TestProxy {
    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{}", self.address, path_and_query)
    }

    /// `GET /__admin/violations`.
    pub async fn violations(&self) -> Value {
        let response = self
            .client
            .get(self.url("/__admin/violations"))
            .send()
            .await;
        let response = response.expect("the proxy answers");
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("a JSON report")
    }
}

/// Starts a proxy to `upstream` (a base URL such as `http://127.0.0.1:PORT/v1`) with `env`
/// as its only `TOOKEN__*` variables.
pub async fn spawn_proxy(upstream: &str, env: &[(&str, &str)]) -> TestProxy {
    let mut vars = HashMap::from([("TOOKEN__SERVER__WORKERS".to_owned(), "2".to_owned())]);
    vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let overrides = Overrides {
        port: Some(0),
        upstream: Some(upstream.to_owned()),
        ..Default::default()
    };
    let environment = Environment::with_prefix("TOOKEN").source(Some(vars));
    let settings = Settings::load_from(&overrides, environment).expect("valid proxy settings");
    let proxy = Proxy::build(&settings).expect("the proxy starts");
    let address = proxy.address();
    actix_web::rt::spawn(proxy.run_until_stopped());
    TestProxy {
        address,
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("a client"),
    }
}

/// One request of the battery: query, secret, extra headers.
type Probe = (
    &'static str,
    Option<&'static str>,
    Vec<(&'static str, &'static str)>,
);

fn contract_battery() -> Vec<Probe> {
    let reader = Some(CONTRACT_READER);
    let mut probes: Vec<Probe> = [
        "",
        "?per_page=7",
        "?page=2&per_page=7",
        "?page=9&per_page=7",
        "?page=10&per_page=7",
        "?page=4294967295",
        "?status=active",
        "?status=expired&per_page=3",
        "?status=revoked&per_page=3&page=2",
        "?name=ci",
        "?name=CI+Deploy&per_page=2&page=2",
        "?name=nothing-matches-this",
        "?name=&status=active",
        "?unknown=1&per_page=5",
        "?page=0",
        "?per_page=101",
        "?per_page=abc&status=Active",
        "?page=1&page=2",
        "?page=%ZZ",
        "?status=",
    ]
    .into_iter()
    .map(|query| (query, reader, vec![]))
    .collect();
    probes.push(("", None, vec![]));
    probes.push(("", Some(auth::UNKNOWN), vec![]));
    for code in [
        "code=400", "code=401", "code=403", "code=429", "code=500", "code=200",
    ] {
        probes.push(("?per_page=5", reader, vec![("Prefer", code)]));
    }
    probes.push(("?__code=429", None, vec![]));
    probes.push(("", reader, vec![("Prefer", "example=last_page")]));
    probes.push(("?__example=vendor", reader, vec![]));
    probes.push((
        "?per_page=7&page=2",
        reader,
        vec![("X-Mock-Session", "proxy-1")],
    ));
    probes.push(("?per_page=7&page=2&__session=proxy-2", reader, vec![]));
    probes.push(("?per_page=2", reader, vec![("Prefer", "delay=5")]));
    probes
}

fn auth_battery() -> Vec<Probe> {
    vec![
        ("", Some(auth::REVOKED), vec![]),
        ("", Some(auth::EXPIRED), vec![]),
        ("", Some(auth::LAPSED), vec![]),
        ("", Some(auth::DEPLOY_ONLY), vec![]),
        ("?per_page=0", Some(auth::DEPLOY_ONLY), vec![]),
        ("?per_page=0&status=x", Some(auth::BAD_QUERY_SENDER), vec![]),
        ("?status=expired", Some(auth::READER), vec![]),
        ("", None, vec![("Authorization", "Basic dXNlcjpwYXNz")]),
    ]
}

const COMPARED_HEADERS: [&str; 8] = [
    "content-type",
    "cache-control",
    "link",
    "www-authenticate",
    "retry-after",
    "x-request-id",
    "preference-applied",
    "allow",
];

/// Sends `probe` to `base` with a fixed request id, so that answers can be compared.
async fn send(
    client: &reqwest::Client,
    method: Method,
    base: &str,
    probe: &Probe,
    id: &str,
) -> (u16, Vec<Option<String>>, Vec<u8>) {
    let (query, secret, headers) = probe;
    let mut request = client
        .request(method, format!("{base}/v1/tokens{query}"))
        .header("X-Request-Id", id);
    if let Some(secret) = secret {
        request = request.bearer_auth(secret);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("answered");
    let status = response.status().as_u16();
    let kept = COMPARED_HEADERS
        .iter()
        .map(|name| {
            response
                .headers()
                .get(*name)
                .map(|v| v.to_str().unwrap_or("?").to_owned())
        })
        .collect();
    (
        status,
        kept,
        response.bytes().await.expect("a body").to_vec(),
    )
}

#[actix_web::test]
async fn a_tooken_mock_upstream_passes_every_answer_unchanged_with_no_violation() {
    // Arrange
    for (fixture, battery) in [
        ("contract.json", contract_battery()),
        ("auth.json", auth_battery()),
    ] {
        let upstream = spawn_app(fixture).await;
        let proxy = spawn_proxy(&upstream.url("/v1"), &[]).await;
        let direct_base = upstream.url("");
        let proxied_base = proxy.url("");
        let mut sent = 0;

        for (i, probe) in battery.iter().enumerate() {
            for method in [Method::GET, Method::HEAD] {
                // Act
                let id = format!("battery-{fixture}-{i}-{method}");
                let direct = send(&upstream.client, method.clone(), &direct_base, probe, &id).await;
                let proxied = send(&proxy.client, method.clone(), &proxied_base, probe, &id).await;
                sent += 1;

                // Assert
                assert_eq!(proxied, direct, "{fixture} {method} {probe:?}");
            }
        }
        let report = proxy.violations().await;
        assert_eq!(report["responses"], sent, "{report}");
        assert_eq!(report["violations"], json!([]), "{fixture}: {report:#}");
    }
}

#[actix_web::test]
async fn the_proxy_process_prints_a_summary_on_sigterm_and_never_logs_the_secret() {
    // Arrange
    let upstream = spawn_drifting_upstream().await;
    let mut binary = Binary::start(&["proxy", "--upstream", &upstream, "--port", "0"], &[]);
    let base = binary.wait_for_banner().await;
    let client = reqwest::Client::new();
    for drift in ["total_pages", "order", "total_pages"] {
        let url = format!("{base}/v1/tokens?drift={drift}");
        client
            .get(url)
            .bearer_auth(CONTRACT_READER)
            .send()
            .await
            .expect("answered");
    }

    // Act
    let sent = Command::new("kill")
        .args(["-TERM", &binary.pid().to_string()])
        .status();
    assert!(sent.is_ok_and(|s| s.success()));
    let status = binary.wait_for_exit().await;

    // Assert
    assert!(status.success(), "{status}");
    let (stdout, stderr) = (binary.stdout(), binary.stderr());
    assert!(
        stdout.contains("3 responses checked, 3 broke at least one rule"),
        "{stdout}"
    );
    let line = |rule: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(rule))
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>())
    };
    assert_eq!(
        line("meta.total_pages"),
        Some(vec!["meta.total_pages", "2", "meta.total_pages"]),
        "{stdout}"
    );
    assert_eq!(
        line("data.order"),
        Some(vec!["data.order", "1", "data[1]"]),
        "{stdout}"
    );
    assert!(
        stderr.contains("rule=meta.total_pages") && stderr.contains("drift-id"),
        "{stderr}"
    );
    assert!(
        !stdout.contains(CONTRACT_READER) && !stderr.contains(CONTRACT_READER),
        "the secret leaked"
    );
}

#[actix_web::test]
async fn a_request_naming_a_foreign_host_is_refused_before_anything_is_forwarded() {
    // Arrange: a page on a rebound domain reaches the proxy on 127.0.0.1 with its own Host.
    let upstream = spawn_app("contract.json").await;
    let proxy = spawn_proxy(&upstream.url("/v1"), &[]).await;

    for path in ["/v1/tokens", "/__admin/violations", "/metrics"] {
        // Act
        let response = proxy
            .client
            .get(proxy.url(path))
            .bearer_auth(CONTRACT_READER)
            .header("Host", "rebound.example:8081")
            .send()
            .await
            .expect("answered");

        // Assert
        crate::helpers::assert_problem(response, StatusCode::FORBIDDEN, "forbidden_host").await;
    }
    let local = proxy
        .client
        .get(proxy.url("/v1/tokens"))
        .header("Host", "localhost:8081");
    let local = local
        .bearer_auth(CONTRACT_READER)
        .send()
        .await
        .expect("answered");
    assert_eq!(local.status(), StatusCode::OK);
    assert_eq!(
        proxy.violations().await["responses"],
        1,
        "only the local request was forwarded"
    );
}

/// A command line, its `TOOKEN*` variables, and the flag its refusal should name.
type Invocation<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

#[actix_web::test]
async fn proxy_and_record_without_an_upstream_stop_at_start_naming_upstream_url() {
    // Arrange: a settings file that says "none" as files do, with an empty string.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config = dir.path().join("none.toml");
    std::fs::write(&config, "[upstream]\nurl = \"\"\n").expect("written");
    let config = config.to_string_lossy().into_owned();
    let empty_variable = [("TOOKEN__UPSTREAM__URL", "")];
    let cases: [Invocation; 5] = [
        (&["proxy", "--port", "0"], &[], "--upstream"),
        (
            &["proxy", "--port", "0", "--upstream", ""],
            &[],
            "--upstream",
        ),
        (&["proxy", "--port", "0"], &empty_variable, "--upstream"),
        (
            &["proxy", "--port", "0", "--config", &config],
            &[],
            "--upstream",
        ),
        (
            &["record", "--from", "", "--secret", CONTRACT_READER],
            &[],
            "--from",
        ),
    ];

    for (args, env, flag) in cases {
        // Act
        let (status, stdout, stderr) = crate::helpers::run_binary(args, env).await;

        // Assert
        assert_eq!(status.code(), Some(2), "{args:?} {env:?}: {stderr}");
        assert!(
            stderr.contains("upstream.url") && stderr.contains(&format!("{flag} URL")),
            "{args:?} {env:?}: {stderr}"
        );
        assert!(!stdout.contains("forwards to"), "{args:?}: {stdout}");
    }
}

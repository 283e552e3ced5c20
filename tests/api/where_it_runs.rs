//! Where it runs: on the loopback default both 127.0.0.1 and ::1 are served; behind a proxy
//! that strips a path prefix, `/docs` redirects relatively and the URLs the server writes
//! (`Link` targets, the index at `/`) start with the `X-Forwarded-Prefix` it names.

use std::collections::HashMap;
use std::net::{Ipv6Addr, SocketAddr, TcpListener};

use config::Environment;
use reqwest::StatusCode;
use tooken_mock::settings::{Overrides, Settings};
use tooken_mock::startup::Application;

use crate::helpers::{auth, fixture, links, spawn_app, spawn_app_with, FROZEN_NOW};

async fn healthz(address: SocketAddr) -> StatusCode {
    reqwest::get(format!("http://{address}/healthz"))
        .await
        .map(|r| r.status())
        .unwrap_or_else(|e| panic!("{address} refused: {e}"))
}

fn ipv6_of(address: SocketAddr) -> SocketAddr {
    SocketAddr::from((Ipv6Addr::LOCALHOST, address.port()))
}

#[actix_web::test]
async fn the_loopback_default_and_localhost_are_served_on_127_0_0_1_and_on_ipv6_loopback() {
    let default = spawn_app("auth.json").await;
    let localhost = spawn_app_with(
        "auth.json",
        FROZEN_NOW,
        &[("TOOKEN__SERVER__HOST", "localhost")],
    )
    .await;
    for app in [default, localhost] {
        assert!(app.address.ip().is_loopback() && app.address.is_ipv4());
        assert_eq!(healthz(app.address).await, StatusCode::OK);
        assert_eq!(healthz(ipv6_of(app.address)).await, StatusCode::OK);
        let listed = app
            .client
            .get(format!("http://{}/v1/tokens", ipv6_of(app.address)))
            .bearer_auth(auth::READER)
            .send()
            .await
            .expect("answered on ::1");
        assert_eq!(listed.status(), StatusCode::OK);
    }
}

#[actix_web::test]
async fn when_ipv6_loopback_cannot_be_bound_127_0_0_1_is_served_alone() {
    // Arrange: [::1] on the port is taken by someone else.
    let taken = TcpListener::bind((Ipv6Addr::LOCALHOST, 0)).expect("::1 binds here");
    let port = taken.local_addr().expect("an address").port();
    let overrides = Overrides {
        port: Some(port),
        snapshot: Some(fixture("auth.json")),
        now: Some(FROZEN_NOW.to_owned()),
        ..Default::default()
    };
    let vars = HashMap::from([("TOOKEN__SERVER__WORKERS".to_owned(), "1".to_owned())]);
    let env = Environment::with_prefix("TOOKEN").source(Some(vars));
    let settings = Settings::load_from(&overrides, env).expect("valid settings");

    // Act
    let app = Application::build(&settings).expect("starts without ::1");
    let address = app.address();
    actix_web::rt::spawn(app.run_until_stopped());

    // Assert
    assert_eq!(address.port(), port);
    assert_eq!(healthz(address).await, StatusCode::OK);
}

#[actix_web::test]
async fn docs_redirects_relatively_so_a_prefix_stripping_proxy_keeps_its_prefix() {
    let app = spawn_app("auth.json").await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let response = client.get(app.url("/docs")).send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT);
    let location = response.headers().get("location").map(|v| v.as_bytes());
    assert_eq!(location, Some(&b"docs/"[..]));
    // Resolved against the page's URL, it is the Swagger UI page, which answers.
    let resolved = url::Url::parse(&app.url("/docs"))
        .and_then(|base| base.join("docs/"))
        .expect("resolves");
    assert_eq!(resolved.path(), "/docs/");
    let page = client.get(resolved).send().await.expect("answered");
    assert_eq!(page.status(), StatusCode::OK);
}

async fn link_targets(
    app: &crate::helpers::TestApp,
    query: &str,
    prefix: Option<&str>,
) -> Vec<String> {
    let mut request = app
        .client
        .get(app.url(&format!("/v1/tokens{query}")))
        .bearer_auth(auth::READER);
    if let Some(prefix) = prefix {
        request = request.header("X-Forwarded-Prefix", prefix);
    }
    let response = request.send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    links(response.headers()).into_values().collect()
}

#[actix_web::test]
async fn link_targets_start_with_a_valid_forwarded_prefix_and_ignore_any_other() {
    let app = spawn_app("auth.json").await;
    // Listings, a listing in a session, and a forced example answer alike.
    for query in [
        "?per_page=2&page=2",
        "?per_page=1&__session=s1",
        "?__example=vendor",
    ] {
        for (given, expected) in [("/mock", "/mock"), ("/a/b-c_d.e~f/", "/a/b-c_d.e~f")] {
            let targets = link_targets(&app, query, Some(given)).await;
            assert!(!targets.is_empty(), "{query}");
            for target in targets {
                assert!(
                    target.starts_with(&format!("{expected}/v1/tokens?")),
                    "{query} {given}: {target}"
                );
            }
        }
        for ignored in [
            "//evil.example",
            "https://evil.example",
            "/a/../b",
            "/a b",
            "/x>; rel=\"next\"",
            "mock",
            "/",
        ] {
            for target in link_targets(&app, query, Some(ignored)).await {
                assert!(
                    target.starts_with("/v1/tokens?"),
                    "{query} {ignored:?}: {target}"
                );
            }
        }
    }
}

#[actix_web::test]
async fn the_index_urls_start_with_the_forwarded_prefix() {
    let app = spawn_app("auth.json").await;
    let index: serde_json::Value = app
        .client
        .get(app.url("/"))
        .header("X-Forwarded-Prefix", "/mock")
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    for field in [
        "api",
        "docs",
        "admin",
        "admin_openapi",
        "healthz",
        "readyz",
        "metrics",
    ] {
        let url = index[field].as_str().unwrap_or_default();
        assert!(url.starts_with("/mock/"), "{field}: {index}");
    }
}

#[actix_web::test]
async fn record_out_replaces_only_a_regular_file_and_writes_nothing_over_anything_else() {
    // Arrange: a directory, a FIFO, a symbolic link and a device where the output would go;
    // a live upstream, so that only the refusal can stop the recording.
    let upstream = spawn_app("contract.json").await;
    let dir = tempfile::tempdir().expect("a directory");
    let directory = dir.path().join("a-directory");
    std::fs::create_dir(&directory).expect("a directory");
    let fifo = dir.path().join("a-fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let target = dir.path().join("target.json");
    std::fs::write(&target, b"kept").expect("a file");
    let link = dir.path().join("a-link");
    std::os::unix::fs::symlink(&target, &link).expect("a link");
    let cases = [
        (directory.clone(), "a directory"),
        (fifo.clone(), "a FIFO"),
        (link.clone(), "a symbolic link"),
        ("/dev/null".into(), "a device"),
    ];
    let from = upstream.url("/v1");

    for (out, what) in cases {
        // Act
        let out_arg = out.to_string_lossy().into_owned();
        let args = [
            "record",
            "--from",
            &from,
            "--secret",
            crate::proxy::CONTRACT_READER,
            "--out",
            &out_arg,
        ];
        let (status, _, stderr) = crate::helpers::run_binary(&args, &[]).await;

        // Assert
        assert_eq!(status.code(), Some(2), "{out_arg}: {stderr}");
        assert!(
            stderr.contains(&out_arg) && stderr.contains(what),
            "{stderr}"
        );
        assert!(stderr.contains("nothing was written"), "{stderr}");
    }
    assert!(std::fs::metadata(&directory).is_ok_and(|m| m.is_dir()));
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(&fifo).is_ok_and(|m| m.file_type().is_fifo()));
    assert!(std::fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink()));
    assert_eq!(std::fs::read(&target).expect("kept"), b"kept");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("listed")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 4, "nothing else was written: {left:?}");

    // A regular file is replaced, through a file beside it.
    let target_arg = target.to_string_lossy().into_owned();
    let args = [
        "record",
        "--from",
        &from,
        "--secret",
        crate::proxy::CONTRACT_READER,
        "--out",
        &target_arg,
    ];
    let (status, _, stderr) = crate::helpers::run_binary(&args, &[]).await;
    assert!(status.success(), "{stderr}");
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).expect("written")).expect("JSON");
    assert!(written["workspaces"].is_array(), "{written}");
}

#[actix_web::test]
async fn the_proxy_on_its_loopback_default_is_served_on_ipv6_loopback_too() {
    let mock = spawn_app("contract.json").await;
    let proxy = crate::proxy::spawn_proxy(&mock.url("/v1"), &[]).await;
    assert_eq!(healthz(proxy.address).await, StatusCode::OK);
    assert_eq!(healthz(ipv6_of(proxy.address)).await, StatusCode::OK);
}

//! The proxy changes nothing it passes on and reads what the upstream meant: a HEAD answer
//! keeps the upstream's `Content-Length`; hop-by-hop fields and every field `Connection`
//! names stay on their connection, both ways (RFC 9110 §7.6.1); a compressed answer is
//! checked decoded and forwarded as it came, and `record` reads it too.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use reqwest::{Method, StatusCode};
use serde_json::json;
use tooken_mock::record::{record, CallerSecret, Progress, RecordOptions};
use tooken_mock::settings::{Overrides, Settings};

use crate::helpers::{raw_exchange, spawn_app, TestApp};
use crate::proxy::{spawn_proxy, CONTRACT_READER};

/// Every content coding an upstream may apply, `identity` for none.
const CODINGS: [&str; 5] = ["identity", "gzip", "deflate", "br", "zstd"];

fn compress(coding: &str, bytes: &[u8]) -> Vec<u8> {
    let write = |mut w: Box<dyn Write>| {
        w.write_all(bytes).expect("in memory");
    };
    match coding {
        "gzip" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            e.write_all(bytes).expect("in memory");
            e.finish().expect("in memory")
        }
        "deflate" => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
            e.write_all(bytes).expect("in memory");
            e.finish().expect("in memory")
        }
        "br" => {
            let mut out = Vec::new();
            write(Box::new(brotli::CompressorWriter::new(
                &mut out, 4096, 9, 22,
            )));
            out
        }
        "zstd" => zstd::encode_all(bytes, 3).expect("in memory"),
        _ => bytes.to_vec(),
    }
}

/// The mock's answer, compressed with the coding the path names (`/{coding}/v1/tokens`)
/// whatever the request asked. HEAD is answered as GET is, so its `Content-Length` is the
/// GET's.
async fn compressing(req: HttpRequest, inner: web::Data<String>) -> HttpResponse {
    let coding = req
        .match_info()
        .get("coding")
        .unwrap_or("identity")
        .to_owned();
    let mut upstream = reqwest::Client::new().get(format!(
        "{}/v1/tokens?{}",
        inner.as_str(),
        req.query_string()
    ));
    for name in ["authorization", "x-request-id"] {
        if let Some(value) = req.headers().get(name) {
            upstream = upstream.header(name, value.as_bytes());
        }
    }
    let answer = upstream.send().await.expect("the mock answers");
    let status = actix_web::http::StatusCode::from_u16(answer.status().as_u16());
    let mut response = HttpResponse::build(status.expect("a status"));
    for (name, value) in answer.headers() {
        if name != "content-length" {
            response.append_header((name.as_str(), value.as_bytes()));
        }
    }
    if coding != "identity" {
        response.insert_header(("Content-Encoding", coding.as_str()));
    }
    let body = answer.bytes().await.expect("a body");
    response.body(compress(&coding, &body))
}

/// A compressing upstream in front of `inner`; its base URL for `coding` is
/// `{url}/{coding}/v1`.
async fn spawn_compressing(inner: &TestApp) -> String {
    let inner = web::Data::new(format!("http://{}", inner.address));
    let server = HttpServer::new(move || {
        App::new()
            .app_data(inner.clone())
            .route("/{coding}/v1/tokens", web::route().to(compressing))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .expect("binds");
    let address = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    format!("http://{address}")
}

async fn get(client: &reqwest::Client, method: Method, url: &str) -> reqwest::Response {
    client
        .request(method, url)
        .bearer_auth(CONTRACT_READER)
        .header("X-Request-Id", "transparency")
        .send()
        .await
        .expect("answered")
}

#[actix_web::test]
async fn a_compressed_answer_passes_unchanged_and_is_checked_decoded_even_in_strict_mode() {
    // Arrange
    let mock = spawn_app("contract.json").await;
    let upstream = spawn_compressing(&mock).await;

    for coding in CODINGS {
        let proxy = spawn_proxy(
            &format!("{upstream}/{coding}/v1"),
            &[("TOOKEN__PROXY__STRICT", "true")],
        )
        .await;
        for query in ["", "?per_page=7&page=2", "?status=revoked", "?page=0"] {
            // Act
            let direct_url = format!("{upstream}/{coding}/v1/tokens{query}");
            let direct = get(&proxy.client, Method::GET, &direct_url).await;
            let proxied = get(
                &proxy.client,
                Method::GET,
                &proxy.url(&format!("/v1/tokens{query}")),
            )
            .await;

            // Assert: same status, same coding, the very same bytes.
            assert_eq!(proxied.status(), direct.status(), "{coding} {query}");
            let encoding = |r: &reqwest::Response| {
                r.headers()
                    .get("content-encoding")
                    .map(|v| v.to_str().unwrap_or("?").to_owned())
            };
            assert_eq!(encoding(&proxied), encoding(&direct), "{coding} {query}");
            let (proxied, direct) = (proxied.bytes().await, direct.bytes().await);
            assert_eq!(
                proxied.expect("a body"),
                direct.expect("a body"),
                "{coding} {query}"
            );
        }
        let report = proxy.violations().await;
        assert_eq!(report["violations"], json!([]), "{coding}: {report:#}");
        assert_eq!(report["responses"], 4, "{coding}: {report:#}");
    }
}

#[actix_web::test]
async fn a_head_answer_keeps_the_upstreams_content_length_and_has_no_body() {
    // Arrange
    let mock = spawn_app("contract.json").await;
    let upstream = spawn_compressing(&mock).await;

    for coding in CODINGS {
        let proxy = spawn_proxy(&format!("{upstream}/{coding}/v1"), &[]).await;
        for query in ["", "?per_page=100", "?page=0"] {
            let url = proxy.url(&format!("/v1/tokens{query}"));
            let direct_url = format!("{upstream}/{coding}/v1/tokens{query}");

            // Act
            let direct = get(&proxy.client, Method::HEAD, &direct_url).await;
            let proxied = get(&proxy.client, Method::HEAD, &url).await;
            let full = get(&proxy.client, Method::GET, &url).await;

            // Assert
            let length = |r: &reqwest::Response| {
                r.headers()
                    .get("content-length")
                    .map(|v| v.to_str().unwrap_or("?").to_owned())
            };
            let expected = full.bytes().await.expect("a body").len().to_string();
            assert_eq!(
                length(&direct).as_deref(),
                Some(expected.as_str()),
                "{coding}"
            );
            assert_eq!(length(&proxied), length(&direct), "{coding} {query}");
            assert_eq!(proxied.status(), direct.status(), "{coding} {query}");
            assert!(proxied.bytes().await.expect("read").is_empty());
        }
        assert_eq!(
            proxy.violations().await["violations"],
            json!([]),
            "{coding}"
        );
    }
}

/// What a raw upstream saw of each request, and the answer it gives: a field it names in
/// `Connection` and every hop-by-hop field, beside one end-to-end field.
struct RawUpstream {
    address: SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
}

const RAW_ANSWER: &str = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
    Cache-Control: no-store\r\nX-Request-Id: raw\r\nConnection: close, X-Upstream-Private\r\n\
    X-Upstream-Private: this hop only\r\nKeep-Alive: timeout=5\r\n\
    Proxy-Authenticate: Basic realm=\"hop\"\r\nProxy-Connection: close\r\nTrailer: X-Sum\r\n\
    Upgrade: h2c\r\nX-End-To-End: kept\r\nContent-Length: 2\r\n\r\n{}";

fn spawn_raw_upstream() -> RawUpstream {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
    let address = listener.local_addr().expect("an address");
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(16) {
            let Ok(mut stream) = stream else { continue };
            let mut head = String::new();
            let mut reader = BufReader::new(stream.try_clone().expect("a clone"));
            while reader.read_line(&mut head).is_ok_and(|n| n > 0) && !head.ends_with("\r\n\r\n") {}
            seen.lock().expect("lock").push(head.to_ascii_lowercase());
            let _ = stream.write_all(RAW_ANSWER.as_bytes());
        }
    });
    RawUpstream { address, heads }
}

#[actix_web::test]
async fn fields_named_by_connection_and_hop_by_hop_fields_do_not_cross_the_proxy_either_way() {
    // Arrange
    let upstream = spawn_raw_upstream();
    let proxy = spawn_proxy(&format!("http://{}/v1", upstream.address), &[]).await;
    let request = "GET /v1/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\n\
        Connection: close, X-Client-Private\r\nConnection: X-Other-Private\r\n\
        X-Client-Private: this hop only\r\nX-Other-Private: this hop only\r\n\
        Keep-Alive: timeout=9\r\nTE: trailers\r\nProxy-Authorization: Basic aG9wOmhvcA==\r\n\
        Accept-Encoding: br\r\nX-Client-Kept: yes\r\n\r\n";

    // Act
    let answer = raw_exchange(proxy.address, request.as_bytes()).await;

    // Assert: the upstream saw the end-to-end fields only, `Accept-Encoding` included.
    assert_eq!(answer.status, Some(200), "{}", answer.text);
    let heads = upstream.heads.lock().expect("lock").clone();
    assert_eq!(heads.len(), 1, "{heads:?}");
    let sent = &heads[0];
    for kept in ["x-client-kept: yes", "accept-encoding: br"] {
        assert!(sent.contains(kept), "{kept} missing upstream: {sent}");
    }
    for dropped in [
        "x-client-private",
        "x-other-private",
        "keep-alive",
        "\r\nte:",
        "proxy-authorization",
    ] {
        assert!(
            !sent.contains(dropped),
            "{dropped} crossed upstream: {sent}"
        );
    }
    // ...and the client the upstream's end-to-end fields only.
    let received = answer.text.to_ascii_lowercase();
    assert!(received.contains("x-end-to-end: kept"), "{received}");
    for dropped in [
        "x-upstream-private",
        "keep-alive",
        "proxy-authenticate",
        "proxy-connection",
        "trailer:",
        "upgrade:",
    ] {
        assert!(
            !received.contains(dropped),
            "{dropped} crossed back: {received}"
        );
    }
}

struct Quiet;

impl Progress for Quiet {
    fn page(&mut self, _: u32, _: u64, _: u64) {}
    fn waiting(&mut self, _: u64, _: u64) {}
    fn restarting(&mut self, _: &str) {}
}

fn record_options(from: &str) -> RecordOptions {
    let overrides = Overrides {
        upstream: Some(from.to_owned()),
        ..Overrides::default()
    };
    let env = config::Environment::with_prefix("TOOKEN").source(Some(Default::default()));
    let settings = Settings::load_from(&overrides, env).expect("valid settings");
    RecordOptions {
        caller: CallerSecret {
            secret: CONTRACT_READER.to_owned(),
            secret_for: None,
            digest_only: false,
        },
        upstream: settings.upstream,
    }
}

#[actix_web::test]
async fn record_reads_a_compressed_upstream_as_it_reads_a_plain_one() {
    // Arrange
    let mock = spawn_app("contract.json").await;
    let upstream = spawn_compressing(&mock).await;
    let plain = record(
        &record_options(&format!("{upstream}/identity/v1")),
        &mut Quiet,
    )
    .await
    .expect("recorded");

    for coding in CODINGS {
        // Act
        let options = record_options(&format!("{upstream}/{coding}/v1"));
        let recording = record(&options, &mut Quiet).await;

        // Assert
        let recording = recording.unwrap_or_else(|e| panic!("{coding}: {e}"));
        assert_eq!(recording.tokens, plain.tokens, "{coding}");
        // The same document but for the URL it names as its origin.
        let text = String::from_utf8(recording.document).expect("UTF-8");
        let plain_text = String::from_utf8_lossy(&plain.document);
        assert_eq!(
            text.replace(&format!("/{coding}/v1"), "/identity/v1"),
            plain_text,
            "{coding}"
        );
    }
    assert!(plain.tokens > 0);
}

#[test]
fn the_compressing_upstream_really_compresses() {
    let text = br#"{"data":[],"meta":{"page":1}}"#.repeat(20);
    for coding in &CODINGS[1..] {
        let compressed = compress(coding, &text);
        assert!(compressed.len() < text.len(), "{coding}");
    }
    assert_eq!(StatusCode::OK.as_u16(), 200);
}

//! Forwarding `/v1/tokens`: the request goes to the upstream as it came (headers included),
//! the answer comes back unchanged, and in between it is checked against the contract.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use actix_web::body::{BodySize, MessageBody};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};

use super::coding;
use super::contract::Contract;
use super::request::{Headers, RequestFacts};
use super::rule::{Rule, Violation};
use super::rules::{check, Response};
use super::violations::{Entry, Violations};
use crate::domain::{format_timestamp, QueryString};
use crate::har::{redacted_headers, Exchange, HarFile};
use crate::http::middleware::{Relayed, Upstream};
use crate::http::request_id::{RequestId, X_REQUEST_ID};
use crate::http::ApiError;

/// What every worker shares.
pub(super) struct ProxyState {
    /// The API's base URL, without a trailing slash.
    pub base: String,
    pub contract: Contract,
    pub violations: Violations,
    pub strict: bool,
    pub max_response_bytes: usize,
    /// `--har FILE`: every answered exchange with the upstream is appended to it.
    pub har: Option<HarFile>,
}

/// Hop-by-hop fields (RFC 9110 §7.6.1) belong to one connection and are never forwarded,
/// nor is any field the `Connection` field names; `host` and `content-length` are the client
/// library's to write (and, on an answer, actix-web's from the body it is given).
const NOT_FORWARDED: [&str; 11] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
];

/// The fields of one message that stay on its connection: [`NOT_FORWARDED`] and every name
/// listed by its `Connection` fields (lower case).
pub(super) fn connection_fields<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Vec<String> {
    let mut names: Vec<String> = NOT_FORWARDED.iter().map(|n| (*n).to_owned()).collect();
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("connection") {
            let value = String::from_utf8_lossy(value);
            names.extend(
                value
                    .split(',')
                    .map(|option| option.trim().to_ascii_lowercase())
                    .filter(|option| !option.is_empty()),
            );
        }
    }
    names
}

/// Forwards one request with the worker's `client`, checks the answer, and relays it (or a
/// 502 listing the violations, in strict mode).
pub(super) async fn forward(
    req: HttpRequest,
    caller_id: RequestId,
    query: QueryString,
    body: web::Bytes,
    state: web::Data<ProxyState>,
    client: web::Data<reqwest::Client>,
) -> Result<HttpResponse, ApiError> {
    let request_headers = Headers::from_pairs(
        req.headers()
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes())),
    );
    let method = req.method().as_str();
    // The shell's one decoding of the query (`http::query`); the upstream gets it as sent.
    let facts = RequestFacts::read(&state.contract, method, &query, &request_headers);
    let raw = req.query_string();
    let mut url = format!("{}/tokens", state.base);
    if !raw.is_empty() {
        url = format!("{url}?{raw}");
    }
    let Ok(upstream_method) = reqwest::Method::from_bytes(method.as_bytes()) else {
        // Not a method the upstream can be asked with: the listing's own are named.
        return Err(ApiError::MethodNotAllowed(
            crate::api::routes::listing_allow(),
        ));
    };
    let mut upstream = client.request(upstream_method, &url);
    let dropped = connection_fields(
        req.headers()
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes())),
    );
    for (name, value) in req.headers() {
        if !dropped.iter().any(|d| d == name.as_str()) {
            upstream = upstream.header(name.as_str(), value.as_bytes());
        }
    }
    let request_body = body;
    if !request_body.is_empty() {
        upstream = upstream.body(request_body.to_vec());
    }
    let started = Instant::now();
    let started_at = chrono::Utc::now();
    let answer = match upstream.send().await {
        Ok(answer) => answer,
        Err(error) => {
            note_upstream(&req, None, started, None, 0);
            return Err(failed(&state, &error));
        }
    };
    let status = answer.status().as_u16();
    let headers: Vec<(String, Vec<u8>)> = answer
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect();
    let body = match read_body(answer, state.max_response_bytes).await {
        Ok(body) => body,
        Err(Some(error)) => {
            note_upstream(&req, Some(status), started, None, 0);
            return Err(failed(&state, &error));
        }
        Err(None) => {
            note_upstream(&req, Some(status), started, None, 0);
            state.violations.record("502", None, Vec::new());
            return Err(ApiError::UpstreamTooLarge(state.max_response_bytes));
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let response_headers =
        Headers::from_pairs(headers.iter().map(|(n, v)| (n.as_str(), v.as_slice())));
    // The checks read what the upstream meant; the client gets the bytes as they came.
    let codings = coding::codings(response_headers.all("content-encoding"));
    let decoded = coding::decode(&codings, &body, state.max_response_bytes);
    let found = match &decoded {
        Ok(decoded) => check(
            &state.contract,
            &facts,
            &Response {
                status,
                headers: &response_headers,
                body: decoded,
            },
        ),
        Err(error) => vec![Violation::new(
            Rule::Json,
            "headers.Content-Encoding",
            format!("cannot be read: {error}"),
        )],
    };
    let upstream_id = response_headers
        .first(X_REQUEST_ID)
        .map(|id| RequestId::from_header(Some(id.as_bytes())).to_string());
    note_upstream(
        &req,
        Some(status),
        started,
        upstream_id.clone(),
        found.len(),
    );
    let request_id = upstream_id.unwrap_or_else(|| caller_id.to_string());
    let path = match raw {
        "" => req.path().to_owned(),
        _ => format!("{}?{raw}", req.path()),
    };
    if let Some(har) = &state.har {
        let sent = Sent {
            started_at,
            seconds,
            url: &url,
            req: &req,
            dropped: &dropped,
            body: &request_body,
        };
        // HAR keeps the text as the upstream meant it, as browsers export it.
        let text = decoded.as_deref().unwrap_or(&body);
        sent.write(har, status, &headers, text);
    }
    let at = format_timestamp(&chrono::Utc::now());
    let entries: Vec<Entry> = found
        .iter()
        .map(|violation| {
            tracing::warn!(request_id, rule = %violation.rule, location = violation.location, detail = violation.detail, "contract violation");
            Entry {
                at: at.clone(),
                request_id: request_id.clone(),
                method: method.to_owned(),
                request: path.clone(),
                status,
                violation: violation.clone(),
            }
        })
        .collect();
    state
        .violations
        .record(&status.to_string(), Some(seconds), entries);
    if state.strict && !found.is_empty() {
        return Err(ApiError::ContractViolation {
            upstream_status: status,
            violations: serde_json::json!(found),
        });
    }
    let mut response =
        HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY));
    let dropped = connection_fields(headers.iter().map(|(n, v)| (n.as_str(), v.as_slice())));
    for (name, value) in &headers {
        if dropped.contains(name) {
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value),
        ) {
            response.append_header((name, value));
        }
    }
    // A HEAD answer has no body but says how long the GET's would be: the upstream's length.
    let head_length = (method == "HEAD")
        .then(|| response_headers.first("content-length"))
        .flatten()
        .and_then(|length| length.trim().parse::<u64>().ok());
    let mut response = match head_length {
        Some(length) => response.body(HeadBody(length)),
        None => response.body(body),
    };
    response.extensions_mut().insert(Relayed);
    Ok(response)
}

/// Puts what the upstream answered into the request's extensions, for the request's one log
/// line (`http::middleware::common`).
fn note_upstream(
    req: &HttpRequest,
    status: Option<u16>,
    started: Instant,
    request_id: Option<String>,
    violations: usize,
) {
    let duration_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    req.extensions_mut().insert(Upstream {
        status,
        duration_us,
        request_id,
        violations,
    });
}

/// The body of an answer to HEAD: no bytes, and the size the upstream gave.
struct HeadBody(u64);

impl MessageBody for HeadBody {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        BodySize::Sized(self.0)
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<web::Bytes, Self::Error>>> {
        Poll::Ready(None)
    }
}

/// The request as forwarded, for the HAR file.
struct Sent<'a> {
    started_at: chrono::DateTime<chrono::Utc>,
    seconds: f64,
    url: &'a str,
    req: &'a HttpRequest,
    /// The request's fields that were not forwarded (hop-by-hop and `Connection`-named).
    dropped: &'a [String],
    body: &'a [u8],
}

impl Sent<'_> {
    /// Appends the exchange to `har`; a failed write is logged and the answer still goes out.
    fn write(&self, har: &HarFile, status: u16, headers: &[(String, Vec<u8>)], body: &[u8]) {
        let request_headers = redacted_headers(
            self.req
                .headers()
                .iter()
                .filter(|(n, _)| !self.dropped.iter().any(|d| d == n.as_str()))
                .map(|(n, v)| (n.as_str(), v.as_bytes())),
        );
        let response_headers =
            redacted_headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_slice())));
        let entry = Exchange {
            started: self.started_at,
            elapsed_ms: self.seconds * 1000.0,
            method: self.req.method().as_str(),
            url: self.url,
            http_version: "HTTP/1.1",
            request_headers: &request_headers,
            request_body: self.body,
            status,
            response_headers: &response_headers,
            response_body: body,
            response_size: body.len(),
            limit_setting: "upstream.max_response_bytes",
        }
        .entry();
        if let Err(error) = har.append(&entry) {
            tracing::error!(error = %error, "cannot write the HAR file");
        }
    }
}

/// Reads the body up to `limit` bytes: `Err(None)` past it, `Err(Some(_))` when reading
/// fails or times out.
async fn read_body(
    mut answer: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, Option<reqwest::Error>> {
    let mut body = Vec::new();
    while let Some(chunk) = answer.chunk().await.map_err(Some)? {
        if body.len() + chunk.len() > limit {
            return Err(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Why the upstream gave no answer, as the error the shell renders (502/504) and logs once
/// with its cause (never the request's headers); counted among the proxy's responses.
fn failed(state: &ProxyState, error: &reqwest::Error) -> ApiError {
    let cause = match std::error::Error::source(error) {
        Some(source) => format!("{error}: {source}"),
        None => error.to_string(),
    };
    let failure = if error.is_timeout() {
        ApiError::UpstreamTimeout(cause)
    } else if error.is_connect() {
        ApiError::UpstreamUnreachable(cause)
    } else {
        ApiError::UpstreamInvalid(cause)
    };
    state
        .violations
        .record(failure.status().as_str(), None, Vec::new());
    failure
}

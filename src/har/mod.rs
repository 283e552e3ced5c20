//! HAR 1.2 (the HTTP Archive format every browser's DevTools exports): the document's types,
//! read by `fidelity` and written by the journal (`GET /__admin/requests?format=har`) and by
//! `proxy --har`, with credentials redacted ([`redact`]).
//!
//! Types follow <http://www.softwareishard.com/blog/har-12-spec/>: times in milliseconds,
//! `-1` for a size or a timing that is not known. Reading is lenient (members a browser adds,
//! such as `_initiator`, are ignored; optional members may be absent), writing is complete.

mod exchange;
mod file;
pub(crate) mod redact;

pub(crate) use exchange::{redacted_headers, Exchange, RedactedHeaders, TRUNCATED_COMMENT};
pub(crate) use file::HarFile;
pub(crate) use redact::KnownSecret;

use serde::{Deserialize, Serialize};

/// The name written in `log.creator`.
pub(crate) const CREATOR: &str = "tooken-mock";

/// A HAR document: `{"log": {...}}`.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub(crate) struct Har {
    /// The document's one member.
    pub log: Log,
}

/// `log`: the version, who wrote it, and the exchanges in the order they started.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Log {
    /// `1.2`.
    pub version: String,
    /// The program that wrote the file.
    pub creator: Creator,
    /// The exchanges, in the order they started.
    pub entries: Vec<Entry>,
}

impl Log {
    /// An empty log written by this program.
    pub fn new() -> Log {
        Log {
            version: "1.2".to_owned(),
            creator: Creator::this(),
            entries: Vec::new(),
        }
    }
}

impl Default for Log {
    fn default() -> Log {
        Log::new()
    }
}

/// `log.creator`: name and version of the writing program.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Creator {
    /// `tooken-mock`, `WebInspector`, ...
    pub name: String,
    /// The program's version.
    pub version: String,
}

impl Creator {
    fn this() -> Creator {
        Creator {
            name: CREATOR.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// One exchange.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// When the request started, ISO 8601 with milliseconds (`2026-05-01T00:00:00.000Z`).
    pub(crate) started_date_time: String,
    /// Milliseconds from the request's start to the response's end.
    #[serde(default)]
    pub time: f64,
    /// What was sent.
    pub request: Request,
    /// What came back.
    pub response: Response,
    /// Always empty: nothing is known of caches.
    #[serde(default)]
    pub cache: Cache,
    /// Where the time went.
    #[serde(default)]
    pub timings: Timings,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `entry.request`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// `GET`, `OPTIONS`, ...
    pub method: String,
    /// The absolute URL, query included.
    pub url: String,
    /// `HTTP/1.1`, `HTTP/2.0`.
    #[serde(default = "http11")]
    pub(crate) http_version: String,
    /// Never written (the API uses none).
    #[serde(default)]
    pub cookies: Vec<NameValue>,
    /// As sent, credentials redacted ([`redact`]).
    #[serde(default)]
    pub headers: Vec<NameValue>,
    /// The URL's query, decoded.
    #[serde(default)]
    pub query_string: Vec<NameValue>,
    /// The body, if one was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) post_data: Option<PostData>,
    /// Bytes of the header block, `-1` when not known.
    #[serde(default = "unknown")]
    pub(crate) headers_size: i64,
    /// Bytes of the body, `-1` when not known.
    #[serde(default = "unknown")]
    pub(crate) body_size: i64,
}

/// `entry.response`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    /// The status code; 0 in browser exports for a request that got no answer.
    pub status: u16,
    /// The status's reason phrase (`OK`).
    #[serde(default)]
    pub status_text: String,
    /// `HTTP/1.1`, `HTTP/2.0`.
    #[serde(default = "http11")]
    pub(crate) http_version: String,
    /// Never written (the API sets none).
    #[serde(default)]
    pub cookies: Vec<NameValue>,
    /// As received, credentials redacted ([`redact`]).
    #[serde(default)]
    pub headers: Vec<NameValue>,
    /// The body.
    #[serde(default)]
    pub content: Content,
    /// The `Location` of a redirect, else empty.
    #[serde(rename = "redirectURL", default)]
    pub(crate) redirect_url: String,
    #[serde(default = "unknown")]
    pub(crate) headers_size: i64,
    #[serde(default = "unknown")]
    pub(crate) body_size: i64,
}

impl Response {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

impl Request {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

fn header<'a>(headers: &'a [NameValue], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// A header, a cookie or a query parameter.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct NameValue {
    /// As written (a header's case kept).
    pub name: String,
    /// Text; bytes that are not UTF-8 are written as U+FFFD.
    pub value: String,
}

/// `request.postData`: a request body.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PostData {
    /// The request's `Content-Type`.
    #[serde(default)]
    pub(crate) mime_type: String,
    /// Form fields (never written: bodies are kept as text).
    #[serde(default)]
    pub(crate) params: Vec<NameValue>,
    /// The body, secrets redacted.
    #[serde(default)]
    pub text: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `response.content`: the body as sent (`text`, base64 when `encoding` says so).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    /// Bytes of the whole body, even when `text` holds only its start.
    pub size: i64,
    /// The response's `Content-Type`.
    pub(crate) mime_type: String,
    /// The body (or its start), secrets redacted; absent when not kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `base64` when `text` is base64-encoded bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Says when `text` is cut short.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `entry.cache`: nothing is known of caches.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Cache {}

/// `entry.timings`, in milliseconds; `-1` for the phases not measured.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Timings {
    /// Queued before sending.
    pub blocked: f64,
    /// Resolving the host name.
    pub(crate) dns: f64,
    /// Opening the connection (TLS included).
    pub connect: f64,
    /// Sending the request.
    pub send: f64,
    /// Waiting for the answer's first byte.
    pub wait: f64,
    /// Reading the answer.
    pub receive: f64,
    /// The TLS handshake (within `connect`).
    pub(crate) ssl: f64,
}

impl Default for Timings {
    fn default() -> Timings {
        Timings::waited(0.0)
    }
}

impl Timings {
    /// All the time spent waiting for the answer (what a server or a proxy can measure).
    pub fn waited(ms: f64) -> Timings {
        Timings {
            blocked: -1.0,
            dns: -1.0,
            connect: -1.0,
            send: 0.0,
            wait: ms,
            receive: 0.0,
            ssl: -1.0,
        }
    }
}

fn http11() -> String {
    "HTTP/1.1".to_owned()
}

fn unknown() -> i64 {
    -1
}

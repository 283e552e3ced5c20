//! The journal: a bounded record of recent requests, for `/__admin/requests`, as entries or
//! as HAR 1.2 (`?format=har`: headers, redacted when recorded, and the first
//! `admin.journal_body_bytes` of each response body).

mod origin;
mod shards;

use std::time::Duration;

use actix_web::body::BoxBody;
use actix_web::dev::Extensions;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::HeaderMap;
use actix_web::http::Method;
use actix_web::{web, HttpMessage, HttpRequest};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::selector::Selection;
use super::{Selected, Session, Sessions};
use crate::domain::{cut_to, format_timestamp, marked, Presented, TokenId};
use crate::har::{Exchange, KnownSecret, Log, RedactedHeaders};
use crate::http::bearer::{Caller, Credentials};
use crate::http::middleware::{RequestObserver, SentBody};
use crate::http::RequestId;
pub(crate) use shards::{Journal, JournalBudget};

/// One recorded request. Never holds a secret: the token is named by its id.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct JournalEntry {
    /// When the request arrived, by the mock's clock.
    #[schema(format = DateTime, example = "2026-05-01T00:00:00Z")]
    pub at: String,
    #[schema(example = "GET")]
    pub method: String,
    #[schema(example = "/v1/tokens")]
    pub path: String,
    /// The raw query string, without the leading `?`.
    #[schema(example = "status=active")]
    pub query: String,
    #[schema(example = 200)]
    pub status: u16,
    /// Time spent answering, in milliseconds.
    #[schema(example = 0.21)]
    pub duration_ms: f64,
    #[schema(example = "req_3f9a1c7b2e8d4a6f0b5c9e1d")]
    pub request_id: String,
    /// The id of the token that authenticated the request, if one did.
    #[schema(example = "tok_b2c3d4e5f6g7h8i9j0k1l2m3")]
    pub token_id: Option<String>,
}

/// What is kept of a request until the journal is read: the values a [`JournalEntry`] is
/// written from, without formatting them (one allocation, for the path and query).
pub(super) struct Recorded {
    /// When it was recorded, in monotonic nanoseconds ([`shards`]): the order reads merge by.
    arrival: u64,
    at: DateTime<Utc>,
    method: Method,
    /// The path, then the raw query string; the query starts at `query_at`.
    target: Box<str>,
    query_at: usize,
    /// Bytes of the path and of the query left out past `journal_max_target_bytes`.
    cut: (usize, usize),
    status: u16,
    duration_ms: f64,
    /// Always given while the common middleware runs outside the journal.
    request_id: Option<RequestId>,
    token_id: Option<TokenId>,
    /// What the HAR of the request needs besides.
    kept: Box<Kept>,
}

/// What an entry's HAR needs beyond the entry: the headers, redacted when recorded (the
/// journal never holds a credential), and the first bytes of the response body.
#[derive(Default)]
struct Kept {
    /// `http://127.0.0.1:8080`, as the request named it.
    origin: Box<str>,
    http_version: &'static str,
    request_headers: RedactedHeaders,
    response_headers: RedactedHeaders,
    /// At most the journal's `body_bytes` of the body.
    body: Box<[u8]>,
    /// Bytes of the whole body.
    body_size: usize,
}

impl Recorded {
    fn entry(&self) -> JournalEntry {
        let (path, query) = self.target.split_at(self.query_at);
        JournalEntry {
            at: format_timestamp(&self.at),
            method: self.method.as_str().to_owned(),
            path: marked(path, self.cut.0),
            query: marked(query, self.cut.1),
            status: self.status,
            duration_ms: self.duration_ms,
            request_id: self
                .request_id
                .as_ref()
                .map(|id| id.as_str().to_owned())
                .unwrap_or_default(),
            token_id: self.token_id.as_ref().map(|t| t.as_str().to_owned()),
        }
    }

    fn har(&self) -> crate::har::Entry {
        let kept = &self.kept;
        let url = format!("{}{}", kept.origin, self.target_url());
        let (request_headers, response_headers) = (
            kept.request_headers.to_vec(),
            kept.response_headers.to_vec(),
        );
        Exchange {
            started: self.at,
            elapsed_ms: self.duration_ms,
            method: self.method.as_str(),
            url: &url,
            http_version: kept.http_version,
            request_headers: &request_headers,
            request_body: b"",
            status: self.status,
            response_headers: &response_headers,
            response_body: &kept.body,
            response_size: kept.body_size,
            limit_setting: "admin.journal_body_bytes",
        }
        .entry()
    }

    /// The path, and `?query` when there is one.
    fn target_url(&self) -> String {
        let (path, query) = self.target.split_at(self.query_at);
        match query {
            "" => path.to_owned(),
            _ => format!("{path}?{query}"),
        }
    }
}

/// How much every journal may hold: entries and bytes per session, bytes in all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JournalLimits {
    /// Entries kept per session (`admin.journal_capacity`); 0 keeps none.
    pub entries: usize,
    /// Bytes of path and query kept per entry (`admin.journal_max_target_bytes`); the rest
    /// is cut, and the entry says how much was cut.
    pub target_bytes: usize,
    /// Bytes one session's journal may hold (`admin.journal_max_bytes`).
    pub session_bytes: usize,
    /// Bytes every journal together may hold (`admin.journal_total_bytes`).
    pub total_bytes: usize,
    /// Bytes of each response body kept for the HAR (`admin.journal_body_bytes`).
    pub body_bytes: usize,
}

/// What one recorded request costs the budget: its own size, its path and query, and what
/// its HAR keeps (headers, the first bytes of the body).
pub(super) fn cost(entry: &Recorded) -> usize {
    let kept = &entry.kept;
    let headers = kept.request_headers.size() + kept.response_headers.size();
    std::mem::size_of::<Recorded>()
        + entry.target.len()
        + std::mem::size_of::<Kept>()
        + kept.origin.len()
        + kept.body.len()
        + headers
}

impl Journal {
    /// The `limit` newest entries, newest first.
    pub fn recent(&self, limit: usize) -> Vec<JournalEntry> {
        self.shown(|shown| shown.iter().rev().take(limit).map(|e| e.entry()).collect())
    }

    /// The `limit` newest entries as a HAR log, in the order they arrived.
    pub fn har(&self, limit: usize) -> Log {
        self.shown(|shown| Log {
            entries: shown[shown.len().saturating_sub(limit)..]
                .iter()
                .map(|e| e.har())
                .collect(),
            ..Log::new()
        })
    }
}

/// Journals every request in the journal of the request's session (the default one when the
/// selector is bad), preflights and refusals included, as it was sent; paths under the
/// `unjournaled` prefixes are left out (the admin API: what a client under test did is the
/// journal's subject, not the calls that control the mock).
pub struct JournalRequests {
    /// Path prefixes, as routed (`/__admin`).
    pub unjournaled: Vec<&'static str>,
}

impl RequestObserver for JournalRequests {
    fn observe(&self, res: &ServiceResponse<BoxBody>, elapsed: Duration) {
        let request = res.request();
        let (path, query) = (request.path(), request.query_string());
        // The path as routed (percent-encoded unreserved characters decoded), so that every
        // spelling of an admin path the router accepts is left out.
        let routed = request.match_info().as_str();
        if self
            .unjournaled
            .iter()
            .any(|prefix| routed.starts_with(prefix))
        {
            return;
        }
        // Read before the extensions are borrowed below: it may insert itself there.
        let origin = origin::of(request);
        // The session is borrowed from the request, not shared again: another reference count
        // would be one more cache line every worker writes.
        let extensions = request.extensions();
        let resolved;
        let session: &Session = match extensions.get::<Selection>() {
            Some(Selection::Named(selected)) => &selected.session,
            Some(Selection::Default | Selection::Refused(_)) => {
                match request.app_data::<web::Data<Sessions>>() {
                    Some(sessions) => sessions.default_session(),
                    None => return,
                }
            }
            None => {
                resolved = Selected::resolve(request).or_else(|_| Selected::default_of(request));
                match &resolved {
                    Ok(selected) => &selected.session,
                    Err(_) => return,
                }
            }
        };
        let journal = &session.journal;
        let limit = journal.limits().target_bytes;
        let (path, path_cut) = cut_to(path, limit);
        let (query, query_cut) = cut_to(query, limit - path.len());
        let mut target = String::with_capacity(path.len() + query.len());
        target.push_str(path);
        target.push_str(query);
        let sent = res.response().extensions();
        let body = sent.get::<SentBody>().map(|b| &b.0[..]);
        let kept = Kept {
            origin,
            http_version: http_version(request.version()),
            request_headers: headers(request.headers(), known_secret(&extensions, request)),
            response_headers: headers(res.headers(), None),
            body: body
                .map(|b| &b[..b.len().min(kept_body_bytes(journal.limits()))])
                .unwrap_or_default()
                .into(),
            body_size: body.map_or(0, <[u8]>::len),
        };
        drop(sent);
        let entry = Recorded {
            arrival: 0,
            at: session.clock.now(),
            method: request.method().clone(),
            target: target.into_boxed_str(),
            query_at: path.len(),
            cut: (path_cut, query_cut),
            status: res.status().as_u16(),
            duration_ms: elapsed.as_secs_f64() * 1000.0,
            request_id: extensions.get::<RequestId>().cloned(),
            token_id: extensions.get::<TokenId>().cloned(),
            kept: Box::new(kept),
        };
        journal.record(entry);
    }
}

/// Bytes of a response body an entry keeps: `admin.journal_body_bytes`, but never more than
/// half of one session's journal, so that an entry with a long body still fits beside its
/// headers rather than going unjournaled.
fn kept_body_bytes(limits: JournalLimits) -> usize {
    limits.body_bytes.min(limits.session_bytes / 2)
}

/// The fields of `map`, redacted; `known` spares the SHA-256 of the bearer secret.
fn headers(map: &HeaderMap, known: Option<KnownSecret<'_>>) -> RedactedHeaders {
    RedactedHeaders::new(
        || map.iter().map(|(n, v)| (n.as_str(), v.as_bytes())),
        known,
    )
}

/// The bearer secret of a request with the digest its [`Caller`] took of it, when the mock
/// controls read one: the journal fingerprints it without a second SHA-256.
fn known_secret<'a>(extensions: &Extensions, request: &'a HttpRequest) -> Option<KnownSecret<'a>> {
    let caller = extensions.get::<Caller>().copied()?;
    match (Credentials::of(request.headers()), caller.presented) {
        (Credentials::Bearer(secret), Presented::Secret(digest)) => {
            Some(KnownSecret { secret, digest })
        }
        _ => None,
    }
}

fn http_version(version: actix_web::http::Version) -> &'static str {
    use actix_web::http::Version;
    match version {
        Version::HTTP_09 => "HTTP/0.9",
        Version::HTTP_10 => "HTTP/1.0",
        Version::HTTP_2 => "HTTP/2.0",
        Version::HTTP_3 => "HTTP/3.0",
        _ => "HTTP/1.1",
    }
}

#[cfg(test)]
mod tests;

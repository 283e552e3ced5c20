//! The journal: a bounded record of recent requests, for `/__admin/requests`.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage};
use serde::Serialize;

use super::Selected;
use crate::domain::{format_timestamp, TokenId};
use crate::http::RequestId;

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

/// Keeps the most recent `capacity` entries.
///
/// A plain mutex held for a push or a copy: recording must not cost each request a wake-up
/// of another thread, which an actor would (and there is no state here worth an actor).
pub struct Journal {
    entries: Mutex<VecDeque<JournalEntry>>,
    capacity: usize,
}

impl Journal {
    pub fn new(capacity: usize) -> Journal {
        Journal {
            // Grown as requests arrive: a session that is never called costs no buffer.
            entries: Mutex::new(VecDeque::new()),
            capacity,
        }
    }

    /// Adds an entry, dropping the oldest past capacity.
    pub fn record(&self, entry: JournalEntry) {
        let mut entries = self.lock();
        if entries.len() == self.capacity {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// The `limit` newest entries, newest first.
    pub fn recent(&self, limit: usize) -> Vec<JournalEntry> {
        self.lock().iter().rev().take(limit).cloned().collect()
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        self.lock().clear();
    }

    // A panic while holding the lock leaves whole entries behind, so the data stays usable.
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<JournalEntry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Paths under these prefixes are not journaled (the admin API: what a client under test did
/// is the journal's subject, not the calls that control the mock).
#[derive(Clone, Debug, Default)]
pub struct Unjournaled(pub Vec<&'static str>);

/// Journals every request in the journal of the request's session (the default one when the
/// selector is bad), preflights included: mounted outside CORS, which answers those.
pub async fn record_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let skipped = req
        .app_data::<web::Data<Unjournaled>>()
        .is_some_and(|u| u.0.iter().any(|prefix| req.path().starts_with(prefix)));
    if skipped {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let started = Instant::now();
    let selected =
        Selected::resolve(req.request()).or_else(|_| Selected::default_of(req.request()));
    let res = next.call(req).await?.map_into_boxed_body();
    let Ok(selected) = selected else {
        return Ok(res);
    };
    let request = res.request();
    let extensions = request.extensions();
    selected.session.journal.record(JournalEntry {
        at: format_timestamp(&selected.session.clock.now()),
        method: request.method().to_string(),
        path: request.path().to_owned(),
        query: request.query_string().to_owned(),
        status: res.status().as_u16(),
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        request_id: extensions
            .get::<RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default(),
        token_id: extensions.get::<TokenId>().map(|t| t.as_str().to_owned()),
    });
    drop(extensions);
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(status: u16) -> JournalEntry {
        JournalEntry {
            at: "2026-05-01T00:00:00Z".into(),
            method: "GET".into(),
            path: "/v1/tokens".into(),
            query: String::new(),
            status,
            duration_ms: 0.1,
            request_id: "req_x".into(),
            token_id: None,
        }
    }

    #[test]
    fn the_journal_keeps_the_newest_entries_newest_first() {
        let journal = Journal::new(2);
        for status in [200, 401, 403] {
            journal.record(entry(status));
        }
        let statuses: Vec<u16> = journal.recent(10).iter().map(|e| e.status).collect();
        assert_eq!(statuses, [403, 401]);
        journal.clear();
        assert!(journal.recent(10).is_empty());
    }
}

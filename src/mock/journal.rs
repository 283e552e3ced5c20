//! The journal: a bounded record of recent requests, kept by a small actor so that recording
//! one is a message send and never a lock on the request path.

use std::collections::VecDeque;

use actix::{Actor, Context, Handler, Message, MessageResult};
use serde::Serialize;

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
pub struct Journal {
    entries: VecDeque<JournalEntry>,
    capacity: usize,
}

impl Journal {
    pub fn new(capacity: usize) -> Journal {
        Journal {
            entries: VecDeque::with_capacity(capacity.min(4096)),
            capacity,
        }
    }
}

impl Actor for Journal {
    type Context = Context<Self>;
}

/// Adds an entry, dropping the oldest past capacity.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Record(pub JournalEntry);

impl Handler<Record> for Journal {
    type Result = ();

    fn handle(&mut self, msg: Record, _: &mut Self::Context) {
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(msg.0);
    }
}

/// The `limit` newest entries, newest first.
#[derive(Message)]
#[rtype(result = "Vec<JournalEntry>")]
pub struct Recent(pub usize);

impl Handler<Recent> for Journal {
    type Result = MessageResult<Recent>;

    fn handle(&mut self, msg: Recent, _: &mut Self::Context) -> Self::Result {
        MessageResult(self.entries.iter().rev().take(msg.0).cloned().collect())
    }
}

/// Forgets every entry.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Clear;

impl Handler<Clear> for Journal {
    type Result = ();

    fn handle(&mut self, _: Clear, _: &mut Self::Context) {
        self.entries.clear();
    }
}

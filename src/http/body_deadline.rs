//! `server.body_timeout_ms`: a request body must arrive whole within the timeout, counted from
//! the moment its headers were read. A body that stops half-way is answered 408 and its
//! connection closed, so that clients that never finish sending cannot hold connections (and
//! the file descriptors behind them) for ever.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::dev::{Payload, ServiceRequest};
use actix_web::error::PayloadError;
use actix_web::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use actix_web::rt::time::{sleep, Sleep};
use actix_web::web::Bytes;
use actix_web::HttpMessage;
use futures_util::{Stream, StreamExt};

/// The message of the error a late body ends with; see [`is_timeout`].
const TIMED_OUT: &str = "the request body did not arrive within server.body_timeout_ms";

/// Gives the body of `req`, if it has one, `timeout` to arrive whole.
pub(crate) fn limit(req: &mut ServiceRequest, timeout: Duration) {
    let headers = req.headers();
    let has_body = headers.contains_key(TRANSFER_ENCODING)
        || headers
            .get(CONTENT_LENGTH)
            .is_some_and(|length| length.as_bytes() != b"0");
    if has_body {
        let inner = req.take_payload();
        let timed = Deadline {
            inner,
            sleep: Box::pin(sleep(timeout)),
            expired: false,
        };
        req.set_payload(Payload::Stream {
            payload: Box::pin(timed),
        });
    }
}

/// Whether a body read failed because the body was late.
pub(crate) fn is_timeout(error: &PayloadError) -> bool {
    matches!(error, PayloadError::Io(e) if e.kind() == io::ErrorKind::TimedOut)
}

/// A body stream that ends with a `TimedOut` error once its deadline passes.
struct Deadline {
    inner: Payload,
    sleep: Pin<Box<Sleep>>,
    expired: bool,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.expired {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = self.inner.poll_next_unpin(cx) {
            return Poll::Ready(item);
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            self.expired = true;
            let late = io::Error::new(io::ErrorKind::TimedOut, TIMED_OUT);
            return Poll::Ready(Some(Err(PayloadError::Io(late))));
        }
        Poll::Pending
    }
}

//! `Keep-Alive: timeout=N` (RFC 2068 §19.7.1; persistent connections in RFC 9112 §9.3): a pooled
//! client that reads it (undici; Node's `http.Agent` with an idle timeout of its own, as its
//! global agent has) closes an idle connection before the server does, so that no request is
//! ever sent on a connection the server is closing at the same instant.

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{ConnectionType, Version};
use actix_web::web;

/// The `Keep-Alive` field's name.
pub(crate) const KEEP_ALIVE: HeaderName = HeaderName::from_static("keep-alive");

/// The `Keep-Alive` value announced on responses that leave the connection open: built once
/// from `server.keep_alive_secs`, mounted as app data (`web::Data<KeepAliveTimeout>`).
#[derive(Clone, Debug)]
pub(crate) struct KeepAliveTimeout(Option<HeaderValue>);

impl KeepAliveTimeout {
    /// `timeout=secs`; nothing when `secs` is 0 (every connection closes after its response).
    pub(crate) fn new(secs: u64) -> Self {
        let value = format!("timeout={secs}");
        Self(
            (secs > 0)
                .then(|| HeaderValue::try_from(value).ok())
                .flatten(),
        )
    }
}

/// Adds `Keep-Alive: timeout=N` (the app's [`KeepAliveTimeout`]) to `res` when its connection
/// stays open after it: an HTTP/1.x request that did not ask to close (`Connection: close`, or
/// HTTP/1.0 without `Connection: keep-alive`) and a response that does not close. The server
/// may still close after the response (shutting down, or a request body left unread); the
/// response then says `Connection: close`, which clients obey over `Keep-Alive`.
pub(crate) fn announce<B: MessageBody>(res: &mut ServiceResponse<B>) {
    let request = res.request().head();
    let kept = matches!(request.version, Version::HTTP_10 | Version::HTTP_11)
        && request.connection_type() == ConnectionType::KeepAlive;
    if !kept || res.response().head().connection_type() == ConnectionType::Close {
        return;
    }
    let value = res
        .request()
        .app_data::<web::Data<KeepAliveTimeout>>()
        .and_then(|timeout| timeout.0.clone());
    if let Some(value) = value {
        res.headers_mut().insert(KEEP_ALIVE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_names_the_seconds_and_zero_announces_nothing() {
        assert_eq!(
            KeepAliveTimeout::new(75).0,
            Some(HeaderValue::from_static("timeout=75"))
        );
        assert_eq!(KeepAliveTimeout::new(0).0, None);
    }
}

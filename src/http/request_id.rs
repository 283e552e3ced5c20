//! `X-Request-Id`: the caller's own when it is safe to echo, else a fresh `req_…` id.

use std::fmt;
use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use rand::Rng;

/// The header that carries the id both ways.
pub const X_REQUEST_ID: &str = "x-request-id";

/// The id of one request, echoed in its response and its problem body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    /// Keeps the caller's id when it is 1 to 64 of `[A-Za-z0-9._-]`, else makes one.
    pub fn from_header(value: Option<&[u8]>) -> RequestId {
        match value {
            Some(v)
                if (1..=64).contains(&v.len())
                    && v.iter()
                        .all(|b| b.is_ascii_alphanumeric() || b".-_".contains(b)) =>
            {
                RequestId(String::from_utf8_lossy(v).into_owned())
            }
            _ => RequestId::generate(),
        }
    }

    /// `req_` and 24 lowercase letters or digits: twelve base-36 digits from each of two
    /// random 64-bit numbers (36^12 < 2^64), two draws of the generator per id.
    pub fn generate() -> RequestId {
        const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let mut id = String::with_capacity(28);
        id.push_str("req_");
        let mut rng = rand::rng();
        for _ in 0..2 {
            let mut value: u64 = rng.random();
            for _ in 0..12 {
                id.push(char::from(DIGITS[(value % 36) as usize]));
                value /= 36;
            }
        }
        RequestId(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromRequest for RequestId {
    type Error = actix_web::Error;
    type Future = Ready<Result<RequestId, actix_web::Error>>;

    /// The id the middleware assigned; a fresh one if the middleware is not mounted.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let id = req.extensions().get::<RequestId>().cloned();
        ready(Ok(id.unwrap_or_else(RequestId::generate)))
    }
}

#[cfg(test)]
mod tests {
    use super::RequestId;

    #[test]
    fn a_safe_caller_id_is_kept_and_anything_else_is_replaced() {
        assert_eq!(
            RequestId::from_header(Some(b"abc.DEF-1_2")).as_str(),
            "abc.DEF-1_2"
        );
        for bad in [&b""[..], b"has space", b"semi;colon", &[b'a'; 65]] {
            let id = RequestId::from_header(Some(bad));
            assert!(id.as_str().starts_with("req_"), "{:?}", bad);
            assert_eq!(id.as_str().len(), 28);
            assert!(id.as_str()[4..]
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        }
    }
}

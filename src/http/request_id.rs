//! `X-Request-Id`: the caller's own when it is safe to echo, else a fresh `req_…` id.

use std::fmt;
use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use rand::Rng;

/// The header that carries the id both ways.
pub(crate) const X_REQUEST_ID: &str = "x-request-id";

/// The longest id kept from a caller, in bytes.
const MAX_LEN: usize = 64;

/// The id of one request, echoed in its response and its problem body: 1 to 64 ASCII
/// characters of `[A-Za-z0-9._-]`, held inline (copying one allocates nothing).
#[derive(Clone, PartialEq, Eq)]
pub struct RequestId {
    len: u8,
    bytes: [u8; MAX_LEN],
}

impl RequestId {
    /// Keeps the caller's id when it is 1 to 64 of `[A-Za-z0-9._-]`, else makes one.
    pub fn from_header(value: Option<&[u8]>) -> RequestId {
        match value {
            Some(v)
                if (1..=MAX_LEN).contains(&v.len())
                    && v.iter()
                        .all(|b| b.is_ascii_alphanumeric() || b".-_".contains(b)) =>
            {
                RequestId::inline(v)
            }
            _ => RequestId::generate(),
        }
    }

    /// `bytes` (at most [`MAX_LEN`] of them, all ASCII) held inline.
    fn inline(text: &[u8]) -> RequestId {
        let mut bytes = [0; MAX_LEN];
        bytes[..text.len()].copy_from_slice(text);
        RequestId {
            len: text.len() as u8,
            bytes,
        }
    }

    /// `req_` and 24 lowercase letters or digits: twelve base-36 digits from each of two
    /// random 64-bit numbers (36^12 < 2^64), two draws of the generator per id.
    pub fn generate() -> RequestId {
        const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let mut id = [0; 28];
        id[..4].copy_from_slice(b"req_");
        let mut rng = rand::rng();
        for half in id[4..].chunks_exact_mut(12) {
            let mut value: u64 = rng.random();
            for digit in half {
                *digit = DIGITS[(value % 36) as usize];
                value /= 36;
            }
        }
        RequestId::inline(&id)
    }

    /// The id's text.
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored (see `from_header` and `generate`).
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RequestId").field(&self.as_str()).finish()
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

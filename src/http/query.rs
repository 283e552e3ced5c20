//! Each request's query string, decoded once at its start (`middleware::common`) into its
//! extensions, where the session selector, the mock controls and the handlers all read the
//! same [`QueryString`]. A query past `limits.max_query_bytes` is not decoded at all: it reads
//! as empty, and the `limits` layer, which every reader sits behind, answers it with a 414. An
//! empty query (the commonest listing's) is neither decoded nor kept: every reader gets the
//! empty decoding, which allocates nothing.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::{ApiError, RequestLimits};
use crate::domain::QueryString;

/// The request's decoded query: the one in its extensions, or, on the first reading of a
/// request no `common` layer saw, decoded now and kept there for every later reader.
pub(crate) fn of(req: &HttpRequest) -> QueryString {
    if req.query_string().is_empty() {
        return QueryString::default();
    }
    let kept = req.extensions().get::<QueryString>().cloned();
    if let Some(query) = kept {
        return query;
    }
    let max = req
        .app_data::<web::Data<RequestLimits>>()
        .map_or(usize::MAX, |limits| limits.max_query_bytes);
    decode(req, max)
}

/// Decodes the request's query, unless it is longer than `max_query_bytes`, and keeps it in
/// the request's extensions for every reader ([`of`]). `middleware::common` calls it first.
pub(crate) fn decode(req: &HttpRequest, max_query_bytes: usize) -> QueryString {
    let raw = req.query_string();
    if raw.is_empty() {
        // Nothing to decode and nothing to keep: `of` answers the empty decoding too.
        return QueryString::default();
    }
    // Never decoded past the limit: the request is refused (414) before any reader runs.
    let query = if raw.len() > max_query_bytes {
        QueryString::default()
    } else {
        QueryString::parse(raw)
    };
    req.extensions_mut().insert(query.clone());
    query
}

impl FromRequest for QueryString {
    type Error = ApiError;
    type Future = Ready<Result<QueryString, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(of(req)))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use actix_web::test::TestRequest;
    use actix_web::{web, HttpMessage};

    use super::{decode, of};
    use crate::domain::QueryString;
    use crate::http::RequestLimits;

    fn limits(max_query_bytes: usize) -> web::Data<RequestLimits> {
        web::Data::new(RequestLimits {
            max_query_bytes,
            max_header_bytes: 8192,
            body_timeout: Duration::from_secs(1),
            max_logged_bytes: 256,
        })
    }

    #[test]
    fn every_reader_of_a_request_shares_one_decoding() {
        // Arrange
        let req = TestRequest::get()
            .uri("/v1/tokens?name=a%20b&__session=s")
            .to_http_request();

        // Act
        let first = of(&req);
        let second = of(&req);

        // Assert: the same decoded value, not a second decoding of the same text.
        assert!(first.is_shared_with(&second));
        assert_eq!(second.single("name").unwrap(), Some("a b"));
    }

    #[test]
    fn an_empty_query_is_read_as_the_empty_decoding_and_not_kept() {
        // Arrange
        let req = TestRequest::get().uri("/v1/tokens?").to_http_request();

        // Act
        let decoded = decode(&req, 8192);
        let read = of(&req);

        // Assert: nothing in the extensions, and both readers see the one empty decoding.
        assert!(req.extensions().get::<QueryString>().is_none());
        assert!(decoded.is_shared_with(&read));
        assert!(read.is_shared_with(&QueryString::default()));
        assert_eq!(read.single("name").unwrap(), None);
    }

    #[test]
    fn a_query_past_the_limit_is_not_decoded() {
        // Arrange
        let req = TestRequest::get()
            .uri("/v1/tokens?name=abcd")
            .app_data(limits(8))
            .to_http_request();
        let within = TestRequest::get()
            .uri("/v1/tokens?name=abc")
            .app_data(limits(8))
            .to_http_request();

        // Act
        let (past, at) = (of(&req), of(&within));

        // Assert
        assert_eq!(past.single("name").unwrap(), None);
        assert_eq!(at.single("name").unwrap(), Some("abc"));
    }
}

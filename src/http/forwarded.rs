//! `X-Forwarded-Prefix`: the path prefix a reverse proxy stripped before passing a request on
//! (`/mock` when it serves this server at `https://host/mock/`). The URLs the server writes
//! into an answer (`Link` targets, the index at `/`) start with it, so they resolve through
//! that proxy.
//!
//! Trust: the prefix is honoured from any peer. It changes only the answer to the request
//! that carries it (answers are `no-store`), and it must be a plain path of safe characters
//! (`/` then segments of `A-Z a-z 0-9 - . _ ~`, no `.` or `..` segment, at most
//! [`MAX_PREFIX_BYTES`]), so it can neither leave the server's origin nor break a header.
//! A prefix that is not, or that is given more than once, is ignored.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, LINK};
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest};

/// The header a reverse proxy names its stripped prefix with.
pub(crate) const X_FORWARDED_PREFIX: &str = "x-forwarded-prefix";

/// The longest prefix honoured, in bytes.
pub(crate) const MAX_PREFIX_BYTES: usize = 256;

/// The prefix as it may be used: `/a/b`, without a trailing `/`; `None` for `/` alone or an
/// unsafe prefix.
pub(crate) fn parse_prefix(text: &str) -> Option<&str> {
    let trimmed = text.trim().trim_end_matches('/');
    let safe = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
    let ok = text.len() <= MAX_PREFIX_BYTES
        && trimmed.starts_with('/')
        && trimmed[1..].split('/').all(|segment| {
            !segment.is_empty() && segment != "." && segment != ".." && segment.bytes().all(safe)
        });
    ok.then_some(trimmed)
}

/// The request's valid `X-Forwarded-Prefix`, given once; `None` otherwise.
pub(crate) fn forwarded_prefix(req: &HttpRequest) -> Option<String> {
    let mut values = req
        .headers()
        .get_all(HeaderName::from_static(X_FORWARDED_PREFIX));
    match (values.next(), values.next()) {
        (Some(value), None) => value
            .to_str()
            .ok()
            .and_then(parse_prefix)
            .map(str::to_owned),
        _ => None,
    }
}

/// Middleware: the `Link` targets of the answer start with the request's prefix.
pub(crate) async fn prefix_links(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let prefix = forwarded_prefix(req.request());
    let mut res = next.call(req).await?;
    if let Some(prefix) = prefix {
        let headers = res.headers_mut();
        let rewritten = headers
            .get(LINK)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.replace("</", &format!("<{prefix}/")))
            .and_then(|v| HeaderValue::from_str(&v).ok());
        if let Some(value) = rewritten {
            headers.insert(LINK, value);
        }
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::parse_prefix;

    #[test]
    fn a_prefix_is_a_path_of_safe_segments() {
        for (given, used) in [
            ("/mock", "/mock"),
            ("/mock/", "/mock"),
            ("/a/b-c/d_e.f~g", "/a/b-c/d_e.f~g"),
            (" /api/v2 ", "/api/v2"),
        ] {
            assert_eq!(parse_prefix(given), Some(used), "{given}");
        }
        let long = format!("/{}", "a".repeat(300));
        for bad in [
            "",
            "/",
            "mock",
            "//evil.example",
            "/a//b",
            "/a/../b",
            "/./a",
            "/a b",
            "/a?x=1",
            "/a#f",
            "/a%2Fb",
            "/a>;rel=x",
            "/é",
            "https://evil.example/",
            "/a\\b",
            &long,
        ] {
            assert_eq!(parse_prefix(bad), None, "{bad}");
        }
    }
}

//! The origin an entry's HAR names (`http://127.0.0.1:8080`): `scheme://host` as actix-web's
//! `ConnectionInfo` gives them, read straight from the request when it carries no forwarding
//! header (nearly every request). `ConnectionInfo` also writes out the peer's address, which
//! an entry never shows: a share of each journaled request's cost.

use actix_web::http::header::{HeaderName, FORWARDED, HOST};
use actix_web::HttpRequest;

/// The headers that may name another scheme or host (RFC 7239, and the older ones).
const FORWARDING: [&str; 3] = ["forwarded", "x-forwarded-proto", "x-forwarded-host"];

/// `scheme://host` of `request`, exactly as `request.connection_info()` names them.
pub(super) fn of(request: &HttpRequest) -> Box<str> {
    let headers = request.headers();
    let forwarded = headers.contains_key(FORWARDED)
        || FORWARDING[1..]
            .iter()
            .any(|name| headers.contains_key(HeaderName::from_static(name)));
    if forwarded {
        let info = request.connection_info();
        return format!("{}://{}", info.scheme(), info.host()).into_boxed_str();
    }
    // Without those headers, ConnectionInfo's own fallbacks, in its order.
    let config = request.app_config();
    let uri = request.uri();
    let scheme = uri
        .scheme_str()
        .unwrap_or(if config.secure() { "https" } else { "http" });
    let host = headers
        .get(HOST)
        .and_then(|host| host.to_str().ok())
        .or_else(|| uri.authority().map(|authority| authority.as_str()))
        .unwrap_or_else(|| config.host());
    let mut origin = String::with_capacity(scheme.len() + 3 + host.len());
    origin.push_str(scheme);
    origin.push_str("://");
    origin.push_str(host);
    origin.into_boxed_str()
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    #[test]
    fn the_origin_is_the_one_connection_info_names_for_every_kind_of_request() {
        let requests = [
            TestRequest::get().uri("/v1/tokens"),
            TestRequest::get()
                .uri("/v1/tokens")
                .insert_header(("host", "127.0.0.1:8080")),
            TestRequest::get().uri("http://mock.test:9/v1/tokens"),
            TestRequest::get().uri("https://mock.test/v1/tokens"),
            TestRequest::get()
                .uri("https://mock.test/v1/tokens")
                .insert_header(("host", "other.test")),
            TestRequest::get()
                .uri("/v1/tokens")
                .insert_header(("host", "caf\u{e9}.test".as_bytes())),
            TestRequest::get()
                .uri("/v1/tokens")
                .insert_header(("host", "a.test"))
                .insert_header(("forwarded", "proto=https; host=b.test")),
            TestRequest::get()
                .uri("/v1/tokens")
                .insert_header(("x-forwarded-proto", "https")),
            TestRequest::get()
                .uri("/v1/tokens")
                .insert_header(("host", "a.test"))
                .insert_header(("x-forwarded-host", "b.test, c.test")),
            TestRequest::get()
                .uri("/v1/tokens")
                .insert_header(("x-forwarded-for", "10.0.0.1"))
                .insert_header(("host", "a.test")),
        ];
        for request in requests {
            let request = request.to_http_request();
            let info = request.connection_info().clone();
            let expected = format!("{}://{}", info.scheme(), info.host());
            assert_eq!(&*super::of(&request), expected, "{:?}", request.headers());
        }
    }
}

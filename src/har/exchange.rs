//! One exchange as its parts were seen, written as a HAR [`Entry`] with credentials
//! redacted and the kept body's start marked when it is shorter than the body.

use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use percent_encoding::percent_decode_str;

use super::{redact, Cache, Content, Entry, NameValue, PostData, Request, Response, Timings};

/// Starts the `content.comment` of a body whose `text` holds only its first bytes.
pub(crate) const TRUNCATED_COMMENT: &str = "truncated: text holds the first";

/// An exchange's parts, headers and bodies as sent (redacted when written).
pub(crate) struct Exchange<'a> {
    /// When the request arrived.
    pub started: DateTime<Utc>,
    /// Milliseconds spent answering.
    pub(crate) elapsed_ms: f64,
    pub method: &'a str,
    /// The absolute URL, query included.
    pub url: &'a str,
    /// `HTTP/1.1`, `HTTP/2.0`.
    pub(crate) http_version: &'a str,
    pub(crate) request_headers: &'a [NameValue],
    pub(crate) request_body: &'a [u8],
    pub status: u16,
    pub(crate) response_headers: &'a [NameValue],
    /// The body, or its first bytes when `response_size` is larger.
    pub(crate) response_body: &'a [u8],
    /// Bytes of the whole response body.
    pub(crate) response_size: usize,
    /// The setting that bounds kept bodies, named when one is cut short.
    pub(crate) limit_setting: &'a str,
}

/// Headers as a HAR keeps them: names as sent, values redacted ([`redact::header_value`]).
pub(crate) fn redacted_headers<'a>(
    headers: impl Iterator<Item = (&'a str, &'a [u8])>,
) -> Vec<NameValue> {
    headers
        .map(|(name, value)| NameValue {
            name: name.to_owned(),
            value: redact::header_value(name, value),
        })
        .collect()
}

impl Exchange<'_> {
    /// The HAR entry; `request_headers` and `response_headers` are taken as already redacted.
    pub(crate) fn entry(&self) -> Entry {
        let url = redact::text(self.url).into_owned();
        let query = url.split_once('?').map_or("", |(_, q)| q);
        let content_type = |headers: &[NameValue]| {
            headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-type"))
                .map(|h| h.value.clone())
        };
        let post_data = (!self.request_body.is_empty()).then(|| PostData {
            mime_type: content_type(self.request_headers).unwrap_or_default(),
            params: Vec::new(),
            text: redact::text(&String::from_utf8_lossy(self.request_body)).into_owned(),
            comment: None,
        });
        let (text, encoding) = body_text(self.response_body);
        let comment = (self.response_body.len() < self.response_size).then(|| {
            format!(
                "{TRUNCATED_COMMENT} {} of {} bytes ({})",
                self.response_body.len(),
                self.response_size,
                self.limit_setting
            )
        });
        let status_text = actix_web::http::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("")
            .to_owned();
        Entry {
            started_date_time: self.started.to_rfc3339_opts(SecondsFormat::Millis, true),
            time: self.elapsed_ms,
            request: Request {
                method: self.method.to_owned(),
                url: url.clone(),
                http_version: self.http_version.to_owned(),
                cookies: Vec::new(),
                headers: self.request_headers.to_vec(),
                query_string: query_pairs(query),
                post_data,
                headers_size: -1,
                body_size: self.request_body.len() as i64,
            },
            response: Response {
                status: self.status,
                status_text,
                http_version: self.http_version.to_owned(),
                cookies: Vec::new(),
                headers: self.response_headers.to_vec(),
                content: Content {
                    size: self.response_size as i64,
                    mime_type: content_type(self.response_headers).unwrap_or_default(),
                    text: Some(text),
                    encoding,
                    comment,
                },
                redirect_url: self
                    .response_headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("location"))
                    .map(|h| h.value.clone())
                    .unwrap_or_default(),
                headers_size: -1,
                body_size: self.response_size as i64,
            },
            cache: Cache {},
            timings: Timings::waited(self.elapsed_ms),
            comment: None,
        }
    }
}

/// The body as text with its secrets redacted, or base64 when it is not UTF-8 (a body cut
/// inside a character keeps the characters before the cut).
fn body_text(body: &[u8]) -> (String, Option<String>) {
    let text = match std::str::from_utf8(body) {
        Ok(text) => Some(text),
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&body[..e.valid_up_to()]).ok(),
        Err(_) => None,
    };
    match text {
        Some(text) => (redact::text(text).into_owned(), None),
        None => (
            base64::engine::general_purpose::STANDARD.encode(body),
            Some("base64".to_owned()),
        ),
    }
}

/// `a=1&b=x%20y` as HAR's `queryString`, decoded.
fn query_pairs(query: &str) -> Vec<NameValue> {
    let decode = |s: &str| {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            NameValue {
                name: decode(name),
                value: decode(value),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange<'a>(body: &'a [u8], size: usize, headers: &'a [NameValue]) -> Exchange<'a> {
        Exchange {
            started: "2026-05-01T00:00:00Z".parse().expect("a time"),
            elapsed_ms: 1.5,
            method: "GET",
            url: "http://127.0.0.1:8080/v1/tokens?status=active&name=a%20b",
            http_version: "HTTP/1.1",
            request_headers: headers,
            request_body: b"",
            status: 200,
            response_headers: headers,
            response_body: body,
            response_size: size,
            limit_setting: "admin.journal_body_bytes",
        }
    }

    #[test]
    fn an_entry_holds_the_query_the_body_and_the_timing() {
        let headers = [NameValue {
            name: "Content-Type".into(),
            value: "application/json".into(),
        }];
        let entry = exchange(b"{\"data\":[]}", 11, &headers).entry();
        assert_eq!(entry.started_date_time, "2026-05-01T00:00:00.000Z");
        assert_eq!(entry.request.query_string[1].value, "a b");
        assert_eq!(
            entry.response.content.text.as_deref(),
            Some("{\"data\":[]}")
        );
        assert_eq!(entry.response.content.mime_type, "application/json");
        assert_eq!(entry.response.content.comment, None);
        assert_eq!(entry.response.status_text, "OK");
        assert_eq!(entry.timings.wait, 1.5);
    }

    #[test]
    fn a_body_cut_short_says_so_and_keeps_whole_characters() {
        let body = "é".repeat(3);
        let cut = &body.as_bytes()[..5];
        let entry = exchange(cut, body.len(), &[]).entry();
        assert_eq!(entry.response.content.text.as_deref(), Some("éé"));
        assert_eq!(entry.response.content.size, 6);
        let comment = entry.response.content.comment.expect("a comment");
        assert!(comment.starts_with(TRUNCATED_COMMENT), "{comment}");
        assert!(comment.contains("5 of 6 bytes (admin.journal_body_bytes)"));
    }

    #[test]
    fn a_body_that_is_not_text_is_base64() {
        let entry = exchange(&[0xff, 0x00], 2, &[]).entry();
        assert_eq!(entry.response.content.encoding.as_deref(), Some("base64"));
        assert_eq!(entry.response.content.text.as_deref(), Some("/wA="));
    }
}

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

/// Headers as a HAR keeps them, redacted when made and held in one buffer (two allocations
/// for all of them, where a `Vec<NameValue>` takes two a header): what a journal keeps of
/// every request until it is read.
#[derive(Clone, Debug, Default)]
pub(crate) struct RedactedHeaders {
    /// Each name, then its value, back to back.
    text: Box<str>,
    /// Where each header's name ends and where its value ends, in `text`.
    ends: Box<[(u32, u32)]>,
}

impl RedactedHeaders {
    /// Names as sent, values redacted ([`redact::write_header_value`]), from `headers()`,
    /// which is read twice (once to size the buffer). Headers past 4 GiB of text together are
    /// left out (a request's headers are bounded far below that).
    /// The `Authorization` credential is fingerprinted from `known`'s digest when it is
    /// `known`'s secret (the same text, one SHA-256 fewer).
    pub(crate) fn new<'a, I>(
        headers: impl Fn() -> I,
        known: Option<redact::KnownSecret<'_>>,
    ) -> RedactedHeaders
    where
        I: Iterator<Item = (&'a str, &'a [u8])>,
    {
        // Sized once: a redacted value is rarely longer than the value.
        let (count, bytes) = headers().fold((0, 0), |(n, b), (name, value)| {
            (n + 1, b + name.len() + value.len())
        });
        let headers = headers();
        let mut text = String::with_capacity(bytes);
        let mut ends = Vec::with_capacity(count);
        for (name, value) in headers {
            let start = text.len();
            text.push_str(name);
            let name_end = text.len();
            redact::write_header_value(name, value, known, &mut text);
            match (u32::try_from(name_end), u32::try_from(text.len())) {
                (Ok(name_end), Ok(value_end)) => ends.push((name_end, value_end)),
                _ => {
                    text.truncate(start);
                    break;
                }
            }
        }
        RedactedHeaders {
            text: text.into_boxed_str(),
            ends: ends.into_boxed_slice(),
        }
    }

    /// Bytes held: the text and where each header ends.
    pub(crate) fn size(&self) -> usize {
        self.text.len() + std::mem::size_of_val(&*self.ends)
    }

    /// Each header's name and value, in the order given.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let mut start = 0usize;
        self.ends.iter().map(move |&(name_end, value_end)| {
            let (name_end, value_end) = (name_end as usize, value_end as usize);
            let pair = (&self.text[start..name_end], &self.text[name_end..value_end]);
            start = value_end;
            pair
        })
    }

    /// The headers as HAR name-value pairs.
    pub(crate) fn to_vec(&self) -> Vec<NameValue> {
        self.iter()
            .map(|(name, value)| NameValue {
                name: name.to_owned(),
                value: value.to_owned(),
            })
            .collect()
    }
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

    #[test]
    fn headers_kept_in_one_buffer_read_back_as_each_header_redacted_alone() {
        let secret = "tok_live_AcmeAuditReadOnlyKey2026Demo0001";
        let bearer = format!("Bearer {secret}");
        let in_text = format!("key={secret}; other");
        let headers: Vec<(&str, &[u8])> = vec![
            ("Authorization", bearer.as_bytes()),
            ("accept", b"application/json"),
            ("x-empty", b""),
            ("Cookie", in_text.as_bytes()),
            ("x-bytes", &[0x66, 0xff, 0x6f]),
            ("", b"no name"),
        ];
        let kept = RedactedHeaders::new(|| headers.iter().copied(), None);
        let alone = redacted_headers(headers.iter().copied());
        let read: Vec<(String, String)> = kept
            .to_vec()
            .into_iter()
            .map(|h| (h.name, h.value))
            .collect();
        let expected: Vec<(String, String)> =
            alone.into_iter().map(|h| (h.name, h.value)).collect();
        assert_eq!(read, expected);
        assert!(!read.iter().any(|(_, v)| v.contains("Audit")), "{read:?}");
        assert_eq!(
            RedactedHeaders::new(std::iter::empty, None).to_vec().len(),
            0
        );
    }
}

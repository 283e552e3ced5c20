//! One page of the upstream's `GET /tokens`, waiting out `429 Too Many Requests` as its
//! `Retry-After` says (RFC 9110 §10.2.3: seconds or an HTTP date), a bounded number of times.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{CONTENT_ENCODING, RETRY_AFTER};
use serde_json::Value;

use super::{Progress, RecordError};
use crate::proxy::coding::{self, DecodeError};
use crate::settings::UpstreamSettings;

/// A page as the recorder needs it: the tokens as sent, member order kept, and the totals.
#[derive(Debug)]
pub(crate) struct Page {
    pub tokens: Vec<Value>,
    pub per_page: u64,
    pub total: u64,
    pub total_pages: u64,
}

/// The page size the recorder asks for: the largest the API accepts.
pub(crate) const PER_PAGE: u32 = 100;

/// Fetches page `page` with `secret`, waiting out 429s.
pub(crate) async fn fetch(
    client: &reqwest::Client,
    base: &str,
    secret: &str,
    page: u64,
    settings: &UpstreamSettings,
    progress: &mut dyn Progress,
) -> Result<Page, RecordError> {
    let url = format!("{base}/tokens?page={page}&per_page={PER_PAGE}");
    let mut retries = 0;
    loop {
        let response = client
            .get(&url)
            .bearer_auth(secret)
            .send()
            .await
            .map_err(RecordError::Http)?;
        let status = response.status().as_u16();
        if status == 429 {
            retries += 1;
            if retries > settings.max_retries {
                return Err(RecordError::TooManyRetries(settings.max_retries));
            }
            let wait = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| retry_after(v, Utc::now()))
                .unwrap_or(1);
            if wait > settings.max_retry_after_secs {
                return Err(RecordError::RetryTooLong(wait));
            }
            progress.waiting(page, wait);
            actix_web::rt::time::sleep(Duration::from_secs(wait)).await;
            continue;
        }
        // An upstream may compress whatever it is asked: read what it meant.
        let codings = coding::codings(
            response
                .headers()
                .get_all(CONTENT_ENCODING)
                .iter()
                .map(|v| v.to_str().unwrap_or("unreadable")),
        );
        // Bounded as it comes in, compressed or not; then bounded again as it is decoded.
        let body = read_page(response, page, settings.max_response_bytes).await?;
        let decoded = coding::decode(&codings, &body, settings.max_response_bytes);
        let body = match decoded {
            Ok(body) => body,
            Err(DecodeError::TooLarge(_)) => {
                return Err(RecordError::PageTooLarge {
                    page,
                    limit: settings.max_response_bytes,
                })
            }
            // A refusal keeps its status, even when its body cannot be read.
            Err(_) if status != 200 => std::borrow::Cow::Borrowed(&[][..]),
            Err(e) => return Err(RecordError::NotAPage(format!("page {page}: {e}"))),
        };
        if status != 200 {
            let problem: Value = serde_json::from_slice(&body).unwrap_or_default();
            let detail = match (problem["code"].as_str(), problem["detail"].as_str()) {
                (Some(code), Some(detail)) => format!("{code}: {detail}"),
                _ => "no problem details".to_owned(),
            };
            return Err(RecordError::Refused { status, detail });
        }
        return parse(&body, page);
    }
}

/// Reads a body of at most `limit` bytes, refused on `Content-Length` before it is read and
/// stopped as soon as it grows past the limit.
async fn read_page(
    mut response: reqwest::Response,
    page: u64,
    limit: usize,
) -> Result<Vec<u8>, RecordError> {
    let too_large = RecordError::PageTooLarge { page, limit };
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(too_large);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(RecordError::Http)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads a 200 body: `data` an array of objects, `meta` four non-negative integers.
fn parse(body: &[u8], page: u64) -> Result<Page, RecordError> {
    let not_a_page = |why: &str| RecordError::NotAPage(format!("page {page}: {why}"));
    let mut body: Value = serde_json::from_slice(body).map_err(|_| not_a_page("not JSON"))?;
    let number = |name: &str| body["meta"][name].as_u64();
    let (Some(per_page), Some(total), Some(total_pages)) =
        (number("per_page"), number("total"), number("total_pages"))
    else {
        return Err(not_a_page("meta lacks per_page, total or total_pages"));
    };
    if per_page == 0 || total.div_ceil(per_page) != total_pages {
        return Err(not_a_page("meta.total_pages is not ceil(total / per_page)"));
    }
    let tokens = match body["data"].take() {
        Value::Array(tokens) if tokens.iter().all(|t| t["id"].is_string()) => tokens,
        _ => return Err(not_a_page("data is not an array of tokens with ids")),
    };
    Ok(Page {
        tokens,
        per_page,
        total,
        total_pages,
    })
}

/// Seconds to wait from a `Retry-After` value: delay-seconds, or an HTTP date.
pub(crate) fn retry_after(value: &str, now: DateTime<Utc>) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds);
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some(u64::try_from((at - now).num_seconds()).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::retry_after;
    use crate::domain::parse_timestamp;

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        let now = parse_timestamp("2026-05-01T00:00:00Z").unwrap();
        assert_eq!(retry_after("7", now), Some(7));
        assert_eq!(retry_after("Fri, 01 May 2026 00:00:30 GMT", now), Some(30));
        assert_eq!(retry_after("Thu, 30 Apr 2026 00:00:00 GMT", now), Some(0));
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("-1", now), None);
    }
}

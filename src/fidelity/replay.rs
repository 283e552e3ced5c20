//! Replaying a HAR's `GET /v1/tokens` exchanges against the mock, one after another in the
//! order they were recorded, each request with the headers it was sent with and its redacted
//! secrets put back.

use base64::Engine;
use url::Url;

use super::answer::{self, Answer};
use super::rule::{Difference, Rule};
use crate::har::{redact, Entry, TRUNCATED_COMMENT};

/// Request headers not replayed: the connection's own, the client library's to write, and
/// HTTP/2 pseudo-headers (`:authority`) of browser exports.
const NOT_REPLAYED: [&str; 12] = [
    "host",
    "content-length",
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "accept-encoding",
    "proxy-authorization",
    "expect",
];

/// The path every replayed exchange asks for.
pub(crate) const PATH: &str = "/v1/tokens";

/// One exchange of the HAR and how the mock answered it.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Replayed {
    /// The exchange's position among the HAR's entries, from 0.
    pub entry: usize,
    /// Always `GET`.
    pub method: String,
    /// The path and query asked for (secrets still redacted).
    pub request: String,
    /// The real API's status.
    pub(crate) real_status: u16,
    /// The mock's status, if it answered.
    pub(crate) mock_status: Option<u16>,
    pub(crate) differences: Vec<Difference>,
}

/// Whether `entry` is a `GET /v1/tokens` the mock can be asked again.
pub(crate) fn replayable(entry: &Entry) -> Option<Url> {
    let url = Url::parse(&entry.request.url).ok()?;
    (entry.request.method.eq_ignore_ascii_case("GET") && url.path().ends_with(PATH)).then_some(url)
}

/// Replays `entry` (at `index`) against the mock at `mock` (its root URL).
pub(crate) async fn replay(
    client: &reqwest::Client,
    mock: &Url,
    index: usize,
    entry: &Entry,
    url: &Url,
    secrets: &[String],
    max_body_bytes: usize,
) -> Replayed {
    let request = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    let mut replayed = Replayed {
        entry: index,
        method: "GET".to_owned(),
        request,
        real_status: entry.response.status,
        mock_status: None,
        differences: Vec::new(),
    };
    let fail = |mut replayed: Replayed, rule: Rule, location: &str, why: String| {
        replayed
            .differences
            .push(Difference::new(rule, location, "", why));
        replayed
    };
    let Some(real) = real_answer(entry) else {
        return fail(
            replayed,
            Rule::HarIncomplete,
            "response.content",
            "the HAR holds no answer, or no whole body, for this exchange".to_owned(),
        );
    };
    let target = match url.query() {
        Some(q) => format!("{}{PATH}?{q}", mock.as_str().trim_end_matches('/')),
        None => format!("{}{PATH}", mock.as_str().trim_end_matches('/')),
    };
    let target = match redact::restore(&target, secrets) {
        Ok(target) => target,
        Err(missing) => return fail(replayed, Rule::Secret, "request.url", need(&missing)),
    };
    let mut builder = client.get(target);
    for header in &entry.request.headers {
        let name = header.name.to_ascii_lowercase();
        if name.starts_with(':') || NOT_REPLAYED.contains(&name.as_str()) {
            continue;
        }
        match redact::restore(&header.value, secrets) {
            Ok(value) => builder = builder.header(header.name.as_str(), value),
            Err(missing) => {
                let location = format!("request.headers.{}", header.name);
                return fail(replayed, Rule::Secret, &location, need(&missing));
            }
        }
    }
    let mock_answer = match send(builder, max_body_bytes).await {
        Ok(answer) => answer,
        Err(why) => return fail(replayed, Rule::Failed, "response", why),
    };
    replayed.mock_status = Some(mock_answer.status);
    replayed.differences = answer::compare(&real, &mock_answer, url);
    replayed
}

fn need(fingerprint: &str) -> String {
    format!("no --secret matches {fingerprint}")
}

/// The real API's answer as the HAR keeps it; `None` when there was none (status 0: a browser
/// export's failed or blocked request) or its body was cut short or left out.
fn real_answer(entry: &Entry) -> Option<Answer> {
    if entry.response.status == 0 {
        return None;
    }
    let content = &entry.response.content;
    let truncated = content
        .comment
        .as_deref()
        .is_some_and(|c| c.starts_with(TRUNCATED_COMMENT));
    let body = match (&content.text, content.encoding.as_deref()) {
        (_, _) if truncated => return None,
        (None, _) if content.size > 0 => return None,
        (None, _) => Vec::new(),
        (Some(text), Some("base64")) => base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()?,
        (Some(text), _) => text.clone().into_bytes(),
    };
    Some(Answer {
        status: entry.response.status,
        headers: entry.response.headers.clone(),
        body,
    })
}

/// Sends the request and reads the answer, its body up to `limit` bytes.
async fn send(builder: reqwest::RequestBuilder, limit: usize) -> Result<Answer, String> {
    let mut response = builder
        .send()
        .await
        .map_err(|e| format!("no answer: {e}"))?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| crate::har::NameValue {
            name: n.as_str().to_owned(),
            value: String::from_utf8_lossy(v.as_bytes()).into_owned(),
        })
        .collect();
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("the body broke off: {e}"))?
    {
        if body.len() + chunk.len() > limit {
            return Err(format!(
                "the body is larger than upstream.max_response_bytes ({limit})"
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer {
        status,
        headers,
        body,
    })
}

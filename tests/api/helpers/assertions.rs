//! Reading and checking responses: token fields, headers, `Link`, RFC 9457 problems.

use std::collections::BTreeMap;

use reqwest::header::HeaderMap;
use reqwest::{Response, StatusCode};
use serde_json::Value;

/// The `name` of every token in a listing's `data`, in order.
pub fn names(body: &Value) -> Vec<String> {
    field_of_each(body, "name")
}

/// The `id` of every token in a listing's `data`, in order.
pub fn ids(body: &Value) -> Vec<String> {
    field_of_each(body, "id")
}

fn field_of_each(body: &Value, field: &str) -> Vec<String> {
    body["data"]
        .as_array()
        .expect("data is an array")
        .iter()
        .map(|token| token[field].as_str().expect("a string field").to_owned())
        .collect()
}

/// The token named `name` in a listing's `data`.
pub fn token_named<'a>(body: &'a Value, name: &str) -> &'a Value {
    body["data"]
        .as_array()
        .expect("data is an array")
        .iter()
        .find(|token| token["name"] == name)
        .unwrap_or_else(|| panic!("no token named {name} in {body}"))
}

/// A header's value as text; panics if absent.
pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .expect("a visible ASCII header value")
}

/// The `Link` header as `rel -> URL`.
pub fn links(headers: &HeaderMap) -> BTreeMap<String, String> {
    let value = header(headers, "link");
    value
        .split(", ")
        .map(|part| {
            let (url, rel) = part.split_once(">; rel=\"").expect("<url>; rel=\"...\"");
            let url = url.strip_prefix('<').expect("a link starts with <");
            let rel = rel.strip_suffix('"').expect("a quoted rel");
            (rel.to_owned(), url.to_owned())
        })
        .collect()
}

/// Builds the expected `rel -> URL` map.
pub fn link_map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(rel, url)| (rel.to_string(), url.to_string()))
        .collect()
}

/// Checks that `response` is an RFC 9457 problem with this status and code, whose
/// `request_id` is the response's `X-Request-Id`; returns the body.
pub async fn assert_problem(response: Response, status: StatusCode, code: &str) -> Value {
    let url = response.url().to_string();
    assert_eq!(response.status(), status, "{url}");
    let headers = response.headers().clone();
    assert_eq!(
        header(&headers, "content-type"),
        "application/problem+json",
        "{url}"
    );
    let body: Value = response.json().await.expect("a JSON problem body");
    assert_eq!(body["type"], "about:blank", "{url}: {body}");
    let title = status.canonical_reason().expect("a known status");
    assert_eq!(body["title"], title, "{url}: {body}");
    assert_eq!(body["status"], status.as_u16(), "{url}: {body}");
    assert_eq!(body["code"], code, "{url}: {body}");
    let detail = body["detail"].as_str();
    assert!(detail.is_some_and(|d| !d.is_empty()), "{url}: {body}");
    assert_eq!(
        body["request_id"],
        header(&headers, "x-request-id"),
        "{url}"
    );
    body
}

/// The `parameter` of every entry of a 400's `errors`, in order.
pub fn failing_parameters(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .expect("errors is an array")
        .iter()
        .map(|e| {
            e["parameter"]
                .as_str()
                .expect("parameter is a string")
                .to_owned()
        })
        .collect()
}

/// Whether `id` is a generated request id: `req_` and 24 lowercase letters or digits.
pub fn is_generated_request_id(id: &str) -> bool {
    id.strip_prefix("req_").is_some_and(|rest| {
        rest.len() == 24
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

//! The proxy's own answers: RFC 9457 problems for an upstream that fails or breaks the
//! contract in strict mode, and for paths and methods the proxy does not serve.

use actix_web::http::header::{HeaderName, HeaderValue, CACHE_CONTROL};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::{json, Value};

use super::rule::Violation;
use crate::http::PROBLEM_JSON;

/// A problem of `status` with a `code`, a one-sentence `detail` and the request's id;
/// `extra` members follow (`violations`, `upstream_status`).
pub fn problem(
    status: StatusCode,
    code: &str,
    detail: &str,
    request_id: &str,
    extra: &[(&str, Value)],
) -> HttpResponse {
    let mut body = json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
        "code": code,
        "request_id": request_id,
    });
    if let Some(object) = body.as_object_mut() {
        for (name, value) in extra {
            object.insert((*name).to_owned(), value.clone());
        }
    }
    let mut response = HttpResponse::build(status);
    response.content_type(PROBLEM_JSON);
    response.insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")));
    if let Ok(value) = HeaderValue::from_str(request_id) {
        response.insert_header((HeaderName::from_static("x-request-id"), value));
    }
    response.json(body)
}

/// 502 `contract_violation`: the upstream answered, but broke these rules (`--strict`).
pub fn violating(upstream_status: u16, violations: &[Violation], request_id: &str) -> HttpResponse {
    let detail = match violations.len() {
        1 => "The upstream's response breaks 1 rule of the API's contract.".to_owned(),
        n => format!("The upstream's response breaks {n} rules of the API's contract."),
    };
    problem(
        StatusCode::BAD_GATEWAY,
        "contract_violation",
        &detail,
        request_id,
        &[
            ("upstream_status", Value::from(upstream_status)),
            ("violations", json!(violations)),
        ],
    )
}

/// 504 `upstream_timeout`, or 502 `upstream_unreachable` / `upstream_invalid`: the upstream
/// gave no usable answer. The cause is logged; the detail names only its kind.
pub fn upstream_failed(error: &reqwest::Error, request_id: &str) -> HttpResponse {
    if error.is_timeout() {
        problem(
            StatusCode::GATEWAY_TIMEOUT,
            "upstream_timeout",
            "The upstream did not answer within upstream.timeout_ms.",
            request_id,
            &[],
        )
    } else if error.is_connect() {
        problem(
            StatusCode::BAD_GATEWAY,
            "upstream_unreachable",
            "The upstream could not be reached.",
            request_id,
            &[],
        )
    } else {
        problem(
            StatusCode::BAD_GATEWAY,
            "upstream_invalid",
            "The upstream's answer could not be read.",
            request_id,
            &[],
        )
    }
}

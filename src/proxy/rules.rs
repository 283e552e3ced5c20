//! Checks one exchange: the response's status, headers and body against the document and
//! against the rules a response shows (RFC 9457 problems, RFC 6750 challenges, RFC 8288
//! links, `Cache-Control`), given what the request asked for.

use serde_json::Value;

use super::contract::Contract;
use super::errors::{challenge, check_problem};
use super::links::check_links;
use super::page::{check_page, Meta};
use super::request::{Headers, RequestFacts};
use super::rule::{Rule, Violation};
use crate::http::PROBLEM_JSON;

/// A response as the upstream sent it.
pub(crate) struct Response<'a> {
    pub status: u16,
    pub headers: &'a Headers,
    pub body: &'a [u8],
}

/// Every rule that `response` to `request` breaks; none for a CORS preflight, which the
/// document does not describe.
pub(crate) fn check(
    contract: &Contract,
    request: &RequestFacts,
    response: &Response<'_>,
) -> Vec<Violation> {
    let mut out = Vec::new();
    if request.preflight {
        return out;
    }
    let status = response.status;
    let headers = response.headers;
    let no_store = headers
        .all("cache-control")
        .flat_map(|v| v.split(','))
        .any(|directive| directive.trim().eq_ignore_ascii_case("no-store"));
    if !no_store {
        out.push(Violation::new(
            Rule::CacheControl,
            "headers.Cache-Control",
            "must be no-store",
        ));
    }
    let request_id = headers.first("x-request-id");
    if request_id.is_none_or(str::is_empty) {
        out.push(Violation::new(
            Rule::RequestId,
            "headers.X-Request-Id",
            "is missing",
        ));
    }
    if request.is_listing() {
        check_status(contract, request, status, &mut out);
    }
    let documented_type = contract.response(status).map(|r| r.content_type.as_str());
    let expected_type = match status {
        400.. => Some(PROBLEM_JSON),
        _ => documented_type,
    };
    let media_type = headers.first("content-type").map(|v| {
        v.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    if let Some(expected) = expected_type {
        if media_type.as_deref() != Some(expected) {
            out.push(Violation::new(
                Rule::ContentType,
                "headers.Content-Type",
                format!("must be {expected} for a {status}"),
            ));
        }
    }
    check_status_headers(status, headers, &mut out);
    let has_body = request.method != "HEAD" && (status == 200 || status >= 400);
    if !has_body || (status == 200 && !request.is_listing()) {
        return out;
    }
    let body: Value = match serde_json::from_slice(response.body) {
        Ok(body) => body,
        Err(e) => {
            out.push(Violation::new(Rule::Json, "$", format!("is not JSON: {e}")));
            return out;
        }
    };
    contract.check_body(status, &body, &mut out);
    if status == 200 {
        check_page(request, contract.default_of("per_page"), &body, &mut out);
        if let Some(meta) = Meta::of(&body) {
            let links: Vec<&str> = headers.all("link").collect();
            check_links(request, meta.consistent(), &links, &mut out);
        }
    } else {
        check_problem(request, status, headers, &body, &mut out);
    }
    out
}

/// The status is documented, and fits the request.
fn check_status(
    contract: &Contract,
    request: &RequestFacts,
    status: u16,
    out: &mut Vec<Violation>,
) {
    if contract.response(status).is_none() {
        out.push(Violation::new(
            Rule::StatusUndocumented,
            "status",
            format!("{status} is not a documented response of GET /tokens"),
        ));
    }
    if request.forced {
        return;
    }
    let expected = if !request.has_credentials && matches!(status, 200 | 400 | 403) {
        Some("401: the request carries no bearer credentials".to_owned())
    } else if !request.refused.is_empty() && status == 200 {
        Some(format!(
            "400: the document refuses {}",
            request.refused.join(", ")
        ))
    } else if request.refused.is_empty() && status == 400 {
        Some("not 400: the document accepts every parameter of the query".to_owned())
    } else {
        None
    };
    if let Some(expected) = expected {
        out.push(Violation::new(
            Rule::StatusForRequest,
            "status",
            format!("is {status}; expected {expected}"),
        ));
    }
}

/// `Retry-After` on a 429 (whole seconds), `Allow` on a 405, a Bearer challenge on a 401.
fn check_status_headers(status: u16, headers: &Headers, out: &mut Vec<Violation>) {
    match status {
        429 => {
            let seconds = headers
                .first("retry-after")
                .is_some_and(|v| v.trim().parse::<u64>().is_ok());
            if !seconds {
                out.push(Violation::new(
                    Rule::RetryAfterAllow,
                    "headers.Retry-After",
                    "a 429 must say how many seconds to wait",
                ));
            }
        }
        405 if headers.first("allow").is_none() => out.push(Violation::new(
            Rule::RetryAfterAllow,
            "headers.Allow",
            "a 405 must list the allowed methods",
        )),
        401 if challenge(headers).is_none() => out.push(Violation::new(
            Rule::WwwAuthenticate,
            "headers.WWW-Authenticate",
            "a 401 must carry a Bearer challenge with a realm (RFC 6750 §3)",
        )),
        _ => {}
    }
}

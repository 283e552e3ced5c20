//! Checks one exchange: the response's status, headers and body against the document and
//! against the rules a response shows (RFC 9457 problems, RFC 6750 challenges, RFC 8288
//! links, `Cache-Control`), given what the request asked for.

use serde_json::Value;

use super::contract::Contract;
use super::links::check_links;
use super::page::{check_page, Meta};
use super::request::{Headers, RequestFacts};
use super::rule::{member, Rule, Violation};

/// The media type of problems (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A response as the upstream sent it.
pub struct Response<'a> {
    pub status: u16,
    pub headers: &'a Headers,
    pub body: &'a [u8],
}

/// Every rule that `response` to `request` breaks; none for a CORS preflight, which the
/// document does not describe.
pub fn check(
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
            check_links(request, meta, &links, &mut out);
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

/// The `WWW-Authenticate` value when it is a Bearer challenge with a realm.
fn challenge(headers: &Headers) -> Option<&str> {
    headers.all("www-authenticate").find(|v| {
        let v = v.trim_start();
        v.get(..6).is_some_and(|s| s.eq_ignore_ascii_case("bearer")) && v.contains("realm=")
    })
}

/// The codes each status may carry.
fn codes_of(status: u16) -> Option<&'static [&'static str]> {
    Some(match status {
        400 => &["invalid_parameter"],
        401 => &["missing_token", "invalid_token"],
        403 => &["insufficient_scope", "forbidden_host", "cors_refused"],
        404 => &["not_found"],
        405 => &["method_not_allowed"],
        429 => &["rate_limited"],
        500 => &["internal"],
        503 => &["unavailable"],
        _ => return None,
    })
}

/// A problem names its status, reason phrase, a code of its status and its request id; a
/// 400 names every refused parameter; a challenge fits its code.
fn check_problem(
    request: &RequestFacts,
    status: u16,
    headers: &Headers,
    body: &Value,
    out: &mut Vec<Violation>,
) {
    let request_id = headers.first("x-request-id");
    if body["status"]
        .as_u64()
        .is_some_and(|s| s != u64::from(status))
    {
        out.push(Violation::new(
            Rule::ProblemStatus,
            "status",
            format!("differs from the response's status {status}"),
        ));
    }
    let reason = actix_web::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason());
    if let (Some(title), Some(reason)) = (body["title"].as_str(), reason) {
        if title != reason {
            out.push(Violation::new(
                Rule::ProblemStatus,
                "title",
                format!("must be the reason phrase {reason:?}"),
            ));
        }
    }
    let code = body["code"].as_str();
    if let (Some(code), Some(codes)) = (code, codes_of(status)) {
        if !codes.contains(&code) {
            out.push(Violation::new(
                Rule::ProblemStatus,
                "code",
                format!("is not a code of {status}: {}", codes.join(", ")),
            ));
        }
    }
    if let (Some(in_body), Some(in_header)) = (body["request_id"].as_str(), request_id) {
        if in_body != in_header {
            out.push(Violation::new(
                Rule::RequestId,
                "request_id",
                "differs from the X-Request-Id header",
            ));
        }
    }
    let errors = body.get("errors");
    if status != 400 && errors.is_some() {
        out.push(Violation::new(
            Rule::ProblemErrors,
            "errors",
            format!("is only for a 400, not a {status}"),
        ));
    }
    if status == 400 && !request.forced {
        let named: Vec<&str> = errors
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|e| e["parameter"].as_str())
            .collect();
        for parameter in request
            .refused
            .iter()
            .filter(|p| !named.contains(&p.as_str()))
        {
            out.push(Violation::new(
                Rule::ProblemErrors,
                "errors",
                format!(
                    "does not name {}, which the document refuses",
                    member("$", parameter)
                ),
            ));
        }
    }
    check_challenge(status, code, headers, out);
}

/// RFC 6750 §3: no `error` when no token was sent, `invalid_token` for a refused one,
/// `insufficient_scope` with the scope needed.
fn check_challenge(status: u16, code: Option<&str>, headers: &Headers, out: &mut Vec<Violation>) {
    let wanted = match (status, code) {
        (401, Some("missing_token")) => None,
        (401, Some("invalid_token")) => Some(r#"error="invalid_token""#),
        (403, Some("insufficient_scope")) => Some(r#"error="insufficient_scope""#),
        _ => return,
    };
    let Some(value) = challenge(headers).or_else(|| headers.first("www-authenticate")) else {
        if status == 403 {
            out.push(Violation::new(
                Rule::WwwAuthenticate,
                "headers.WWW-Authenticate",
                "a 403 insufficient_scope must carry a Bearer challenge naming the scope",
            ));
        }
        return;
    };
    let fits = match wanted {
        None => !value.contains("error="),
        Some(error) => value.contains(error) && (status != 403 || value.contains("scope=")),
    };
    if !fits {
        let detail = match wanted {
            None => "must carry no error attribute when no token was sent".to_owned(),
            Some(error) => format!("must carry {error} for code {}", code.unwrap_or_default()),
        };
        out.push(Violation::new(
            Rule::WwwAuthenticate,
            "headers.WWW-Authenticate",
            detail,
        ));
    }
}

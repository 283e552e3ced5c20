//! The rules an error response shows: an RFC 9457 problem naming its status, reason phrase,
//! code and request id; `errors` on a 400 only, naming every refused parameter; and the
//! RFC 6750 challenge that fits the code of a 401 or 403.

use serde_json::Value;

use super::request::{Headers, RequestFacts};
use super::rule::{member, Rule, Violation};

/// The `WWW-Authenticate` value when it is a Bearer challenge with a realm.
pub(super) fn challenge(headers: &Headers) -> Option<&str> {
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
pub(super) fn check_problem(
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

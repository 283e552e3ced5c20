//! The rules the proxy holds an upstream to, each named as it appears in log lines, in the
//! `rule` label of `/metrics` and in `GET /__admin/violations`.

use std::fmt;

use serde::Serialize;

/// One rule of the API's behaviour that a response can break.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub(crate) enum Rule {
    /// The body matches the JSON Schema of its status in the OpenAPI document (a 4xx or
    /// 5xx the document does not list is held to the `Problem` schema).
    #[serde(rename = "schema")]
    Schema,
    /// The body is JSON.
    #[serde(rename = "json")]
    Json,
    /// `Content-Type` is `application/json` on a 200, `application/problem+json` (RFC 9457)
    /// on a 4xx or 5xx.
    #[serde(rename = "content_type")]
    ContentType,
    /// The status is one the document lists for `GET /tokens`.
    #[serde(rename = "status.undocumented")]
    StatusUndocumented,
    /// The status fits the request: 401 without credentials, 400 for a query the document
    /// refuses, never 400 for one it accepts.
    #[serde(rename = "status.for_request")]
    StatusForRequest,
    /// Members in the documented order: `data, meta`; `page, per_page, total, total_pages`;
    /// `id, name, scopes, status, created_at, expires_at, last_used_at, created_by`.
    #[serde(rename = "field_order")]
    FieldOrder,
    /// `meta.total_pages = ceil(total / per_page)`, 0 when `total` is 0.
    #[serde(rename = "meta.total_pages")]
    MetaTotalPages,
    /// `meta.page` and `meta.per_page` echo the request (defaults 1 and the document's).
    #[serde(rename = "meta.echo")]
    MetaEcho,
    /// `data` holds `min(per_page, max(total - (page-1)*per_page, 0))` tokens.
    #[serde(rename = "data.length")]
    DataLength,
    /// Tokens are ordered by `created_at`, then `id`, ascending.
    #[serde(rename = "data.order")]
    DataOrder,
    /// Every token matches the request's `status` and `name` filters (Unicode NFC and full
    /// case folding for names).
    #[serde(rename = "data.filter")]
    DataFilter,
    /// Timestamps are RFC 3339 UTC whole seconds with `Z`; `expires_at` after `created_at`,
    /// `last_used_at` not before it.
    #[serde(rename = "timestamp")]
    Timestamp,
    /// A 200 carries a `Link` header (RFC 8288) that parses.
    #[serde(rename = "link.syntax")]
    LinkSyntax,
    /// Link targets are relative references to `/v1/tokens`.
    #[serde(rename = "link.target")]
    LinkTarget,
    /// `first` always, `prev` when page > 1, `next` when page < total_pages, `last` when
    /// total_pages >= 1, each at most once, at pages 1, page-1, page+1 and total_pages.
    #[serde(rename = "link.relations")]
    LinkRelations,
    /// Each link keeps `per_page`, `status` and `name` of the request.
    #[serde(rename = "link.parameters")]
    LinkParameters,
    /// `Cache-Control: no-store` on every response.
    #[serde(rename = "cache_control")]
    CacheControl,
    /// `X-Request-Id` on every response; a problem's `request_id` equals it.
    #[serde(rename = "request_id")]
    RequestId,
    /// A problem's `status` and `title` are the response's status and reason phrase, and
    /// its `code` is one of that status's codes.
    #[serde(rename = "problem.status")]
    ProblemStatus,
    /// A 400 names in `errors` every parameter the document refuses; other statuses carry
    /// no `errors`.
    #[serde(rename = "problem.errors")]
    ProblemErrors,
    /// A 401 or 403 carries the RFC 6750 `WWW-Authenticate: Bearer` challenge of its code.
    #[serde(rename = "www_authenticate")]
    WwwAuthenticate,
    /// A 429 carries `Retry-After` in seconds; a 405 carries `Allow`.
    #[serde(rename = "retry_after_allow")]
    RetryAfterAllow,
}

impl Rule {
    /// Every rule, in the order of the summary table.
    pub(crate) const ALL: [Rule; 22] = [
        Rule::Schema,
        Rule::Json,
        Rule::ContentType,
        Rule::StatusUndocumented,
        Rule::StatusForRequest,
        Rule::FieldOrder,
        Rule::MetaTotalPages,
        Rule::MetaEcho,
        Rule::DataLength,
        Rule::DataOrder,
        Rule::DataFilter,
        Rule::Timestamp,
        Rule::LinkSyntax,
        Rule::LinkTarget,
        Rule::LinkRelations,
        Rule::LinkParameters,
        Rule::CacheControl,
        Rule::RequestId,
        Rule::ProblemStatus,
        Rule::ProblemErrors,
        Rule::WwwAuthenticate,
        Rule::RetryAfterAllow,
    ];

    /// The rule's name, as serialised.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Rule::Schema => "schema",
            Rule::Json => "json",
            Rule::ContentType => "content_type",
            Rule::StatusUndocumented => "status.undocumented",
            Rule::StatusForRequest => "status.for_request",
            Rule::FieldOrder => "field_order",
            Rule::MetaTotalPages => "meta.total_pages",
            Rule::MetaEcho => "meta.echo",
            Rule::DataLength => "data.length",
            Rule::DataOrder => "data.order",
            Rule::DataFilter => "data.filter",
            Rule::Timestamp => "timestamp",
            Rule::LinkSyntax => "link.syntax",
            Rule::LinkTarget => "link.target",
            Rule::LinkRelations => "link.relations",
            Rule::LinkParameters => "link.parameters",
            Rule::CacheControl => "cache_control",
            Rule::RequestId => "request_id",
            Rule::ProblemStatus => "problem.status",
            Rule::ProblemErrors => "problem.errors",
            Rule::WwwAuthenticate => "www_authenticate",
            Rule::RetryAfterAllow => "retry_after_allow",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One broken rule: where in the response, and how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Violation {
    pub rule: Rule,
    /// A JSON location in the body (`data[3].created_by`, `$` for the whole body), or a
    /// header (`headers.Link`), or `status`.
    pub location: String,
    /// What is wrong, without the offending value (bodies hold the real API's data).
    pub detail: String,
}

impl Violation {
    pub(crate) fn new(
        rule: Rule,
        location: impl Into<String>,
        detail: impl Into<String>,
    ) -> Violation {
        Violation {
            rule,
            location: location.into(),
            detail: detail.into(),
        }
    }
}

/// The location of a member of an object at `parent` (`$` is the root).
pub(crate) fn member(parent: &str, name: &str) -> String {
    let simple = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit();
    let name = if simple {
        name.to_owned()
    } else {
        serde_json::Value::String(name.to_owned()).to_string()
    };
    match parent {
        "$" | "" => name,
        _ if simple => format!("{parent}.{name}"),
        _ => format!("{parent}[{name}]"),
    }
}

/// The location of item `index` of an array at `parent`.
pub(crate) fn item(parent: &str, index: usize) -> String {
    match parent {
        "$" | "" => format!("[{index}]"),
        _ => format!("{parent}[{index}]"),
    }
}

//! The rules an answer of the mock is held to against the real API's, each named as the
//! report prints it.

use std::fmt;

use serde::Serialize;

/// One way the mock's answer can differ from the real API's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub(crate) enum Rule {
    /// The status differs (the two answers' headers and bodies are then not compared: they
    /// answer different things).
    #[serde(rename = "status")]
    Status,
    /// `Content-Type`, compared without case or spaces.
    #[serde(rename = "header.content_type")]
    ContentType,
    /// `Cache-Control`, compared without case or spaces.
    #[serde(rename = "header.cache_control")]
    CacheControl,
    /// `WWW-Authenticate`, as written.
    #[serde(rename = "header.www_authenticate")]
    WwwAuthenticate,
    /// `Link` (RFC 8288), relation by relation: each target's path and query.
    #[serde(rename = "header.link")]
    Link,
    /// One body is JSON and the other is not, or two bodies that are not JSON differ.
    #[serde(rename = "body.text")]
    BodyText,
    /// A member the real answer has and the mock's lacks.
    #[serde(rename = "body.missing")]
    Missing,
    /// A member the mock's answer has and the real one lacks.
    #[serde(rename = "body.extra")]
    Extra,
    /// A member under another name, with the same value.
    #[serde(rename = "body.renamed")]
    Renamed,
    /// Members in another order.
    #[serde(rename = "body.member_order")]
    MemberOrder,
    /// A value of another JSON type.
    #[serde(rename = "body.type")]
    Type,
    /// Another value.
    #[serde(rename = "body.value")]
    Value,
    /// An array of another length.
    #[serde(rename = "body.length")]
    Length,
    /// The same objects (by `id`) in another order.
    #[serde(rename = "body.order")]
    Order,
    /// The HAR lacks what a comparison needs (a response body cut short or absent).
    #[serde(rename = "har.incomplete")]
    HarIncomplete,
    /// The request holds a redacted secret that no `--secret` matches.
    #[serde(rename = "replay.secret")]
    Secret,
    /// The mock gave no answer (unreachable, too slow, too large).
    #[serde(rename = "replay.failed")]
    Failed,
}

impl Rule {
    /// The name printed in reports.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Rule::Status => "status",
            Rule::ContentType => "header.content_type",
            Rule::CacheControl => "header.cache_control",
            Rule::WwwAuthenticate => "header.www_authenticate",
            Rule::Link => "header.link",
            Rule::BodyText => "body.text",
            Rule::Missing => "body.missing",
            Rule::Extra => "body.extra",
            Rule::Renamed => "body.renamed",
            Rule::MemberOrder => "body.member_order",
            Rule::Type => "body.type",
            Rule::Value => "body.value",
            Rule::Length => "body.length",
            Rule::Order => "body.order",
            Rule::HarIncomplete => "har.incomplete",
            Rule::Secret => "replay.secret",
            Rule::Failed => "replay.failed",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One difference: where, by which rule, and the two sides as short text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Difference {
    pub rule: Rule,
    /// `status`, `headers.Link rel="next"`, or a JSON Pointer into the body (`/data/0/name`).
    pub location: String,
    /// The real API's side.
    pub real: String,
    /// The mock's side.
    pub mock: String,
}

impl Difference {
    /// A difference by `rule` at `location`, each side as short text.
    pub(crate) fn new(
        rule: Rule,
        location: impl Into<String>,
        real: impl Into<String>,
        mock: impl Into<String>,
    ) -> Difference {
        Difference {
            rule,
            location: location.into(),
            real: real.into(),
            mock: mock.into(),
        }
    }
}

/// The fields compared by rule rather than by value, as the report states them.
pub(crate) const BY_RULE: [(&str, &str); 2] = [
    (
        "last_used_at",
        "an RFC 3339 timestamp or null on each side: it moves whenever a token is used",
    ),
    (
        "request_id",
        "a non-empty string on each side: each request gets its own",
    ),
];

/// What the report says of the headers it leaves out.
pub(crate) const NOT_COMPARED: &str =
    "headers other than Content-Type, Cache-Control, Link and WWW-Authenticate \
     (X-Request-Id, Date, Content-Length, ... change by themselves or by transport)";

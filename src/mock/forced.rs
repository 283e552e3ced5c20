//! Forced responses: the examples of the OpenAPI document, returned on request.
//!
//! They are read from the generated document itself, so what `Prefer: code=401` returns is
//! exactly what the document shows and the two cannot drift apart.

use std::collections::BTreeMap;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::Value;

use crate::domain::{AuthError, ListQuery};
use crate::http::error::{challenge, ApiError, RETRY_AFTER_SECS};
use crate::http::links::links;
use crate::http::RequestId;

/// The example a response with named examples gives when none is named: the vendor's own.
pub(crate) const DEFAULT_EXAMPLE: &str = "vendor";

#[derive(Debug)]
struct Documented {
    content_type: String,
    /// The unnamed example, or the default named one.
    default: Value,
    named: BTreeMap<String, Value>,
}

/// The documented examples of `GET /tokens`, by status code.
#[derive(Debug, Default)]
pub(crate) struct ForcedResponses {
    by_code: BTreeMap<u16, Documented>,
}

/// Why a forced response cannot be given.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Unavailable {
    Code(String),
    Example(String),
}

impl ForcedResponses {
    /// Collects the examples of the `GET /tokens` operation of an OpenAPI document.
    pub(crate) fn from_document(document: &Value) -> ForcedResponses {
        let mut by_code = BTreeMap::new();
        let responses = &document["paths"]["/tokens"]["get"]["responses"];
        for (code, response) in responses.as_object().into_iter().flatten() {
            let Ok(code) = code.parse::<u16>() else {
                continue;
            };
            let Some((content_type, content)) = response["content"]
                .as_object()
                .and_then(|c| c.iter().next())
            else {
                continue;
            };
            let named: BTreeMap<String, Value> = content["examples"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, example)| (name.clone(), example["value"].clone()))
                .collect();
            let default = content
                .get("example")
                .cloned()
                .or_else(|| named.get(DEFAULT_EXAMPLE).cloned())
                .or_else(|| named.values().next().cloned());
            if let Some(default) = default {
                by_code.insert(
                    code,
                    Documented {
                        content_type: content_type.clone(),
                        default,
                        named,
                    },
                );
            }
        }
        ForcedResponses { by_code }
    }

    /// The documented codes, ascending.
    pub(crate) fn codes(&self) -> Vec<u16> {
        self.by_code.keys().copied().collect()
    }

    fn codes_text(&self) -> String {
        self.codes()
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Checks that `code` is documented; the message lists the codes that are.
    pub(crate) fn check_code(&self, code: &str) -> Result<u16, Unavailable> {
        super::prefer::code_number(code)
            .filter(|c| self.by_code.contains_key(c))
            .ok_or_else(|| Unavailable::Code(format!("must be one of {}", self.codes_text())))
    }

    /// The example body for `code`: the named example or the default one.
    pub(crate) fn body(&self, code: u16, example: Option<&str>) -> Result<Value, Unavailable> {
        let documented = self
            .by_code
            .get(&code)
            .ok_or_else(|| Unavailable::Code(format!("must be one of {}", self.codes_text())))?;
        match example {
            None => Ok(documented.default.clone()),
            Some(name) => documented.named.get(name).cloned().ok_or_else(|| {
                let names: Vec<&str> = documented.named.keys().map(String::as_str).collect();
                Unavailable::Example(if names.is_empty() {
                    format!("{code} has no named examples")
                } else {
                    format!("must be one of {} for {code}", names.join(", "))
                })
            }),
        }
    }

    /// The response for `code` with `body` (from [`ForcedResponses::body`]), with the headers
    /// a real response of that status has: `WWW-Authenticate`, `Retry-After`, and the `Link`
    /// that a page's own `meta` implies (keeping `link_suffix`).
    pub(crate) fn response(
        &self,
        code: u16,
        mut body: Value,
        request_id: &RequestId,
        link_suffix: &str,
    ) -> HttpResponse {
        let content_type = self
            .by_code
            .get(&code)
            .map_or("application/json", |d| d.content_type.as_str());
        // A problem names the request it answers, like every other problem.
        if let Some(id) = body.get_mut("request_id") {
            *id = Value::String(request_id.to_string());
        }
        let status = StatusCode::from_u16(code).expect("documented codes are valid statuses");
        let mut response = HttpResponse::build(status);
        response.content_type(content_type);
        if let Some(link) = page_link(&body, link_suffix) {
            response.insert_header((header::LINK, link));
        }
        let auth_error = match body["code"].as_str() {
            Some("missing_token") => Some(AuthError::Missing),
            Some("invalid_token") => Some(AuthError::Unknown),
            Some("insufficient_scope") => Some(AuthError::InsufficientScope),
            _ => None,
        };
        if let Some(value) = auth_error.and_then(|e| challenge(&ApiError::Auth(e))) {
            response.insert_header((header::WWW_AUTHENTICATE, value));
        }
        if code == 429 || code == 503 {
            response.insert_header((header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS)));
        }
        response.json(body)
    }
}

/// The `Link` of a page body, built from its `meta` as a real page's is.
fn page_link(body: &Value, suffix: &str) -> Option<HeaderValue> {
    let meta = body.get("meta")?;
    let number = |key: &str| meta.get(key).and_then(Value::as_u64);
    let query = ListQuery {
        page: u32::try_from(number("page")?).ok()?,
        per_page: u32::try_from(number("per_page")?).ok()?,
        status: None,
        name: None,
    };
    HeaderValue::from_str(&links(&query, number("total_pages")?, suffix)).ok()
}

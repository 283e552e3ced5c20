//! The rules a page of tokens shows beyond its schema: member order, `meta` arithmetic, the
//! length and order of `data`, the filters, and the form of timestamps.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::request::RequestFacts;
use super::rule::{item, member, Rule, Violation};
use crate::domain::{fold, format_timestamp, parse_timestamp, TokenView};

/// The members of a page and of `meta`, in their documented order (a token's are
/// [`TokenView::MEMBERS`]).
pub(crate) const PAGE_MEMBERS: [&str; 2] = ["data", "meta"];
pub(crate) const META_MEMBERS: [&str; 4] = ["page", "per_page", "total", "total_pages"];

/// The numbers of `meta`, when all four are non-negative integers (the schema reports
/// anything else).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Meta {
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
    pub total_pages: u64,
}

impl Meta {
    /// Reads `meta` of a page body.
    pub(crate) fn of(body: &Value) -> Option<Meta> {
        let meta = &body["meta"];
        Some(Meta {
            page: meta["page"].as_u64()?,
            per_page: meta["per_page"].as_u64()?,
            total: meta["total"].as_u64()?,
            total_pages: meta["total_pages"].as_u64()?,
        })
    }

    /// The same page with `total_pages` as `total` and `per_page` make it, so that a wrong
    /// `total_pages` is reported once, not again by every link built from it.
    pub(crate) fn consistent(self) -> Meta {
        Meta {
            total_pages: match self.per_page {
                0 => self.total_pages,
                per_page => self.total.div_ceil(per_page),
            },
            ..self
        }
    }
}

/// Checks a 200 body of `GET /tokens` answering `request`; `default_per_page` is the
/// document's default page size.
pub(crate) fn check_page(
    request: &RequestFacts,
    default_per_page: Option<u64>,
    body: &Value,
    out: &mut Vec<Violation>,
) {
    if let Some(object) = body.as_object() {
        check_order(object, &PAGE_MEMBERS, "$", out);
    }
    if let Some(object) = body["meta"].as_object() {
        check_order(object, &META_MEMBERS, "meta", out);
    }
    let tokens = body["data"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (i, token) in tokens.iter().enumerate() {
        if let Some(object) = token.as_object() {
            check_order(object, &TokenView::MEMBERS, &item("data", i), out);
        }
        check_timestamps(token, &item("data", i), out);
    }
    check_sequence(tokens, out);
    let Some(meta) = Meta::of(body) else {
        return;
    };
    let expected_pages = match meta.per_page {
        0 => None,
        per_page => Some(meta.total.div_ceil(per_page)),
    };
    if expected_pages.is_some_and(|pages| pages != meta.total_pages) {
        out.push(Violation::new(
            Rule::MetaTotalPages,
            "meta.total_pages",
            format!(
                "is {}, but ceil(total {} / per_page {}) is {}",
                meta.total_pages,
                meta.total,
                meta.per_page,
                expected_pages.unwrap_or_default()
            ),
        ));
    }
    let skipped = meta.page.saturating_sub(1).saturating_mul(meta.per_page);
    let expected_len = meta.total.saturating_sub(skipped).min(meta.per_page);
    if tokens.len() as u64 != expected_len {
        out.push(Violation::new(
            Rule::DataLength,
            "data",
            format!(
                "holds {} tokens; page {} of {} tokens at {} per page holds {expected_len}",
                tokens.len(),
                meta.page,
                meta.total,
                meta.per_page
            ),
        ));
    }
    if request.forced || !request.refused.is_empty() {
        return;
    }
    let echoes = [
        ("meta.page", meta.page, Some(request.page.unwrap_or(1))),
        (
            "meta.per_page",
            meta.per_page,
            request.per_page.or(default_per_page),
        ),
    ];
    for (location, got, expected) in echoes {
        if let Some(expected) = expected.filter(|e| *e != got) {
            out.push(Violation::new(
                Rule::MetaEcho,
                location,
                format!("is {got}, but the request asked for {expected}"),
            ));
        }
    }
    check_filters(request, tokens, out);
}

/// Reports members of `object` out of the documented order (unknown ones are the schema's).
fn check_order(object: &Map<String, Value>, order: &[&str], at: &str, out: &mut Vec<Violation>) {
    let known: Vec<&str> = object
        .keys()
        .map(String::as_str)
        .filter(|k| order.contains(k))
        .collect();
    let expected: Vec<&str> = order
        .iter()
        .copied()
        .filter(|k| known.contains(k))
        .collect();
    if known != expected {
        out.push(Violation::new(
            Rule::FieldOrder,
            at,
            format!(
                "members are in the order {}; the document's order is {}",
                known.join(", "),
                expected.join(", ")
            ),
        ));
    }
}

fn timestamp(token: &Value, name: &str) -> Option<DateTime<Utc>> {
    token[name].as_str().and_then(parse_timestamp)
}

/// RFC 3339 UTC whole seconds with `Z`, written as the API writes them, in a sensible order.
fn check_timestamps(token: &Value, at: &str, out: &mut Vec<Violation>) {
    for name in ["created_at", "expires_at", "last_used_at"] {
        let Some(text) = token[name].as_str() else {
            continue;
        };
        let canonical = parse_timestamp(text).is_some_and(|t| format_timestamp(&t) == text);
        if !canonical {
            out.push(Violation::new(
                Rule::Timestamp,
                member(at, name),
                "is not an RFC 3339 UTC time in whole seconds ending in Z (2026-01-15T09:00:00Z)",
            ));
        }
    }
    let Some(created) = timestamp(token, "created_at") else {
        return;
    };
    if timestamp(token, "expires_at").is_some_and(|expires| expires <= created) {
        out.push(Violation::new(
            Rule::Timestamp,
            member(at, "expires_at"),
            "is not after created_at",
        ));
    }
    if timestamp(token, "last_used_at").is_some_and(|used| used < created) {
        out.push(Violation::new(
            Rule::Timestamp,
            member(at, "last_used_at"),
            "is before created_at",
        ));
    }
}

/// `data` ascends by `created_at`, then `id`.
fn check_sequence(tokens: &[Value], out: &mut Vec<Violation>) {
    let key = |token: &Value| {
        Some((
            timestamp(token, "created_at")?,
            token["id"].as_str()?.to_owned(),
        ))
    };
    for (i, pair) in tokens.windows(2).enumerate() {
        if let (Some(before), Some(after)) = (key(&pair[0]), key(&pair[1])) {
            if after <= before {
                out.push(Violation::new(
                    Rule::DataOrder,
                    item("data", i + 1),
                    format!(
                        "comes before data[{i}] by (created_at, id), or repeats it; pages ascend by created_at, then id"
                    ),
                ));
            }
        }
    }
}

/// Every token matches the request's `status` and `name` filters.
fn check_filters(request: &RequestFacts, tokens: &[Value], out: &mut Vec<Violation>) {
    let folded = request.name.as_deref().map(fold);
    for (i, token) in tokens.iter().enumerate() {
        if let (Some(wanted), Some(status)) = (&request.status, token["status"].as_str()) {
            if wanted != status {
                out.push(Violation::new(
                    Rule::DataFilter,
                    member(&item("data", i), "status"),
                    format!("is {status}, but the request asked for status={wanted}"),
                ));
            }
        }
        if let (Some(filter), Some(name)) = (&folded, token["name"].as_str()) {
            if !fold(name).contains(filter.as_str()) {
                out.push(Violation::new(
                    Rule::DataFilter,
                    member(&item("data", i), "name"),
                    "does not contain the requested name filter (NFC, full case folding)",
                ));
            }
        }
    }
}

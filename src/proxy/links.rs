//! The `Link` header of a page (RFC 8288): its syntax, its targets, which relations it
//! holds and the parameters each keeps.
//!
//! The header is parsed here rather than by a lenient parser: a validator must see what
//! such parsers forgive (a relation given twice, a broken part, a missing `rel`).

use std::collections::BTreeMap;

use url::Url;

use super::page::Meta;
use super::request::RequestFacts;
use super::rule::{Rule, Violation};

const LOCATION: &str = "headers.Link";

/// One link-value: its target and its `rel` relation types.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct LinkValue {
    pub target: String,
    pub rels: Vec<String>,
}

/// Parses a `Link` field value: `<target>; param=value; param="quoted", <target>; ...`.
pub(crate) fn parse(value: &str) -> Result<Vec<LinkValue>, String> {
    let mut links = Vec::new();
    let mut rest = value.trim_start();
    while !rest.is_empty() {
        let after = rest
            .strip_prefix('<')
            .ok_or("a link-value must start with <")?;
        let end = after.find('>').ok_or("a target has no closing >")?;
        let target = after[..end].to_owned();
        rest = after[end + 1..].trim_start();
        let mut rels = None;
        while let Some(param) = rest.strip_prefix(';') {
            let param = param.trim_start();
            let name_end = param.find(['=', ';', ',']).unwrap_or(param.len());
            let name = param[..name_end].trim().to_ascii_lowercase();
            rest = &param[name_end..];
            let mut value = String::new();
            if let Some(after_eq) = rest.strip_prefix('=') {
                let after_eq = after_eq.trim_start();
                if let Some(quoted) = after_eq.strip_prefix('"') {
                    let close = quoted.find('"').ok_or("a quoted parameter is not closed")?;
                    value = quoted[..close].to_owned();
                    rest = &quoted[close + 1..];
                } else {
                    let end = after_eq
                        .find(|c: char| c == ';' || c == ',' || c.is_ascii_whitespace())
                        .unwrap_or(after_eq.len());
                    value = after_eq[..end].trim().to_owned();
                    rest = &after_eq[end..];
                }
            }
            // RFC 8288 §3.3: only the first `rel` parameter of a link-value counts.
            if name == "rel" && rels.is_none() {
                rels = Some(
                    value
                        .split_ascii_whitespace()
                        .map(str::to_ascii_lowercase)
                        .collect(),
                );
            }
            rest = rest.trim_start();
        }
        let rels = rels.ok_or_else(|| format!("<{target}> has no rel parameter"))?;
        links.push(LinkValue { target, rels });
        rest = match rest.strip_prefix(',') {
            Some(next) => next.trim_start(),
            None if rest.is_empty() => rest,
            None => return Err("link-values must be separated by commas".into()),
        };
    }
    Ok(links)
}

/// Checks the `Link` values of a page with `meta`, answering `request`.
pub(crate) fn check_links(
    request: &RequestFacts,
    meta: Meta,
    values: &[&str],
    out: &mut Vec<Violation>,
) {
    if values.is_empty() {
        out.push(Violation::new(
            Rule::LinkSyntax,
            LOCATION,
            "a page carries no Link header",
        ));
        return;
    }
    let links = match parse(&values.join(", ")) {
        Ok(links) => links,
        Err(problem) => {
            out.push(Violation::new(Rule::LinkSyntax, LOCATION, problem));
            return;
        }
    };
    let base = Url::parse("http://upstream.invalid/").ok();
    let mut by_rel: BTreeMap<&str, Vec<BTreeMap<String, Vec<String>>>> = BTreeMap::new();
    for link in &links {
        let at = format!("{LOCATION} <{}>", link.target);
        let relative = link.target.starts_with('/') && !link.target.starts_with("//");
        let url = base.as_ref().and_then(|b| b.join(&link.target).ok());
        let Some(url) = url.filter(|u| relative && u.path() == "/v1/tokens") else {
            out.push(Violation::new(
                Rule::LinkTarget,
                at,
                "is not a relative reference to /v1/tokens",
            ));
            continue;
        };
        let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (key, value) in url.query_pairs() {
            params
                .entry(key.into_owned())
                .or_default()
                .push(value.into_owned());
        }
        for rel in &link.rels {
            if let Some(rel) = ["first", "prev", "next", "last"]
                .into_iter()
                .find(|r| r == rel)
            {
                by_rel.entry(rel).or_default().push(params.clone());
            }
        }
    }
    let expected = [
        ("first", Some(1)),
        ("prev", (meta.page > 1).then(|| meta.page - 1)),
        (
            "next",
            (meta.page < meta.total_pages).then(|| meta.page + 1),
        ),
        ("last", (meta.total_pages >= 1).then_some(meta.total_pages)),
    ];
    for (rel, page) in expected {
        let at = format!("{LOCATION} rel=\"{rel}\"");
        let found = by_rel.get(rel).map(Vec::as_slice).unwrap_or_default();
        match (page, found) {
            (None, []) => {}
            (Some(page), []) => out.push(Violation::new(
                Rule::LinkRelations,
                at,
                format!(
                    "is missing; page {} of {} needs it, to page {page}",
                    meta.page, meta.total_pages
                ),
            )),
            (None, _) => out.push(Violation::new(
                Rule::LinkRelations,
                at,
                format!(
                    "is present, but page {} of {} has none",
                    meta.page, meta.total_pages
                ),
            )),
            (Some(_), [_, _, ..]) => out.push(Violation::new(
                Rule::LinkRelations,
                at,
                "appears more than once",
            )),
            (Some(page), [params]) => {
                if one(params, "page") != Some(page.to_string()) {
                    out.push(Violation::new(
                        Rule::LinkRelations,
                        at.clone(),
                        format!("must point at page={page}"),
                    ));
                }
                check_kept(request, meta, params, &at, out);
            }
        }
    }
}

/// The single value of `key`, or `None` when absent or repeated.
fn one(params: &BTreeMap<String, Vec<String>>, key: &str) -> Option<String> {
    match params.get(key).map(Vec::as_slice) {
        Some([value]) => Some(value.clone()),
        _ => None,
    }
}

/// A link keeps `per_page` (the page's) and the request's `status` and `name` filters.
fn check_kept(
    request: &RequestFacts,
    meta: Meta,
    params: &BTreeMap<String, Vec<String>>,
    at: &str,
    out: &mut Vec<Violation>,
) {
    let mut kept = vec![("per_page", Some(meta.per_page.to_string()))];
    if !request.forced {
        kept.push(("status", request.status.clone()));
        kept.push(("name", request.name.clone()));
    }
    for (key, wanted) in kept {
        let got = one(params, key).filter(|v| !(key == "name" && v.is_empty()));
        if got != wanted {
            let detail = match &wanted {
                Some(value) if key == "per_page" => format!("must keep per_page={value}"),
                Some(_) => format!("must keep the request's {key}"),
                None => format!("carries {key}, which the request did not give"),
            };
            out.push(Violation::new(Rule::LinkParameters, at, detail));
        }
    }
}

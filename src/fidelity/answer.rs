//! Two answers to one request compared: status, the documented headers, then the body.

use std::collections::BTreeMap;

use url::Url;

use super::body;
use super::rule::{Difference, Rule};
use crate::har::NameValue;
use crate::proxy::links;

/// An answer as compared: status, headers, and the body's bytes.
#[derive(Clone, Debug)]
pub(super) struct Answer {
    /// The status code.
    pub status: u16,
    /// As received, in order.
    pub headers: Vec<NameValue>,
    /// The whole body.
    pub body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }
}

/// The differences of the mock's answer from the real API's, to a request for `url`.
pub(super) fn compare(real: &Answer, mock: &Answer, url: &Url) -> Vec<Difference> {
    let mut out = Vec::new();
    if real.status != mock.status {
        out.push(Difference::new(
            Rule::Status,
            "status",
            real.status.to_string(),
            mock.status.to_string(),
        ));
        return out;
    }
    let squeezed = |v: Option<String>| v.map(|v| v.to_ascii_lowercase().replace([' ', '\t'], ""));
    for (rule, name) in [
        (Rule::ContentType, "Content-Type"),
        (Rule::CacheControl, "Cache-Control"),
    ] {
        let (a, b) = (squeezed(real.header(name)), squeezed(mock.header(name)));
        if a != b {
            out.push(header_difference(rule, name, a, b));
        }
    }
    let (a, b) = (
        real.header("WWW-Authenticate"),
        mock.header("WWW-Authenticate"),
    );
    if a.as_deref().map(str::trim) != b.as_deref().map(str::trim) {
        out.push(header_difference(
            Rule::WwwAuthenticate,
            "WWW-Authenticate",
            a,
            b,
        ));
    }
    link(real.header("Link"), mock.header("Link"), url, &mut out);
    match (
        serde_json::from_slice::<serde_json::Value>(&real.body),
        serde_json::from_slice::<serde_json::Value>(&mock.body),
    ) {
        (Ok(a), Ok(b)) => body::compare(&a, &b, &mut out),
        _ if real.body != mock.body => out.push(Difference::new(
            Rule::BodyText,
            "body",
            text(&real.body),
            text(&mock.body),
        )),
        _ => {}
    }
    out
}

fn header_difference(
    rule: Rule,
    name: &str,
    real: Option<String>,
    mock: Option<String>,
) -> Difference {
    let shown = |v: Option<String>| v.unwrap_or_else(|| "absent".to_owned());
    Difference::new(rule, format!("headers.{name}"), shown(real), shown(mock))
}

/// Compares `Link` relation by relation: each target as a path and query, resolved against
/// the request's URL (the real API may write absolute targets, the mock relative ones).
fn link(real: Option<String>, mock: Option<String>, url: &Url, out: &mut Vec<Difference>) {
    let by_rel = |value: &Option<String>| -> Result<BTreeMap<String, String>, String> {
        let mut rels = BTreeMap::new();
        for link in links::parse(value.as_deref().unwrap_or(""))? {
            let target = url
                .join(&link.target)
                .map(|u| match u.query() {
                    Some(q) => format!("{}?{q}", u.path()),
                    None => u.path().to_owned(),
                })
                .unwrap_or(link.target);
            for rel in link.rels {
                rels.insert(rel, target.clone());
            }
        }
        Ok(rels)
    };
    match (by_rel(&real), by_rel(&mock)) {
        (Ok(a), Ok(b)) => {
            let rels: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for rel in rels {
                let (x, y) = (a.get(rel), b.get(rel));
                if x != y {
                    let shown =
                        |v: Option<&String>| v.map_or("absent".to_owned(), |t| format!("<{t}>"));
                    out.push(Difference::new(
                        Rule::Link,
                        format!("headers.Link rel=\"{rel}\""),
                        shown(x),
                        shown(y),
                    ));
                }
            }
        }
        _ if real != mock => out.push(header_difference(Rule::Link, "Link", real, mock)),
        _ => {}
    }
}

fn text(body: &[u8]) -> String {
    body::show(&serde_json::Value::String(
        String::from_utf8_lossy(body).into_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Answer {
        Answer {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| NameValue {
                    name: (*n).to_owned(),
                    value: (*v).to_owned(),
                })
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn url() -> Url {
        Url::parse("https://api.tooken.io/v1/tokens?page=1").expect("a URL")
    }

    #[test]
    fn a_status_difference_hides_the_rest() {
        let found = compare(
            &answer(401, &[("WWW-Authenticate", "Bearer")], "{\"code\":\"a\"}"),
            &answer(403, &[], "{\"code\":\"b\"}"),
            &url(),
        );
        assert_eq!(
            found,
            [Difference::new(Rule::Status, "status", "401", "403")]
        );
    }

    #[test]
    fn links_are_compared_by_relation_whatever_the_form_of_their_targets() {
        let real = answer(
            200,
            &[("Link", "<https://api.tooken.io/v1/tokens?page=2>; rel=\"next\", </v1/tokens?page=9>; rel=\"last\"")],
            "{}",
        );
        let same = answer(
            200,
            &[(
                "link",
                "</v1/tokens?page=2>; rel=next, </v1/tokens?page=9>; rel=last",
            )],
            "{}",
        );
        assert!(compare(&real, &same, &url()).is_empty());
        let dropped = answer(200, &[("Link", "</v1/tokens?page=2>; rel=\"next\"")], "{}");
        let found = compare(&dropped, &real, &url());
        assert_eq!(
            found,
            [Difference::new(
                Rule::Link,
                "headers.Link rel=\"last\"",
                "absent",
                "</v1/tokens?page=9>"
            )]
        );
    }

    #[test]
    fn documented_headers_are_compared_without_case_or_spaces() {
        let real = answer(
            200,
            &[
                ("Content-Type", "application/json"),
                ("Cache-Control", "no-store"),
                ("X-Request-Id", "a"),
            ],
            "[]",
        );
        let mock = answer(
            200,
            &[
                ("content-type", "Application/JSON"),
                ("cache-control", "no-store"),
                ("X-Request-Id", "b"),
            ],
            "[]",
        );
        assert!(compare(&real, &mock, &url()).is_empty());
        let cached = answer(
            200,
            &[
                ("Content-Type", "application/json"),
                ("Cache-Control", "max-age=60"),
            ],
            "[]",
        );
        let found: Vec<Rule> = compare(&real, &cached, &url())
            .iter()
            .map(|d| d.rule)
            .collect();
        assert_eq!(found, [Rule::CacheControl]);
    }
}

//! Each rule, broken one at a time in an otherwise valid exchange, is reported alone with
//! its location; valid exchanges of every documented status report nothing.

use serde_json::{json, Value};

use super::contract::Contract;
use super::links::parse;
use super::request::{Headers, RequestFacts};
use super::rule::{Rule, Violation};
use super::rules::{check, Response};
use crate::domain::QueryString;

const SECRET: &str = "Bearer tok_live_AnyReaderSecret000000000001";
const QUERY: &str = "page=2&per_page=2&status=active";
const LINK: &str = "</v1/tokens?page=1&per_page=2&status=active>; rel=\"first\", \
    </v1/tokens?page=1&per_page=2&status=active>; rel=\"prev\", \
    </v1/tokens?page=3&per_page=2&status=active>; rel=\"next\", \
    </v1/tokens?page=3&per_page=2&status=active>; rel=\"last\"";

fn token(id: &str, created_at: &str) -> Value {
    json!({"id": id, "name": "CI Deploy", "scopes": ["tokens:read"], "status": "active",
        "created_at": created_at, "expires_at": null, "last_used_at": null,
        "created_by": "alice@example.com"})
}

/// Page 2 of 3 of five active tokens, two per page.
fn page() -> Value {
    json!({"data": [token("tok_aaaaaaaaaaaaaaaaaaaaaaa3", "2026-01-03T00:00:00Z"),
                    token("tok_aaaaaaaaaaaaaaaaaaaaaaa4", "2026-01-04T00:00:00Z")],
           "meta": {"page": 2, "per_page": 2, "total": 5, "total_pages": 3}})
}

fn headers(pairs: &[(&str, &str)]) -> Headers {
    Headers::from_pairs(pairs.iter().map(|(n, v)| (*n, v.as_bytes())))
}

struct Case {
    query: &'static str,
    request: Vec<(&'static str, &'static str)>,
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Case {
    fn page() -> Case {
        Case {
            query: QUERY,
            request: vec![("authorization", SECRET)],
            status: 200,
            headers: vec![
                ("content-type", "application/json".into()),
                ("cache-control", "no-store".into()),
                ("x-request-id", "req_1".into()),
                ("link", LINK.into()),
            ],
            body: page().to_string().into_bytes(),
        }
    }

    fn problem(status: u16, code: &str, challenge: Option<&str>) -> Case {
        let title = actix_web::http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or_default();
        let mut body = json!({"type": "about:blank", "title": title, "status": status,
            "detail": "Something.", "code": code, "request_id": "req_1"});
        if status == 400 {
            body["errors"] = json!([{"parameter": "per_page", "detail": "must be 1 to 100"}]);
        }
        let mut case = Case::page();
        case.query = if status == 400 { "per_page=0" } else { "" };
        case.status = status;
        case.headers = vec![
            ("content-type", "application/problem+json".into()),
            ("cache-control", "no-store".into()),
            ("x-request-id", "req_1".into()),
        ];
        if let Some(challenge) = challenge {
            case.headers.push(("www-authenticate", challenge.into()));
        }
        if status == 429 {
            case.headers.push(("retry-after", "30".into()));
        }
        if status == 401 {
            case.request.clear();
        }
        case.body = body.to_string().into_bytes();
        case
    }

    fn body(mut self, edit: impl FnOnce(&mut Value)) -> Case {
        let mut body: Value = serde_json::from_slice(&self.body).unwrap();
        edit(&mut body);
        self.body = body.to_string().into_bytes();
        self
    }

    fn header(mut self, name: &'static str, value: Option<&str>) -> Case {
        self.headers.retain(|(n, _)| *n != name);
        if let Some(value) = value {
            self.headers.push((name, value.to_owned()));
        }
        self
    }

    fn run(&self, contract: &Contract) -> Vec<Violation> {
        let query = QueryString::parse(self.query);
        let request = RequestFacts::read(contract, "GET", &query, &headers(&self.request));
        let response_headers =
            Headers::from_pairs(self.headers.iter().map(|(n, v)| (*n, v.as_bytes())));
        check(
            contract,
            &request,
            &Response {
                status: self.status,
                headers: &response_headers,
                body: &self.body,
            },
        )
    }
}

fn contract() -> Contract {
    Contract::generated().expect("the generated document compiles")
}

#[test]
fn valid_exchanges_of_every_documented_status_break_no_rule() {
    let contract = contract();
    let empty = {
        let mut case = Case::page().body(|b| {
            b["data"] = json!([]);
            b["meta"] = json!({"page": 1, "per_page": 25, "total": 0, "total_pages": 0});
        });
        case.query = "";
        case.header(
            "link",
            Some("</v1/tokens?page=1&per_page=25>; rel=\"first\""),
        )
    };
    let past_end = {
        let mut case = Case::page().body(|b| {
            b["data"] = json!([]);
            b["meta"]["page"] = json!(9);
        });
        case.query = "page=9&per_page=2&status=active";
        case.header(
            "link",
            Some(
                "</v1/tokens?page=1&per_page=2&status=active>; rel=\"first\", \
            </v1/tokens?page=8&per_page=2&status=active>; rel=\"prev\", \
            </v1/tokens?page=3&per_page=2&status=active>; rel=\"last\"",
            ),
        )
    };
    let cases = [
        ("page", Case::page()),
        ("empty", empty),
        ("past the end", past_end),
        ("400", Case::problem(400, "invalid_parameter", None)),
        (
            "401 missing",
            Case::problem(401, "missing_token", Some(r#"Bearer realm="tooken""#)),
        ),
        (
            "401 invalid",
            Case::problem(
                401,
                "invalid_token",
                Some(r#"Bearer realm="tooken", error="invalid_token""#),
            ),
        ),
        (
            "403",
            Case::problem(
                403,
                "insufficient_scope",
                Some(r#"Bearer realm="tooken", error="insufficient_scope", scope="tokens:read""#),
            ),
        ),
        ("429", Case::problem(429, "rate_limited", None)),
        ("500", Case::problem(500, "internal", None)),
    ];
    for (name, case) in cases {
        assert_eq!(case.run(&contract), [], "{name}");
    }
}

#[test]
fn each_broken_rule_is_reported_alone_with_its_location() {
    let contract = contract();
    let swapped = |b: &mut Value| {
        let data = b["data"].as_array_mut().unwrap();
        data.swap(0, 1);
    };
    let unauthenticated = {
        let mut case = Case::page();
        case.request.clear();
        case
    };
    let asked_page_3 = {
        let mut case = Case::page();
        case.query = "page=3&per_page=2&status=active";
        case
    };
    let invalid_query_accepted = {
        let mut case = Case::page();
        case.query = "page=2&per_page=2&status=active&page=2";
        case
    };
    let valid_query_refused = {
        let mut case = Case::problem(400, "invalid_parameter", None);
        case.query = "per_page=10";
        case
    };
    let unnamed_parameter = {
        let mut case = Case::problem(400, "invalid_parameter", None);
        case.query = "per_page=0&status=paused";
        case
    };
    let reordered_meta = r#"{"data":[],"meta":{"per_page":2,"page":2,"total":0,"total_pages":0}}"#;
    let cases: Vec<(&str, Case, Rule, &str)> = vec![
        ("wrong total_pages", Case::page().body(|b| b["meta"]["total_pages"] = json!(4)), Rule::MetaTotalPages, "meta.total_pages"),
        ("missing field", Case::page().body(|b| { b["data"][0].as_object_mut().unwrap().shift_remove("created_by"); }), Rule::Schema, "data[0].created_by"),
        ("extra field", Case::page().body(|b| b["data"][1]["secret"] = json!("x")), Rule::Schema, "data[1].secret"),
        ("bad id", Case::page().body(|b| b["data"][1]["id"] = json!("tok_X")), Rule::Schema, "data[1].id"),
        ("wrong order", Case::page().body(swapped), Rule::DataOrder, "data[1]"),
        ("status filter", Case::page().body(|b| b["data"][0]["status"] = json!("revoked")), Rule::DataFilter, "data[0].status"),
        ("token member order", Case::page().body(|b| {
            let t = b["data"][0].as_object_mut().unwrap();
            let id = t.shift_remove("id").unwrap();
            t.insert("id".into(), id);
        }), Rule::FieldOrder, "data[0]"),
        ("fractional seconds", Case::page().body(|b| b["data"][0]["created_at"] = json!("2026-01-03T00:00:00.000Z")), Rule::Timestamp, "data[0].created_at"),
        ("expiry before creation", Case::page().body(|b| b["data"][0]["expires_at"] = json!("2026-01-02T00:00:00Z")), Rule::Timestamp, "data[0].expires_at"),
        ("too many tokens", Case::page().body(|b| b["data"].as_array_mut().unwrap().push(token("tok_aaaaaaaaaaaaaaaaaaaaaaa5", "2026-01-05T00:00:00Z"))), Rule::DataLength, "data"),
        ("page not echoed", asked_page_3, Rule::MetaEcho, "meta.page"),
        ("next missing", Case::page().header("link", Some(&LINK.replace(", </v1/tokens?page=3&per_page=2&status=active>; rel=\"next\"", ""))), Rule::LinkRelations, "headers.Link rel=\"next\""),
        ("next to a wrong page", Case::page().header("link", Some(&LINK.replace("page=3&per_page=2&status=active>; rel=\"next\"", "page=4&per_page=2&status=active>; rel=\"next\""))), Rule::LinkRelations, "headers.Link rel=\"next\""),
        ("status not kept", Case::page().header("link", Some(&LINK.replace("page=3&per_page=2&status=active>; rel=\"next\"", "page=3&per_page=2>; rel=\"next\""))), Rule::LinkParameters, "headers.Link rel=\"next\""),
        ("absolute link", Case::page().header("link", Some(&LINK.replace("</v1/tokens?page=1&per_page=2&status=active>; rel=\"first\"", "<https://api.tooken.io/v1/tokens?page=1&per_page=2&status=active>; rel=\"first\", </v1/tokens?page=1&per_page=2&status=active>; rel=\"first\""))), Rule::LinkTarget, "headers.Link <https://api.tooken.io/v1/tokens?page=1&per_page=2&status=active>"),
        ("broken link", Case::page().header("link", Some("</v1/tokens?page=1; rel=first")), Rule::LinkSyntax, "headers.Link"),
        ("no link", Case::page().header("link", None), Rule::LinkSyntax, "headers.Link"),
        ("no cache-control", Case::page().header("cache-control", None), Rule::CacheControl, "headers.Cache-Control"),
        ("no request id", Case::page().header("x-request-id", None), Rule::RequestId, "headers.X-Request-Id"),
        ("wrong media type", Case::page().header("content-type", Some("text/html")), Rule::ContentType, "headers.Content-Type"),
        ("200 without credentials", unauthenticated, Rule::StatusForRequest, "status"),
        ("invalid query accepted", invalid_query_accepted, Rule::StatusForRequest, "status"),
        ("valid query refused", valid_query_refused, Rule::StatusForRequest, "status"),
        ("refused parameter not named", unnamed_parameter, Rule::ProblemErrors, "errors"),
        ("401 without challenge", Case::problem(401, "missing_token", None), Rule::WwwAuthenticate, "headers.WWW-Authenticate"),
        ("invalid_token challenge without error", Case::problem(401, "invalid_token", Some(r#"Bearer realm="tooken""#)), Rule::WwwAuthenticate, "headers.WWW-Authenticate"),
        ("problem without code", Case::problem(500, "internal", None).body(|b| { b.as_object_mut().unwrap().shift_remove("code"); }), Rule::Schema, "code"),
        ("problem of another status", Case::problem(500, "internal", None).body(|b| b["status"] = json!(503)), Rule::ProblemStatus, "status"),
        ("code of another status", Case::problem(500, "rate_limited", None), Rule::ProblemStatus, "code"),
        ("request id differs", Case::problem(500, "internal", None).body(|b| b["request_id"] = json!("req_2")), Rule::RequestId, "request_id"),
        ("errors on a 500", Case::problem(500, "internal", None).body(|b| b["errors"] = json!([])), Rule::ProblemErrors, "errors"),
        ("429 without Retry-After", Case::problem(429, "rate_limited", None).header("retry-after", None), Rule::RetryAfterAllow, "headers.Retry-After"),
        ("undocumented status", Case::problem(418, "teapot", None), Rule::StatusUndocumented, "status"),
    ];
    for (name, case, rule, location) in cases {
        let found = case.run(&contract);
        let expected = Violation {
            rule,
            location: location.to_owned(),
            detail: String::new(),
        };
        assert!(
            found.iter().all(|v| v.rule == rule)
                && found.iter().any(|v| v.location == expected.location),
            "{name}: expected {rule} at {location}, found {found:#?}"
        );
    }
    let mut case = Case::page().header(
        "link",
        Some("</v1/tokens?page=1&per_page=2>; rel=\"first\""),
    );
    case.query = "";
    case.body = reordered_meta.as_bytes().to_vec();
    let found = case.run(&contract);
    assert!(
        found
            .iter()
            .any(|v| v.rule == Rule::FieldOrder && v.location == "meta"),
        "{found:#?}"
    );
}

#[test]
fn a_problem_that_is_not_json_is_reported_as_such() {
    let contract = contract();
    let mut case =
        Case::problem(400, "invalid_parameter", None).header("content-type", Some("text/plain"));
    case.body = b"bad request".to_vec();
    let rules: Vec<Rule> = case.run(&contract).iter().map(|v| v.rule).collect();
    assert_eq!(rules, [Rule::ContentType, Rule::Json]);
}

#[test]
fn link_values_parse_with_quoted_commas_and_several_relations() {
    let links = parse(r#"</a?x=1>; title="a, b"; rel="prev first", </b>;rel=next"#).unwrap();
    assert_eq!(links.len(), 2);
    assert_eq!(links[0].rels, ["prev", "first"]);
    assert_eq!(links[1].target, "/b");
    assert_eq!(links[1].rels, ["next"]);
    for broken in [
        "/a; rel=next",
        "</a; rel=next",
        "</a>",
        "</a>; rel=\"next",
        "</a>; rel=next </b>",
    ] {
        assert!(parse(broken).is_err(), "{broken}");
    }
}

#[test]
fn the_query_is_read_against_the_documented_parameters() {
    let contract = contract();
    let read = |query: &str| {
        RequestFacts::read(&contract, "GET", &QueryString::parse(query), &headers(&[]))
    };
    assert!(read("page=1&per_page=100&status=revoked&name=&unknown=x")
        .refused
        .is_empty());
    let cases = [
        ("page=0", "page"),
        ("page=4294967296", "page"),
        ("page=%2B1", "page"),
        ("per_page=101", "per_page"),
        ("per_page=abc", "per_page"),
        ("page=", "page"),
        ("status=Active", "status"),
        ("status=", "status"),
        ("page=1&page=2", "page"),
        ("name=%FF", "name"),
    ];
    for (query, parameter) in cases {
        assert_eq!(read(query).refused, [parameter], "{query}");
    }
    assert_eq!(read(&format!("name={}", "a".repeat(257))).refused, ["name"]);
    assert!(read("__code=401").forced);
    assert!(!read("__code=200").forced);
    let forced = RequestFacts::read(
        &contract,
        "GET",
        &QueryString::default(),
        &headers(&[("prefer", "example=vendor")]),
    );
    assert!(forced.forced);
}

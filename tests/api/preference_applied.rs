//! Rule 28: `Preference-Applied` (RFC 7240 §3) names exactly the preferences that shaped the
//! response: none on a request refused for a control, never one that was ignored; and a forced
//! 200 carries what a real 200 carries, `Cache-Control` and the `Link` its own `meta` implies.

use reqwest::{Response, StatusCode};
use serde_json::Value;

use crate::helpers::{auth, header, link_map, links, spawn_app, TestApp};

const FIXTURE: &str = "auth.json";

/// `GET path` with the reader's secret and, when given, `Prefer`.
async fn get(app: &TestApp, path: &str, prefer: Option<&str>) -> Response {
    let mut request = app.client.get(app.url(path)).bearer_auth(auth::READER);
    if let Some(prefer) = prefer {
        request = request.header("Prefer", prefer);
    }
    request.send().await.expect("the request is answered")
}

/// Path, `Prefer`, the status, and the `Preference-Applied` expected (`None`: absent).
const CASES: [(&str, Option<&str>, u16, Option<&str>); 17] = [
    // Refused for a control: nothing was applied, whatever else the request asked for.
    ("/v1/tokens", Some("code=401, example=nope"), 400, None),
    ("/v1/tokens", Some("example=nope"), 400, None),
    ("/v1/tokens", Some("delay=10, example=nope"), 400, None),
    ("/v1/tokens", Some("code=429, example=empty"), 400, None),
    ("/v1/tokens", Some("code=418"), 400, None),
    ("/v1/tokens", Some("delay=abc, code=401"), 400, None),
    ("/v1/tokens?__example=nope", None, 400, None),
    ("/v1/tokens?__code=401&__example=empty", None, 400, None),
    ("/v1/tokens?__delay=10&__code=418", None, 400, None),
    // Honoured: each one named, and only those.
    ("/v1/tokens", Some("code=401"), 401, Some("code=401")),
    (
        "/v1/tokens",
        Some("code=200, example=empty"),
        200,
        Some("code=200, example=empty"),
    ),
    (
        "/v1/tokens?__example=last_page",
        None,
        200,
        Some("example=last_page"),
    ),
    ("/v1/tokens", Some("delay=0"), 200, Some("delay=0")),
    ("/v1/tokens?page=0", Some("delay=1"), 400, Some("delay=1")),
    (
        "/v1/tokens?__code=401",
        Some("code=429"),
        401,
        Some("code=401"),
    ),
    // Ignored: not ours, so not named.
    ("/v1/tokens", Some("return=minimal"), 200, None),
    ("/v1/tokens", Some("respond-async, wait=5"), 200, None),
];

#[actix_web::test]
async fn preference_applied_names_exactly_the_preferences_that_shaped_the_response() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    for (path, prefer, status, applied) in CASES {
        // Act
        let response = get(&app, path, prefer).await;

        // Assert
        let what = format!("{path} Prefer: {prefer:?}");
        assert_eq!(response.status().as_u16(), status, "{what}");
        let shown = response
            .headers()
            .get("preference-applied")
            .map(|v| v.to_str().expect("ASCII").to_owned());
        assert_eq!(shown.as_deref(), applied, "{what}");
    }
}

/// The `Link` relations of a page, by the rule of RFC 8288 the real pages follow: `first`,
/// `prev` when there is a page before, `next` when there is one after, `last` when any.
fn expected_links(meta: &Value, suffix: &str) -> Vec<(String, String)> {
    let number = |key: &str| meta[key].as_u64().expect("a number in meta");
    let (page, per_page, total_pages) = (number("page"), number("per_page"), number("total_pages"));
    let url = |n: u64| format!("/v1/tokens?page={n}&per_page={per_page}{suffix}");
    let mut expected = vec![("first".to_owned(), url(1))];
    if page > 1 {
        expected.push(("prev".to_owned(), url(page - 1)));
    }
    if page < total_pages {
        expected.push(("next".to_owned(), url(page + 1)));
    }
    if total_pages >= 1 {
        expected.push(("last".to_owned(), url(total_pages)));
    }
    expected
}

#[actix_web::test]
async fn a_forced_200_carries_the_link_its_meta_implies_and_cache_control() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    for (path, suffix) in [
        ("/v1/tokens?__example=last_page", ""),
        ("/v1/tokens?__example=empty", ""),
        ("/v1/tokens?__example=vendor", ""),
        ("/v1/tokens?__code=200&__example=last_page", ""),
        (
            "/v1/tokens?__example=last_page&__session=tab-1",
            "&__session=tab-1",
        ),
    ] {
        // Act
        let response = get(&app, path, None).await;

        // Assert
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let headers = response.headers().clone();
        assert_eq!(header(&headers, "cache-control"), "no-store", "{path}");
        let body: Value = response.json().await.expect("a page");
        let expected = expected_links(&body["meta"], suffix);
        let expected: Vec<(&str, &str)> = expected
            .iter()
            .map(|(r, u)| (r.as_str(), u.as_str()))
            .collect();
        assert_eq!(links(&headers), link_map(&expected), "{path}");
    }
}

#[actix_web::test]
async fn a_forced_last_page_links_back_but_not_forward() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let response = get(&app, "/v1/tokens?__example=last_page", None).await;

    // Assert
    let headers = response.headers().clone();
    let body: Value = response.json().await.expect("a page");
    assert_eq!(body["meta"]["page"], body["meta"]["total_pages"]);
    let rels = links(&headers);
    assert!(
        rels.contains_key("prev") && rels.contains_key("last"),
        "{rels:?}"
    );
    assert!(!rels.contains_key("next"), "{rels:?}");
}

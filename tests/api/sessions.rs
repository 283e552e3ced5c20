//! Rules 36-37: a request names its session (`X-Mock-Session` or `__session`); each session
//! is its own world (data, clock, faults, journal, rate-limit windows, `last_used_at`), and
//! the default session is what a request without a name gets. Bad names are 400s naming the
//! header or parameter; links keep `__session`; CORS lets browsers send and read the header.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, auth, failing_parameters, header, ids, links, spawn_app, spawn_app_with,
    token_named, FROZEN_NOW,
};
use crate::in_session::session_names;

const OBSERVER_ID: &str = "tok_authobserver000000000000";

#[actix_web::test]
async fn a_session_has_its_own_data_clock_and_recorded_uses() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let (a, b, default) = (app.session("a"), app.session("b"), app.default_session());

    // Act: a deletes the Observer, moves its clock back before "Lapsed key" expired and
    // uses the Reader; b uses the Reader at the configured time.
    let path = format!("/__admin/tokens/{OBSERVER_ID}");
    a.admin(Method::DELETE, &path, None, StatusCode::NO_CONTENT)
        .await;
    a.freeze("2026-04-01T00:00:00Z").await;
    let in_a = a.list("/v1/tokens", auth::READER).await;
    b.list("/v1/tokens", auth::READER).await;

    // Assert: a sees its own world...
    assert!(!ids(&in_a).contains(&OBSERVER_ID.to_owned()), "{in_a}");
    assert_eq!(token_named(&in_a, "Lapsed key")["status"], "active");
    assert_eq!(
        token_named(&in_a, "Reader")["last_used_at"],
        "2026-04-01T00:00:00Z"
    );
    assert_eq!(
        a.get("/v1/tokens", Some(auth::OBSERVER)).await.status(),
        401
    );
    // ...and neither b nor the default session sees any of it.
    assert_eq!(b.now().await, FROZEN_NOW);
    assert_eq!(default.now().await, FROZEN_NOW);
    for (session, reader_used) in [(b, json!(FROZEN_NOW)), (default, Value::Null)] {
        let body = session.list("/v1/tokens", auth::OBSERVER).await;
        assert_eq!(body["meta"]["total"], 9, "{:?}: {body}", session.name);
        assert_eq!(token_named(&body, "Lapsed key")["status"], "expired");
        let reader = token_named(&body, "Reader");
        assert_eq!(reader["last_used_at"], reader_used, "{:?}", session.name);
    }
}

#[actix_web::test]
async fn a_session_has_its_own_faults_and_journal() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let (a, b, default) = (app.session("a"), app.session("b"), app.default_session());
    let faults =
        json!({"latency_ms": {"fixed": 0, "jitter": 0}, "error_rate": 1.0, "error_status": 503});

    // Act
    b.admin(
        Method::PUT,
        "/__admin/faults",
        Some(&faults),
        StatusCode::OK,
    )
    .await;
    let statuses = [
        a.get("/v1/tokens?mark=a", Some(auth::READER))
            .await
            .status(),
        b.get("/v1/tokens?mark=b", Some(auth::READER))
            .await
            .status(),
        default
            .get("/v1/tokens?mark=default", Some(auth::READER))
            .await
            .status(),
    ];

    // Assert
    assert_eq!(statuses, [200, 503, 200]);
    let a_faults = a
        .admin(Method::GET, "/__admin/faults", None, StatusCode::OK)
        .await;
    assert_eq!(a_faults["error_rate"], 0.0, "{a_faults}");
    for (session, mark, status) in [
        (a, "mark=a", 200),
        (b, "mark=b", 503),
        (default, "mark=default", 200),
    ] {
        let journal = session.journal().await;
        let seen: Vec<(&Value, &Value)> = journal
            .iter()
            .map(|e| (&e["query"], &e["status"]))
            .collect();
        assert_eq!(seen, [(&json!(mark), &json!(status))], "{:?}", session.name);
    }
    a.admin(
        Method::DELETE,
        "/__admin/requests",
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    assert!(a.journal().await.is_empty());
    assert_eq!(b.journal().await.len(), 1);
    assert_eq!(default.journal().await.len(), 1);
}

#[actix_web::test]
async fn a_session_has_its_own_rate_limit_windows() {
    // Arrange: two requests a minute per secret.
    let env = [("TOOKEN__RATE_LIMIT__REQUESTS_PER_MINUTE", "2")];
    let app = spawn_app_with("auth.json", FROZEN_NOW, &env).await;
    let (a, b, default) = (app.session("a"), app.session("b"), app.default_session());

    // Act: a spends the Reader's window.
    let mut in_a = Vec::new();
    for _ in 0..3 {
        in_a.push(a.get("/v1/tokens", Some(auth::READER)).await.status());
    }

    // Assert: the same secret has a whole window in b and in the default session.
    assert_eq!(in_a, [200, 200, 429]);
    for session in [b, default] {
        let response = session.get("/v1/tokens", Some(auth::READER)).await;
        assert_eq!(response.status(), 200, "{:?}", session.name);
        assert_eq!(header(response.headers(), "ratelimit-remaining"), "1");
    }
}

/// Every route that acts on a session (every admin call but the session list), as method
/// and path.
pub const SESSION_AWARE_ROUTES: [(Method, &str); 18] = [
    (Method::POST, "/__admin/reset"),
    (Method::GET, "/__admin/snapshot"),
    (Method::PUT, "/__admin/snapshot"),
    (Method::GET, "/__admin/clock"),
    (Method::PUT, "/__admin/clock"),
    (Method::DELETE, "/__admin/clock"),
    (Method::POST, "/__admin/clock/advance"),
    (Method::GET, "/__admin/requests"),
    (Method::DELETE, "/__admin/requests"),
    (Method::GET, "/__admin/faults"),
    (Method::PUT, "/__admin/faults"),
    (Method::POST, "/__admin/faults/store-failure"),
    (Method::POST, "/__admin/tokens"),
    (
        Method::PATCH,
        "/__admin/tokens/tok_authreader00000000000000",
    ),
    (
        Method::DELETE,
        "/__admin/tokens/tok_authreader00000000000000",
    ),
    (Method::GET, "/__admin/coverage"),
    (Method::DELETE, "/__admin/coverage"),
    (Method::GET, "/v1/tokens"),
];

/// Header values that are not session names.
fn bad_header_values() -> Vec<Vec<u8>> {
    let mut values: Vec<Vec<u8>> = ["", "has space", "a/b", "semi;colon", "dot:colon", "ümlaut"]
        .iter()
        .map(|v| v.as_bytes().to_vec())
        .collect();
    values.push("x".repeat(65).into_bytes());
    values
}

/// Query strings whose `__session` is not one session name.
fn bad_queries() -> Vec<String> {
    vec![
        "__session=".to_owned(),
        "__session=a%20b".to_owned(),
        "__session=a/b".to_owned(),
        "__session=%C3%BC".to_owned(),
        "__session=%FF".to_owned(),
        format!("__session={}", "x".repeat(65)),
        "__session=a&__session=b".to_owned(),
        "__session=a&%5F%5Fsession=a".to_owned(),
        "%5f%5fsession=a%3Bb".to_owned(),
    ]
}

#[actix_web::test]
async fn a_bad_session_name_is_a_400_naming_the_header_or_parameter_on_every_route() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let body = json!({"now": "2030-01-01T00:00:00Z", "seconds": 60});

    for (method, path) in SESSION_AWARE_ROUTES {
        let send = |query: &str, values: &[&[u8]]| {
            let separator = if path.contains('?') { '&' } else { '?' };
            let mut request = app
                .client
                .request(
                    method.clone(),
                    app.url(&format!("{path}{separator}{query}")),
                )
                .bearer_auth(auth::READER)
                .json(&body);
            for value in values {
                let value = reqwest::header::HeaderValue::from_bytes(value).expect("a header");
                request = request.header("X-Mock-Session", value);
            }
            request.send()
        };
        let mut cases: Vec<(String, &str, reqwest::Response)> = Vec::new();
        for value in bad_header_values() {
            let response = send("", &[&value]).await.expect("answered");
            cases.push((
                String::from_utf8_lossy(&value).into(),
                "X-Mock-Session",
                response,
            ));
        }
        let twice = send("", &[b"a", b"b"]).await.expect("answered");
        cases.push(("a, b".to_owned(), "X-Mock-Session", twice));
        for query in bad_queries() {
            let response = send(&query, &[b"good"]).await.expect("answered");
            cases.push((query, "__session", response));
        }

        for (given, named, response) in cases {
            // Act / Assert
            let problem =
                assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
            assert_eq!(
                failing_parameters(&problem),
                [named],
                "{method} {path} {given:?}"
            );
        }
    }
    // Nothing was created or changed by a refused request.
    assert!(session_names(&app).await.is_empty());
    assert_eq!(app.default_session().now().await, FROZEN_NOW);
    assert_eq!(
        app.list("/v1/tokens", auth::READER).await["meta"]["total"],
        9
    );
}

#[actix_web::test]
async fn the_query_parameter_takes_the_place_of_the_header() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let a = app.session("a");

    // Act: the header names a, the query b; a bad header is refused even beside the query.
    a.freeze("2026-06-01T00:00:00Z").await;
    let body = json!({"now": "2027-01-01T00:00:00Z"});
    a.admin(
        Method::PUT,
        "/__admin/clock?__session=b",
        Some(&body),
        StatusCode::OK,
    )
    .await;
    let bad_header = app
        .client
        .get(app.url("/v1/tokens?__session=b"))
        .header("X-Mock-Session", "not a name")
        .bearer_auth(auth::READER)
        .send()
        .await
        .expect("answered");

    // Assert
    let problem = assert_problem(bad_header, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(failing_parameters(&problem), ["X-Mock-Session"]);
    assert_eq!(a.now().await, "2026-06-01T00:00:00Z");
    assert_eq!(app.session("b").now().await, "2027-01-01T00:00:00Z");
    assert_eq!(session_names(&app).await, ["a", "b"]);
}

#[actix_web::test]
async fn links_of_a_query_named_session_keep_it_so_next_stays_in_the_session() {
    // Arrange: session s has one token fewer than the default session.
    let app = spawn_app("auth.json").await;
    let s = app.session("s");
    let path = format!("/__admin/tokens/{OBSERVER_ID}");
    s.admin(Method::DELETE, &path, None, StatusCode::NO_CONTENT)
        .await;
    let expected = ids(&s.list("/v1/tokens?per_page=100", auth::READER).await);

    // Act: page through with the query parameter only, following `next` as given.
    let mut url = "/v1/tokens?per_page=3&__session=s".to_owned();
    let mut seen = Vec::new();
    loop {
        let response = app.get(&url, Some(auth::READER)).await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        let rels = links(response.headers());
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["meta"]["total"], 8, "{url}");
        assert!(
            rels.values().all(|link| link.ends_with("&__session=s")),
            "{rels:?}"
        );
        seen.extend(ids(&body));
        match rels.get("next") {
            Some(next) => url = next.clone(),
            None => break,
        }
    }

    // Assert
    assert_eq!(seen, expected);
    let by_header = s.get("/v1/tokens?per_page=3", Some(auth::READER)).await;
    assert!(!header(by_header.headers(), "link").contains("__session"));
    let forced = app
        .get(
            "/v1/tokens?__example=last_page&__session=s",
            Some(auth::READER),
        )
        .await;
    assert!(header(forced.headers(), "link").contains("&__session=s"));
}

#[actix_web::test]
async fn browsers_may_send_x_mock_session_and_read_it_back() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let origin = "http://localhost:5173";

    // Act
    let preflight = app
        .client
        .request(Method::OPTIONS, app.url("/v1/tokens"))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "GET")
        .header(
            "Access-Control-Request-Headers",
            "authorization,x-mock-session",
        )
        .send()
        .await
        .expect("answered");
    let named = app
        .session("w-1")
        .request(Method::GET, "/v1/tokens")
        .header("Origin", origin);
    let named = named
        .bearer_auth(auth::READER)
        .send()
        .await
        .expect("answered");
    let unnamed = app.get("/v1/tokens", Some(auth::READER)).await;

    // Assert
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    let allowed = header(preflight.headers(), "access-control-allow-headers").to_ascii_lowercase();
    assert!(allowed.contains("x-mock-session"), "{allowed}");
    let exposed = header(named.headers(), "access-control-expose-headers").to_ascii_lowercase();
    assert!(exposed.contains("x-mock-session"), "{exposed}");
    assert_eq!(header(named.headers(), "x-mock-session"), "w-1");
    assert!(unnamed.headers().get("x-mock-session").is_none());
}

#[actix_web::test]
async fn a_preflight_is_journaled_in_its_session_with_the_status_the_browser_got() {
    // Arrange
    let app = spawn_app("auth.json").await;

    // Act: a preflight for a request naming its session in the query, and one for the
    // default session.
    for path in ["/v1/tokens?__session=w", "/v1/tokens"] {
        let preflight = app
            .client
            .request(Method::OPTIONS, app.url(path))
            .header("Origin", "http://localhost:5173")
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "authorization")
            .send()
            .await
            .expect("answered");
        assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    }

    // Assert
    for session in [app.session("w"), app.default_session()] {
        let journal = session.journal().await;
        let seen: Vec<(&Value, &Value)> = journal
            .iter()
            .map(|e| (&e["method"], &e["status"]))
            .collect();
        assert_eq!(
            seen,
            [(&json!("OPTIONS"), &json!(204))],
            "{:?}",
            session.name
        );
    }
}

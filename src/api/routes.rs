//! The API's routes, stated once: one list mounts each path with the methods it answers and
//! answers any other method there with a 405 problem whose `Allow` names exactly those methods
//! (the admin API's list, `admin::routes`, does the same for its operations).
//!
//! Why a list: the methods a path answers and the `Allow` its 405 names were written apart,
//! by hand, and could drift; here both are read from the same `methods`.

use std::sync::OnceLock;

use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::web;

use super::{health, index, openapi, tokens};
use crate::http::{forwarded, methods};
use crate::mock;

/// One path of the API and how it is answered.
pub(crate) struct Route {
    /// The path as routed.
    pub(crate) path: &'static str,
    /// The methods it answers, in the order `Allow` names them.
    pub(crate) methods: &'static [Method],
    /// Completes a route already guarded by one of `methods` with its handler.
    to: fn(actix_web::Route) -> actix_web::Route,
    /// Whether the mock controls (and the `Link` prefixing of its answers) wrap the path.
    controlled: bool,
}

/// Every route of the API, the listing first.
pub(crate) const ROUTES: [Route; 8] = [
    Route {
        path: "/v1/tokens",
        methods: &[Method::GET, Method::HEAD],
        to: |route| route.to(tokens::list_tokens),
        controlled: true,
    },
    Route {
        path: "/",
        methods: &[Method::GET],
        to: |route| route.to(index::index),
        controlled: false,
    },
    Route {
        path: "/openapi.json",
        methods: &[Method::GET],
        to: |route| route.to(openapi::json),
        controlled: false,
    },
    Route {
        path: "/openapi.yaml",
        methods: &[Method::GET],
        to: |route| route.to(openapi::yaml),
        controlled: false,
    },
    Route {
        path: "/docs",
        methods: &[Method::GET],
        to: |route| route.to(openapi::docs_redirect),
        controlled: false,
    },
    Route {
        path: "/healthz",
        methods: &[Method::GET],
        to: |route| route.to(health::healthz),
        controlled: false,
    },
    Route {
        path: "/readyz",
        methods: &[Method::GET],
        to: |route| route.to(health::readyz),
        controlled: false,
    },
    Route {
        path: "/metrics",
        methods: &[Method::GET],
        to: |route| route.to(health::metrics),
        controlled: false,
    },
];

/// Mounts every route: each of its methods, and a 405 naming them for any other.
pub(crate) fn mount(cfg: &mut web::ServiceConfig) {
    for (route, allow) in ROUTES.iter().zip(allowed()) {
        let resource = methods::resource(route.path, route.methods, route.to, allow.as_str());
        if route.controlled {
            // Around the whole resource, not each route: one layer each, not one per method.
            cfg.service(
                resource
                    .wrap(from_fn(mock::controls))
                    .wrap(from_fn(forwarded::prefix_links)),
            );
        } else {
            cfg.service(resource);
        }
    }
}

/// The `Allow` value of each route (`GET, HEAD`), in the order of [`ROUTES`].
pub(crate) fn allowed() -> &'static [String] {
    static ALLOWED: OnceLock<Vec<String>> = OnceLock::new();
    methods::allow_each(&ALLOWED, ROUTES.iter().map(|route| route.methods))
}

/// The listing's `Allow` value (`GET, HEAD`): that of the first of [`ROUTES`].
pub(crate) fn listing_allow() -> &'static str {
    allowed()[0].as_str()
}

#[cfg(test)]
mod tests {
    use actix_web::http::{header, Method, StatusCode};
    use actix_web::middleware::from_fn;
    use actix_web::test::{call_service, init_service, TestRequest};
    use actix_web::{web, App};

    use crate::http::middleware::common;

    /// Every method a client may send; each path answers those it lists, and a 405 to the rest.
    const METHODS: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PURGE",
    ];

    /// Each path of every route list (a path parameter filled in) with the `Allow` it states.
    fn every_listed_path() -> Vec<(String, String)> {
        let api = super::ROUTES
            .iter()
            .zip(super::allowed())
            .map(|(route, allow)| (route.path.to_owned(), allow.clone()));
        let admin = crate::admin::routes::allowed().iter().map(|(path, allow)| {
            let filled: String = path
                .split('/')
                .map(|part| if part.starts_with('{') { "x" } else { part })
                .collect::<Vec<_>>()
                .join("/");
            (format!("{}{filled}", crate::admin::PREFIX), allow.clone())
        });
        api.chain(admin).collect()
    }

    #[test]
    fn each_documented_operation_is_a_listed_route_answering_its_method() {
        // Arrange: the served document, whose paths are below its first server (`/v1`).
        let docs = crate::api::openapi::SpecDocuments::build();
        let document: serde_json::Value = serde_json::from_str(&docs.json).expect("JSON");
        let server = document["servers"][0]["url"].as_str().expect("a server");
        let paths = document["paths"].as_object().expect("paths");

        for (path, item) in paths {
            // Act
            let routed = format!("{server}{path}");
            let route = super::ROUTES.iter().find(|route| route.path == routed);

            // Assert: each documented method is answered; HEAD goes with GET undocumented.
            let route = route.unwrap_or_else(|| panic!("{routed} is not in the route list"));
            let documented: Vec<String> = item
                .as_object()
                .expect("a path item")
                .keys()
                .map(|method| method.to_ascii_uppercase())
                .collect();
            let mut answered: Vec<&str> = route.methods.iter().map(Method::as_str).collect();
            answered.retain(|method| *method != "HEAD");
            assert_eq!(documented, answered, "{routed}");
        }
    }

    #[actix_web::test]
    async fn every_listed_path_answers_an_unlisted_method_with_a_405_allowing_exactly_its_own() {
        // Arrange: both lists, mounted by their own `mount`, in the shell that renders problems.
        let app = init_service(
            App::new()
                .wrap(from_fn(common))
                .configure(super::mount)
                .service(
                    web::scope(crate::admin::PREFIX)
                        .configure(crate::admin::routes::mount_open)
                        .configure(crate::admin::routes::mount),
                ),
        )
        .await;
        let paths = every_listed_path();
        assert!(
            paths.len() > super::ROUTES.len(),
            "the admin list is covered too"
        );
        let admin = crate::admin::PREFIX;
        for open in [
            format!("{admin}/openapi.json"),
            format!("{admin}/"),
            admin.to_owned(),
        ] {
            assert!(
                paths.iter().any(|(path, _)| *path == open),
                "{open} is covered"
            );
        }

        for (path, allow) in paths {
            let listed: Vec<&str> = allow.split(", ").collect();
            for method in METHODS {
                // Act
                let request = TestRequest::default()
                    .method(Method::from_bytes(method.as_bytes()).expect("a method"))
                    .uri(&path)
                    .to_request();
                let response = call_service(&app, request).await;

                // Assert
                let status = response.status();
                if listed.contains(&method) {
                    assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                    assert_ne!(status, StatusCode::NOT_FOUND, "{method} {path}");
                    continue;
                }
                assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                let sent = response.headers().get(header::ALLOW).map(|v| v.as_bytes());
                assert_eq!(sent, Some(allow.as_bytes()), "{method} {path}");
                let content_type = response.headers().get(header::CONTENT_TYPE);
                assert_eq!(
                    content_type.map(|v| v.as_bytes()),
                    Some(&b"application/problem+json"[..]),
                    "{method} {path}"
                );
            }
        }
    }
}

//! The proxy's own routes, stated once: each path with the methods it answers, and a 405
//! naming exactly those for any other method (`http::methods`), as the mock's lists do.
//! `/v1/tokens` is not among them: every method there goes to the upstream, whose answer is
//! relayed.

use std::sync::OnceLock;

use actix_web::http::Method;
use actix_web::web;

use super::admin;
use crate::api::openapi;
use crate::http::methods;

/// One path of the proxy and how it is answered.
struct Route {
    path: &'static str,
    /// The methods it answers, in the order `Allow` names them.
    methods: &'static [Method],
    /// Completes a route already guarded by one of `methods` with its handler.
    to: fn(actix_web::Route) -> actix_web::Route,
}

/// Every route the proxy answers itself.
static ROUTES: [Route; 7] = [
    Route {
        path: "/__admin/violations",
        methods: &[Method::GET],
        to: |route| route.to(admin::violations),
    },
    Route {
        path: "/healthz",
        methods: &[Method::GET],
        to: |route| route.to(admin::healthz),
    },
    Route {
        path: "/readyz",
        methods: &[Method::GET],
        to: |route| route.to(admin::readyz),
    },
    Route {
        path: "/metrics",
        methods: &[Method::GET],
        to: |route| route.to(admin::metrics),
    },
    Route {
        path: "/openapi.json",
        methods: &[Method::GET],
        to: |route| route.to(openapi::json),
    },
    Route {
        path: "/openapi.yaml",
        methods: &[Method::GET],
        to: |route| route.to(openapi::yaml),
    },
    Route {
        path: "/docs",
        methods: &[Method::GET],
        to: |route| route.to(openapi::docs_redirect),
    },
];

/// Mounts every route: each of its methods, and a 405 naming them for any other.
pub(super) fn mount(cfg: &mut web::ServiceConfig) {
    for (route, allow) in ROUTES.iter().zip(allowed()) {
        cfg.service(methods::resource(
            route.path,
            route.methods,
            route.to,
            allow.as_str(),
        ));
    }
}

/// The `Allow` value of each route, in the order of [`ROUTES`].
fn allowed() -> &'static [String] {
    static ALLOWED: OnceLock<Vec<String>> = OnceLock::new();
    methods::allow_each(&ALLOWED, ROUTES.iter().map(|route| route.methods))
}

#[cfg(test)]
mod tests {
    use actix_web::http::{header, Method, StatusCode};
    use actix_web::middleware::from_fn;
    use actix_web::test::{call_service, init_service, TestRequest};
    use actix_web::App;

    use crate::http::middleware::common;

    #[actix_web::test]
    async fn every_route_answers_an_unlisted_method_with_a_405_allowing_exactly_its_own() {
        // Arrange: the list, mounted in the shell that renders problems.
        let app = init_service(App::new().wrap(from_fn(common)).configure(super::mount)).await;

        for (route, allow) in super::ROUTES.iter().zip(super::allowed()) {
            for method in ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "PURGE"] {
                // Act
                let request = TestRequest::default()
                    .method(Method::from_bytes(method.as_bytes()).expect("a method"))
                    .uri(route.path)
                    .to_request();
                let response = call_service(&app, request).await;

                // Assert: a listed method reaches its handler (which may lack its state here).
                let status = response.status();
                if route.methods.iter().any(|listed| listed.as_str() == method) {
                    assert_ne!(
                        status,
                        StatusCode::METHOD_NOT_ALLOWED,
                        "{method} {}",
                        route.path
                    );
                    assert_ne!(status, StatusCode::NOT_FOUND, "{method} {}", route.path);
                    continue;
                }
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {}",
                    route.path
                );
                let sent = response.headers().get(header::ALLOW).map(|v| v.as_bytes());
                assert_eq!(sent, Some(allow.as_bytes()), "{method} {}", route.path);
            }
        }
    }
}

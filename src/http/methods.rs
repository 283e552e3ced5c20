//! The methods a path answers and the 405 for every other (RFC 9110, sections 9 and 15.5.6),
//! one way for each route list of the shell: the API's (`api::routes`), the admin API's
//! (`admin::routes`) and the proxy's. A list states a path's methods once; its `Allow` is
//! derived from them here, never written by hand.

use std::sync::OnceLock;

use actix_web::http::Method;
use actix_web::{web, HttpResponse, Resource, Route};

use super::ApiError;

/// The `Allow` value naming `methods` (`GET, HEAD`), in their order.
pub(crate) fn allow(methods: &[Method]) -> String {
    let names: Vec<&str> = methods.iter().map(Method::as_str).collect();
    names.join(", ")
}

/// The `Allow` value of each of a list's routes (`methods_of` gives each route's methods, in
/// the list's order), made on the first call and kept in `cell` for the process.
pub(crate) fn allow_each<'a>(
    cell: &'static OnceLock<Vec<String>>,
    methods_of: impl Iterator<Item = &'a [Method]>,
) -> &'static [String] {
    cell.get_or_init(|| methods_of.map(allow).collect())
}

/// A handler answering every request with a 405 `method_not_allowed` problem whose `Allow` is
/// `allow` (from [`allow`]).
pub(crate) fn not_allowed(allow: &'static str) -> Route {
    web::to(move || async move { Err::<HttpResponse, _>(ApiError::MethodNotAllowed(allow)) })
}

/// `path`, answering each of `methods` with the handler `to` puts on a route, and every other
/// method with a 405 naming `allow` (the [`allow`] value of `methods`).
pub(crate) fn resource(
    path: &str,
    methods: &[Method],
    to: fn(Route) -> Route,
    allow: &'static str,
) -> Resource {
    methods
        .iter()
        .fold(web::resource(path), |resource, method| {
            resource.route(to(web::method(method.clone())))
        })
        .default_service(not_allowed(allow))
}

#[cfg(test)]
mod tests {
    use actix_web::http::Method;

    use super::allow;

    #[test]
    fn allow_names_the_methods_in_their_order() {
        assert_eq!(allow(&[Method::GET, Method::HEAD]), "GET, HEAD");
        assert_eq!(allow(&[Method::PUT, Method::GET]), "PUT, GET");
        assert_eq!(allow(&[Method::DELETE]), "DELETE");
    }
}

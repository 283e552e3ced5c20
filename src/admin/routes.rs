//! The admin routes, stated once. Each operation behind the access rule carries its method
//! and path (the actix-web route attribute) and its documentation (`#[utoipa::path]`); the
//! list below mounts them and puts them in the admin document. A second, short list holds the
//! paths every caller that reaches the admin API may read without the access rule: its
//! document and the index of its routes, which are no operations of the document. Both lists
//! answer any other method on one of their paths with a 405 whose `Allow` names the methods
//! listed for that path ([`allowed`]).
//!
//! Why not a route table beside the document: the two drifted apart silently, and so did the
//! hand-written `Allow` strings.

use std::sync::OnceLock;

use actix_web::dev::HttpServiceFactory;
use actix_web::http::Method;
use actix_web::web;
use utoipa::openapi::path::{HttpMethod, Operation as Documented};
use utoipa::openapi::{OpenApi, RefOr, Schema};

use super::{clock, controls, data, openapi, sessions, tokens};
use crate::http::methods;

/// The schemas an operation refers to, by name.
type Schemas = Vec<(String, RefOr<Schema>)>;

/// One admin operation: the service that answers it and what the document says of it.
struct Operation {
    /// Registers the handler (its route attribute names the method and the path).
    mount: Box<dyn FnOnce(&mut web::ServiceConfig)>,
    /// The path below `/__admin`, as the document writes it (`/tokens/{id}`).
    path: String,
    methods: Vec<HttpMethod>,
    documented: fn() -> Documented,
    /// The operation's tags (`tag = "Clock"`), which utoipa keeps apart from the operation.
    tags: fn() -> Vec<&'static str>,
    /// Adds the schemas the operation refers to. `utoipa::__dev` is the interface utoipa's own
    /// `#[derive(OpenApi)]` and its actix-web integration use for this.
    schemas: fn(&mut Schemas),
}

fn operation<H>(handler: H) -> Operation
where
    H: HttpServiceFactory
        + utoipa::Path
        + utoipa::__dev::SchemaReferences
        + utoipa::__dev::Tags<'static>
        + 'static,
{
    Operation {
        mount: Box::new(move |cfg| {
            cfg.service(handler);
        }),
        path: H::path(),
        methods: H::methods(),
        documented: H::operation,
        tags: <H as utoipa::__dev::Tags>::tags,
        schemas: <H as utoipa::__dev::SchemaReferences>::schemas,
    }
}

/// Every admin operation behind the access rule. On a path with several, their order here is
/// the order of the methods in `Allow`.
fn operations() -> Vec<Operation> {
    vec![
        operation(data::reset),
        operation(data::export),
        operation(data::replace),
        operation(clock::read),
        operation(clock::freeze),
        operation(clock::release),
        operation(clock::advance),
        operation(controls::requests),
        operation(controls::clear_requests),
        operation(controls::faults),
        operation(controls::set_faults),
        operation(controls::fail_store),
        operation(sessions::list),
        operation(sessions::drop_session),
        operation(sessions::coverage),
        operation(sessions::clear_coverage),
        operation(tokens::create),
        operation(tokens::change),
        operation(tokens::delete),
    ]
}

/// An admin path outside the access rule, answered to every caller that reaches the admin API.
struct Open {
    /// The path below `/__admin` (`""` is `/__admin` itself).
    path: &'static str,
    /// The methods it answers, in the order `Allow` names them.
    methods: &'static [Method],
    /// Completes a route already guarded by one of `methods` with its handler.
    to: fn(actix_web::Route) -> actix_web::Route,
}

/// The admin paths outside the access rule: the document and the index of the routes.
static OPEN: [Open; 3] = [
    Open {
        path: "/openapi.json",
        methods: &[Method::GET],
        to: |route| route.to(openapi::json),
    },
    Open {
        path: "/",
        methods: &[Method::GET],
        to: |route| route.to(openapi::routes),
    },
    Open {
        path: "",
        methods: &[Method::GET],
        to: |route| route.to(openapi::routes),
    },
];

/// Mounts the paths outside the access rule, each with a 405 naming the methods it answers.
pub(crate) fn mount_open(cfg: &mut web::ServiceConfig) {
    for (open, (_, allow)) in OPEN.iter().zip(open_allowed()) {
        let allow = allow.as_str();
        cfg.service(methods::resource(open.path, open.methods, open.to, allow));
    }
}

/// Mounts every operation, then, on each of their paths, a 405 naming the methods it answers.
pub(crate) fn mount(cfg: &mut web::ServiceConfig) {
    for operation in operations() {
        (operation.mount)(cfg);
    }
    for (path, allow) in operations_allowed() {
        cfg.service(web::resource(path.as_str()).route(methods::not_allowed(allow.as_str())));
    }
}

/// Adds every operation and the schemas it refers to to `openapi`.
pub(super) fn document(openapi: &mut OpenApi) {
    let mut schemas = Schemas::new();
    for operation in operations() {
        // As `#[derive(OpenApi)]` does with the operations it lists.
        let mut documented = (operation.documented)();
        let tags = documented.tags.get_or_insert_with(Vec::new);
        tags.extend((operation.tags)().into_iter().map(str::to_owned));
        openapi
            .paths
            .add_path_operation(&operation.path, operation.methods, documented);
        (operation.schemas)(&mut schemas);
    }
    let components = openapi.components.get_or_insert_with(Default::default);
    components.schemas.extend(schemas);
}

/// Each admin path with its `Allow` value (`GET, PUT`): the paths outside the access rule in
/// the order of [`OPEN`], then each path of an operation, in the order listed.
pub(crate) fn allowed() -> &'static [(String, String)] {
    static ALLOWED: OnceLock<Vec<(String, String)>> = OnceLock::new();
    ALLOWED.get_or_init(|| {
        let mut allowed: Vec<(String, String)> = OPEN
            .iter()
            .map(|open| (open.path.to_owned(), methods::allow(open.methods)))
            .collect();
        for operation in operations() {
            let methods = operation.methods.iter().map(method_name);
            let methods = methods.collect::<Vec<_>>().join(", ");
            let listed = &mut allowed[OPEN.len()..];
            match listed.iter_mut().find(|(path, _)| *path == operation.path) {
                Some((_, allow)) => *allow = format!("{allow}, {methods}"),
                None => allowed.push((operation.path, methods)),
            }
        }
        allowed
    })
}

/// The `Allow` value of each path outside the access rule, in the order of [`OPEN`].
fn open_allowed() -> &'static [(String, String)] {
    &allowed()[..OPEN.len()]
}

/// Each path of an operation with its `Allow` value, in the order listed.
fn operations_allowed() -> &'static [(String, String)] {
    &allowed()[OPEN.len()..]
}

/// The method as HTTP writes it (RFC 9110, section 9).
fn method_name(method: &HttpMethod) -> &'static str {
    match method {
        HttpMethod::Get => "GET",
        HttpMethod::Post => "POST",
        HttpMethod::Put => "PUT",
        HttpMethod::Delete => "DELETE",
        HttpMethod::Options => "OPTIONS",
        HttpMethod::Head => "HEAD",
        HttpMethod::Patch => "PATCH",
        HttpMethod::Trace => "TRACE",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::{allowed, operations_allowed, OPEN};

    #[test]
    fn each_path_of_the_admin_document_allows_exactly_the_methods_it_documents() {
        // Arrange
        let json = &super::super::openapi::documents().json;
        let document: serde_json::Value = serde_json::from_str(json).expect("JSON");
        let paths = document["paths"].as_object().expect("paths");

        // Act
        let allowed = operations_allowed();

        // Assert
        let listed: BTreeSet<&str> = allowed.iter().map(|(path, _)| path.as_str()).collect();
        let documented: BTreeSet<&str> = paths.keys().map(String::as_str).collect();
        assert_eq!(listed, documented);
        for (path, allow) in allowed {
            let methods: BTreeSet<String> = allow.split(", ").map(str::to_owned).collect();
            let documented = paths[path.as_str()]
                .as_object()
                .expect("a path item")
                .keys()
                .map(|method| method.to_ascii_uppercase())
                .collect();
            assert_eq!(methods, documented, "{path}");
        }
    }

    #[test]
    fn no_path_outside_the_access_rule_is_the_path_of_an_operation() {
        // Arrange
        let json = &super::super::openapi::documents().json;
        let document: serde_json::Value = serde_json::from_str(json).expect("JSON");
        let paths = document["paths"].as_object().expect("paths");

        // Act
        let (open, operations) = allowed().split_at(OPEN.len());

        // Assert: each is mounted once, outside the access rule, and left out of the document.
        for (open, (path, _)) in OPEN.iter().zip(open) {
            assert_eq!(open.path, path);
            assert!(!paths.contains_key(path.as_str()), "{path} is no operation");
            let mounted = operations.iter().filter(|(listed, _)| listed == path);
            assert_eq!(mounted.count(), 0, "{path} is mounted once");
        }
    }
}

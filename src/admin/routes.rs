//! The admin operations behind the access rule, stated once. Each handler carries its method
//! and path (the actix-web route attribute) and its documentation (`#[utoipa::path]`); the
//! list below mounts them, puts them in the admin document, and answers any other method on
//! one of their paths with a 405 whose `Allow` names the methods listed for that path.
//!
//! Why not a route table beside the document: the two drifted apart silently, and so did the
//! hand-written `Allow` strings.

use std::sync::OnceLock;

use actix_web::dev::HttpServiceFactory;
use actix_web::{web, HttpResponse};
use utoipa::openapi::path::{HttpMethod, Operation as Documented};
use utoipa::openapi::{OpenApi, RefOr, Schema};

use super::{clock, controls, data, sessions, tokens};
use crate::http::ApiError;

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

/// Mounts every operation, then, on each of their paths, a 405 naming the methods it answers.
pub(crate) fn mount(cfg: &mut web::ServiceConfig) {
    for operation in operations() {
        (operation.mount)(cfg);
    }
    for (path, allow) in allowed() {
        let allow = allow.as_str();
        cfg.service(
            web::resource(path.as_str()).to(move || async move {
                Err::<HttpResponse, _>(ApiError::MethodNotAllowed(allow))
            }),
        );
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

/// Each path of an operation with its `Allow` value (`GET, PUT`), in the order listed.
pub(crate) fn allowed() -> &'static [(String, String)] {
    static ALLOWED: OnceLock<Vec<(String, String)>> = OnceLock::new();
    ALLOWED.get_or_init(|| {
        let mut allowed: Vec<(String, String)> = Vec::new();
        for operation in operations() {
            let methods = operation.methods.iter().map(method_name);
            let methods = methods.collect::<Vec<_>>().join(", ");
            match allowed.iter_mut().find(|(path, _)| *path == operation.path) {
                Some((_, allow)) => *allow = format!("{allow}, {methods}"),
                None => allowed.push((operation.path, methods)),
            }
        }
        allowed
    })
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

    use super::allowed;

    #[test]
    fn each_path_of_the_admin_document_allows_exactly_the_methods_it_documents() {
        // Arrange
        let json = &super::super::openapi::documents().json;
        let document: serde_json::Value = serde_json::from_str(json).expect("JSON");
        let paths = document["paths"].as_object().expect("paths");

        // Act
        let allowed = allowed();

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
}

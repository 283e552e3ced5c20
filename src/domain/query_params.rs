//! The parameters of `GET /tokens` as the OpenAPI document shows them, written from the same
//! limits the parser enforces ([`ListQuery::parse`]), so the two cannot drift apart, also
//! when `pagination.max_per_page` changes the largest page.

use serde_json::json;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{Ref, Required};

use super::query::{ListQuery, QueryLimits, NAME_MAX_CHARS, PAGE_MAX};

impl ListQuery {
    /// The documented query parameters for these limits.
    pub fn parameters(limits: QueryLimits) -> Vec<Parameter> {
        let query = |name: &str, description: String| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(description))
        };
        let page = query(
            "page",
            "The page number to retrieve. Starts at 1. Use alongside `per_page` to paginate \
             through\nresults. A page past the end returns an empty `data` array with the real \
             totals."
                .to_owned(),
        )
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .default(Some(json!(1)))
                .maximum(Some(f64::from(PAGE_MAX)))
                .minimum(Some(1.0)),
        ))
        .example(Some(json!(1)));
        let per_page = query(
            "per_page",
            format!(
                "Number of tokens to return per page. Minimum is 1, maximum is {}.",
                limits.max_per_page
            ),
        )
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                .default(Some(json!(limits.default_per_page)))
                .maximum(Some(f64::from(limits.max_per_page)))
                .minimum(Some(1.0)),
        ))
        .example(Some(json!(limits.default_per_page)));
        let status = query(
            "status",
            "Filter tokens by their current status. Accepted values are `active`, `expired`, \
             and\n`revoked`. Omit this parameter to return tokens in all states."
                .to_owned(),
        )
        .schema(Some(Ref::from_schema_name("Status")));
        let name = query(
            "name",
            format!(
                "Filter tokens by name using a partial, case-insensitive match. For example, \
                 `?name=ci`\nreturns tokens named `ci-deploy` and `CI Pipeline Token`. Matching \
                 uses Unicode NFC and\nfull case folding (`STRASSE` matches `Straße`), without \
                 locale rules; `%`, `_` and `*`\nare literal characters. Up to {NAME_MAX_CHARS} \
                 characters; empty means no filter."
            ),
        )
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(NAME_MAX_CHARS)),
        ));
        vec![page.build(), per_page.build(), status.build(), name.build()]
    }
}

impl utoipa::IntoParams for ListQuery {
    /// The parameters with the default limits; the served document uses the configured ones.
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        ListQuery::parameters(QueryLimits::DEFAULT)
    }
}

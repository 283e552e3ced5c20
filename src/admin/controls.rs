//! `/__admin/requests` and `/__admin/faults`: a session's journal and injected faults.

use actix_web::{delete, get, post, put, HttpResponse};
use serde::Serialize;

use super::body::JsonBody;
use crate::domain::{parse_integer, ParamError, QueryString};
use crate::http::{ApiError, Problem};
use crate::session::journal::JournalEntry;
use crate::session::{FaultConfig, Selected};

/// The most entries one `GET /__admin/requests` returns.
pub(super) const MAX_LIMIT: u64 = 1000;
/// The entries returned when no `limit` is given (or the journal's capacity, if smaller).
const DEFAULT_LIMIT: u64 = 100;

/// Recent requests, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct RequestList {
    pub data: Vec<JournalEntry>,
}

/// What `GET /__admin/requests` answers: a [`RequestList`], or with `format=har` a HAR 1.2
/// document (`{"log": {"version": "1.2", "creator", "entries": [...]}}`, oldest first), as
/// the HAR 1.2 specification describes it. Documentation only: the handler writes either.
pub(super) struct RequestsAnswer;

impl utoipa::PartialSchema for RequestsAnswer {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        let schema = serde_json::json!({
            "oneOf": [
                {"$ref": "#/components/schemas/RequestList"},
                {
                    "type": "object",
                    "description": "A HAR 1.2 document (`format=har`): the journal's entries, oldest first, with headers (credentials redacted), timings and the first `admin.journal_body_bytes` of each response body.",
                    "required": ["log"],
                    "properties": {
                        "log": {
                            "type": "object",
                            "required": ["version", "creator", "entries"],
                            "properties": {
                                "version": {"type": "string", "example": "1.2"},
                                "creator": {"type": "object"},
                                "entries": {"type": "array", "items": {"type": "object"}}
                            }
                        }
                    }
                }
            ]
        });
        serde_json::from_value(schema).expect("the schema written here is a valid schema")
    }
}

impl utoipa::ToSchema for RequestsAnswer {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::Schema>)>) {
        use utoipa::PartialSchema;
        schemas.push(("RequestList".to_owned(), RequestList::schema()));
        <RequestList as utoipa::ToSchema>::schemas(schemas);
    }
}

/// The query of `GET /__admin/requests`, documented from the limits the handler enforces.
pub(super) struct RequestsQuery;

impl utoipa::IntoParams for RequestsQuery {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let format = ParameterBuilder::new()
            .name("format")
            .parameter_in(ParameterIn::Query)
            .description(Some(
                "`json` (the default): the entries below. `har`: the same requests as a HAR 1.2 \
                 document, oldest first, with headers (credentials redacted as \
                 `redacted:sha256:…`) and the first `admin.journal_body_bytes` of each \
                 response body; it opens in a browser's DevTools and is what \
                 `tooken-mock fidelity --har` reads.",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["json", "har"]))
                    .default(Some(serde_json::json!("json"))),
            ))
            .build();
        let limit = ParameterBuilder::new()
            .name("limit")
            .parameter_in(ParameterIn::Query)
            .description(Some(format!(
                "How many entries to return, newest first: 1 to {MAX_LIMIT} (default \
                 {DEFAULT_LIMIT}, or the journal's capacity if smaller)."
            )))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1.0))
                    .maximum(Some(MAX_LIMIT as f64))
                    .default(Some(serde_json::json!(DEFAULT_LIMIT))),
            ))
            .build();
        vec![limit, format]
    }
}

/// List recent requests of the session (never a secret: tokens are named by id).
///
/// The API requests the session answered, newest first; its journal keeps the most recent
/// `admin.journal_capacity` of them.
#[utoipa::path(tag = "Requests", params(RequestsQuery, Selected),
    responses((status = 200, description = "Recent requests, newest first (with `format=har`, a HAR 1.2 document, oldest first).", body = RequestsAnswer),
              (status = 400, description = "Bad limit or format.", body = Problem, content_type = "application/problem+json")))]
#[get("/requests")]
pub(crate) async fn requests(
    selected: Selected,
    query: QueryString,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let given = query.single("limit").unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    let har = match query.single("format") {
        Ok(None) => false,
        Ok(Some("json")) => false,
        Ok(Some("har")) => true,
        Ok(Some(_)) => {
            errors.push(ParamError::new("format", "must be json or har"));
            false
        }
        Err(e) => {
            errors.push(e);
            false
        }
    };
    let limit = match given {
        None => DEFAULT_LIMIT,
        Some(text) => parse_integer(text, 1, MAX_LIMIT).unwrap_or_else(|| {
            errors.push(ParamError::new(
                "limit",
                format!("must be an integer between 1 and {MAX_LIMIT}"),
            ));
            DEFAULT_LIMIT
        }),
    };
    if !errors.is_empty() {
        return Err(ApiError::InvalidParameters(errors));
    }
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if har {
        let log = selected.session.journal.har(limit);
        return Ok(HttpResponse::Ok().json(crate::har::Har { log }));
    }
    Ok(HttpResponse::Ok().json(RequestList {
        data: selected.session.journal.recent(limit),
    }))
}

/// Clear the session's journal.
///
/// Requests answered after this are recorded as before.
#[utoipa::path(tag = "Requests", params(Selected),
    responses((status = 204, description = "Cleared.")))]
#[delete("/requests")]
pub(crate) async fn clear_requests(selected: Selected) -> HttpResponse {
    selected.session.journal.clear();
    HttpResponse::NoContent().finish()
}

/// Read the session's latency and injected errors.
///
/// The settings applied to every request of the session to the API (never to the admin API).
#[utoipa::path(tag = "Faults", params(Selected),
    responses((status = 200, description = "The fault settings.", body = FaultConfig)))]
#[get("/faults")]
pub(crate) async fn faults(selected: Selected) -> HttpResponse {
    HttpResponse::Ok().json(selected.session.faults.get())
}

/// Set latency and injected errors for every API request of the session.
///
/// Omitted fields take their defaults (no latency, no errors, status 500). A body with a
/// field out of range changes nothing; each such field is named in `errors`.
#[utoipa::path(tag = "Faults", params(Selected), request_body = FaultConfig,
    responses((status = 200, description = "The new fault settings.", body = FaultConfig),
              (status = 400, description = "Out of range; `errors` names each field.", body = Problem, content_type = "application/problem+json")))]
#[put("/faults")]
pub(crate) async fn set_faults(
    selected: Selected,
    JsonBody(config): JsonBody<FaultConfig>,
) -> Result<HttpResponse, ApiError> {
    let problems = config.problems();
    if !problems.is_empty() {
        let errors = problems
            .into_iter()
            .map(|(field, detail)| ParamError::new(field.path(), detail))
            .collect();
        return Err(ApiError::InvalidBody(errors));
    }
    selected.session.faults.set(config);
    Ok(HttpResponse::Ok().json(selected.session.faults.get()))
}

/// Make the session's next listing fail inside the store.
///
/// The listing panics inside the store, as after a bug: that request gets a 503 problem, and
/// every other request, of this session or another, is answered as before. A reset cancels it.
#[utoipa::path(tag = "Faults", params(Selected),
    responses((status = 202, description = "The next listing will fail.")))]
#[post("/faults/store-failure")]
pub(crate) async fn fail_store(selected: Selected) -> HttpResponse {
    selected.session.store.fail_next_list();
    HttpResponse::Accepted().finish()
}

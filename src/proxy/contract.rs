//! The OpenAPI document compiled into JSON Schema validators: one per documented response
//! of `GET /tokens`, one for the `Problem` schema, one per query parameter.
//!
//! The document is the one this crate generates and serves, so the proxy holds an upstream
//! to exactly what `/openapi.json` promises. OpenAPI 3.1 schemas are JSON Schema 2020-12;
//! `$ref`s point into `components`, which every validator carries beside its root.

use std::collections::BTreeMap;

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use jsonschema::{Draft, ValidationError, Validator};
use serde_json::{json, Value};

use super::rule::{item, member, Rule, Violation};
use crate::api::openapi::SpecDocuments;

/// The operation the proxy validates.
const OPERATION: &str = "/paths/~1tokens/get";

/// A documented response: its media type and the validator of its body.
pub(crate) struct DocumentedResponse {
    pub content_type: String,
    validator: Validator,
}

/// A documented query parameter.
pub(crate) struct DocumentedParam {
    pub name: String,
    /// `integer` parameters are compared as numbers once their text is decimal digits.
    pub integer: bool,
    /// The documented default, if any.
    pub default: Option<Value>,
    validator: Validator,
}

/// Validators of everything the document says about `GET /tokens`.
pub(crate) struct Contract {
    responses: BTreeMap<u16, DocumentedResponse>,
    problem: Validator,
    params: Vec<DocumentedParam>,
}

/// Why a document cannot be compiled.
#[derive(Debug, thiserror::Error)]
#[error("the OpenAPI document cannot be used for validation: {0}")]
pub struct ContractError(String);

impl Contract {
    /// Compiles the document this crate generates.
    pub(crate) fn generated() -> Result<Contract, ContractError> {
        let document: Value = serde_json::from_str(&SpecDocuments::build().json)
            .map_err(|e| ContractError(e.to_string()))?;
        Contract::from_document(&document)
    }

    /// Compiles the `GET /tokens` operation of an OpenAPI 3.1 document.
    pub(crate) fn from_document(document: &Value) -> Result<Contract, ContractError> {
        let components = document.get("components").cloned().unwrap_or(json!({}));
        let operation = document
            .pointer(OPERATION)
            .ok_or_else(|| ContractError("no GET /tokens operation".into()))?;
        let compile = |schema: &Value| -> Result<Validator, ContractError> {
            let mut root = schema.clone();
            if let Some(object) = root.as_object_mut() {
                object.insert("components".into(), components.clone());
            }
            jsonschema::options()
                .with_draft(Draft::Draft202012)
                .should_validate_formats(true)
                .should_ignore_unknown_formats(true)
                .build(&root)
                .map_err(|e| ContractError(e.to_string()))
        };
        let mut responses = BTreeMap::new();
        let documented = operation["responses"].as_object().into_iter().flatten();
        for (status, response) in documented {
            let Ok(status) = status.parse::<u16>() else {
                continue;
            };
            let content = response["content"].as_object().into_iter().flatten().next();
            if let Some((content_type, media)) = content {
                responses.insert(
                    status,
                    DocumentedResponse {
                        content_type: content_type.clone(),
                        validator: compile(&media["schema"])?,
                    },
                );
            }
        }
        let mut params = Vec::new();
        for param in operation["parameters"].as_array().into_iter().flatten() {
            if param["in"] != "query" {
                continue;
            }
            let schema = &param["schema"];
            params.push(DocumentedParam {
                name: param["name"].as_str().unwrap_or_default().to_owned(),
                integer: schema["type"] == "integer",
                default: schema.get("default").cloned(),
                validator: compile(schema)?,
            });
        }
        let problem = compile(&json!({"$ref": "#/components/schemas/Problem"}))?;
        Ok(Contract {
            responses,
            problem,
            params,
        })
    }

    /// The documented response for `status`.
    pub(crate) fn response(&self, status: u16) -> Option<&DocumentedResponse> {
        self.responses.get(&status)
    }

    /// The documented query parameters.
    pub(crate) fn params(&self) -> &[DocumentedParam] {
        &self.params
    }

    /// The documented default of parameter `name`, as an integer.
    pub(crate) fn default_of(&self, name: &str) -> Option<u64> {
        let param = self.params.iter().find(|p| p.name == name)?;
        param.default.as_ref()?.as_u64()
    }

    /// Checks a body against the schema of its status; a 4xx or 5xx that the document does
    /// not list is held to the `Problem` schema.
    pub(crate) fn check_body(&self, status: u16, body: &Value, out: &mut Vec<Violation>) {
        let validator = match self.responses.get(&status) {
            Some(documented) => &documented.validator,
            None if status >= 400 => &self.problem,
            None => return,
        };
        for error in validator.iter_errors(body) {
            report(&error, out);
        }
    }
}

impl DocumentedParam {
    /// Whether one value of this parameter, as decoded from the query, is accepted: text of
    /// decimal digits is a number for an integer parameter, anything else stays text.
    pub(crate) fn accepts(&self, text: &str) -> bool {
        let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        let value = match (self.integer, digits) {
            (true, true) => text
                .parse::<u64>()
                .map_or_else(|_| Value::String(text.to_owned()), Value::from),
            _ => Value::String(text.to_owned()),
        };
        self.validator.is_valid(&value)
    }
}

/// One violation per schema error, at the location of the member it is about: a missing or
/// unexpected member is named, not only the object that should (not) hold it.
fn report(error: &ValidationError<'_>, out: &mut Vec<Violation>) {
    let mut location = "$".to_owned();
    for segment in error.instance_path().iter() {
        location = match segment {
            LocationSegment::Property(name) => member(&location, name.as_ref()),
            LocationSegment::Index(index) => item(&location, index),
        };
    }
    let detail = error.masked_with("the value").to_string();
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            out.push(Violation::new(
                Rule::Schema,
                member(&location, name),
                "is required but missing",
            ));
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            for name in unexpected {
                out.push(Violation::new(
                    Rule::Schema,
                    member(&location, name),
                    "is not a documented member (additionalProperties is false)",
                ));
            }
        }
        _ => out.push(Violation::new(Rule::Schema, location, detail)),
    }
}

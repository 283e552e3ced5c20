//! What the two OpenAPI documents, the API's and the admin API's, share: their JSON and YAML
//! serialisations, and the `info` they leave out.

use utoipa::Modify;

/// A document in both of its serialisations, made once.
pub(crate) struct SpecDocuments {
    pub json: String,
    /// YAML that YAML 1.1 loaders read as the same document too (see [`crate::yaml`]).
    pub yaml: String,
}

impl SpecDocuments {
    /// Both serialisations of `document`.
    pub(crate) fn from_value(document: &serde_json::Value) -> SpecDocuments {
        SpecDocuments {
            json: serde_json::to_string_pretty(document).unwrap_or_default(),
            yaml: crate::yaml::to_string(document),
        }
    }
}

/// utoipa fills `info.license` and `info.contact` from the package manifest, which names
/// neither: the documents carry none rather than empty ones.
pub(crate) struct NoLicense;

impl Modify for NoLicense {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi.info.license = None;
        openapi.info.contact = None;
    }
}

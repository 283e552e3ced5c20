//! What the proxy learns from a request before forwarding it: its query read against the
//! document's parameters, whether it carries credentials, and whether tooken-mock's own
//! controls will shape the answer. The query is the shell's one decoding of it
//! (`http::query`), read as the mock reads it.

use super::contract::Contract;
use crate::domain::QueryString;
use crate::http::bearer::Credentials;
use crate::mock::prefer::Requested;

/// Header names and values of a request or a response, names lowercase; values that are
/// not UTF-8 are read lossily.
#[derive(Clone, Debug, Default)]
pub(crate) struct Headers(Vec<(String, String)>);

impl Headers {
    /// Collects `(name, value)` pairs.
    pub(crate) fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Headers {
        Headers(
            pairs
                .into_iter()
                .map(|(name, value)| {
                    (
                        name.to_ascii_lowercase(),
                        String::from_utf8_lossy(value).into_owned(),
                    )
                })
                .collect(),
        )
    }

    /// Every value of `name` (lowercase), in order.
    pub(crate) fn all<'a, 'n>(
        &'a self,
        name: &'n str,
    ) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name` (lowercase).
    pub(crate) fn first(&self, name: &str) -> Option<&str> {
        self.all(name).next()
    }
}

/// A request as the document sees it.
#[derive(Clone, Debug, Default)]
pub(crate) struct RequestFacts {
    /// `GET`, `HEAD`, ...
    pub method: String,
    /// A CORS preflight, answered outside the document.
    pub preflight: bool,
    /// Credentials are sent: one `Authorization: Bearer <secret>`, or several fields (which
    /// the API refuses as ambiguous, 401 `invalid_token`), read as the API reads them.
    pub(crate) has_credentials: bool,
    /// A tooken-mock control (`Prefer: code=N` or `example=`, `__code`, `__example`) asks
    /// for a documented example instead of an evaluation, or is refused: the answer need not
    /// fit the query. Read as the mock reads it ([`Requested::forces_example`]).
    pub forced: bool,
    /// The parameters the document refuses, as sent, in order.
    pub refused: Vec<String>,
    /// The requested page, when given and accepted.
    pub page: Option<u64>,
    /// The requested page size, when given and accepted.
    pub per_page: Option<u64>,
    /// The requested status filter, when given and accepted.
    pub status: Option<String>,
    /// The requested name filter, when given, accepted and not empty.
    pub name: Option<String>,
}

impl RequestFacts {
    /// Reads a request of `method` with its decoded query and its headers.
    pub(crate) fn read(
        contract: &Contract,
        method: &str,
        query: &QueryString,
        headers: &Headers,
    ) -> RequestFacts {
        let mut facts = RequestFacts {
            method: method.to_owned(),
            preflight: method == "OPTIONS"
                && headers.first("access-control-request-method").is_some(),
            has_credentials: Credentials::from_fields(
                headers.all("authorization").map(str::as_bytes),
            )
            .are_sent(),
            forced: Requested::read(headers.all("prefer").map(str::as_bytes), query)
                .forces_example(),
            ..RequestFacts::default()
        };
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in query.pairs() {
            let key = match key {
                Ok(key) => key,
                Err(raw) => {
                    facts.refuse(raw);
                    continue;
                }
            };
            let Some(param) = contract.params().iter().find(|p| p.name == key) else {
                continue;
            };
            // A repeated parameter is ambiguous: the API refuses it rather than pick one.
            if seen.contains(&key) {
                facts.refuse(key);
                continue;
            }
            seen.push(key);
            let accepted = value.ok().filter(|text| param.accepts(text));
            let Some(text) = accepted else {
                facts.refuse(key);
                continue;
            };
            match key {
                "page" => facts.page = text.parse().ok(),
                "per_page" => facts.per_page = text.parse().ok(),
                "status" => facts.status = Some(text.to_owned()),
                "name" if !text.is_empty() => facts.name = Some(text.to_owned()),
                _ => {}
            }
        }
        if !facts.refused.is_empty() {
            facts.page = None;
            facts.per_page = None;
        }
        facts
    }

    fn refuse(&mut self, parameter: &str) {
        if !self.refused.iter().any(|refused| refused == parameter) {
            self.refused.push(parameter.to_owned());
        }
    }

    /// `GET` or `HEAD`, the operation the document describes.
    pub(crate) fn is_listing(&self) -> bool {
        matches!(self.method.as_str(), "GET" | "HEAD")
    }
}

//! Which session a request names: `X-Mock-Session: <name>` or `?__session=<name>`, the query
//! parameter taking the place of the header (it needs no CORS preflight).

use std::fmt;
use std::future::{ready, Ready};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header::HeaderName;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::{Session, SessionRefused, Sessions};
use crate::domain::ParamError;
use crate::http::{query, ApiError};

/// The header that names a session.
pub(crate) const SESSION_HEADER: &str = "x-mock-session";
/// The query parameter that names a session.
pub(crate) const SESSION_PARAMETER: &str = "__session";

/// A session name: 1 to 64 of `[A-Za-z0-9._-]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionName(Arc<str>);

impl SessionName {
    /// What a name must be, as a 400 says it.
    pub const RULE: &'static str = "must be 1 to 64 of A-Z, a-z, 0-9, '.', '_' and '-'";

    /// Accepts exactly `^[A-Za-z0-9._-]{1,64}$`.
    pub fn parse(text: &str) -> Option<SessionName> {
        let ok = (1..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-_".contains(&b));
        ok.then(|| SessionName(text.into()))
    }

    /// The name as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SessionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a 400 says of a session that does not exist and may not be created by this request.
pub(super) const UNKNOWN_SESSION: &str = "names no session; beyond loopback with admin.token, a \
     session is created by an admin call with the admin token that names it";

/// The session a request selected, resolved once per request.
#[derive(Clone)]
pub struct Selected {
    /// The session.
    pub session: Arc<Session>,
    /// Whether it was named by `__session`, which links must then keep.
    pub by_query: bool,
}

impl Selected {
    /// `&__session=<name>` when the request named its session in the query, else empty.
    pub(crate) fn link_suffix(&self) -> String {
        match (&self.session.name, self.by_query) {
            (Some(name), true) => format!("&{SESSION_PARAMETER}={name}"),
            _ => String::new(),
        }
    }

    /// The session the request selected, as decided at its start (`Selection`): a 400
    /// naming the header or parameter when the selector is not a valid name, is given more
    /// than once or names no session this request may create. A request no context decided
    /// (none mounted) is decided here, without the right to create sessions.
    ///
    /// Owned, so a reference count of the session is written: the request path borrows it
    /// instead ([`super::with_selected`]).
    pub fn resolve(req: &HttpRequest) -> Result<Selected, ApiError> {
        let decided = req.extensions().get::<Selection>().cloned();
        let selection = match decided {
            Some(selection) => selection,
            None => Selection::decide(req, false)?,
        };
        match selection {
            Selection::Default => Ok(sessions(req)?.default_selected().clone()),
            Selection::Named(selected) => Ok(selected),
            Selection::Refused(error) => Err(ApiError::InvalidParameters(vec![error])),
        }
    }

    /// The default session, for a request whose selector is bad.
    pub(crate) fn default_of(req: &HttpRequest) -> Result<Selected, ApiError> {
        Ok(sessions(req)?.default_selected().clone())
    }
}

/// The sessions of the application serving `req`.
pub(super) fn sessions(req: &HttpRequest) -> Result<&Sessions, ApiError> {
    req.app_data::<web::Data<Sessions>>()
        .map(|sessions| sessions.get_ref())
        .ok_or_else(|| ApiError::Internal("sessions are not configured".to_owned()))
}

/// The session a request selected, or why its selector is refused: decided once, at the
/// start of the request ([`super::context::SessionContext`]), kept in its extensions and read
/// by the mock controls, the handlers ([`Selected`] as an extractor) and the journal.
///
/// The default session is kept as [`Selection::Default`] and borrowed from the [`Sessions`]
/// when read: a clone of it would write a reference count that every worker writes.
#[derive(Clone)]
pub(crate) enum Selection {
    /// No session named: the default one.
    Default,
    /// A named session, found or created.
    Named(Selected),
    /// The selector is refused: the 400's parameter error.
    Refused(ParamError),
}

impl Selection {
    /// Reads the selector and finds (or, when `may_create` or the registry allows it on
    /// first use, creates) its session; `Err` only when no sessions are configured.
    pub(crate) fn decide(req: &HttpRequest, may_create: bool) -> Result<Selection, ApiError> {
        let sessions = sessions(req)?;
        let selection = match name_of(req) {
            Err(error) => Selection::Refused(error),
            Ok((None, _)) => Selection::Default,
            Ok((Some(name), by_query)) => match sessions.get(Some(&name), may_create) {
                Ok(session) => Selection::Named(Selected { session, by_query }),
                Err(SessionRefused::Unknown) => {
                    let at = if by_query {
                        SESSION_PARAMETER
                    } else {
                        "X-Mock-Session"
                    };
                    Selection::Refused(ParamError::new(at, UNKNOWN_SESSION))
                }
            },
        };
        Ok(selection)
    }
}

fn name_of(req: &HttpRequest) -> Result<(Option<SessionName>, bool), ParamError> {
    // The header is checked even when the query names the session: a bad selector is a 400
    // wherever it is given, never silently ignored.
    let mut values = req
        .headers()
        .get_all(HeaderName::from_static(SESSION_HEADER));
    let header = match (values.next(), values.next()) {
        (None, _) => None,
        (Some(_), Some(_)) => {
            return Err(ParamError::new(
                "X-Mock-Session",
                "must be given at most once",
            ))
        }
        (Some(value), None) => Some(
            value
                .to_str()
                .ok()
                .and_then(SessionName::parse)
                .ok_or(ParamError::new("X-Mock-Session", SessionName::RULE))?,
        ),
    };
    // Keys are compared decoded, as every reader of the request decoded them: `__sessio%6E`
    // is `__session`.
    if let Some(text) = query::of(req).single(SESSION_PARAMETER)? {
        let name = SessionName::parse(text)
            .ok_or(ParamError::new(SESSION_PARAMETER, SessionName::RULE))?;
        return Ok((Some(name), true));
    }
    Ok((header, false))
}

impl FromRequest for Selected {
    type Error = ApiError;
    type Future = Ready<Result<Selected, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Selected::resolve(req))
    }
}

impl utoipa::IntoParams for Selected {
    /// The session selector, as every session-aware operation documents it.
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let name = || {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[A-Za-z0-9._-]{1,64}$"))
                .min_length(Some(1))
                .max_length(Some(64))
        };
        vec![
            ParameterBuilder::new()
                .name("X-Mock-Session")
                .parameter_in(ParameterIn::Header)
                .description(Some(
                    "The session to act on, created on first use; without it, the default \
                     session.",
                ))
                .schema(Some(name()))
                .build(),
            ParameterBuilder::new()
                .name(SESSION_PARAMETER)
                .parameter_in(ParameterIn::Query)
                .description(Some(
                    "The session to act on, in place of `X-Mock-Session` (needs no CORS \
                     preflight).",
                ))
                .schema(Some(name()))
                .build(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::SessionName;

    #[test]
    fn session_names_are_1_to_64_safe_characters() {
        for good in ["a", "worker-1", "Test_2.b", &"x".repeat(64)] {
            assert!(SessionName::parse(good).is_some(), "{good}");
        }
        for bad in ["", "has space", "semi;colon", "é", &"x".repeat(65), "a/b"] {
            assert!(SessionName::parse(bad).is_none(), "{bad}");
        }
    }
}

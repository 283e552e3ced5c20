//! Per-request controls: `Prefer: code=N, example=NAME, delay=MS` (RFC 7240) and the query
//! parameters `__code`, `__example`, `__delay`, which need no CORS preflight.

use std::time::Duration;

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};

use serde_json::Value;

use super::forced::{ForcedResponses, Unavailable};
use crate::domain::faults::MAX_DELAY_MS;
use crate::domain::{parse_integer, ParamError, QueryString};
use crate::http::prefer::preferences;
use crate::http::query;
use crate::session::SESSION_PARAMETER;

/// The controls one request asked for.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Controls {
    /// A documented status to answer with instead of evaluating the request (never 200).
    pub code: Option<u16>,
    /// A named example of that response (of the 200 response when no code is given), and
    /// the parameter that asked for it.
    pub example: Option<(String, String)>,
    /// How long to wait before answering.
    pub delay: Option<Duration>,
    /// The documented body that replaces the real answer, when one is forced.
    pub(crate) forced_body: Option<Value>,
    /// The preferences honoured, for `Preference-Applied`.
    applied: Vec<String>,
}

/// Where a control came from, for naming it in errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A preference of the `Prefer` field.
    Header,
    /// A `__name` query parameter.
    Query,
}

/// The controls a request asks for, as it spells them, before they are checked against the
/// document: read by the mock to apply them and by the proxy to know when they, not the
/// data, shape the answer. One reading for both, so the two cannot disagree.
#[derive(Debug, Default)]
pub(crate) struct Requested {
    /// `(origin, name without __, value)`, each name once: a query control takes the place
    /// of the same preference.
    pub asked: Vec<(Origin, String, String)>,
    /// Query controls that do not decode or are repeated: meant, so never ignored.
    pub errors: Vec<ParamError>,
}

impl Requested {
    /// Reads the `Prefer` field values ([`preferences`]) and the decoded query string.
    pub(crate) fn read<'a>(
        prefer: impl IntoIterator<Item = &'a [u8]>,
        query: &QueryString,
    ) -> Requested {
        let mut requested = Requested::default();
        for preference in preferences(prefer) {
            // A bare name asks for nothing, yet it is the first instance of its preference.
            if let Some(value) = preference.value {
                requested
                    .asked
                    .push((Origin::Header, preference.name, value));
            }
        }
        // A key is compared decoded, so any `%` may spell a control (`__c%6Fde`).
        for key in query.names_with_prefix("__") {
            let name = &key[2..];
            // The session is not a control of the response.
            if key == SESSION_PARAMETER {
                continue;
            }
            requested
                .asked
                .retain(|(origin, seen, _)| !(*origin == Origin::Header && seen == name));
            match query.single(&key) {
                Ok(Some(value)) => {
                    requested
                        .asked
                        .push((Origin::Query, name.to_owned(), value.to_owned()))
                }
                Ok(None) => {}
                Err(error) => requested.errors.push(error),
            }
        }
        requested
    }

    /// Whether the controls, not the data, decide the answer: a documented example is asked
    /// for (`example`, or a `code` other than 200, however spelled), or a control is refused
    /// with a 400 naming it.
    pub(crate) fn forces_example(&self) -> bool {
        !self.errors.is_empty()
            || self
                .asked
                .iter()
                .any(|(_, name, value)| match name.as_str() {
                    "example" => true,
                    "code" => code_number(value) != Some(200),
                    _ => false,
                })
    }
}

/// The status a `code` control names, read one way for the mock and the proxy: the decimal
/// number as given, with no space around it.
pub(crate) fn code_number(value: &str) -> Option<u16> {
    value.parse().ok()
}

impl Controls {
    /// Reads the controls of a request; every bad one is reported.
    pub(crate) fn parse(
        req: &HttpRequest,
        forced: &ForcedResponses,
    ) -> Result<Controls, Vec<ParamError>> {
        let prefer = req.headers().get_all(HeaderName::from_static("prefer"));
        let Requested {
            asked: pairs,
            mut errors,
        } = Requested::read(prefer.map(|v| v.as_bytes()), &query::of(req));
        let mut controls = Controls::default();
        let mut code_text = None;
        for (origin, name, value) in pairs {
            let parameter = match origin {
                Origin::Header => "Prefer".to_owned(),
                Origin::Query => format!("__{name}"),
            };
            let detail = |what: &str| match origin {
                Origin::Header => format!("{name} {what}"),
                Origin::Query => what.to_owned(),
            };
            match name.as_str() {
                "code" => match forced.check_code(&value) {
                    Ok(code) => code_text = Some((code, value)),
                    Err(Unavailable::Code(what) | Unavailable::Example(what)) => {
                        errors.push(ParamError::new(&parameter, detail(&what)))
                    }
                },
                "example" => controls.example = Some((parameter, value)),
                "delay" => match parse_integer(&value, 0, MAX_DELAY_MS) {
                    Some(ms) => controls.delay = Some(Duration::from_millis(ms)),
                    None => errors.push(ParamError::new(
                        &parameter,
                        detail(&format!(
                            "must be an integer between 0 and {MAX_DELAY_MS} (milliseconds)"
                        )),
                    )),
                },
                // Other preferences (return=minimal, ...) are not ours to refuse.
                _ => {}
            }
        }
        if let Some(delay) = controls.delay {
            controls
                .applied
                .push(format!("delay={}", delay.as_millis()));
        }
        if let Some((code, _)) = code_text {
            controls.applied.push(format!("code={code}"));
            // code=200 is normal behaviour, unless an example of it is asked for.
            if code != 200 {
                controls.code = Some(code);
            }
        }
        if let Some((_, example)) = &controls.example {
            controls.applied.push(format!("example={example}"));
        }
        if errors.is_empty() && controls.forces_response() {
            // Checked before anything is applied: a refused request is answered at once, and
            // says that no preference shaped it.
            let code = controls.code.unwrap_or(200);
            let example = controls.example.as_ref();
            match forced.body(code, example.map(|(_, name)| name.as_str())) {
                Ok(body) => controls.forced_body = Some(body),
                Err(Unavailable::Code(detail) | Unavailable::Example(detail)) => {
                    let (parameter, detail) = match example {
                        Some((parameter, _)) if parameter != "Prefer" => {
                            (parameter.clone(), detail)
                        }
                        _ => ("Prefer".to_owned(), format!("example {detail}")),
                    };
                    errors.push(ParamError::new(&parameter, detail));
                }
            }
        }
        if errors.is_empty() {
            Ok(controls)
        } else {
            Err(errors)
        }
    }

    /// Whether a documented example replaces the real answer.
    pub(crate) fn forces_response(&self) -> bool {
        self.code.is_some() || self.example.is_some()
    }

    /// Adds `Preference-Applied` for the honoured controls.
    pub(crate) fn mark_applied(&self, response: &mut HttpResponse) {
        if self.applied.is_empty() {
            return;
        }
        if let Ok(value) = HeaderValue::from_str(&self.applied.join(", ")) {
            response
                .headers_mut()
                .insert(HeaderName::from_static("preference-applied"), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;
    use serde_json::json;

    use super::*;

    fn forced() -> ForcedResponses {
        let document = json!({"paths": {"/tokens": {"get": {"responses": {
            "200": {"content": {"application/json": {"examples": {"vendor": {"value": {}}}}}},
            "429": {"content": {"application/problem+json": {"example": {}}}}
        }}}}});
        ForcedResponses::from_document(&document)
    }

    fn parse(request: TestRequest) -> Result<Controls, Vec<ParamError>> {
        Controls::parse(&request.to_http_request(), &forced())
    }

    #[test]
    fn only_the_first_instance_of_a_preference_counts() {
        let controls = parse(
            TestRequest::get()
                .insert_header(("Prefer", "code=429, delay=5"))
                .append_header(("Prefer", "code=200, delay=9")),
        )
        .unwrap();
        assert_eq!(controls.code, Some(429));
        assert_eq!(controls.delay, Some(Duration::from_millis(5)));
        assert_eq!(controls.applied, ["delay=5", "code=429"]);
    }

    #[test]
    fn a_query_control_takes_the_place_of_the_header_preference() {
        let request = TestRequest::get()
            .uri("/v1/tokens?__delay=7")
            .insert_header(("Prefer", "delay=5"));
        assert_eq!(
            parse(request).unwrap().delay,
            Some(Duration::from_millis(7))
        );
    }

    #[test]
    fn a_repeated_or_encoded_query_control_is_seen() {
        let repeated = parse(TestRequest::get().uri("/v1/tokens?__code=429&__code=200"));
        let names: Vec<_> = repeated
            .unwrap_err()
            .into_iter()
            .map(|e| e.parameter)
            .collect();
        assert_eq!(names, ["__code"]);
        let encoded = parse(TestRequest::get().uri("/v1/tokens?%5F%5Fcode=429")).unwrap();
        assert_eq!(encoded.code, Some(429));
    }
}

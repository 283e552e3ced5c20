//! JSON request bodies of the admin API, held to the API's standard: every problem is a 400
//! naming the field by its JSON location, and a whole number written `1.0` is an integer
//! (as JSON Schema counts it).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::JsonPayloadError;
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};

use super::AdminState;
use crate::domain::ParamError;
use crate::http::{body_deadline, ApiError};

/// A JSON body deserialised into `T`, with problems named by location.
pub(super) struct JsonBody<T>(pub T);

/// The JSON config of routes that still take `web::Json`: a body error names the body.
pub(crate) fn json_config() -> web::JsonConfig {
    web::JsonConfig::default().error_handler(|error, _| match error {
        JsonPayloadError::Payload(late) if body_deadline::is_timeout(&late) => {
            ApiError::BodyTimeout.into()
        }
        error => ApiError::InvalidBody(vec![ParamError::new("body", error.to_string())]).into(),
    })
}

/// Which limit a body is held to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BodyLimit {
    /// `PUT /__admin/snapshot`: `admin.max_body_bytes`.
    Snapshot,
    /// Every other admin body: `admin.max_control_body_bytes`.
    Control,
}

/// Reads a whole body up to its route's limit: a 413 naming the setting past it, before any
/// byte is read when `Content-Length` already says so.
pub(super) async fn read_body(
    req: &HttpRequest,
    payload: &mut Payload,
    which: BodyLimit,
) -> Result<Vec<u8>, ApiError> {
    let state = req.app_data::<web::Data<AdminState>>();
    let (limit, setting) = match which {
        BodyLimit::Snapshot => (
            state.map_or(usize::MAX, |s| s.max_body_bytes),
            "admin.max_body_bytes",
        ),
        BodyLimit::Control => (
            state.map_or(usize::MAX, |s| s.max_control_body_bytes),
            "admin.max_control_body_bytes",
        ),
    };
    let too_large = ApiError::PayloadTooLarge { limit, setting };
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large);
    }
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| {
            if body_deadline::is_timeout(&error) {
                return ApiError::BodyTimeout;
            }
            ApiError::InvalidBody(vec![ParamError::new("body", "could not be read")])
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Parses a JSON body: not JSON at all, or not an object, names `body`; a field of the wrong
/// type or range names its location (`latency_ms.fixed`), a missing one the field itself.
pub(super) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut value: Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::InvalidBody(vec![ParamError::new(
            "body",
            format!("is not valid JSON: {e}"),
        )])
    })?;
    // Every admin body is an object; serde would also take a struct written as an array.
    if !value.is_object() {
        return Err(ApiError::InvalidBody(vec![ParamError::new(
            "body",
            "must be a JSON object",
        )]));
    }
    whole_numbers_as_integers(&mut value);
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let detail = error.into_inner().to_string();
        // A missing field is reported at the object that lacks it: name the field itself.
        let missing = detail
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'));
        let (location, detail) = match (path.as_str(), missing) {
            (".", Some(field)) => (field.to_owned(), "is required".to_owned()),
            (_, Some(field)) => (format!("{path}.{field}"), "is required".to_owned()),
            (".", None) => ("body".to_owned(), detail),
            (_, None) => (path, detail),
        };
        ApiError::InvalidBody(vec![ParamError::new(&location, detail)])
    })
}

/// `1.0` and `8363.0` are integers in JSON Schema: write them as such, so that an integer
/// field accepts them (a float field accepts integers anyway).
fn whole_numbers_as_integers(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64() {
                // Within ±2^53, every whole f64 is exactly the integer it shows.
                if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 {
                    *n = Number::from(f as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(map) => map.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<JsonBody<T>, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let bytes = read_body(&req, &mut payload, BodyLimit::Control).await?;
            parse(&bytes).map(JsonBody)
        })
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::parse;
    use crate::http::ApiError;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        fixed: u64,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        latency: Inner,
        #[serde(default)]
        seconds: i64,
    }

    fn location(body: &str) -> String {
        match parse::<Outer>(body.as_bytes()) {
            Err(ApiError::InvalidBody(errors)) => errors[0].parameter.clone(),
            other => panic!("{body}: {:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn problems_name_the_json_location_of_the_field() {
        assert_eq!(location(r#"{"latency": {"fixed": -1}}"#), "latency.fixed");
        assert_eq!(location(r#"{"latency": {"fixed": "x"}}"#), "latency.fixed");
        assert_eq!(location(r#"{"latency": {}}"#), "latency.fixed");
        assert_eq!(location(r#"{}"#), "latency");
        assert_eq!(location("[]"), "body");
        assert_eq!(location(r#"{"latency": {"fixed": 1}, "x": 1}"#), "x");
        assert_eq!(location("not json"), "body");
        assert_eq!(location(r#"{"latency": {"fixed": 1.5}}"#), "latency.fixed");
    }

    #[test]
    fn whole_numbers_written_with_a_fraction_are_integers() {
        let parsed: Outer = parse(br#"{"latency": {"fixed": 8363.0}, "seconds": -1.0}"#).unwrap();
        assert_eq!((parsed.latency.fixed, parsed.seconds), (8363, -1));
    }
}

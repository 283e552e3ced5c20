//! The query string of `GET /v1/tokens`, parsed strictly into a [`ListQuery`].
//!
//! Parsing collects every problem instead of stopping at the first one, so a client that
//! sends several bad parameters learns about all of them in one round trip.

use std::ops::RangeInclusive;

use serde::Serialize;

use super::{fold, Status};

/// The longest accepted name filter, in characters.
pub const NAME_MAX_CHARS: usize = 256;

/// The page sizes the API can be set to serve: `pagination.max_per_page` lies in this range.
pub const PER_PAGE_RANGE: RangeInclusive<u32> = 1..=100;

/// A validated list request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListQuery {
    /// 1-based page number.
    pub page: u32,
    /// Items per page, within the configured maximum.
    pub per_page: u32,
    /// Only tokens in this state, or all states.
    pub status: Option<Status>,
    /// Only tokens whose folded name contains this folded text.
    pub name: Option<NameFilter>,
}

/// A name filter: the text as given (for links) and its folded form (for matching).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameFilter {
    pub raw: String,
    pub folded: String,
}

/// Page size settings that parsing needs.
#[derive(Clone, Copy, Debug)]
pub struct QueryLimits {
    pub default_per_page: u32,
    pub max_per_page: u32,
}

/// One bad parameter and why it was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ParamError {
    /// The name of the parameter, as sent.
    #[schema(example = "per_page")]
    pub parameter: String,
    /// What the parameter must be.
    #[schema(example = "must be an integer between 1 and 100")]
    pub detail: String,
}

impl ParamError {
    fn new(parameter: &str, detail: impl Into<String>) -> ParamError {
        ParamError {
            parameter: parameter.to_owned(),
            detail: detail.into(),
        }
    }
}

/// One `key=value` pair of a query string; `Err` holds the raw text that did not decode.
pub type DecodedPair = (Result<String, String>, Result<String, String>);

/// Splits a query string into form-decoded pairs (`+` is a space). A part with a `%` not
/// followed by two hex digits, or that is not UTF-8 once decoded, comes back as `Err`.
pub fn decode_query(raw: &str) -> Vec<DecodedPair> {
    raw.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            (decode_component(key), decode_component(value))
        })
        .collect()
}

fn decode_component(raw: &str) -> Result<String, String> {
    let bytes = raw.as_bytes();
    let well_formed = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    if !well_formed {
        return Err(raw.to_owned());
    }
    let spaced = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| raw.to_owned())
}

const KNOWN: [&str; 4] = ["page", "per_page", "status", "name"];

impl ListQuery {
    /// Parses a raw query string. Unknown parameters are ignored; every bad known parameter
    /// (and every key that does not decode) is reported, in a fixed order.
    pub fn parse(raw: &str, limits: QueryLimits) -> Result<ListQuery, Vec<ParamError>> {
        let mut values: [Vec<Result<String, String>>; 4] = Default::default();
        let mut undecodable_keys = Vec::new();
        for (key, value) in decode_query(raw) {
            match key {
                Ok(key) => {
                    if let Some(slot) = KNOWN.iter().position(|k| *k == key) {
                        values[slot].push(value);
                    }
                }
                Err(raw_key) => undecodable_keys.push(raw_key),
            }
        }

        let mut errors = Vec::new();
        let [page, per_page, status, name] = values;
        let page = single("page", page, &mut errors).and_then(|v| match v {
            None => Some(1),
            Some(text) => parse_integer(&text, 1, u32::MAX).or_else(|| {
                errors.push(ParamError::new(
                    "page",
                    format!("must be an integer between 1 and {}", u32::MAX),
                ));
                None
            }),
        });
        let per_page = single("per_page", per_page, &mut errors).and_then(|v| match v {
            None => Some(limits.default_per_page),
            Some(text) => parse_integer(&text, 1, limits.max_per_page).or_else(|| {
                errors.push(ParamError::new(
                    "per_page",
                    format!("must be an integer between 1 and {}", limits.max_per_page),
                ));
                None
            }),
        });
        let status = single("status", status, &mut errors).and_then(|v| match v {
            None => Some(None),
            Some(text) => match Status::parse(&text) {
                Some(status) => Some(Some(status)),
                None => {
                    errors.push(ParamError::new(
                        "status",
                        "must be one of active, expired, revoked",
                    ));
                    None
                }
            },
        });
        let name = single("name", name, &mut errors).and_then(|v| match v {
            Some(text) if text.chars().count() > NAME_MAX_CHARS => {
                errors.push(ParamError::new(
                    "name",
                    format!("must be at most {NAME_MAX_CHARS} characters"),
                ));
                None
            }
            Some(text) if !text.is_empty() => Some(Some(NameFilter {
                folded: fold(&text),
                raw: text,
            })),
            _ => Some(None),
        });
        for raw_key in undecodable_keys {
            errors.push(ParamError::new(
                &raw_key,
                "parameter name must be valid percent-encoded UTF-8",
            ));
        }

        match (page, per_page, status, name) {
            (Some(page), Some(per_page), Some(status), Some(name)) if errors.is_empty() => {
                Ok(ListQuery {
                    page,
                    per_page,
                    status,
                    name,
                })
            }
            _ => Err(errors),
        }
    }

    /// The index of the first item of the page in the filtered list.
    pub fn offset(&self) -> u64 {
        (u64::from(self.page) - 1) * u64::from(self.per_page)
    }
}

/// Takes the one value of a parameter, reporting repeats and undecodable values.
/// `Some(None)` means the parameter was not given.
fn single(
    name: &str,
    mut values: Vec<Result<String, String>>,
    errors: &mut Vec<ParamError>,
) -> Option<Option<String>> {
    if values.len() > 1 {
        errors.push(ParamError::new(name, "must be given at most once"));
        return None;
    }
    match values.pop() {
        None => Some(None),
        Some(Ok(text)) => Some(Some(text)),
        Some(Err(_)) => {
            errors.push(ParamError::new(name, "must be valid percent-encoded UTF-8"));
            None
        }
    }
}

fn parse_integer(text: &str, min: u32, max: u32) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Digits only, so the only failure left is overflow, which is out of range too.
    let value: u64 = text.parse().ok()?;
    u32::try_from(value)
        .ok()
        .filter(|v| (min..=max).contains(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: QueryLimits = QueryLimits {
        default_per_page: 25,
        max_per_page: 100,
    };

    fn bad_parameters(raw: &str) -> Vec<String> {
        ListQuery::parse(raw, LIMITS)
            .expect_err("query should be refused")
            .into_iter()
            .map(|e| e.parameter)
            .collect()
    }

    #[test]
    fn an_empty_query_takes_the_defaults() {
        let query = ListQuery::parse("", LIMITS).unwrap();
        assert_eq!((query.page, query.per_page), (1, 25));
        assert_eq!((query.status, query.name), (None, None));
    }

    #[test]
    fn valid_values_are_parsed() {
        let query =
            ListQuery::parse("page=3&per_page=100&status=revoked&name=CI+Bot", LIMITS).unwrap();
        assert_eq!((query.page, query.per_page), (3, 100));
        assert_eq!(query.status, Some(Status::Revoked));
        assert_eq!(query.offset(), 200);
        let name = query.name.unwrap();
        assert_eq!(
            (name.raw.as_str(), name.folded.as_str()),
            ("CI Bot", "ci bot")
        );
    }

    #[test]
    fn every_malformed_value_of_the_contract_is_refused() {
        for raw in [
            "page=0",
            "page=",
            "page=1.5",
            "page=-1",
            "page=+1",
            "page=4294967296",
            "page=99999999999999999999999",
        ] {
            assert_eq!(bad_parameters(raw), ["page"], "{raw}");
        }
        for raw in ["per_page=101", "per_page=abc", "per_page=0", "per_page"] {
            assert_eq!(bad_parameters(raw), ["per_page"], "{raw}");
        }
        for raw in ["status=Active", "status=", "status=paused"] {
            assert_eq!(bad_parameters(raw), ["status"], "{raw}");
        }
        assert_eq!(
            bad_parameters(&format!("name={}", "a".repeat(257))),
            ["name"]
        );
        assert_eq!(bad_parameters("page=1&page=2"), ["page"]);
        assert_eq!(bad_parameters("name=%zz"), ["name"]);
        assert_eq!(bad_parameters("name=%ff"), ["name"]);
        assert_eq!(bad_parameters("name=%4"), ["name"]);
    }

    #[test]
    fn every_bad_parameter_is_named_at_once() {
        let found = bad_parameters("name=%ff&status=x&per_page=0&page=0&%zz=1");
        assert_eq!(found, ["page", "per_page", "status", "name", "%zz"]);
    }

    #[test]
    fn the_largest_page_is_accepted_and_its_offset_does_not_overflow() {
        let query = ListQuery::parse("page=4294967295&per_page=100", LIMITS).unwrap();
        assert_eq!(query.offset(), 4_294_967_294 * 100);
    }

    #[test]
    fn unknown_parameters_are_ignored_even_when_repeated() {
        assert!(ListQuery::parse("sort=x&sort=y&x=%ff", LIMITS).is_ok());
    }

    #[test]
    fn a_name_of_256_characters_is_accepted_and_an_empty_one_means_no_filter() {
        let long = "é".repeat(256);
        assert!(ListQuery::parse(&format!("name={long}"), LIMITS).is_ok());
        assert_eq!(ListQuery::parse("name=", LIMITS).unwrap().name, None);
    }

    #[test]
    fn percent_signs_and_wildcards_are_literal() {
        let query = ListQuery::parse("name=%25_*", LIMITS).unwrap();
        assert_eq!(query.name.unwrap().raw, "%_*");
    }
}

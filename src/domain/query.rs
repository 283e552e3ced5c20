//! The query string of `GET /v1/tokens`, parsed strictly into a [`ListQuery`].
//!
//! Parsing collects every problem instead of stopping at the first one, so a client that
//! sends several bad parameters learns about all of them in one round trip.

use serde::Serialize;

use super::query_string::{parse_integer, QueryString};
use super::{fold, Status};

/// The longest accepted name filter, in characters.
pub(crate) const NAME_MAX_CHARS: usize = 256;

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueryLimits {
    /// Tokens per page when the query gives no `per_page` (`pagination.default_per_page`).
    pub default_per_page: u32,
    /// The largest `per_page` accepted (`pagination.max_per_page`); larger is a 400.
    pub max_per_page: u32,
}

/// The largest `per_page` the API allows (`pagination.max_per_page` may lower it).
pub(crate) const PER_PAGE_MAX: u32 = 100;

impl QueryLimits {
    /// The API's own limits: 25 per page by default, at most `PER_PAGE_MAX`.
    pub const DEFAULT: QueryLimits = QueryLimits {
        default_per_page: 25,
        max_per_page: PER_PAGE_MAX,
    };
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
    /// An error naming `parameter` (a query parameter, a header, or a JSON location).
    pub fn new(parameter: &str, detail: impl Into<String>) -> ParamError {
        ParamError {
            parameter: parameter.to_owned(),
            detail: detail.into(),
        }
    }
}

/// The largest page number, so that every offset stays representable.
pub(crate) const PAGE_MAX: u32 = u32::MAX;

impl ListQuery {
    /// Parses a raw query string that is no request's (a request's is decoded once and read
    /// with `ListQuery::read`): decodes it, then reads it.
    pub fn parse(raw: &str, limits: QueryLimits) -> Result<ListQuery, Vec<ParamError>> {
        ListQuery::read(&QueryString::parse(raw), limits)
    }

    /// Reads a decoded query string. Unknown parameters are ignored; every bad known parameter
    /// (and every key that does not decode) is reported, in a fixed order.
    pub(crate) fn read(
        query: &QueryString,
        limits: QueryLimits,
    ) -> Result<ListQuery, Vec<ParamError>> {
        let mut errors = Vec::new();
        let take = |name: &str, errors: &mut Vec<ParamError>| {
            query.single(name).map_err(|e| errors.push(e)).ok()
        };
        let page = take("page", &mut errors).and_then(|v| match v {
            None => Some(1),
            Some(text) => integer(text, PAGE_MAX).or_else(|| {
                errors.push(ParamError::new(
                    "page",
                    format!("must be an integer between 1 and {PAGE_MAX}"),
                ));
                None
            }),
        });
        let per_page = take("per_page", &mut errors).and_then(|v| match v {
            None => Some(limits.default_per_page),
            Some(text) => integer(text, limits.max_per_page).or_else(|| {
                errors.push(ParamError::new(
                    "per_page",
                    format!("must be an integer between 1 and {}", limits.max_per_page),
                ));
                None
            }),
        });
        let status = take("status", &mut errors).and_then(|v| match v {
            None => Some(None),
            Some(text) => match Status::parse(text) {
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
        let name = take("name", &mut errors).and_then(|v| match v {
            Some(text) if text.chars().count() > NAME_MAX_CHARS => {
                errors.push(ParamError::new(
                    "name",
                    format!("must be at most {NAME_MAX_CHARS} characters"),
                ));
                None
            }
            Some(text) if !text.is_empty() => Some(Some(NameFilter {
                folded: fold(text),
                raw: text.to_owned(),
            })),
            _ => Some(None),
        });
        errors.extend(query.undecodable_names());

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

fn integer(text: &str, max: u32) -> Option<u32> {
    parse_integer(text, 1, u64::from(max)).and_then(|v| u32::try_from(v).ok())
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

//! The query parser on arbitrary input: it never panics, a refusal always names the failing
//! parameters, and an accepted query is within its limits.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tooken_mock::domain::{decode_query, ListQuery, QueryLimits};

const LIMITS: QueryLimits = QueryLimits {
    default_per_page: 25,
    max_per_page: 100,
};

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);

    let pairs = decode_query(&raw);
    assert_eq!(
        pairs.len(),
        raw.split('&').filter(|part| !part.is_empty()).count()
    );

    match ListQuery::parse(&raw, LIMITS) {
        Ok(query) => {
            assert!(query.page >= 1);
            assert!((1..=LIMITS.max_per_page).contains(&query.per_page));
            assert_eq!(
                query.offset(),
                u64::from(query.page - 1) * u64::from(query.per_page)
            );
            if let Some(name) = &query.name {
                assert!(!name.raw.is_empty() && name.raw.chars().count() <= 256);
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "a refusal names no parameter");
            for error in &errors {
                assert!(!error.parameter.is_empty(), "{errors:?}");
                assert!(!error.detail.is_empty(), "{errors:?}");
            }
        }
    }
});

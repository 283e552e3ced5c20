//! Injected latency and errors: the one shape that the settings file gives at start-up and the
//! admin API shows and takes at run time, with the ranges both accept.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

/// The longest delay a request (`Prefer: delay=`) or a fault may add, in milliseconds.
pub const MAX_DELAY_MS: u64 = 30_000;

/// The share of API requests that may be failed on purpose: never (0.0) to always (1.0).
pub(crate) const ERROR_RATE: RangeInclusive<f64> = 0.0..=1.0;

/// The statuses an injected error may have: 500 `internal` or 503 `unavailable`.
pub(crate) const ERROR_STATUSES: [u16; 2] = [500, 503];

/// What a delay out of range is told: `must be between 0 and 30000`.
pub(crate) fn delay_range_detail() -> String {
    format!("must be between 0 and {MAX_DELAY_MS}")
}

/// Latency added to every API response. An omitted field is 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Latency {
    /// Milliseconds always added, 0 to 30000.
    #[schema(maximum = 30000, example = 200)]
    pub fixed: u64,
    /// Up to this many more milliseconds, at random, 0 to 30000.
    #[schema(maximum = 30000, example = 100)]
    pub jitter: u64,
}

/// The fault settings, as the admin API shows and takes them. An omitted field takes its
/// default: no latency, no injected errors, status 500.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Latency added to every API response.
    pub latency_ms: Latency,
    /// Share of API requests answered with `error_status` instead, 0.0 to 1.0.
    #[schema(minimum = 0.0, maximum = 1.0, example = 0.1)]
    pub error_rate: f64,
    /// The status of injected errors: 500 or 503.
    #[schema(schema_with = error_status_schema)]
    pub error_status: u16,
}

impl Default for FaultConfig {
    /// No latency, no injected errors; 500 once errors are asked for.
    fn default() -> FaultConfig {
        FaultConfig {
            latency_ms: Latency::default(),
            error_rate: 0.0,
            error_status: ERROR_STATUSES[0],
        }
    }
}

/// `error_status` in the admin document: one of [`ERROR_STATUSES`].
fn error_status_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::Integer)
        .enum_values(Some(ERROR_STATUSES))
        .description(Some("The status of injected errors: 500 or 503."))
        .examples([503])
        .build()
}

/// One field of a [`FaultConfig`], so that each reader can name it in its own terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultField {
    LatencyFixed,
    LatencyJitter,
    ErrorRate,
    ErrorStatus,
}

impl FaultField {
    /// The field's path in the admin API's JSON body, such as `latency_ms.fixed`.
    pub fn path(self) -> &'static str {
        match self {
            FaultField::LatencyFixed => "latency_ms.fixed",
            FaultField::LatencyJitter => "latency_ms.jitter",
            FaultField::ErrorRate => "error_rate",
            FaultField::ErrorStatus => "error_status",
        }
    }
}

impl FaultConfig {
    /// Checks the ranges, naming each bad field and what it must be.
    pub fn problems(&self) -> Vec<(FaultField, String)> {
        let mut problems = Vec::new();
        if self.latency_ms.fixed > MAX_DELAY_MS {
            problems.push((FaultField::LatencyFixed, delay_range_detail()));
        }
        if self.latency_ms.jitter > MAX_DELAY_MS {
            problems.push((FaultField::LatencyJitter, delay_range_detail()));
        }
        if !ERROR_RATE.contains(&self.error_rate) {
            let detail = format!(
                "must be between {:?} and {:?}",
                ERROR_RATE.start(),
                ERROR_RATE.end()
            );
            problems.push((FaultField::ErrorRate, detail));
        }
        if !ERROR_STATUSES.contains(&self.error_status) {
            let [first, second] = ERROR_STATUSES;
            problems.push((
                FaultField::ErrorStatus,
                format!("must be {first} or {second}"),
            ));
        }
        problems
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use utoipa::PartialSchema;

    use super::*;

    /// A fault configuration from its four numbers (also for the session's fault tests).
    pub(crate) fn config(
        fixed: u64,
        jitter: u64,
        error_rate: f64,
        error_status: u16,
    ) -> FaultConfig {
        FaultConfig {
            latency_ms: Latency { fixed, jitter },
            error_rate,
            error_status,
        }
    }

    #[test]
    fn omitted_fields_take_their_defaults() {
        let partial: FaultConfig =
            serde_json::from_str(r#"{"error_rate": 1.0, "latency_ms": {"jitter": 5}}"#).unwrap();
        assert_eq!(partial, config(0, 5, 1.0, 500));
        let empty: FaultConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, FaultConfig::default());
        assert!(empty.problems().is_empty());
    }

    #[test]
    fn out_of_range_settings_are_named() {
        let fields: Vec<_> = config(30_001, 30_001, 1.5, 502)
            .problems()
            .into_iter()
            .map(|p| p.0.path())
            .collect();
        assert_eq!(
            fields,
            [
                "latency_ms.fixed",
                "latency_ms.jitter",
                "error_rate",
                "error_status"
            ]
        );
    }

    #[test]
    fn the_edges_of_each_range_are_accepted_and_the_messages_state_them() {
        assert!(config(MAX_DELAY_MS, MAX_DELAY_MS, 1.0, 503)
            .problems()
            .is_empty());
        assert!(config(0, 0, 0.0, 500).problems().is_empty());
        let details: Vec<_> = config(MAX_DELAY_MS + 1, 0, -0.1, 404)
            .problems()
            .into_iter()
            .map(|p| p.1)
            .collect();
        assert_eq!(
            details,
            [
                "must be between 0 and 30000",
                "must be between 0.0 and 1.0",
                "must be 500 or 503"
            ]
        );
    }

    #[test]
    fn the_documented_latency_maximum_is_the_one_enforced() {
        // The schema attribute needs a literal; this keeps it equal to the constant.
        let schema = serde_json::to_value(Latency::schema()).expect("a schema serialises");
        for field in ["fixed", "jitter"] {
            let property = &schema["properties"][field];
            assert_eq!(property["maximum"], MAX_DELAY_MS, "{field}: {property}");
            let description = property["description"].as_str().unwrap_or_default();
            assert!(
                description.contains(&MAX_DELAY_MS.to_string()),
                "{field}: {description}"
            );
        }
        let schema = serde_json::to_value(FaultConfig::schema()).expect("a schema serialises");
        let rate = &schema["properties"]["error_rate"];
        assert_eq!(rate["minimum"], *ERROR_RATE.start(), "{rate}");
        assert_eq!(rate["maximum"], *ERROR_RATE.end(), "{rate}");
        let status = schema["properties"]["error_status"]["description"].to_string();
        let [first, second] = ERROR_STATUSES;
        assert!(status.contains(&format!("{first} or {second}")), "{status}");
    }
}

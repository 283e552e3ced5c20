//! A session's latency and injected errors, read on every API request and changed by the
//! admin API.

use std::sync::atomic::{AtomicU16, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use rand::Rng;
use serde::{Deserialize, Serialize};

/// The longest delay a request or a fault may add, in milliseconds.
pub const MAX_DELAY_MS: u64 = 30_000;

/// Latency added to every API response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Latency {
    /// Milliseconds always added, 0 to 30000.
    #[schema(maximum = 30000, example = 200)]
    pub fixed: u64,
    /// Up to this many more milliseconds, at random, 0 to 30000.
    #[schema(maximum = 30000, example = 100)]
    pub jitter: u64,
}

/// The fault settings, as the admin API shows and takes them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultConfig {
    /// Latency added to every API response.
    pub latency_ms: Latency,
    /// Share of API requests answered with `error_status` instead, 0.0 to 1.0.
    #[schema(minimum = 0.0, maximum = 1.0, example = 0.1)]
    pub error_rate: f64,
    /// The status of injected errors: 500 or 503.
    #[schema(example = 503)]
    pub error_status: u16,
}

impl FaultConfig {
    /// Checks the ranges, naming each bad field.
    pub fn problems(&self) -> Vec<(&'static str, &'static str)> {
        let mut problems = Vec::new();
        if self.latency_ms.fixed > MAX_DELAY_MS {
            problems.push(("latency_ms.fixed", "must be between 0 and 30000"));
        }
        if self.latency_ms.jitter > MAX_DELAY_MS {
            problems.push(("latency_ms.jitter", "must be between 0 and 30000"));
        }
        if !(0.0..=1.0).contains(&self.error_rate) {
            problems.push(("error_rate", "must be between 0.0 and 1.0"));
        }
        if ![500, 503].contains(&self.error_status) {
            problems.push(("error_status", "must be 500 or 503"));
        }
        problems
    }
}

/// The live fault settings, in atomics so that every request reads them without a lock.
#[derive(Debug)]
pub struct Faults {
    fixed_ms: AtomicU64,
    jitter_ms: AtomicU64,
    error_rate_bits: AtomicU64,
    error_status: AtomicU16,
}

impl Faults {
    pub fn new(config: FaultConfig) -> Faults {
        let faults = Faults {
            fixed_ms: AtomicU64::new(0),
            jitter_ms: AtomicU64::new(0),
            error_rate_bits: AtomicU64::new(0),
            error_status: AtomicU16::new(500),
        };
        faults.set(config);
        faults
    }

    /// The current settings.
    pub fn get(&self) -> FaultConfig {
        FaultConfig {
            latency_ms: Latency {
                fixed: self.fixed_ms.load(Relaxed),
                jitter: self.jitter_ms.load(Relaxed),
            },
            error_rate: f64::from_bits(self.error_rate_bits.load(Relaxed)),
            error_status: self.error_status.load(Relaxed),
        }
    }

    /// Replaces the settings; the caller has checked [`FaultConfig::problems`].
    pub fn set(&self, config: FaultConfig) {
        self.fixed_ms.store(config.latency_ms.fixed, Relaxed);
        self.jitter_ms.store(config.latency_ms.jitter, Relaxed);
        self.error_rate_bits
            .store(config.error_rate.to_bits(), Relaxed);
        self.error_status.store(config.error_status, Relaxed);
    }

    /// The latency to add to one response: fixed, plus a random share of the jitter.
    pub fn latency(&self) -> Duration {
        let fixed = self.fixed_ms.load(Relaxed);
        let jitter = self.jitter_ms.load(Relaxed);
        let extra = if jitter == 0 {
            0
        } else {
            rand::rng().random_range(0..=jitter)
        };
        Duration::from_millis(fixed + extra)
    }

    /// The status to fail this request with, when the dice say so.
    pub fn injected_error(&self) -> Option<u16> {
        let rate = f64::from_bits(self.error_rate_bits.load(Relaxed));
        (rate > 0.0 && rand::rng().random_bool(rate.min(1.0)))
            .then(|| self.error_status.load(Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(fixed: u64, jitter: u64, error_rate: f64, error_status: u16) -> FaultConfig {
        FaultConfig {
            latency_ms: Latency { fixed, jitter },
            error_rate,
            error_status,
        }
    }

    #[test]
    fn settings_round_trip_through_the_atomics() {
        let faults = Faults::new(config(0, 0, 0.0, 500));
        faults.set(config(120, 30, 0.25, 503));
        assert_eq!(faults.get(), config(120, 30, 0.25, 503));
    }

    #[test]
    fn latency_stays_between_fixed_and_fixed_plus_jitter() {
        let faults = Faults::new(config(10, 5, 0.0, 500));
        for _ in 0..200 {
            let ms = faults.latency().as_millis();
            assert!((10..=15).contains(&ms), "{ms}");
        }
    }

    #[test]
    fn an_error_rate_of_one_always_fails_and_zero_never() {
        assert_eq!(
            Faults::new(config(0, 0, 1.0, 503)).injected_error(),
            Some(503)
        );
        assert_eq!(Faults::new(config(0, 0, 0.0, 503)).injected_error(), None);
    }

    #[test]
    fn out_of_range_settings_are_named() {
        let fields: Vec<_> = config(30_001, 30_001, 1.5, 502)
            .problems()
            .into_iter()
            .map(|p| p.0)
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
}

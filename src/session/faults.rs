//! A session's latency and injected errors, read on every API request and changed by the
//! admin API. Their shape and ranges are `crate::domain::faults`'s.

use std::sync::atomic::{AtomicU16, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use rand::Rng;

pub use crate::domain::faults::{FaultConfig, Latency, MAX_DELAY_MS};

/// The live fault settings, in atomics so that every request reads them without a lock.
#[derive(Debug)]
pub(crate) struct Faults {
    fixed_ms: AtomicU64,
    jitter_ms: AtomicU64,
    error_rate_bits: AtomicU64,
    error_status: AtomicU16,
}

impl Faults {
    pub(crate) fn new(config: FaultConfig) -> Faults {
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
    pub(crate) fn get(&self) -> FaultConfig {
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
    pub(crate) fn set(&self, config: FaultConfig) {
        self.fixed_ms.store(config.latency_ms.fixed, Relaxed);
        self.jitter_ms.store(config.latency_ms.jitter, Relaxed);
        self.error_rate_bits
            .store(config.error_rate.to_bits(), Relaxed);
        self.error_status.store(config.error_status, Relaxed);
    }

    /// The latency to add to one response: fixed, plus a random share of the jitter.
    pub(crate) fn latency(&self) -> Duration {
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
    pub(crate) fn injected_error(&self) -> Option<u16> {
        let rate = f64::from_bits(self.error_rate_bits.load(Relaxed));
        (rate > 0.0 && rand::rng().random_bool(rate.min(1.0)))
            .then(|| self.error_status.load(Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::faults::tests::config;

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
}

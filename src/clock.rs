//! The one clock that everything time-dependent reads: real UTC time, possibly shifted, or
//! frozen at an instant.

use std::sync::RwLock;

use chrono::{DateTime, Duration, Utc};

#[derive(Clone, Copy, Debug)]
enum Mode {
    /// Real time plus an offset (zero unless the clock was moved).
    Running { offset: Duration },
    /// Time stands still.
    Frozen { at: DateTime<Utc> },
}

/// Shared by the handlers and the store actor; cheap to read.
#[derive(Debug)]
pub struct Clock {
    mode: RwLock<Mode>,
}

impl Clock {
    /// A clock that follows real time.
    pub fn real() -> Clock {
        Clock::with(Mode::Running {
            offset: Duration::zero(),
        })
    }

    /// A clock that stands still at `at`.
    pub fn frozen(at: DateTime<Utc>) -> Clock {
        Clock::with(Mode::Frozen {
            at: whole_seconds(at),
        })
    }

    fn with(mode: Mode) -> Clock {
        Clock {
            mode: RwLock::new(mode),
        }
    }

    /// The current time, in whole seconds (the precision of every timestamp in the API).
    pub fn now(&self) -> DateTime<Utc> {
        match *self.read() {
            Mode::Running { offset } => whole_seconds(Utc::now() + offset),
            Mode::Frozen { at } => at,
        }
    }

    /// Whether the clock stands still.
    pub fn is_frozen(&self) -> bool {
        matches!(*self.read(), Mode::Frozen { .. })
    }

    /// Stops the clock at `at`.
    pub fn freeze(&self, at: DateTime<Utc>) {
        *self.write() = Mode::Frozen {
            at: whole_seconds(at),
        };
    }

    /// Moves the clock by `by` (either direction), frozen or running.
    pub fn advance(&self, by: Duration) {
        let mut mode = self.write();
        *mode = match *mode {
            Mode::Running { offset } => Mode::Running {
                offset: offset + by,
            },
            Mode::Frozen { at } => Mode::Frozen { at: at + by },
        };
    }

    /// Goes back to real time.
    pub fn release(&self) {
        *self.write() = Mode::Running {
            offset: Duration::zero(),
        };
    }

    // A poisoned lock only means a writer panicked between two plain stores of a `Copy`
    // value, so the value inside is still whole and safe to use.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Mode> {
        self.mode.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Mode> {
        self.mode.write().unwrap_or_else(|e| e.into_inner())
    }
}

fn whole_seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_clock_stands_still_and_moves_only_when_told() {
        let at: DateTime<Utc> = "2026-05-01T00:00:00Z".parse().unwrap();
        let clock = Clock::frozen(at);
        assert_eq!(clock.now(), at);
        assert!(clock.is_frozen());
        clock.advance(Duration::seconds(90));
        assert_eq!(clock.now(), at + Duration::seconds(90));
    }

    #[test]
    fn a_real_clock_follows_utc_in_whole_seconds() {
        let clock = Clock::real();
        let before = Utc::now().timestamp();
        let now = clock.now();
        assert!(now.timestamp() >= before && now.timestamp() <= Utc::now().timestamp());
        assert_eq!(now.timestamp_subsec_nanos(), 0);
        clock.advance(Duration::days(1));
        assert!(clock.now().timestamp() >= before + 86_400);
        clock.release();
        assert!(clock.now().timestamp() < before + 86_400);
    }
}

//! The one clock that everything time-dependent reads: real UTC time, possibly shifted, or
//! frozen at an instant.

use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use chrono::{DateTime, Datelike, Duration, Utc};

/// The earliest time the clock may show: RFC 3339 writes years 0000 to 9999 only, and every
/// time the clock shows ends up written somewhere (`last_used_at`, an export) and read back.
pub(crate) const EARLIEST: &str = "0000-01-01T00:00:00Z";
/// The latest time the clock may show (see [`EARLIEST`]).
pub(crate) const LATEST: &str = "9999-12-31T23:59:59Z";

/// Whether RFC 3339 can write `at` (a four-digit year).
fn writable(at: &DateTime<Utc>) -> bool {
    (0..=9999).contains(&at.year())
}

#[derive(Clone, Copy, Debug)]
enum Mode {
    /// Real time plus an offset (zero unless the clock was moved).
    Running { offset: Duration },
    /// Time stands still.
    Frozen { at: DateTime<Utc> },
}

/// Shared by the handlers and the store actor; cheap to read. Read on every request by every
/// worker, so reading writes nothing they share (a read lock would: its reader count).
#[derive(Debug)]
pub struct Clock {
    mode: ArcSwap<Mode>,
    /// Serialises moves, each of which reads the mode and publishes the next.
    writer: Mutex<()>,
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
            mode: ArcSwap::from_pointee(mode),
            writer: Mutex::new(()),
        }
    }

    /// The current time, in whole seconds (the precision of every timestamp in the API).
    pub fn now(&self) -> DateTime<Utc> {
        match self.read() {
            // Real time may carry a moved clock past the last writable second: it stays there.
            Mode::Running { offset } => whole_seconds(
                Utc::now()
                    .checked_add_signed(offset)
                    .filter(writable)
                    .unwrap_or_else(latest),
            ),
            Mode::Frozen { at } => at,
        }
    }

    /// Whether the clock stands still.
    pub(crate) fn is_frozen(&self) -> bool {
        matches!(self.read(), Mode::Frozen { .. })
    }

    /// Stops the clock at `at`.
    pub fn freeze(&self, at: DateTime<Utc>) {
        let _writer = self.lock();
        self.mode.store(Arc::new(Mode::Frozen {
            at: whole_seconds(at),
        }));
    }

    /// Moves the clock by `by` (either direction), frozen or running. False, and the clock
    /// unchanged, when the result would fall outside `EARLIEST`..=`LATEST`.
    pub fn advance(&self, by: Duration) -> bool {
        let _writer = self.lock();
        let moved = match self.read() {
            Mode::Running { offset } => offset
                .checked_add(&by)
                .filter(|offset| {
                    Utc::now()
                        .checked_add_signed(*offset)
                        .is_some_and(|at| writable(&at))
                })
                .map(|offset| Mode::Running { offset }),
            Mode::Frozen { at } => at
                .checked_add_signed(by)
                .filter(writable)
                .map(|at| Mode::Frozen { at }),
        };
        match moved {
            Some(mode_after) => {
                self.mode.store(Arc::new(mode_after));
                true
            }
            None => false,
        }
    }

    /// Goes back to real time.
    pub fn release(&self) {
        let _writer = self.lock();
        self.mode.store(Arc::new(Mode::Running {
            offset: Duration::zero(),
        }));
    }

    // The guard protects no data of its own, only the order of writers.
    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn read(&self) -> Mode {
        **self.mode.load()
    }
}

fn latest() -> DateTime<Utc> {
    LATEST.parse().unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn whole_seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_move_past_the_representable_times_is_refused_and_changes_nothing() {
        let at: DateTime<Utc> = "2026-05-01T00:00:00Z".parse().unwrap();
        for clock in [Clock::frozen(at), Clock::real()] {
            let before = clock.is_frozen();
            assert!(!clock.advance(Duration::MAX));
            assert!(!clock.advance(Duration::MIN));
            assert_eq!(clock.is_frozen(), before);
            assert!(clock.now().timestamp() > 0);
        }
    }

    #[test]
    fn the_clock_never_leaves_the_years_rfc_3339_can_write() {
        let latest: DateTime<Utc> = LATEST.parse().unwrap();
        let earliest: DateTime<Utc> = EARLIEST.parse().unwrap();
        let clock = Clock::frozen(latest);
        assert!(!clock.advance(Duration::seconds(1)));
        assert!(clock.advance(Duration::seconds(-1)));
        assert!(clock.advance(Duration::seconds(1)));
        assert_eq!(clock.now(), latest);
        clock.freeze(earliest);
        assert!(!clock.advance(Duration::seconds(-1)));
        assert_eq!(clock.now(), earliest);
        let real = Clock::real();
        assert!(!real.advance(Duration::days(9000 * 366)));
        assert!(!real.advance(Duration::days(-3000 * 366)));
        assert!(real.advance(Duration::days(-366)));
    }

    #[test]
    fn a_frozen_clock_stands_still_and_moves_only_when_told() {
        let at: DateTime<Utc> = "2026-05-01T00:00:00Z".parse().unwrap();
        let clock = Clock::frozen(at);
        assert_eq!(clock.now(), at);
        assert!(clock.is_frozen());
        assert!(clock.advance(Duration::seconds(90)));
        assert_eq!(clock.now(), at + Duration::seconds(90));
    }

    #[test]
    fn a_real_clock_follows_utc_in_whole_seconds() {
        let clock = Clock::real();
        let before = Utc::now().timestamp();
        let now = clock.now();
        assert!(now.timestamp() >= before && now.timestamp() <= Utc::now().timestamp());
        assert_eq!(now.timestamp_subsec_nanos(), 0);
        assert!(clock.advance(Duration::days(1)));
        assert!(clock.now().timestamp() >= before + 86_400);
        clock.release();
        assert!(clock.now().timestamp() < before + 86_400);
    }
}

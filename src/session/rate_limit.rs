//! Per-secret rate limiting in fixed one-minute windows (off unless configured).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use dashmap::DashMap;

use crate::domain::SecretDigest;

const WINDOW: Duration = Duration::from_secs(60);
/// The least time between two sweeps of finished windows.
const SWEEP_EVERY: Duration = Duration::from_secs(1);

/// The outcome of counting one request, with what the `RateLimit-*` headers say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window resets.
    pub reset: u64,
}

/// Counts requests per presented secret (or per missing one) in real time, not the mock's
/// clock: a frozen clock must not freeze the windows.
///
/// Design constraint: no request pays for the others. At most `max_tracked` secrets have a
/// window of their own; finished windows are swept when that many are tracked, at most once
/// a second (so a request costs one map lookup however many secrets are tracked); and while
/// every tracked window is still running, secrets not tracked yet share one window.
#[derive(Debug)]
pub struct RateLimiter {
    limit: u32,
    max_tracked: usize,
    windows: DashMap<SecretDigest, (Instant, u32)>,
    /// The window of untracked secrets, once `max_tracked` are tracked.
    overflow: Mutex<(Instant, u32)>,
    /// When finished windows were last swept.
    swept: Mutex<Instant>,
}

impl RateLimiter {
    /// A limiter of `limit` requests per minute for each of at most `max_tracked` secrets.
    pub fn new(limit: u32, max_tracked: usize) -> RateLimiter {
        let now = Instant::now();
        RateLimiter {
            limit,
            max_tracked,
            windows: DashMap::new(),
            overflow: Mutex::new((now, 0)),
            swept: Mutex::new(now),
        }
    }

    /// Counts a request made with the credentials whose digest is `key`.
    pub fn check(&self, key: SecretDigest) -> Decision {
        self.check_at(key, Instant::now())
    }

    /// How many secrets have a window of their own.
    pub fn tracked(&self) -> usize {
        self.windows.len()
    }

    fn check_at(&self, key: SecretDigest, now: Instant) -> Decision {
        if !self.windows.contains_key(&key) && self.windows.len() >= self.max_tracked {
            self.sweep(now);
            if self.windows.len() >= self.max_tracked {
                let mut shared = self.overflow.lock().unwrap_or_else(|e| e.into_inner());
                return self.count(&mut shared, now);
            }
        }
        let mut window = self.windows.entry(key).or_insert((now, 0));
        self.count(&mut window, now)
    }

    fn count(&self, window: &mut (Instant, u32), now: Instant) -> Decision {
        if now.duration_since(window.0) >= WINDOW {
            *window = (now, 0);
        }
        let allowed = window.1 < self.limit;
        if allowed {
            window.1 += 1;
        }
        let elapsed = now.duration_since(window.0);
        Decision {
            allowed,
            limit: self.limit,
            remaining: self.limit - window.1,
            reset: (WINDOW - elapsed).as_secs_f64().ceil() as u64,
        }
    }

    /// Drops finished windows, unless another request swept less than a second ago (or is
    /// sweeping now).
    fn sweep(&self, now: Instant) {
        let Ok(mut swept) = self.swept.try_lock() else {
            return;
        };
        if now.saturating_duration_since(*swept) < SWEEP_EVERY {
            return;
        }
        *swept = now;
        self.windows
            .retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_gets_its_limit_per_window_and_others_are_counted_apart() {
        let limiter = RateLimiter::new(2, 100);
        let (a, b) = (SecretDigest::of(b"a"), SecretDigest::of(b"b"));
        let start = Instant::now();
        assert_eq!(limiter.check_at(a, start).remaining, 1);
        assert!(limiter.check_at(a, start).allowed);
        let refused = limiter.check_at(a, start + Duration::from_secs(10));
        assert_eq!(
            (refused.allowed, refused.remaining, refused.reset),
            (false, 0, 50)
        );
        assert!(limiter.check_at(b, start).allowed);
        assert!(limiter.check_at(a, start + WINDOW).allowed);
    }

    #[test]
    fn past_the_tracked_limit_new_secrets_share_one_window_until_windows_finish() {
        let limiter = RateLimiter::new(2, 3);
        let start = Instant::now() + SWEEP_EVERY;
        let keys: Vec<SecretDigest> = (0..6u8).map(|n| SecretDigest::of(&[n])).collect();
        for key in &keys[..3] {
            assert!(limiter.check_at(*key, start).allowed);
        }
        // Untracked secrets count together: two requests in all, then refusals.
        assert!(limiter.check_at(keys[3], start).allowed);
        assert!(limiter.check_at(keys[4], start).allowed);
        assert!(!limiter.check_at(keys[5], start).allowed);
        assert_eq!(limiter.tracked(), 3);
        // A tracked secret keeps its own window.
        assert!(limiter.check_at(keys[0], start).allowed);
        // Once the windows finished, a sweep makes room again.
        let later = start + WINDOW + SWEEP_EVERY;
        assert!(limiter.check_at(keys[5], later).allowed);
        assert_eq!(limiter.tracked(), 1);
    }
}

//! Per-secret rate limiting in fixed one-minute windows (off unless configured).

use std::time::{Duration, Instant};

use dashmap::DashMap;

use crate::domain::SecretDigest;

const WINDOW: Duration = Duration::from_secs(60);
/// Past this many tracked secrets, finished windows are swept away.
const SWEEP_ABOVE: usize = 10_000;

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
#[derive(Debug)]
pub struct RateLimiter {
    limit: u32,
    windows: DashMap<SecretDigest, (Instant, u32)>,
}

impl RateLimiter {
    /// A limiter of `limit` requests per minute for each secret.
    pub fn new(limit: u32) -> RateLimiter {
        RateLimiter {
            limit,
            windows: DashMap::new(),
        }
    }

    /// Counts a request made with the credentials whose digest is `key`.
    pub fn check(&self, key: SecretDigest) -> Decision {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: SecretDigest, now: Instant) -> Decision {
        if self.windows.len() > SWEEP_ABOVE {
            self.windows
                .retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let mut window = self.windows.entry(key).or_insert((now, 0));
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_gets_its_limit_per_window_and_others_are_counted_apart() {
        let limiter = RateLimiter::new(2);
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
}

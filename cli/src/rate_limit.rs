//! [`RateLimiter`]: at most N requests a minute per user key, as the Redis
//! Cloud API documents (400 a minute per key), answered with 429 and the
//! wait in `x-rate-limit-retry-after-seconds`.
//!
//! It is a generic cell rate algorithm: each key may send up to N requests
//! at once, then one every `60 s / N`; the state is one instant per key.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// The header that tells a rate-limited caller how long to wait.
pub const RETRY_AFTER_HEADER: &str = "x-rate-limit-retry-after-seconds";

/// Every this many decisions, keys whose bucket is full again are forgotten.
const SWEEP_EVERY: usize = 4096;

/// Limits requests per key to `per_minute` a minute.
#[derive(Debug)]
pub struct RateLimiter {
    interval: Duration,
    burst: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Per key: the theoretical arrival time of its next request.
    next: HashMap<String, Instant>,
    /// Decisions since the last sweep.
    since_sweep: usize,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests a minute per key (at least 1).
    ///
    /// ```
    /// use rcauth::rate_limit::RateLimiter;
    /// use std::time::Instant;
    ///
    /// let limiter = RateLimiter::new(2);
    /// let now = Instant::now();
    /// assert!(limiter.check_at("k", now).is_ok());
    /// assert!(limiter.check_at("k", now).is_ok());
    /// let wait = limiter.check_at("k", now).unwrap_err();
    /// assert_eq!(wait.as_secs(), 30);
    /// assert!(limiter.check_at("other", now).is_ok());
    /// ```
    pub fn new(per_minute: u32) -> Self {
        let per_minute = per_minute.max(1);
        let interval = Duration::from_secs(60) / per_minute;
        RateLimiter {
            interval,
            burst: Duration::from_secs(60) - interval,
            state: Mutex::new(State::default()),
        }
    }

    /// Counts a request by `key` now; `Err(wait)` if it is over the limit.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    /// Counts a request by `key` at `now`; `Err(wait)` if it is over the limit.
    pub fn check_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut state = self.state.lock();
        state.since_sweep += 1;
        if state.since_sweep >= SWEEP_EVERY {
            state.since_sweep = 0;
            state.next.retain(|_, next| *next > now);
        }
        let next = state.next.get(key).copied().unwrap_or(now).max(now);
        let earliest = next.checked_sub(self.burst).unwrap_or(now);
        if earliest > now {
            return Err(earliest - now);
        }
        let after = next + self.interval;
        match state.next.get_mut(key) {
            Some(slot) => *slot = after,
            None => {
                state.next.insert(key.to_string(), after);
            }
        }
        Ok(())
    }
}

/// Whole seconds to tell a caller to wait: rounded up, at least 1.
pub fn retry_after_seconds(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_a_burst_then_one_per_interval() {
        let limiter = RateLimiter::new(60);
        let start = Instant::now();
        for i in 0..60 {
            assert!(limiter.check_at("k", start).is_ok(), "request {i}");
        }
        let wait = limiter.check_at("k", start).unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
        assert_eq!(retry_after_seconds(wait), 1);
        // One interval later exactly one more request fits.
        let later = start + Duration::from_secs(1);
        assert!(limiter.check_at("k", later).is_ok());
        assert!(limiter.check_at("k", later).is_err());
        // A full minute later the whole burst is back.
        let much_later = start + Duration::from_secs(120);
        for _ in 0..60 {
            assert!(limiter.check_at("k", much_later).is_ok());
        }
    }

    #[test]
    fn keys_are_limited_separately() {
        let limiter = RateLimiter::new(1);
        let now = Instant::now();
        assert!(limiter.check_at("a", now).is_ok());
        assert!(limiter.check_at("a", now).is_err());
        assert!(limiter.check_at("b", now).is_ok());
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_seconds(Duration::from_secs(30)), 30);
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
    }
}

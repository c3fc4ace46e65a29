//! [`RateLimiter`]: spaces requests evenly to stay under a number of
//! requests per minute, on the client side; [`ServerPause`]: holds them
//! while the server's 429 says to wait.

use std::time::Duration;

use parking_lot::Mutex;
use tokio::time::Instant;

/// Spaces requests at least `60 s / per_minute` apart. Each caller reserves
/// the next free slot and sleeps until it, so concurrent callers queue
/// fairly without holding a lock while waiting.
#[derive(Debug)]
pub struct RateLimiter {
    interval: Duration,
    next_slot: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// A limiter for `per_minute` requests a minute (at least 1).
    pub fn per_minute(per_minute: u32) -> Self {
        RateLimiter {
            interval: Duration::from_secs(60) / per_minute.max(1),
            next_slot: Mutex::new(None),
        }
    }

    /// The spacing between two requests.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Waits until this caller may send a request.
    pub async fn acquire(&self) {
        let slot = {
            let now = Instant::now();
            let mut next = self.next_slot.lock();
            let slot = match *next {
                Some(at) if at > now => at,
                _ => now,
            };
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// The wait a server's 429 asked for, shared by every request of a
/// client: the API's limit is per key, so one 429 holds them all.
#[derive(Debug, Default)]
pub struct ServerPause {
    until: Mutex<Option<Instant>>,
}

impl ServerPause {
    /// Holds requests for `wait` from now (a longer pause already set stays).
    pub fn pause_for(&self, wait: Duration) {
        let at = Instant::now() + wait;
        let mut until = self.until.lock();
        if until.is_none_or(|current| current < at) {
            *until = Some(at);
        }
    }

    /// Waits until the pause, if any, is over.
    pub async fn wait(&self) {
        let until = *self.until.lock();
        if let Some(at) = until {
            tokio::time::sleep_until(at).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_by_the_interval() {
        let limiter = RateLimiter::per_minute(120);
        assert_eq!(limiter.interval(), Duration::from_millis(500));
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..4 {
            limiter.acquire().await;
            times.push(start.elapsed());
        }
        assert_eq!(times[0], Duration::ZERO, "the first request goes at once");
        for pair in times.windows(2) {
            assert!(pair[1] - pair[0] >= Duration::from_millis(500), "{times:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_get_distinct_slots() {
        let limiter = std::sync::Arc::new(RateLimiter::per_minute(60));
        let start = Instant::now();
        let tasks: Vec<_> = (0..3)
            .map(|_| {
                let limiter = limiter.clone();
                tokio::spawn(async move {
                    limiter.acquire().await;
                    start.elapsed()
                })
            })
            .collect();
        let mut times = Vec::new();
        for task in tasks {
            times.push(task.await.unwrap());
        }
        times.sort();
        assert_eq!(
            times,
            [
                Duration::ZERO,
                Duration::from_secs(1),
                Duration::from_secs(2)
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_server_pause_holds_later_requests_and_only_grows() {
        let pause = ServerPause::default();
        let start = Instant::now();
        pause.wait().await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        pause.pause_for(Duration::from_secs(3));
        pause.pause_for(Duration::from_secs(1));
        pause.wait().await;
        assert_eq!(start.elapsed(), Duration::from_secs(3));
        pause.wait().await;
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(3),
            "a past pause waits no more"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_limiter_does_not_bank_slots() {
        let limiter = RateLimiter::per_minute(60);
        limiter.acquire().await;
        tokio::time::sleep(Duration::from_secs(10)).await;
        let start = Instant::now();
        limiter.acquire().await;
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }
}

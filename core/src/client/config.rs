//! [`ClientConfig`]: timeouts, retries, user agent and rate limit of a
//! [`Client`](super::Client), with their defaults.

use std::time::Duration;

/// Default time allowed for a whole request, connection to last byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Default wait before the first retry (doubled each time, with jitter).
pub const DEFAULT_BACKOFF_BASE: Duration = Duration::from_millis(250);
/// Default longest wait between two attempts chosen by backoff.
pub const DEFAULT_BACKOFF_CAP: Duration = Duration::from_secs(8);
/// Default longest server-requested wait the client sleeps through; a
/// longer retry-after ends the call with [`ClientError::RateLimited`](super::ClientError::RateLimited).
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The settings a client runs with. Built by [`ClientBuilder`](super::ClientBuilder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// API base URL, without a trailing slash.
    pub base_url: String,
    /// Time allowed for a whole request.
    pub timeout: Duration,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Wait before the first retry.
    pub backoff_base: Duration,
    /// Longest backoff wait.
    pub backoff_cap: Duration,
    /// Longest server-requested wait the client sleeps through.
    pub max_retry_after: Duration,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// Client-side limit in requests per minute, if any.
    pub rate_limit_per_minute: Option<u32>,
}

/// `redis-cloud-auth/<version>`, then the suffix (such as `python/3.11`) if any.
pub fn user_agent(suffix: Option<&str>) -> String {
    let base = format!("redis-cloud-auth/{}", crate::VERSION);
    match suffix.map(str::trim).filter(|s| !s.is_empty()) {
        Some(suffix) => format!("{base} {suffix}"),
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_names_the_crate_and_the_language() {
        assert_eq!(
            user_agent(None),
            format!("redis-cloud-auth/{}", crate::VERSION)
        );
        assert_eq!(
            user_agent(Some(" python/3.11 ")),
            format!("redis-cloud-auth/{} python/3.11", crate::VERSION)
        );
        assert_eq!(user_agent(Some("")), user_agent(None));
    }
}

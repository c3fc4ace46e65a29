//! [`ClientOptions`]: a client's settings as one value, each one optional,
//! applied to a [`ClientBuilder`] in one place for every binding.

use std::time::Duration;

use super::{ClientBuilder, DEFAULT_BACKOFF_BASE, DEFAULT_BACKOFF_CAP};
use crate::credentials::Environment;

/// Settings of a client; each one left out keeps the builder's default.
///
/// ```
/// use std::time::Duration;
/// use redis_cloud_auth::{client::ClientOptions, ApiKeys, ClientBuilder};
///
/// let keys = ApiKeys::new("AccountKey0123", "UserKey0123456")?;
/// let options = ClientOptions {
///     base_url: Some("http://127.0.0.1:9/v1".into()),
///     retry_backoff_cap: Some(Duration::from_secs(1)),
///     ..ClientOptions::default()
/// };
/// let client = ClientBuilder::new(keys).options(options).build()?;
/// assert_eq!(client.base_url(), "http://127.0.0.1:9/v1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// API base URL (default: the credentials', the environment's, else
    /// `https://api.redislabs.com/v1`).
    pub base_url: Option<String>,
    /// Time allowed for a whole request (default 30 s).
    pub timeout: Option<Duration>,
    /// Time allowed to connect (default 10 s).
    pub connect_timeout: Option<Duration>,
    /// Retries after the first attempt (default 3, at most 10).
    pub max_retries: Option<u32>,
    /// Wait before the first retry, doubling up to `retry_backoff_cap`
    /// (default 250 ms).
    pub retry_backoff_base: Option<Duration>,
    /// Longest wait between retries (default 8 s).
    pub retry_backoff_cap: Option<Duration>,
    /// Longest server-requested wait the client sleeps through (default 60 s).
    pub max_retry_after: Option<Duration>,
    /// Appended to the user agent, such as `python/3.12`.
    pub user_agent_suffix: Option<String>,
    /// Spaces requests to stay under this many a minute.
    pub rate_limit_per_minute: Option<u32>,
    /// The environment to read the base URL from (default: the process's).
    pub environment: Option<Environment>,
}

impl ClientBuilder {
    /// Applies every setting `options` holds; the others keep their value.
    pub fn options(mut self, options: ClientOptions) -> Self {
        if let Some(url) = options.base_url {
            self = self.base_url(url);
        }
        if let Some(timeout) = options.timeout {
            self = self.timeout(timeout);
        }
        if let Some(timeout) = options.connect_timeout {
            self = self.connect_timeout(timeout);
        }
        if let Some(retries) = options.max_retries {
            self = self.max_retries(retries);
        }
        if options.retry_backoff_base.is_some() || options.retry_backoff_cap.is_some() {
            self = self.retry_backoff(
                options.retry_backoff_base.unwrap_or(DEFAULT_BACKOFF_BASE),
                options.retry_backoff_cap.unwrap_or(DEFAULT_BACKOFF_CAP),
            );
        }
        if let Some(wait) = options.max_retry_after {
            self = self.max_retry_after(wait);
        }
        if let Some(suffix) = options.user_agent_suffix {
            self = self.user_agent_suffix(suffix);
        }
        if let Some(per_minute) = options.rate_limit_per_minute {
            self = self.rate_limit_per_minute(per_minute);
        }
        if let Some(environment) = options.environment {
            self = self.environment(environment);
        }
        self
    }
}

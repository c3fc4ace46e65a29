//! The HTTP client: authenticated requests to the Redis Cloud API, with
//! timeouts, retries and typed errors.
//!
//! [`Client`] is async: its futures run on the caller's tokio runtime, or
//! on a shared one when awaited elsewhere (any executor works).
//! [`BlockingClient`] wraps it for callers without async. Both are cheap
//! to clone, and clones share one connection pool.

mod blocking;
mod config;
mod error;
#[cfg(unix)]
#[doc(hidden)] // for the bindings: the Python package's asyncio awaits
pub mod loop_wakeup;
mod options;
mod rate_limit;
mod request;
pub mod retry;
mod runtime;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, HeaderValue, Method};

pub use blocking::BlockingClient;
pub use config::{
    ClientConfig, DEFAULT_BACKOFF_BASE, DEFAULT_BACKOFF_CAP, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RETRIES, DEFAULT_MAX_RETRY_AFTER, DEFAULT_TIMEOUT,
};
pub use error::{ClientError, MESSAGE_EXCERPT_CHARS};
pub use options::ClientOptions;
pub use rate_limit::{RateLimiter, ServerPause};
pub use request::{MAX_PATH_LEN, MAX_RESPONSE_BYTES};

use crate::api::{AccountResponse, SystemLogPage, LOG_MAX_LIMIT};
use crate::credentials::{check_base_url, CredentialChain, Credentials, Environment};
use crate::keys::ApiKeys;

/// Most retries a client may be configured with.
pub const MAX_RETRIES_LIMIT: u32 = 10;
/// Longest user-agent suffix accepted, in bytes.
pub const MAX_USER_AGENT_SUFFIX: usize = 128;

/// A successful answer to [`Client::request`]: status, headers (without
/// any authentication header) and the body as JSON (`null` when empty).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiResponse {
    /// HTTP status (2xx).
    pub status: u16,
    /// Response headers, authentication headers removed.
    pub headers: HeaderMap,
    /// The body parsed as JSON; `null` for an empty body.
    pub json: serde_json::Value,
}

impl ApiResponse {
    /// A response header's value as text (the first, if repeated); `None`
    /// when absent or not visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The headers by name (lower case), repeated ones joined with `, `;
    /// values that are not visible ASCII are left out.
    ///
    /// ```
    /// let mut headers = http::HeaderMap::new();
    /// headers.append("x-note", "a".parse().unwrap());
    /// headers.append("x-note", "b".parse().unwrap());
    /// let json = serde_json::Value::Null;
    /// let response = redis_cloud_auth::ApiResponse { status: 200, headers, json };
    /// assert_eq!(response.joined_headers()["x-note"], "a, b");
    /// ```
    pub fn joined_headers(&self) -> std::collections::HashMap<String, String> {
        let mut joined = std::collections::HashMap::<String, String>::new();
        for (name, value) in &self.headers {
            let Ok(value) = value.to_str() else { continue };
            joined
                .entry(name.as_str().to_string())
                .and_modify(|v| *v = format!("{v}, {value}"))
                .or_insert_with(|| value.to_string());
        }
        joined
    }
}

/// An async client for the Redis Cloud API. Cheap to clone: clones share
/// the keys, settings and connection pool.
///
/// ```no_run
/// use redis_cloud_auth::{ApiKeys, Client};
///
/// # async fn run() -> Result<(), redis_cloud_auth::ClientError> {
/// let keys = ApiKeys::new("AccountKey0123", "UserKey0123456").expect("valid keys");
/// let client = Client::new(keys)?;
/// let me = client.account().await?;
/// println!("account {} via key {}", me.account.name, me.account.key.name);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    keys: ApiKeys,
    fingerprint: String,
    config: ClientConfig,
    limiter: Option<Arc<RateLimiter>>,
    server_pause: Arc<ServerPause>,
}

impl Client {
    /// A client with default settings for these keys. The base URL is the
    /// environment's (`REDIS_CLOUD_BASE_URL` and aliases) if set, else the
    /// public API's.
    pub fn new(keys: ApiKeys) -> Result<Client, ClientError> {
        ClientBuilder::new(keys).build()
    }

    /// A client with default settings for these credentials and their base URL.
    pub fn from_credentials(credentials: Credentials) -> Result<Client, ClientError> {
        ClientBuilder::from_credentials(credentials).build()
    }

    /// A client with default settings for the credentials `chain` resolves.
    pub fn from_chain(chain: &CredentialChain) -> Result<Client, ClientError> {
        ClientBuilder::from_chain(chain)?.build()
    }

    /// A client for the default credential chain (environment, profile
    /// file, keychain).
    pub fn from_default_chain() -> Result<Client, ClientError> {
        Client::from_chain(&CredentialChain::new())
    }

    /// A builder to set the base URL, timeouts, retries and more.
    pub fn builder(keys: ApiKeys) -> ClientBuilder {
        ClientBuilder::new(keys)
    }

    /// The account and the calling key (`GET /`), with the key's allow
    /// list and the source IP the server saw.
    pub async fn account(&self) -> Result<AccountResponse, ClientError> {
        let client = self.clone();
        runtime::on_tokio(async move {
            let response = client.execute(Method::GET, "/".to_string(), None).await?;
            client.decode(response)
        })
        .await
    }

    /// A page of the account's system log (`GET /logs`), newest first.
    /// `limit` must be 1 to 1000.
    pub async fn system_log(&self, offset: u32, limit: u32) -> Result<SystemLogPage, ClientError> {
        if !(1..=LOG_MAX_LIMIT).contains(&limit) {
            return Err(ClientError::invalid(format!(
                "limit must be 1 to {LOG_MAX_LIMIT}, not {limit}"
            )));
        }
        let client = self.clone();
        runtime::on_tokio(async move {
            let path = format!("/logs?offset={offset}&limit={limit}");
            let response = client.execute(Method::GET, path, None).await?;
            client.decode(response)
        })
        .await
    }

    /// Any request: `method` (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS),
    /// `path` relative to the base URL (starting with `/`, may hold a
    /// query), and an optional JSON body. Non-2xx answers are errors.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<ApiResponse, ClientError> {
        let method = request::parse_method(method)?;
        if body.is_some() && matches!(method, Method::GET | Method::HEAD) {
            return Err(ClientError::invalid(format!(
                "a {method} request carries no body"
            )));
        }
        let body = body
            .map(|value| serde_json::to_vec(&value))
            .transpose()
            .map_err(|err| ClientError::invalid(format!("body is not serializable: {err}")))?;
        let (client, path) = (self.clone(), path.to_string());
        runtime::on_tokio(async move {
            let response = client.execute(method, path, body).await?;
            let json = client.json_of(&response)?;
            let mut headers = response.headers;
            headers.remove(crate::ACCOUNT_KEY_HEADER);
            headers.remove(crate::USER_KEY_HEADER);
            Ok(ApiResponse {
                status: response.status.as_u16(),
                headers,
                json,
            })
        })
        .await
    }

    /// The base URL requests go to (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.inner.config.base_url
    }

    /// The fingerprint of the keys in use: safe to log and show.
    pub fn fingerprint(&self) -> &str {
        &self.inner.fingerprint
    }

    /// The settings this client runs with.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The same client (keys, settings, rate limit and server pauses) on a
    /// connection pool of its own, for a runtime that only runs while a
    /// caller waits on it.
    fn with_own_pool(&self) -> Result<Client, ClientError> {
        let inner = &self.inner;
        Ok(Client {
            inner: Arc::new(Inner {
                http: http_client(&inner.keys, &inner.config)?,
                keys: inner.keys.clone(),
                fingerprint: inner.fingerprint.clone(),
                config: inner.config.clone(),
                limiter: inner.limiter.clone(),
                server_pause: inner.server_pause.clone(),
            }),
        })
    }

    fn decode<T: serde::de::DeserializeOwned>(
        &self,
        response: request::RawResponse,
    ) -> Result<T, ClientError> {
        serde_json::from_slice(&response.body).map_err(|err| {
            tracing::debug!(
                status = response.status.as_u16(),
                key = %self.inner.fingerprint,
                "response body is not the expected JSON"
            );
            ClientError::Api {
                status: response.status.as_u16(),
                message: self.scrub(&format!("unexpected response body: {err}")),
            }
        })
    }

    fn json_of(&self, response: &request::RawResponse) -> Result<serde_json::Value, ClientError> {
        if response.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_slice(&response.body).map_err(|_| {
            tracing::debug!(
                status = response.status.as_u16(),
                key = %self.inner.fingerprint,
                "response body is not JSON"
            );
            ClientError::Api {
                status: response.status.as_u16(),
                message: format!(
                    "response body is not JSON: {}",
                    self.scrub(&String::from_utf8_lossy(&response.body))
                ),
            }
        })
    }

    /// A bounded excerpt of `text` with both keys removed.
    fn scrub(&self, text: &str) -> String {
        error::excerpt(
            text,
            &[
                self.inner.keys.account_key().expose(),
                self.inner.keys.user_key().expose(),
            ],
        )
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.config.base_url)
            .field("fingerprint", &self.inner.fingerprint)
            .finish_non_exhaustive()
    }
}

/// Settings for a [`Client`]: start from keys or credentials, change what
/// differs from the defaults, then [`build`](ClientBuilder::build).
///
/// ```
/// use std::time::Duration;
/// use redis_cloud_auth::{ApiKeys, Client};
///
/// let keys = ApiKeys::new("AccountKey0123", "UserKey0123456").unwrap();
/// let client = Client::builder(keys)
///     .base_url("http://127.0.0.1:8080/v1")
///     .timeout(Duration::from_secs(5))
///     .max_retries(1)
///     .user_agent_suffix("python/3.11")
///     .build()
///     .unwrap();
/// assert_eq!(client.base_url(), "http://127.0.0.1:8080/v1");
/// assert!(client.config().user_agent.ends_with(" python/3.11"));
/// ```
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    keys: ApiKeys,
    credentials_base_url: Option<String>,
    base_url: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    max_retries: u32,
    backoff_base: Duration,
    backoff_cap: Duration,
    max_retry_after: Duration,
    user_agent_suffix: Option<String>,
    rate_limit_per_minute: Option<u32>,
    environment: Option<Environment>,
}

impl ClientBuilder {
    /// Default settings for these keys.
    pub fn new(keys: ApiKeys) -> Self {
        ClientBuilder {
            keys,
            credentials_base_url: None,
            base_url: None,
            timeout: config::DEFAULT_TIMEOUT,
            connect_timeout: config::DEFAULT_CONNECT_TIMEOUT,
            max_retries: config::DEFAULT_MAX_RETRIES,
            backoff_base: config::DEFAULT_BACKOFF_BASE,
            backoff_cap: config::DEFAULT_BACKOFF_CAP,
            max_retry_after: config::DEFAULT_MAX_RETRY_AFTER,
            user_agent_suffix: None,
            rate_limit_per_minute: None,
            environment: None,
        }
    }

    /// Default settings for these credentials; their base URL, if any,
    /// replaces the default.
    pub fn from_credentials(credentials: Credentials) -> Self {
        let mut builder = ClientBuilder::new(credentials.keys);
        builder.credentials_base_url = credentials.base_url;
        builder
    }

    /// Default settings for the credentials `chain` resolves.
    pub fn from_chain(chain: &CredentialChain) -> Result<Self, ClientError> {
        Ok(ClientBuilder::from_credentials(
            chain.resolve()?.credentials,
        ))
    }

    /// The API base URL, overriding the credentials', the environment's and
    /// the default (`https://api.redislabs.com/v1`).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Time allowed for a whole request, connection to last byte (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed to open a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Retries after the first attempt (default 3, at most 10; 0 disables).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Backoff: wait `base` before the first retry, doubling up to `cap`.
    pub fn retry_backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.backoff_base = base;
        self.backoff_cap = cap;
        self
    }

    /// Longest server-requested wait the client sleeps through (default
    /// 60 s); a longer one ends the call with the server's wait in the error.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// Appended to the user agent after a space, such as `python/3.11`.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Spaces requests to stay under `per_minute` requests a minute.
    pub fn rate_limit_per_minute(mut self, per_minute: u32) -> Self {
        self.rate_limit_per_minute = Some(per_minute);
        self
    }

    /// The environment whose base URL variables apply when neither the
    /// builder nor the credentials set one (default: the process's).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = Some(environment);
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, ClientError> {
        let base_url = self.resolve_base_url()?;
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(ClientError::invalid("timeouts must be longer than zero"));
        }
        if self.max_retries > MAX_RETRIES_LIMIT {
            return Err(ClientError::invalid(format!(
                "max_retries is {}; at most {MAX_RETRIES_LIMIT} is allowed",
                self.max_retries
            )));
        }
        if self.rate_limit_per_minute == Some(0) {
            return Err(ClientError::invalid(
                "rate_limit_per_minute must be at least 1",
            ));
        }
        if let Some(suffix) = &self.user_agent_suffix {
            let printable = suffix.bytes().all(|b| b == b' ' || b.is_ascii_graphic());
            if !printable || suffix.len() > MAX_USER_AGENT_SUFFIX {
                return Err(ClientError::invalid(format!(
                    "user agent suffix must be at most {MAX_USER_AGENT_SUFFIX} printable ASCII characters"
                )));
            }
        }
        let config = ClientConfig {
            base_url,
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            max_retries: self.max_retries,
            backoff_base: self.backoff_base,
            backoff_cap: self.backoff_cap.max(self.backoff_base),
            max_retry_after: self.max_retry_after,
            user_agent: config::user_agent(self.user_agent_suffix.as_deref()),
            rate_limit_per_minute: self.rate_limit_per_minute,
        };
        let http = http_client(&self.keys, &config)?;
        let fingerprint = self.keys.fingerprint();
        tracing::debug!(base_url = %config.base_url, key = %fingerprint, "client built");
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                limiter: config
                    .rate_limit_per_minute
                    .map(|per_minute| Arc::new(RateLimiter::per_minute(per_minute))),
                server_pause: Arc::default(),
                keys: self.keys,
                fingerprint,
                config,
            }),
        })
    }

    /// Builds a [`BlockingClient`] with these settings.
    pub fn build_blocking(self) -> Result<BlockingClient, ClientError> {
        self.build().map(BlockingClient::from)
    }

    /// The builder's, else the credentials', else the environment's, else the default.
    fn resolve_base_url(&self) -> Result<String, ClientError> {
        let url = match (&self.base_url, &self.credentials_base_url) {
            (Some(url), _) => {
                check_base_url(url, "the client's base_url setting")?;
                url.clone()
            }
            (None, Some(url)) => {
                check_base_url(url, "the credentials")?;
                url.clone()
            }
            (None, None) => self
                .environment
                .clone()
                .unwrap_or_else(Environment::from_process)
                .base_url()?
                .unwrap_or_else(|| crate::DEFAULT_BASE_URL.to_string()),
        };
        let parsed = reqwest::Url::parse(&url)
            .map_err(|_| ClientError::invalid("base URL is not a valid URL"))?;
        if parsed.query().is_some() || parsed.fragment().is_some() || !parsed.username().is_empty()
        {
            return Err(ClientError::invalid(
                "base URL must not hold a query, a fragment or user info",
            ));
        }
        Ok(url.trim_end_matches('/').to_string())
    }
}

/// A reqwest client, with its own connection pool, sending `keys` and the
/// settings of `config` with every request.
fn http_client(keys: &ApiKeys, config: &ClientConfig) -> Result<reqwest::Client, ClientError> {
    let mut headers = keys.header_map();
    headers.insert(
        http::header::ACCEPT,
        HeaderValue::from_static("application/json"),
    );
    reqwest::Client::builder()
        .user_agent(config.user_agent.as_str())
        .default_headers(headers)
        .timeout(config.timeout)
        .connect_timeout(config.connect_timeout)
        .redirect(request::same_origin_redirects())
        .build()
        .map_err(|err| ClientError::Transport {
            message: format!("cannot start the HTTP client: {err}"),
        })
}

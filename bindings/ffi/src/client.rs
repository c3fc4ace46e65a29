//! [`Client`] (async) and [`BlockingClient`] over the core's HTTP client.

use std::sync::Arc;
use std::time::Duration;

use redis_cloud_auth as core;

use crate::convert::text;
use crate::credentials::{CredentialChain, Credentials};
use crate::errors::{ClientError, Wrap};
use crate::headers::HeaderPair;
use crate::keys::ApiKeys;
use crate::records::{AccountInfo, SystemLogPage};

/// Settings of a client; each one left out keeps the core's default.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct ClientOptions {
    /// API base URL (default: the credentials', the environment's, else
    /// `https://api.redislabs.com/v1`).
    #[uniffi(default = None)]
    pub base_url: Option<String>,
    /// Time allowed for a whole request (default 30 s).
    #[uniffi(default = None)]
    pub timeout: Option<Duration>,
    /// Time allowed to connect (default 10 s).
    #[uniffi(default = None)]
    pub connect_timeout: Option<Duration>,
    /// Retries after the first attempt, on 429, 5xx and connection
    /// failures (default 3, at most 10).
    #[uniffi(default = None)]
    pub max_retries: Option<u32>,
    /// Wait before the first retry, doubling up to `retry_backoff_cap`.
    #[uniffi(default = None)]
    pub retry_backoff_base: Option<Duration>,
    /// Longest wait between retries.
    #[uniffi(default = None)]
    pub retry_backoff_cap: Option<Duration>,
    /// Longest server-requested wait the client sleeps through (default 60 s).
    #[uniffi(default = None)]
    pub max_retry_after: Option<Duration>,
    /// Appended to the user agent, such as `python/3.12`.
    #[uniffi(default = None)]
    pub user_agent_suffix: Option<String>,
    /// Spaces requests to stay under this many a minute.
    #[uniffi(default = None)]
    pub rate_limit_per_minute: Option<u32>,
}

impl From<ClientOptions> for core::client::ClientOptions {
    fn from(o: ClientOptions) -> Self {
        core::client::ClientOptions {
            base_url: o.base_url,
            timeout: o.timeout,
            connect_timeout: o.connect_timeout,
            max_retries: o.max_retries,
            retry_backoff_base: o.retry_backoff_base,
            retry_backoff_cap: o.retry_backoff_cap,
            max_retry_after: o.max_retry_after,
            user_agent_suffix: o.user_agent_suffix,
            rate_limit_per_minute: o.rate_limit_per_minute,
            environment: None,
        }
    }
}

record! {
    /// A successful answer to a generic request.
    #[derive(Clone, uniffi::Record)]
    pub struct ApiResponse from core::ApiResponse {
        /// HTTP status (2xx).
        pub status: u16,
        /// Response headers, authentication headers removed.
        pub headers: Vec<HeaderPair> => header_pairs,
        /// The body as JSON text (`null` for an empty body).
        pub json: String => text,
    }
}

/// The headers whose values are text, as pairs.
fn header_pairs(headers: http::HeaderMap) -> Vec<HeaderPair> {
    headers
        .iter()
        .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?).into()))
        .collect()
}

/// What a client call returns: the value, or why the call failed.
type Call<T> = Result<T, Arc<ClientError>>;

/// Parses a request body given as JSON text.
fn body(json: Option<String>) -> Call<Option<serde_json::Value>> {
    let invalid = |err| core::ClientError::InvalidRequest {
        reason: format!("body is not JSON: {err}"),
    };
    json.map(|text| serde_json::from_str(&text).map_err(invalid))
        .transpose()
        .wrap()
}

/// Declares a client object over `$core`, built with `$build`; `[async await]` makes
/// its calls async; `$client` reaches the async core client from `self`.
macro_rules! api_client {
    (
        $(#[$doc:meta])*
        $name:ident($core:ty), $build:ident, [$($async:tt $await:tt)?], $($client:tt)+
    ) => {
        $(#[$doc])*
        #[derive(Debug, uniffi::Object)]
        pub struct $name($core);

        impl $name {
            /// Applies `options` (when given) to `builder` and builds.
            fn build(
                builder: core::ClientBuilder,
                options: Option<ClientOptions>,
            ) -> Call<Arc<Self>> {
                let builder = builder.options(options.unwrap_or_default().into());
                Ok(Arc::new($name(builder.$build().wrap()?)))
            }
        }

        #[uniffi::export]
        impl $name {
            /// A client for these keys.
            #[uniffi::constructor(default(options = None))]
            pub fn new(keys: Arc<ApiKeys>, options: Option<ClientOptions>) -> Call<Arc<Self>> {
                Self::build(core::ClientBuilder::new(keys.0.clone()), options)
            }

            /// A client for these credentials and their base URL.
            #[uniffi::constructor(default(options = None))]
            pub fn from_credentials(
                credentials: Arc<Credentials>,
                options: Option<ClientOptions>,
            ) -> Call<Arc<Self>> {
                Self::build(core::ClientBuilder::from_credentials(credentials.0.clone()), options)
            }

            /// A client for the credentials `chain` resolves.
            #[uniffi::constructor(default(options = None))]
            pub fn from_chain(
                chain: Arc<CredentialChain>,
                options: Option<ClientOptions>,
            ) -> Call<Arc<Self>> {
                Self::build(core::ClientBuilder::from_chain(&chain.0).wrap()?, options)
            }

            /// The account and the calling key (`GET /`).
            pub $($async)? fn account(&self) -> Call<AccountInfo> {
                self.0.account()$(.$await)?.map(|answer| answer.account.into()).wrap()
            }

            /// A page of the account's system log (`GET /logs`), newest first;
            /// `limit` is 1 to 1000.
            pub $($async)? fn system_log(&self, offset: u32, limit: u32) -> Call<SystemLogPage> {
                self.0.system_log(offset, limit)$(.$await)?.map(Into::into).wrap()
            }

            /// Any request: `path` relative to the base URL (starting with `/`),
            /// an optional JSON body as text. Non-2xx answers are errors.
            pub $($async)? fn request(
                &self,
                method: String,
                path: String,
                json: Option<String>,
            ) -> Call<ApiResponse> {
                let body = body(json)?;
                self.0.request(&method, &path, body)$(.$await)?.map(Into::into).wrap()
            }

            /// The base URL requests go to.
            pub fn base_url(&self) -> String {
                self$($client)+.base_url().to_string()
            }

            /// The fingerprint of the keys in use, safe to log.
            pub fn fingerprint(&self) -> String {
                self$($client)+.fingerprint().to_string()
            }
        }
    };
}

api_client!(
    /// An async client for the Redis Cloud API: its calls are `async` in
    /// every language, and run on the core's own runtime.
    Client(core::Client), build, [async await], .0
);

api_client!(
    /// A client for the Redis Cloud API whose calls block the calling thread.
    BlockingClient(core::BlockingClient), build_blocking, [], .0.client()
);

//! `Client`: calls to the Redis Cloud API, each a Promise, on napi's
//! tokio runtime.

use std::collections::HashMap;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use redis_cloud_auth::client::{
    Client as CoreClient, ClientBuilder, ClientOptions as CoreClientOptions,
};
use redis_cloud_auth::credentials::Environment;
use redis_cloud_auth::ClientError;

use crate::api_keys::ApiKeys;
use crate::background::{blocking, promise};
use crate::credentials::{self, Credentials};
use crate::errors::throw;
use crate::verifier::SystemLogEntry;

/// An async client for the Redis Cloud API: timeouts, retries with
/// backoff on 429 and 5xx (honouring the server's retry-after), typed
/// errors. Every call returns a Promise.
#[napi]
pub struct Client {
    inner: CoreClient,
}

/// How a `Client` runs: the core's `ClientOptions`, times in
/// milliseconds. Every field is optional.
#[napi(object)]
pub struct ClientOptions {
    /// API base URL (default: the credentials', the environment's, else `https://api.redislabs.com/v1`).
    pub base_url: Option<String>,
    /// Time allowed for a whole request, in milliseconds (default 30000).
    pub timeout: Option<u32>,
    /// Time allowed to open a connection, in milliseconds (default 10000).
    pub connect_timeout: Option<u32>,
    /// Retries after the first attempt (default 3, at most 10).
    pub max_retries: Option<u32>,
    /// Wait before the first retry, in milliseconds (default 250; doubled each time).
    pub retry_backoff_base: Option<u32>,
    /// Longest backoff wait, in milliseconds (default 8000).
    pub retry_backoff_cap: Option<u32>,
    /// Longest server-requested wait to sleep through, in milliseconds (default 60000).
    pub max_retry_after: Option<u32>,
    /// Appended to the `User-Agent` header.
    pub user_agent_suffix: Option<String>,
    /// Client-side limit in requests per minute.
    pub rate_limit_per_minute: Option<u32>,
    /// The environment to read the base URL from instead of `process.env`.
    pub env: Option<HashMap<String, Option<String>>>,
}

impl From<ClientOptions> for CoreClientOptions {
    fn from(o: ClientOptions) -> Self {
        let millis = |ms: Option<u32>| ms.map(|ms| Duration::from_millis(ms.into()));
        CoreClientOptions {
            base_url: o.base_url,
            timeout: millis(o.timeout),
            connect_timeout: millis(o.connect_timeout),
            max_retries: o.max_retries,
            retry_backoff_base: millis(o.retry_backoff_base),
            retry_backoff_cap: millis(o.retry_backoff_cap),
            max_retry_after: millis(o.max_retry_after),
            user_agent_suffix: o.user_agent_suffix,
            rate_limit_per_minute: o.rate_limit_per_minute,
            environment: o.env.map(|vars| {
                Environment::from_pairs(vars.into_iter().filter_map(|(k, v)| Some((k, v?))))
            }),
        }
    }
}

/// `GET /v1/logs`: system log entries, newest first.
#[napi(object, object_from_js = false)]
pub struct SystemLogPage {
    /// The entries of this page.
    pub entries: Vec<SystemLogEntry>,
    /// Links to other pages.
    pub links: Vec<serde_json::Value>,
}

/// A successful answer to `request`: status, headers (never an
/// authentication header) and the JSON body (`null` when empty).
#[napi(object, object_from_js = false)]
pub struct ApiResponse {
    /// HTTP status (2xx).
    pub status: u32,
    /// Response headers, names in lower case (repeated ones joined with `, `).
    pub headers: HashMap<String, String>,
    /// The body parsed as JSON.
    pub json: serde_json::Value,
}

fn json<T: serde::Serialize>(value: T) -> std::result::Result<serde_json::Value, ClientError> {
    serde_json::to_value(value).map_err(|err| ClientError::Api {
        status: 200,
        message: format!("unexpected response shape: {err}"),
    })
}

#[napi]
impl Client {
    /// A client for `keys` or `credentials` (whose base URL it then uses).
    /// Throws a `ClientError` (`invalid_request`) for a bad option.
    #[napi(
        constructor,
        ts_args_type = "keys: ApiKeys | Credentials, options?: ClientOptions"
    )]
    pub fn new(
        env: Env,
        keys: Either<&ApiKeys, &Credentials>,
        options: Option<ClientOptions>,
    ) -> Result<Self> {
        let builder = match keys {
            Either::A(keys) => ClientBuilder::new(keys.inner.clone()),
            Either::B(credentials) => ClientBuilder::from_credentials(credentials.inner.clone()),
        };
        let options = options.map(Into::into).unwrap_or_default();
        let inner = throw(&env, builder.options(options).build())?;
        Ok(Client { inner })
    }

    /// A client for the credentials the chain finds (see
    /// `resolveCredentials`; the default chain when `chain` is absent),
    /// using their base URL unless `options` gives one. Resolves off the
    /// JavaScript thread; rejects with a `ClientError` (`credentials`,
    /// its `cause` the `CredentialError`) when the chain finds nothing.
    #[napi(
        ts_args_type = "chain?: ResolveCredentialsOptions | null, options?: ClientOptions",
        ts_return_type = "Promise<Client>"
    )]
    pub fn from_chain<'env>(
        env: &'env Env,
        chain: Option<Object>,
        options: Option<ClientOptions>,
    ) -> Result<PromiseRaw<'env, Client>> {
        let chain = credentials::chain(chain)?;
        blocking(env, move || {
            let options = options.map(Into::into).unwrap_or_default();
            let inner = ClientBuilder::from_chain(&chain)?
                .options(options)
                .build()?;
            Ok(Client { inner })
        })
    }

    /// The account and the calling key (`GET /`), with the key's allow list
    /// and the source IP the server saw.
    #[napi(ts_return_type = "Promise<AccountResponse>")]
    pub fn account<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, serde_json::Value>> {
        let client = self.inner.clone();
        promise(env, async move { json(client.account().await?) })
    }

    /// A page of the account's system log (`GET /logs`), newest first;
    /// `limit` 1 to 1000 (default 100).
    #[napi]
    pub fn system_log<'env>(
        &self,
        env: &'env Env,
        offset: Option<u32>,
        limit: Option<u32>,
    ) -> Result<PromiseRaw<'env, SystemLogPage>> {
        let client = self.inner.clone();
        let (offset, limit) = (offset.unwrap_or(0), limit.unwrap_or(100));
        promise(env, async move {
            let page = client.system_log(offset, limit).await?;
            Ok::<_, ClientError>(SystemLogPage {
                entries: page.entries.into_iter().map(Into::into).collect(),
                links: page.links,
            })
        })
    }

    /// Any request: `method`, `path` relative to the base URL (may hold a
    /// query), and an optional JSON body `json`. Non-2xx answers reject.
    #[napi(ts_return_type = "Promise<ApiResponse>")]
    pub fn request<'env>(
        &self,
        env: &'env Env,
        method: String,
        path: String,
        json: Option<serde_json::Value>,
    ) -> Result<PromiseRaw<'env, ApiResponse>> {
        let client = self.inner.clone();
        promise(env, async move {
            let response = client.request(&method, &path, json).await?;
            Ok::<_, ClientError>(ApiResponse {
                status: response.status.into(),
                headers: response.joined_headers(),
                json: response.json,
            })
        })
    }

    /// The base URL requests go to (no trailing slash).
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.inner.base_url().to_string()
    }

    /// Fingerprint of the keys in use: safe to log and show.
    #[napi(getter)]
    pub fn fingerprint(&self) -> String {
        self.inner.fingerprint().to_string()
    }

    /// `Client(<base URL>, sha256:…)`: never a key.
    #[napi]
    pub fn to_string(&self) -> String {
        let (url, fingerprint) = (self.inner.base_url(), self.inner.fingerprint());
        format!("Client({url}, {fingerprint})")
    }
}

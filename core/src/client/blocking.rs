//! [`BlockingClient`]: the client for callers without an async runtime,
//! on one shared, lazily started tokio runtime.

use super::runtime::block_on as run;
use super::{ApiResponse, Client, ClientError};
use crate::api::{AccountResponse, SystemLogPage};
use crate::credentials::{CredentialChain, Credentials};
use crate::keys::ApiKeys;

/// A blocking client for the Redis Cloud API: the same calls as [`Client`],
/// each waiting for its answer. Safe to share and call from many threads;
/// clones share one connection pool.
///
/// ```no_run
/// use redis_cloud_auth::BlockingClient;
///
/// let client = BlockingClient::from_default_chain()?;
/// let page = client.system_log(0, 10)?;
/// for entry in page.entries {
///     println!("{} {} {}", entry.time, entry.resource, entry.description);
/// }
/// # Ok::<(), redis_cloud_auth::ClientError>(())
/// ```
#[derive(Debug, Clone)]
pub struct BlockingClient {
    client: Client,
}

impl BlockingClient {
    /// A client with default settings for these keys. See [`Client::new`].
    pub fn new(keys: ApiKeys) -> Result<Self, ClientError> {
        Client::new(keys).map(Self::from)
    }

    /// A client with default settings for these credentials.
    pub fn from_credentials(credentials: Credentials) -> Result<Self, ClientError> {
        Client::from_credentials(credentials).map(Self::from)
    }

    /// A client for the credentials `chain` resolves.
    pub fn from_chain(chain: &CredentialChain) -> Result<Self, ClientError> {
        Client::from_chain(chain).map(Self::from)
    }

    /// A client for the default credential chain.
    pub fn from_default_chain() -> Result<Self, ClientError> {
        Client::from_default_chain().map(Self::from)
    }

    /// The account and the calling key (`GET /`). See [`Client::account`].
    pub fn account(&self) -> Result<AccountResponse, ClientError> {
        let client = self.client.clone();
        run(async move { client.account().await })
    }

    /// A page of the system log (`GET /logs`). See [`Client::system_log`].
    pub fn system_log(&self, offset: u32, limit: u32) -> Result<SystemLogPage, ClientError> {
        let client = self.client.clone();
        run(async move { client.system_log(offset, limit).await })
    }

    /// Any request. See [`Client::request`].
    pub fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<ApiResponse, ClientError> {
        let client = self.client.clone();
        let (method, path) = (method.to_string(), path.to_string());
        run(async move { client.request(&method, &path, body).await })
    }

    /// The async client underneath, sharing keys, settings and connections.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl From<Client> for BlockingClient {
    fn from(client: Client) -> Self {
        BlockingClient { client }
    }
}

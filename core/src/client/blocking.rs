//! [`BlockingClient`]: the client for callers without an async runtime.
//! Each call drives the client's own single-threaded tokio runtime on the
//! calling thread, so a request costs no hand-off between threads.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use once_cell::sync::OnceCell;
use tokio::runtime::Runtime;

use super::{runtime, ApiResponse, Client, ClientError};
use crate::api::{AccountResponse, SystemLogPage};
use crate::credentials::{CredentialChain, Credentials};
use crate::keys::ApiKeys;

/// A blocking client for the Redis Cloud API: the same calls as [`Client`],
/// each waiting for its answer. Safe to share and call from many threads;
/// clones share one connection pool.
///
/// A call runs on the calling thread: the client's own current-thread
/// runtime, started on first use, is driven by whichever thread is waiting
/// (tokio hands it from one waiting thread to the next). Its connections
/// live on that runtime, in a pool of their own. A call made from inside
/// another tokio runtime, where driving a runtime would panic, is handed
/// to the shared runtime instead and waited for.
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
#[derive(Clone)]
pub struct BlockingClient {
    client: Client,
    local: Arc<OnceCell<Local>>,
}

/// The runtime calls are driven on, and the client whose connections live on it.
struct Local {
    client: Client,
    runtime: Option<Runtime>,
}

impl Local {
    fn start(client: &Client) -> Result<Local, ClientError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|err| ClientError::Transport {
                message: format!("cannot start the client runtime: {err}"),
            })?;
        Ok(Local {
            client: client.with_own_pool()?,
            runtime: Some(runtime),
        })
    }
}

impl Drop for Local {
    /// Stops the runtime without waiting, so that the last clone may be
    /// dropped anywhere, an async task included.
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
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
        self.run(|client| async move { client.account().await })
    }

    /// A page of the system log (`GET /logs`). See [`Client::system_log`].
    pub fn system_log(&self, offset: u32, limit: u32) -> Result<SystemLogPage, ClientError> {
        self.run(move |client| async move { client.system_log(offset, limit).await })
    }

    /// Any request. See [`Client::request`].
    pub fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<ApiResponse, ClientError> {
        let (method, path) = (method.to_string(), path.to_string());
        self.run(move |client| async move { client.request(&method, &path, body).await })
    }

    /// The async client this one was made from: the same keys, settings
    /// and rate limit. Its connections are its own, so it may be awaited
    /// on any executor.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Runs the call `call` makes on a client, waiting for its answer.
    fn run<T, F, Fut>(&self, call: F) -> Result<T, ClientError>
    where
        T: Send + 'static,
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = Result<T, ClientError>> + Send + 'static,
    {
        if tokio::runtime::Handle::try_current().is_ok() {
            return runtime::block_on(call(self.client.clone()));
        }
        let local = self.local.get_or_try_init(|| Local::start(&self.client))?;
        match &local.runtime {
            Some(runtime) => runtime.block_on(call(local.client.clone())),
            // Only a drop takes the runtime away.
            None => Err(ClientError::Transport {
                message: "the client's runtime has stopped".to_string(),
            }),
        }
    }
}

impl From<Client> for BlockingClient {
    fn from(client: Client) -> Self {
        BlockingClient {
            client,
            local: Arc::default(),
        }
    }
}

impl fmt::Debug for BlockingClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingClient")
            .field("client", &self.client)
            .finish()
    }
}

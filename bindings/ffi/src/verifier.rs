//! [`Verifier`]: accounts, owners and user keys, `authenticate`, and the
//! system log, on the in-memory or SQLite store.

use std::sync::Arc;

use redis_cloud_auth::verify as core;

use crate::convert::{all, text, texts};
use crate::errors::{AdminError, AuthFailure, Wrap};
use crate::headers::HeaderPair;
use crate::records::SystemLogEntry;
use crate::secret::Secret;

/// One request to authenticate: what `authenticate` takes, as a record
/// (for `authenticate_many`).
#[derive(Clone, uniffi::Record)]
pub struct AuthRequest {
    /// HTTP method, for the system log.
    pub method: String,
    /// Request path, for the system log.
    pub path: String,
    /// Every header of the request (the keys and `X-Forwarded-For` are read).
    pub headers: Vec<HeaderPair>,
    /// The address the connection came from.
    pub peer: String,
}

mirror_enum! {
    /// A user's role in an account; only owners hold user keys.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
    pub enum Role from core::Role {
        /// Manages the account and may hold API user keys.
        Owner,
        /// Works with the account's resources.
        Member,
        /// Reads the account's resources.
        Viewer,
        /// Manages billing.
        BillingAdmin,
        /// Reads the logs.
        LogsViewer,
    }
}

record! {
    /// Who a request authenticated as.
    #[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
    pub struct Principal from core::Principal {
        /// The account.
        pub account_id: u64,
        /// The account's name.
        pub account_name: String,
        /// The key owner's user id.
        pub user_id: u64,
        /// The key owner's name.
        pub owner_name: String,
        /// The key owner's email.
        pub owner_email: String,
        /// The user key's name.
        pub key_name: String,
        /// The source IP the verifier saw (after trusted proxies).
        pub source_ip: String => text,
    }

    /// A user of an account.
    #[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
    pub struct UserInfo from core::UserInfo {
        /// The user's id.
        pub id: u64,
        /// The account.
        pub account_id: u64,
        /// The user's name.
        pub name: String,
        /// The user's email.
        pub email: String,
        /// The user's role.
        pub role: Role,
    }

    /// A user key as listed: its name, owner and allow list, never its value.
    #[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
    pub struct UserKeyInfo from core::UserKeyInfo {
        /// The key's name, unique in the account.
        pub name: String,
        /// The account.
        pub account_id: u64,
        /// The owner's user id.
        pub owner_id: u64,
        /// The owner's name.
        pub owner_name: String,
        /// The owner's email.
        pub owner_email: String,
        /// CIDRs the key may be used from; empty allows every source.
        pub allow_list: Vec<String>,
        /// When the key was created (ISO-8601 UTC).
        pub created_timestamp: String,
        /// False while the owner does not have the owner role.
        pub active: bool,
    }
}

/// What an admin call returns: the value, or why it was refused.
type Admin<T> = Result<T, Arc<AdminError>>;

/// Decides whether requests authenticate, and manages the accounts, users
/// and keys it decides with. Thread-safe.
#[derive(Debug, uniffi::Object)]
pub struct Verifier(pub(crate) Arc<core::Verifier>);

#[uniffi::export]
impl Verifier {
    /// A verifier over a new, empty in-memory store.
    #[uniffi::constructor]
    pub fn in_memory() -> Arc<Self> {
        Arc::new(Verifier(Arc::new(core::Verifier::in_memory())))
    }

    /// A verifier over the SQLite file at `path`, created (mode 0600) and
    /// migrated as needed. Several processes may open the same file.
    #[uniffi::constructor]
    pub fn open_sqlite(path: String) -> Admin<Arc<Self>> {
        let verifier = core::Verifier::open_sqlite(path).map_err(AdminError::new)?;
        Ok(Arc::new(Verifier(Arc::new(verifier))))
    }

    /// A verifier over the Redis store at `url` (`redis://HOST:PORT`),
    /// shared with every other verifier that opens it.
    #[uniffi::constructor]
    pub fn open_redis(url: String) -> Admin<Arc<Self>> {
        let verifier = core::Verifier::open_redis(&url).map_err(AdminError::new)?;
        Ok(Arc::new(Verifier(Arc::new(verifier))))
    }

    /// Creates an account (API disabled) and returns its id.
    pub fn create_account(&self, name: String) -> Admin<u64> {
        self.0.create_account(&name).wrap()
    }

    /// Adds a user to an account and returns the user's id.
    pub fn add_user(&self, account_id: u64, name: String, email: String, role: Role) -> Admin<u64> {
        self.0
            .add_user(account_id, &name, &email, role.into())
            .wrap()
    }

    /// Changes a user's role; keys of a user who is no longer an owner stop
    /// authenticating until the role comes back.
    pub fn set_user_role(&self, account_id: u64, user_id: u64, role: Role) -> Admin<()> {
        self.0
            .set_user_role(account_id, user_id, role.into())
            .wrap()
    }

    /// Enables the API. The first call creates the account key and returns
    /// it, the only time it can be read; later calls return nothing.
    pub fn enable_api(&self, account_id: u64) -> Admin<Option<Arc<Secret>>> {
        let key = self.0.enable_api(account_id).wrap()?;
        Ok(key.map(|key| Arc::new(Secret(key))))
    }

    /// Disables the API: every request of the account fails. The key is kept.
    pub fn disable_api(&self, account_id: u64) -> Admin<()> {
        self.0.disable_api(account_id).wrap()
    }

    /// Replaces the account key and returns the new one, once.
    pub fn rotate_account_key(&self, account_id: u64) -> Admin<Arc<Secret>> {
        let key = self.0.rotate_account_key(account_id).wrap()?;
        Ok(Arc::new(Secret(key)))
    }

    /// Creates a user key named `name` for `owner_id` and returns it, once.
    /// `acting_user_id` and `owner_id` must be owners of the account;
    /// `allow_list` holds CIDRs (empty allows every source).
    pub fn create_user_key(
        &self,
        account_id: u64,
        acting_user_id: u64,
        owner_id: u64,
        name: String,
        allow_list: Vec<String>,
    ) -> Admin<Arc<Secret>> {
        let key = self
            .0
            .create_user_key(account_id, acting_user_id, owner_id, &name, &allow_list);
        Ok(Arc::new(Secret(key.wrap()?)))
    }

    /// Replaces a user key's allow list.
    pub fn set_allow_list(
        &self,
        account_id: u64,
        acting_user_id: u64,
        name: String,
        allow_list: Vec<String>,
    ) -> Admin<()> {
        self.0
            .set_allow_list(account_id, acting_user_id, &name, &allow_list)
            .wrap()
    }

    /// Deletes a user key; once this returns it never authenticates again.
    pub fn delete_user_key(&self, account_id: u64, acting_user_id: u64, name: String) -> Admin<()> {
        self.0
            .delete_user_key(account_id, acting_user_id, &name)
            .wrap()
    }

    /// The account's user keys, by name; never a key value.
    pub fn list_user_keys(&self, account_id: u64) -> Admin<Vec<UserKeyInfo>> {
        Ok(all(self.0.list_user_keys(account_id).wrap()?))
    }

    /// The account's users, by id.
    pub fn list_users(&self, account_id: u64) -> Admin<Vec<UserInfo>> {
        Ok(all(self.0.list_users(account_id).wrap()?))
    }

    /// Whether the account has the API enabled.
    pub fn api_enabled(&self, account_id: u64) -> Admin<bool> {
        self.0.api_enabled(account_id).wrap()
    }

    /// The account's system log, newest first: `limit` entries (at most
    /// 1000) after skipping `offset`.
    pub fn system_log(
        &self,
        account_id: u64,
        offset: u64,
        limit: u32,
    ) -> Admin<Vec<SystemLogEntry>> {
        Ok(all(self.0.system_log(account_id, offset, limit).wrap()?))
    }

    /// Waits until every queued system-log entry is in the store.
    pub fn flush_system_log(&self) -> Admin<()> {
        self.0.flush_system_log().wrap()
    }

    /// Trusts `X-Forwarded-For` from these proxies: CIDRs or bare IP addresses.
    pub fn set_trusted_proxies(&self, proxies: Vec<String>) -> Admin<()> {
        let nets = core::TrustedProxies::parse(&proxies).map_err(AdminError::new)?;
        self.0.set_trusted_proxies(nets);
        Ok(())
    }

    /// The trusted proxy networks.
    pub fn trusted_proxies(&self) -> Vec<String> {
        texts(self.0.trusted_proxies().iter())
    }

    /// Decides whether a request authenticates: `method` and `path` are
    /// recorded in the system log, `headers` are all of the request's
    /// (the keys and `X-Forwarded-For` are read), `peer` is the address the
    /// connection came from.
    pub fn authenticate(
        &self,
        method: String,
        path: String,
        headers: Vec<HeaderPair>,
        peer: String,
    ) -> Result<Principal, Arc<AuthFailure>> {
        let request = AuthRequest {
            method,
            path,
            headers,
            peer,
        };
        request.decide(&self.0).map(Into::into).wrap()
    }

    /// Authenticates each request; returns one code per request, in order:
    /// `ok` or the failure's code.
    pub fn authenticate_many(&self, requests: Vec<AuthRequest>) -> Vec<String> {
        let code = |r: &AuthRequest| r.decide(&self.0).err().map_or("ok", |f| f.code());
        requests.iter().map(code).map(String::from).collect()
    }
}

impl AuthRequest {
    /// The core's `authenticate` on this request.
    fn decide(&self, verifier: &core::Verifier) -> Result<core::Principal, core::AuthFailure> {
        let peer = core::parse_peer(&self.peer)?;
        let pairs: Vec<(&str, &[u8])> = self
            .headers
            .iter()
            .map(|h| (h.name.as_str(), h.value.as_bytes()))
            .collect();
        let request = core::AuthRequest::from_pairs(&self.method, &self.path, &pairs, peer);
        verifier.authenticate(&request)
    }
}

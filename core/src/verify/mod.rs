//! The verifier: accounts, owners and user keys, the four authentication
//! rules, and the system log, over a [`Store`](crate::store::Store).
//!
//! A [`Verifier`] keeps an in-memory index of the store (account-key hash to
//! account, user-key hash to key with its parsed allow list), so
//! [`Verifier::authenticate`] does two SHA-256 digests, two hash lookups and
//! one range check. Admin operations go through the verifier, commit to the
//! store in one transaction, then update the index before they return: once
//! [`Verifier::delete_user_key`] returns, the key never authenticates again.
//! Changes another process commits to the same store (or another verifier
//! to the same memory store) are detected before each authentication by a
//! cheap probe, then read from the store's change feed
//! ([`Store::changes_since`]) and applied to the index in place, all at
//! once under one short write lock.
//! Only when the feed no longer holds every missing change (more than
//! [`CHANGE_FEED_LEN`](crate::store::CHANGE_FEED_LEN) behind, a gap, an
//! entry it cannot decode) is the whole index reloaded from a snapshot.
//! [`Verifier::refresh_stats`] counts both.
//!
//! ```
//! use std::net::IpAddr;
//! use redis_cloud_auth::verify::{AuthRequest, Role, Verifier};
//!
//! let verifier = Verifier::in_memory();
//! let account = verifier.create_account("acme")?;
//! let ada = verifier.add_user(account, "Ada", "ada@example.com", Role::Owner)?;
//! let account_key = verifier.enable_api(account)?.expect("first enable returns the key");
//! let user_key = verifier.create_user_key(account, ada, ada, "ci-deploy-key", &["10.0.0.0/8"])?;
//!
//! let headers = [
//!     ("x-api-key", account_key.expose().as_bytes()),
//!     ("x-api-secret-key", user_key.expose().as_bytes()),
//! ];
//! let peer: IpAddr = "10.1.2.3".parse()?;
//! let principal = verifier.authenticate(&AuthRequest::from_pairs("GET", "/v1/", &headers, peer))?;
//! assert_eq!(principal.key_name, "ci-deploy-key");
//!
//! let outsider: IpAddr = "192.0.2.1".parse()?;
//! let failure = verifier
//!     .authenticate(&AuthRequest::from_pairs("GET", "/v1/", &headers, outsider))
//!     .unwrap_err();
//! assert_eq!(failure.http_status(), 403);
//! assert_eq!(verifier.system_log(account, 0, 10)?.len(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod admin;
mod allow_list;
mod authenticate;
mod failure;
mod index;
mod key_material;
mod model;
mod outcome;
mod refresh;
mod source_ip;
mod system_log;

use std::path::Path;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock, RwLockReadGuard};

pub use admin::AdminError;
pub use allow_list::{canonical, AllowList, CidrError, ALLOW_LIST_MAX};
pub use authenticate::{AuthRequest, Principal, PrincipalRef, RequestHeaders};
pub use failure::{parse_peer, AuthFailure, FailureKind};
pub use key_material::{generate_key, KeyHash, ACCOUNT_KEY_LEN, USER_KEY_LEN};
pub use model::{
    validate_key_name, AccountId, Role, UnknownRole, UserId, UserInfo, UserKeyInfo, KEY_NAME_MAX,
    KEY_NAME_MIN,
};
pub use outcome::Outcome;
pub use refresh::RefreshStats;
pub use source_ip::{HopProblem, TrustedProxies, UnknownSourceIp, FORWARDED_FOR_HEADER};
pub use system_log::AUTHENTICATION_ENTRY;

use crate::store::{MemoryStore, SqliteStore, Store, StoreError};
use index::Index;
use system_log::LogWriter;

/// Decides whether requests authenticate, and manages the accounts, users
/// and keys it decides with. `Send + Sync`: share it with an `Arc`.
pub struct Verifier {
    store: Arc<dyn Store>,
    index: Arc<RwLock<Index>>,
    /// Serialises admin changes, catch-ups, reloads and trusted-proxy
    /// changes, so none can put back a key a concurrent delete removed, or
    /// drop proxies set while it ran.
    admin: Mutex<()>,
    log: LogWriter,
    refreshes: refresh::Counters,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let index = self.index.read();
        f.debug_struct("Verifier")
            .field("accounts", &index.accounts.len())
            .field("user_keys", &index.user_keys.len())
            .field("version", &index.version)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier over `store`, indexing what it holds.
    pub fn new(store: Arc<dyn Store>) -> Result<Self, StoreError> {
        let token = store.change_token()?;
        let index = Index::from_snapshot(store.load()?, token, TrustedProxies::default(), None);
        let index = Arc::new(RwLock::new(index));
        let log = LogWriter::start(store.clone(), index.clone());
        Ok(Verifier {
            store,
            index,
            admin: Mutex::new(()),
            log,
            refreshes: refresh::Counters::default(),
        })
    }

    /// A verifier over a new, empty [`MemoryStore`].
    pub fn in_memory() -> Self {
        Verifier::new(Arc::new(MemoryStore::new())).expect("an empty memory store loads")
    }

    /// A verifier over the SQLite file at `path`, created (mode 0600, WAL)
    /// and migrated as needed. Several processes may open the same file.
    pub fn open_sqlite(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Verifier::new(Arc::new(SqliteStore::open(path)?))
    }

    /// A verifier over the Redis store at `url` (`redis://HOST:PORT`),
    /// shared with every other verifier that opens it (feature `redis`).
    #[cfg(feature = "redis")]
    pub fn open_redis(url: &str) -> Result<Self, StoreError> {
        Verifier::new(Arc::new(crate::store::RedisStore::open(url)?))
    }

    /// The store behind this verifier.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Trusts `X-Forwarded-For` from peers in `nets` (see [`TrustedProxies`]).
    pub fn set_trusted_proxies(&self, nets: Vec<ipnet::IpNet>) {
        // Under the admin lock, as a reload is: it keeps the index's proxies,
        // and its index read lock is never queued behind this write.
        let _admin = self.admin.lock();
        self.index.write().proxies = TrustedProxies::new(nets);
    }

    /// The trusted proxy networks.
    pub fn trusted_proxies(&self) -> Vec<ipnet::IpNet> {
        self.index.read().proxies.nets().to_vec()
    }

    /// Brings the index up to date when another process changed the store.
    /// Cheap when nothing changed: one probe of the store.
    fn refresh(&self) -> Result<(), StoreError> {
        self.current_index().map(drop)
    }

    /// The index, read-locked, after bringing it up to date if another
    /// process changed the store.
    fn current_index(&self) -> Result<RwLockReadGuard<'_, Index>, StoreError> {
        let token = self.store.change_token()?;
        let index = self.index.read();
        if index.token == token {
            return Ok(index);
        }
        drop(index);
        let admin = self.admin.lock();
        self.reload(&admin, token)?;
        drop(admin);
        Ok(self.index.read())
    }
}

impl Drop for Verifier {
    fn drop(&mut self) {
        if let Err(error) = self.log.flush() {
            tracing::error!(%error, "system log not fully written at shutdown");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_is_send_and_sync() {
        fn assert<T: Send + Sync>() {}
        assert::<Verifier>();
        assert::<Principal>();
        assert::<AuthFailure>();
        assert::<AdminError>();
    }
}

//! Credentials, the credential chain, and the stores, including
//! [`CredentialStore`] implemented by the calling language.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use redis_cloud_auth::credentials::{self as core, CredentialChain as Chain};

use crate::errors::CredentialError;
use crate::keys::ApiKeys;

/// A pair of keys and, optionally, the API base URL they belong to.
#[derive(Clone, PartialEq, Eq, uniffi::Object)]
#[uniffi::export(Debug, Eq)]
pub struct Credentials(pub(crate) core::Credentials);

fmt_as_core!(Credentials: Debug);

#[uniffi::export]
impl Credentials {
    /// Credentials for `keys`, with an optional http(s) base URL.
    #[uniffi::constructor(default(base_url = None))]
    pub fn new(keys: Arc<ApiKeys>, base_url: Option<String>) -> Result<Arc<Self>, CredentialError> {
        let mut credentials = core::Credentials::new(keys.0.clone());
        if let Some(url) = base_url {
            credentials = credentials.with_base_url(url)?;
        }
        Ok(Arc::new(Credentials(credentials)))
    }

    /// The account key and user key.
    pub fn keys(&self) -> Arc<ApiKeys> {
        Arc::new(ApiKeys(self.0.keys.clone()))
    }

    /// The API base URL, when one was given or stored.
    pub fn base_url(&self) -> Option<String> {
        self.0.base_url.clone()
    }
}

/// A place that keeps credentials by profile name. The stores of this
/// library implement it, and so can the calling language (an app's own
/// secure storage).
#[uniffi::export(rust, foreign)]
pub trait CredentialStore: Send + Sync {
    /// Saves (or replaces) the credentials of `profile`.
    fn save(&self, profile: String, credentials: Arc<Credentials>) -> Result<(), CredentialError>;
    /// Loads the credentials of `profile`, or nothing when there are none.
    fn load(&self, profile: String) -> Result<Option<Arc<Credentials>>, CredentialError>;
    /// Deletes the credentials of `profile`; returns whether there were any.
    fn delete(&self, profile: String) -> Result<bool, CredentialError>;
    /// A short description for messages (`keychain`, a file path).
    fn describe(&self) -> String;
}

/// One of the core's stores, seen through [`CredentialStore`].
struct CoreStore(Arc<dyn redis_cloud_auth::CredentialStore>);

impl CredentialStore for CoreStore {
    fn save(&self, profile: String, credentials: Arc<Credentials>) -> Result<(), CredentialError> {
        Ok(self.0.save(&profile, &credentials.0)?)
    }

    fn load(&self, profile: String) -> Result<Option<Arc<Credentials>>, CredentialError> {
        Ok(self.0.load(&profile)?.map(|c| Arc::new(Credentials(c))))
    }

    fn delete(&self, profile: String) -> Result<bool, CredentialError> {
        Ok(self.0.delete(&profile)?)
    }

    fn describe(&self) -> String {
        self.0.describe()
    }
}

/// What a store of the core returns.
type Core<T> = Result<T, core::CredentialError>;

/// A [`CredentialStore`] of the bindings seen by the core's chain.
struct BoundStore(Arc<dyn CredentialStore>);

impl fmt::Debug for BoundStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BoundStore({})", self.0.describe())
    }
}

impl redis_cloud_auth::CredentialStore for BoundStore {
    fn save(&self, profile: &str, credentials: &core::Credentials) -> Core<()> {
        let credentials = Arc::new(Credentials(credentials.clone()));
        Ok(self.0.save(profile.into(), credentials)?)
    }

    fn load(&self, profile: &str) -> Core<Option<core::Credentials>> {
        Ok(self.0.load(profile.to_string())?.map(|c| c.0.clone()))
    }

    fn delete(&self, profile: &str) -> Core<bool> {
        Ok(self.0.delete(profile.to_string())?)
    }

    fn describe(&self) -> String {
        self.0.describe()
    }
}

/// A store in process memory, for tests and short-lived tools.
#[uniffi::export]
pub fn memory_store() -> Arc<dyn CredentialStore> {
    Arc::new(CoreStore(Arc::new(core::MemoryStore::new())))
}

/// The TOML profile file at `path` (written with mode 0600; a file others
/// can read is refused).
#[uniffi::export]
pub fn file_store(path: String) -> Arc<dyn CredentialStore> {
    Arc::new(CoreStore(Arc::new(core::FileStore::new(path))))
}

/// The profile file at its default place: `$REDIS_CLOUD_CONFIG`, else the
/// platform's config folder; nothing when neither is known.
#[uniffi::export]
pub fn default_file_store() -> Option<Arc<dyn CredentialStore>> {
    let path = core::CredentialChain::new().profile_file_path()?;
    Some(Arc::new(CoreStore(Arc::new(core::FileStore::new(path)))))
}

/// The OS keychain under `service` (default `redis-cloud-auth`): Keychain
/// on macOS, Credential Manager on Windows, kernel keyutils on Linux.
#[uniffi::export(default(service = None))]
pub fn keychain_store(service: Option<String>) -> Arc<dyn CredentialStore> {
    let store = service.map_or_else(core::KeychainStore::new, core::KeychainStore::with_service);
    Arc::new(CoreStore(Arc::new(store)))
}

mirror_enum! {
    /// Where resolved credentials came from.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
    pub enum CredentialSource from core::CredentialSource {
        /// Given to the chain directly.
        Explicit,
        /// Environment variables.
        Environment,
        /// The TOML profile file.
        ProfileFile,
        /// The OS keychain.
        Keychain,
        /// A store the application supplied.
        Custom,
    }
}

record! {
    /// Credentials found by a chain, with their source and profile.
    #[derive(uniffi::Record)]
    pub struct Resolved from core::Resolved {
        /// The keys and base URL to use.
        pub credentials: Arc<Credentials> => |found| Arc::new(Credentials(found)),
        /// Where they came from.
        pub source: CredentialSource,
        /// The profile that was looked up.
        pub profile: String,
    }
}

/// Finds credentials in order: explicit, environment, profile file,
/// keychain, then the added stores. Each setter returns a new chain.
#[derive(Debug, uniffi::Object)]
pub struct CredentialChain(pub(crate) core::CredentialChain);

impl CredentialChain {
    /// A new chain: this one with `change` applied.
    fn with(&self, change: impl FnOnce(Chain) -> Chain) -> Arc<Self> {
        Arc::new(CredentialChain(change(self.0.clone())))
    }
}

#[uniffi::export]
impl CredentialChain {
    /// The default chain: the process environment, the profile file at
    /// `REDIS_CLOUD_CONFIG` or the platform default, and the OS keychain.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(CredentialChain(core::CredentialChain::new()))
    }

    /// Uses these credentials before anything else.
    pub fn explicit(&self, credentials: Arc<Credentials>) -> Arc<Self> {
        self.with(|c| c.explicit(credentials.0.clone()))
    }

    /// Reads the environment from this map instead of the process's.
    pub fn environment(&self, variables: HashMap<String, String>) -> Arc<Self> {
        self.with(|c| c.environment(core::Environment::from_pairs(variables)))
    }

    /// Looks up this profile, overriding `REDIS_CLOUD_PROFILE`.
    pub fn profile(&self, profile: String) -> Arc<Self> {
        self.with(|c| c.profile(profile))
    }

    /// Reads this profile file; nothing skips the profile file.
    pub fn profile_file(&self, path: Option<String>) -> Arc<Self> {
        self.with(|c| c.profile_file(path.map(PathBuf::from)))
    }

    /// Uses the OS keychain under `service`; nothing skips the keychain.
    pub fn keychain(&self, service: Option<String>) -> Arc<Self> {
        self.with(|c| c.keychain(service.map(core::KeychainStore::with_service)))
    }

    /// Adds a store tried after the keychain.
    pub fn store(&self, store: Arc<dyn CredentialStore>) -> Arc<Self> {
        self.with(|c| c.store(Arc::new(BoundStore(store))))
    }

    /// The profile the chain looks up.
    pub fn profile_name(&self) -> String {
        self.0.profile_name()
    }

    /// Finds credentials, or says where it looked.
    pub fn resolve(&self) -> Result<Resolved, CredentialError> {
        Ok(self.0.resolve()?.into())
    }
}

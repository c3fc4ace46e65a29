//! The core's credential stores as JavaScript classes. Every call returns
//! a Promise and runs off the JavaScript thread.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use redis_cloud_auth::credentials::{
    CredentialStore, FileStore as CoreFileStore, KeychainStore as CoreKeychainStore,
    MemoryStore as CoreMemoryStore,
};

use crate::background::blocking;
use crate::credentials::Credentials;

/// Credentials kept in process memory; for tests and short-lived tools.
#[napi]
pub struct MemoryStore {
    pub(crate) inner: Arc<CoreMemoryStore>,
}

/// Credentials in a TOML profile file, written atomically with mode 0600.
#[napi]
pub struct FileStore {
    pub(crate) inner: Arc<CoreFileStore>,
}

/// Credentials in the OS keychain (Linux kernel keyutils, macOS Keychain,
/// Windows Credential Manager), one entry per profile.
#[napi]
pub struct KeychainStore {
    pub(crate) inner: Arc<CoreKeychainStore>,
}

#[napi]
impl MemoryStore {
    /// An empty store.
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let inner = Arc::new(CoreMemoryStore::new());
        MemoryStore { inner }
    }
}

#[napi]
impl FileStore {
    /// The store in the file at `path` (the file need not exist yet).
    #[napi(constructor)]
    pub fn new(path: String) -> Self {
        let inner = Arc::new(CoreFileStore::new(path));
        FileStore { inner }
    }

    /// The file's path.
    #[napi(getter)]
    pub fn path(&self) -> String {
        self.inner.path().display().to_string()
    }
}

#[napi]
impl KeychainStore {
    /// The store under the service `redis-cloud-auth`, or under `service`.
    #[napi(constructor)]
    pub fn new(service: Option<String>) -> Self {
        let store = service.map_or_else(CoreKeychainStore::new, CoreKeychainStore::with_service);
        let inner = Arc::new(store);
        KeychainStore { inner }
    }
}

/// The `CredentialStore` methods, the same on every store class.
macro_rules! store_methods {
    ($class:ident) => {
        #[napi]
        impl $class {
            /// Saves (or replaces) the credentials of `profile`.
            #[napi(ts_return_type = "Promise<void>")]
            pub fn save<'env>(
                &self,
                env: &'env Env,
                profile: String,
                credentials: &Credentials,
            ) -> Result<PromiseRaw<'env, ()>> {
                let store = self.inner.clone();
                let credentials = credentials.inner.clone();
                blocking(env, move || Ok(store.save(&profile, &credentials)?))
            }

            /// Loads the credentials of `profile`, or null when there are none.
            #[napi(ts_return_type = "Promise<Credentials | null>")]
            pub fn load<'env>(
                &self,
                env: &'env Env,
                profile: String,
            ) -> Result<PromiseRaw<'env, Option<Credentials>>> {
                let store = self.inner.clone();
                blocking(env, move || {
                    Ok(store.load(&profile)?.map(|inner| Credentials { inner }))
                })
            }

            /// Deletes the credentials of `profile`; resolves whether there were any.
            #[napi(ts_return_type = "Promise<boolean>")]
            pub fn delete<'env>(
                &self,
                env: &'env Env,
                profile: String,
            ) -> Result<PromiseRaw<'env, bool>> {
                let store = self.inner.clone();
                blocking(env, move || Ok(store.delete(&profile)?))
            }

            /// A short description for messages.
            #[napi]
            pub fn describe(&self) -> String {
                self.inner.describe()
            }

            /// The description; never a key.
            #[napi]
            pub fn to_string(&self) -> String {
                format!("{}({})", stringify!($class), self.inner.describe())
            }
        }
    };
}

store_methods!(MemoryStore);
store_methods!(FileStore);
store_methods!(KeychainStore);

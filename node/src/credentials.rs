//! `Credentials` and the credential chain (`resolveCredentials`).

use std::collections::HashMap;
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use redis_cloud_auth::credentials::{
    CredentialChain, CredentialStore, Credentials as CoreCredentials, Environment,
};

use crate::api_keys::ApiKeys;
use crate::background::blocking;
use crate::errors::{invalid_arg, throw};
use crate::javascript_store::JavascriptStore;
use crate::stores::{FileStore, KeychainStore, MemoryStore};

/// A pair of keys and, optionally, the API base URL they belong to.
#[napi]
#[derive(Clone)]
pub struct Credentials {
    pub(crate) inner: CoreCredentials,
}

/// What `JSON.stringify` shows of credentials: no key.
#[napi(object)]
pub struct CredentialsJson {
    /// Fingerprint of the keys.
    pub fingerprint: String,
    /// The base URL, or null for the default.
    pub base_url: Option<String>,
}

#[napi]
impl Credentials {
    /// Credentials for `keys`; `baseUrl` must be an http(s) URL (throws a
    /// `CredentialError` with code `invalid_base_url`).
    #[napi(constructor)]
    pub fn new(env: Env, keys: &ApiKeys, base_url: Option<String>) -> Result<Self> {
        let inner = CoreCredentials::new(keys.inner.clone());
        let inner = match base_url {
            Some(url) => throw(&env, inner.with_base_url(url))?,
            None => inner,
        };
        Ok(Credentials { inner })
    }

    /// The account key and user key.
    #[napi(getter)]
    pub fn keys(&self) -> ApiKeys {
        let inner = self.inner.keys.clone();
        ApiKeys { inner }
    }

    /// The API base URL, or null for the default.
    #[napi(getter)]
    pub fn base_url(&self) -> Option<String> {
        self.inner.base_url.clone()
    }

    /// `Credentials(ApiKeys(sha256:…), <base URL>)`: never a key.
    #[napi]
    pub fn to_string(&self) -> String {
        match &self.inner.base_url {
            Some(url) => format!("Credentials({}, {url})", self.inner.keys),
            None => format!("Credentials({})", self.inner.keys),
        }
    }

    /// `{ fingerprint, baseUrl }` for `JSON.stringify`: never a key.
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> CredentialsJson {
        CredentialsJson {
            fingerprint: self.inner.keys.fingerprint(),
            base_url: self.inner.base_url.clone(),
        }
    }
}

/// Credentials found by `resolveCredentials`, with where they came from.
#[napi(object, object_from_js = false)]
pub struct ResolvedCredentials {
    /// The keys and base URL to use.
    pub credentials: Credentials,
    /// `explicit`, `environment`, `profile_file`, `keychain` or `custom`.
    pub source: String,
    /// The profile that was looked up.
    pub profile: String,
}

/// Finds credentials in order: explicit, environment, profile file,
/// keychain, then the given stores. Runs off the JavaScript thread; a
/// store written in JavaScript is called back on it.
#[napi(
    ts_args_type = "options?: ResolveCredentialsOptions",
    ts_return_type = "Promise<ResolvedCredentials>"
)]
pub fn resolve_credentials<'env>(
    env: &'env Env,
    options: Option<Object>,
) -> Result<PromiseRaw<'env, ResolvedCredentials>> {
    let chain = chain(options)?;
    blocking(env, move || {
        let found = chain.resolve()?;
        let inner = found.credentials;
        Ok(ResolvedCredentials {
            credentials: Credentials { inner },
            source: found.source.as_str().to_string(),
            profile: found.profile,
        })
    })
}

/// Option `name` of `object`, when given; `expected` says what it must be.
fn option<T: FromNapiValue + ValidateNapiValue>(
    object: &Object,
    name: &str,
    expected: &str,
) -> Result<Option<T>> {
    (object.get_named_property(name))
        .map_err(|_| invalid_arg(format!("option `{name}` must be {expected}")))
}

/// A store passed from JavaScript: one of ours, or any object with
/// `save`, `load` and `delete` functions.
type AnyStore<'a> = Either4<
    ClassInstance<'a, MemoryStore>,
    ClassInstance<'a, FileStore>,
    ClassInstance<'a, KeychainStore>,
    Object<'a>,
>;

/// The options of `resolveCredentials` (`ResolveCredentialsOptions`) read
/// into a core chain; the default chain when absent.
pub fn chain(options: Option<Object>) -> Result<CredentialChain> {
    let Some(object) = options else {
        return Ok(CredentialChain::new());
    };
    let get = |name| object.get_named_property::<Unknown>(name);
    let mut chain = CredentialChain::new();

    let given: Option<ClassInstance<Credentials>> =
        option(&object, "credentials", "a Credentials object")?;
    if let Some(given) = given {
        chain = chain.explicit(given.inner.clone());
    }
    let vars: Option<HashMap<String, Option<String>>> =
        option(&object, "env", "an object of environment variables")?;
    if let Some(vars) = vars {
        chain = chain.environment(Environment::from_pairs(
            vars.into_iter().filter_map(|(k, v)| Some((k, v?))),
        ));
    }
    if let Some(profile) = option::<String>(&object, "profile", "a string")? {
        chain = chain.profile(profile);
    }
    // `null` skips a source, as `false` does; `undefined` keeps it, as `true` does.
    let null = |name| Ok::<_, Error>(get(name)?.get_type()? == ValueType::Null);
    let path: Option<Either<String, bool>> =
        option(&object, "profileFile", "a path, or false to skip it")?;
    match path {
        Some(Either::A(path)) => chain = chain.profile_file(Some(path.into())),
        Some(Either::B(false)) => chain = chain.profile_file(None),
        None if null("profileFile")? => chain = chain.profile_file(None),
        _ => {}
    }
    let keychain: Option<Either<bool, ClassInstance<KeychainStore>>> =
        option(&object, "keychain", "a boolean or a KeychainStore")?;
    match keychain {
        Some(Either::B(store)) => chain = chain.keychain(Some((*store.inner).clone())),
        Some(Either::A(false)) => chain = chain.keychain(None),
        None if null("keychain")? => chain = chain.keychain(None),
        _ => {}
    }
    let expected = "an array of stores (objects with save, load and delete)";
    let stores: Option<Vec<AnyStore>> = option(&object, "stores", expected)?;
    for value in stores.unwrap_or_default() {
        let store: Arc<dyn CredentialStore> = match value {
            Either4::A(store) => store.inner.clone(),
            Either4::B(store) => store.inner.clone(),
            Either4::C(store) => store.inner.clone(),
            Either4::D(object) => Arc::new(JavascriptStore::new(object)?),
        };
        chain = chain.store(store);
    }
    Ok(chain)
}

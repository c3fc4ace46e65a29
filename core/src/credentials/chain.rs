//! [`CredentialChain`]: explicit values, then the environment, then the
//! profile file, then the keychain.

use std::path::PathBuf;
use std::sync::Arc;

use super::{
    default_config_path, validate_profile_name, CredentialError, CredentialStore, Credentials,
    Environment, FileStore, KeychainStore, DEFAULT_PROFILE,
};

/// Where resolved credentials came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialSource {
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

impl CredentialSource {
    /// Stable snake_case name, the same in every language.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialSource::Explicit => "explicit",
            CredentialSource::Environment => "environment",
            CredentialSource::ProfileFile => "profile_file",
            CredentialSource::Keychain => "keychain",
            CredentialSource::Custom => "custom",
        }
    }
}

/// Credentials found by a chain, with their source and profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The keys and base URL to use.
    pub credentials: Credentials,
    /// Where they came from.
    pub source: CredentialSource,
    /// The profile that was looked up.
    pub profile: String,
}

/// Finds credentials in order: explicit, environment, profile file,
/// keychain (then any extra stores). The profile is the one given, else
/// `REDIS_CLOUD_PROFILE`, else `default`. A base URL from the environment
/// overrides one stored in a profile.
///
/// ```
/// use redis_cloud_auth::credentials::{CredentialChain, CredentialSource, Environment};
///
/// let chain = CredentialChain::new()
///     .environment(Environment::from_pairs([
///         ("REDIS_CLOUD_ACCOUNT_KEY", "AccountKey0123"),
///         ("REDIS_CLOUD_USER_KEY", "UserKey0123456"),
///     ]))
///     .profile_file(None)
///     .keychain(None);
/// let found = chain.resolve().unwrap();
/// assert_eq!(found.source, CredentialSource::Environment);
/// ```
#[derive(Debug, Clone)]
pub struct CredentialChain {
    explicit: Option<Credentials>,
    environment: Environment,
    profile: Option<String>,
    profile_file: Option<Option<PathBuf>>,
    keychain: Option<KeychainStore>,
    stores: Vec<Arc<dyn CredentialStore>>,
}

impl Default for CredentialChain {
    fn default() -> Self {
        Self::new()
    }
}

impl CredentialChain {
    /// The default chain: the process environment, the profile file at
    /// `REDIS_CLOUD_CONFIG` or the platform default, and the OS keychain.
    pub fn new() -> Self {
        CredentialChain {
            explicit: None,
            environment: Environment::from_process(),
            profile: None,
            profile_file: None,
            keychain: Some(KeychainStore::new()),
            stores: Vec::new(),
        }
    }

    /// Uses these credentials before anything else.
    pub fn explicit(mut self, credentials: Credentials) -> Self {
        self.explicit = Some(credentials);
        self
    }

    /// Replaces the environment snapshot (tests, sandboxed apps).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Picks the profile, overriding `REDIS_CLOUD_PROFILE`.
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Sets the profile file; `None` skips the profile file.
    pub fn profile_file(mut self, path: Option<PathBuf>) -> Self {
        self.profile_file = Some(path);
        self
    }

    /// Sets the keychain store; `None` skips the keychain.
    pub fn keychain(mut self, keychain: Option<KeychainStore>) -> Self {
        self.keychain = keychain;
        self
    }

    /// Adds a store tried after the keychain (an app's own secure storage).
    pub fn store(mut self, store: Arc<dyn CredentialStore>) -> Self {
        self.stores.push(store);
        self
    }

    /// The profile the chain looks up.
    pub fn profile_name(&self) -> String {
        self.profile
            .clone()
            .or_else(|| self.environment.profile())
            .unwrap_or_else(|| DEFAULT_PROFILE.to_string())
    }

    /// The profile file the chain reads, if any.
    pub fn profile_file_path(&self) -> Option<PathBuf> {
        match &self.profile_file {
            Some(choice) => choice.clone(),
            None => self.environment.config_path().or_else(default_config_path),
        }
    }

    /// Finds credentials, or says where it looked.
    pub fn resolve(&self) -> Result<Resolved, CredentialError> {
        let profile = self.profile_name();
        validate_profile_name(&profile)?;
        let done = |credentials: Credentials, source| Resolved {
            credentials,
            source,
            profile: profile.clone(),
        };
        if let Some(explicit) = &self.explicit {
            return Ok(done(explicit.clone(), CredentialSource::Explicit));
        }
        let env_base_url = self.environment.base_url()?;
        let with_env_url = |mut c: Credentials| {
            if env_base_url.is_some() {
                c.base_url.clone_from(&env_base_url);
            }
            c
        };
        if let Some(found) = self.environment.credentials()? {
            return Ok(done(found, CredentialSource::Environment));
        }
        let mut searched = vec!["environment".to_string()];
        if let Some(path) = self.profile_file_path() {
            let file = FileStore::new(path);
            if let Some(found) = file.load(&profile)? {
                return Ok(done(with_env_url(found), CredentialSource::ProfileFile));
            }
            searched.push(file.describe());
        }
        if let Some(keychain) = &self.keychain {
            if let Some(found) = keychain.load(&profile)? {
                return Ok(done(with_env_url(found), CredentialSource::Keychain));
            }
            searched.push(keychain.describe());
        }
        for store in &self.stores {
            if let Some(found) = store.load(&profile)? {
                return Ok(done(with_env_url(found), CredentialSource::Custom));
            }
            searched.push(store.describe());
        }
        Err(CredentialError::NotFound { profile, searched })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::MemoryStore;
    use crate::ApiKeys;

    fn creds(user: &str) -> Credentials {
        Credentials::new(ApiKeys::new("AccountKey0123", user).unwrap())
    }

    #[test]
    fn order_is_explicit_env_file_then_stores() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials.toml");
        FileStore::new(&path)
            .save("default", &creds("UserKeyFromFile"))
            .unwrap();
        let memory = Arc::new(MemoryStore::new());
        memory.save("other", &creds("UserKeyFromMemory")).unwrap();
        let env = Environment::from_pairs([
            ("REDIS_CLOUD_ACCOUNT_KEY", "AccountKey0123"),
            ("REDIS_CLOUD_USER_KEY", "UserKeyFromEnv1"),
        ]);
        let base = CredentialChain::new()
            .keychain(None)
            .profile_file(Some(path.clone()))
            .store(memory.clone());

        let r = base
            .clone()
            .explicit(creds("UserKeyExplicit"))
            .environment(env.clone())
            .resolve()
            .unwrap();
        assert_eq!(r.source, CredentialSource::Explicit);
        let r = base.clone().environment(env).resolve().unwrap();
        assert_eq!(r.source, CredentialSource::Environment);
        let r = base
            .clone()
            .environment(Environment::default())
            .resolve()
            .unwrap();
        assert_eq!(
            (r.source, r.credentials.keys.user_key().expose()),
            (CredentialSource::ProfileFile, "UserKeyFromFile")
        );
        let by_env_profile = Environment::from_pairs([
            ("REDIS_CLOUD_PROFILE", "other"),
            ("REDIS_CLOUD_BASE_URL", "http://localhost:1/v1"),
        ]);
        let r = base.clone().environment(by_env_profile).resolve().unwrap();
        assert_eq!(r.source, CredentialSource::Custom);
        assert_eq!(r.profile, "other");
        assert_eq!(
            r.credentials.base_url.as_deref(),
            Some("http://localhost:1/v1")
        );
    }

    #[test]
    fn not_found_lists_every_place_searched() {
        let dir = tempfile::tempdir().unwrap();
        let err = CredentialChain::new()
            .environment(Environment::default())
            .keychain(None)
            .profile_file(Some(dir.path().join("none.toml")))
            .profile("ci")
            .resolve()
            .unwrap_err();
        match err {
            CredentialError::NotFound { profile, searched } => {
                assert_eq!(profile, "ci");
                assert_eq!(searched.len(), 2);
                assert!(searched[1].ends_with("none.toml"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn config_path_comes_from_env_then_platform() {
        let env = Environment::from_pairs([("REDIS_CLOUD_CONFIG", "/tmp/x/creds.toml")]);
        let chain = CredentialChain::new().environment(env);
        assert_eq!(
            chain.profile_file_path(),
            Some(PathBuf::from("/tmp/x/creds.toml"))
        );
        let chain = CredentialChain::new().environment(Environment::default());
        assert_eq!(chain.profile_file_path(), default_config_path());
    }
}

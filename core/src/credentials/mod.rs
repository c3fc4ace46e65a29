//! Where credentials come from and where they are kept: explicit values,
//! the environment, the profile file, the OS keychain, and stores an
//! application implements itself. [`CredentialChain`] tries them in order.

mod chain;
mod environment;
mod keychain;
mod memory;
mod profile_file;

use std::fmt;

pub use chain::{CredentialChain, CredentialSource, Resolved};
pub use environment::{
    Environment, ACCOUNT_KEY_VARS, BASE_URL_VARS, CONFIG_VAR, PROFILE_VAR, USER_KEY_VARS,
};
pub use keychain::{KeychainStore, KEYCHAIN_SERVICE};
pub use memory::MemoryStore;
pub use profile_file::{default_config_path, FileStore};

use crate::keys::{ApiKeys, KeyError};

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";

/// A pair of keys and, optionally, the API base URL they belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The account key and user key.
    pub keys: ApiKeys,
    /// API base URL; `None` means the default (or the environment's).
    pub base_url: Option<String>,
}

impl Credentials {
    /// Credentials for the default base URL.
    pub fn new(keys: ApiKeys) -> Self {
        Credentials {
            keys,
            base_url: None,
        }
    }

    /// Sets the base URL after checking that it is an `http` or `https` URL.
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Result<Self, CredentialError> {
        let base_url = base_url.into();
        check_base_url(&base_url, "base URL")?;
        self.base_url = Some(base_url);
        Ok(self)
    }
}

/// Checks a base URL; `origin` names where it came from for the error.
pub(crate) fn check_base_url(value: &str, origin: &str) -> Result<(), CredentialError> {
    match reqwest::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Ok(()),
        _ => Err(CredentialError::InvalidBaseUrl {
            origin: origin.to_string(),
        }),
    }
}

/// Checks a profile name: 1 to 64 letters, digits, `-`, `_` or `.`.
pub fn validate_profile_name(name: &str) -> Result<(), CredentialError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(CredentialError::InvalidProfileName {
            name: name.chars().take(64).collect(),
        })
    }
}

/// Why credentials could not be loaded, saved or resolved.
/// No variant ever carries a key value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// No source had credentials for the profile.
    #[error("no credentials found for profile `{profile}` (looked in: {})", searched.join(", "))]
    NotFound {
        /// The profile that was looked for.
        profile: String,
        /// Every place that was searched, in order.
        searched: Vec<String>,
    },
    /// A key from `origin` failed validation.
    #[error("invalid {} from {origin}: {reason}", reason.kind())]
    InvalidKey {
        /// Where the key came from (a variable name, a file and profile).
        origin: String,
        /// What is wrong with it.
        reason: KeyError,
    },
    /// Only one of the two keys is set.
    #[error("{origin} sets one key but not the other: {missing} is missing")]
    Incomplete {
        /// Where the single key came from.
        origin: String,
        /// What is missing (a variable or field name).
        missing: String,
    },
    /// Two environment variables for the same value disagree.
    #[error("environment variables {} are set to different values; unset all but one", variables.join(" and "))]
    Conflict {
        /// The names of the disagreeing variables.
        variables: Vec<String>,
    },
    /// A base URL is not an http(s) URL.
    #[error("invalid base URL from {origin}: expected an http:// or https:// URL")]
    InvalidBaseUrl {
        /// Where the URL came from.
        origin: String,
    },
    /// A profile name has characters outside letters, digits, `-`, `_`, `.`.
    #[error("invalid profile name `{name}`: use 1 to 64 letters, digits, '-', '_' or '.'")]
    InvalidProfileName {
        /// The rejected name (truncated).
        name: String,
    },
    /// The credentials file can be read by group or others.
    #[error("credentials file {path} can be read by other users (mode {mode:03o}); run `chmod 600 {path}`")]
    InsecurePermissions {
        /// The file.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
    /// The credentials file is not valid TOML of the expected shape.
    #[error("credentials file {path} is invalid{}: {problem}", line.map(|l| format!(" at line {l}")).unwrap_or_default())]
    FileFormat {
        /// The file.
        path: String,
        /// 1-based line of the problem, when known.
        line: Option<usize>,
        /// What is wrong, without any value from the file.
        problem: String,
    },
    /// Reading or writing a file failed.
    #[error("cannot {action} {path}: {problem}")]
    Io {
        /// What was being done (`read`, `write`, ...).
        action: &'static str,
        /// The file.
        path: String,
        /// The operating system's reason.
        problem: String,
    },
    /// The OS keychain failed; nothing falls back to plaintext.
    #[error("keychain error: {0}")]
    Keychain(String),
    /// A store implemented by the application reported an error.
    #[error("credential store error: {0}")]
    Store(String),
}

impl CredentialError {
    /// Stable snake_case code, the same in every language.
    pub fn code(&self) -> &'static str {
        match self {
            CredentialError::NotFound { .. } => "not_found",
            CredentialError::InvalidKey { .. } => "invalid_key",
            CredentialError::Incomplete { .. } => "incomplete",
            CredentialError::Conflict { .. } => "conflict",
            CredentialError::InvalidBaseUrl { .. } => "invalid_base_url",
            CredentialError::InvalidProfileName { .. } => "invalid_profile_name",
            CredentialError::InsecurePermissions { .. } => "insecure_permissions",
            CredentialError::FileFormat { .. } => "file_format",
            CredentialError::Io { .. } => "io",
            CredentialError::Keychain(_) => "keychain",
            CredentialError::Store(_) => "store",
        }
    }
}

/// A place that keeps credentials by profile name.
///
/// Implemented here by [`MemoryStore`], [`FileStore`] and [`KeychainStore`];
/// applications implement it for their own secure storage (iOS Keychain,
/// Android Keystore) through the language bindings.
pub trait CredentialStore: Send + Sync + fmt::Debug {
    /// Saves (or replaces) the credentials of `profile`.
    fn save(&self, profile: &str, credentials: &Credentials) -> Result<(), CredentialError>;
    /// Loads the credentials of `profile`; `Ok(None)` when there are none.
    fn load(&self, profile: &str) -> Result<Option<Credentials>, CredentialError>;
    /// Deletes the credentials of `profile`; returns whether there were any.
    fn delete(&self, profile: &str) -> Result<bool, CredentialError>;
    /// A short description for messages (`keychain`, a file path).
    fn describe(&self) -> String;
}

/// Builds credentials from raw stored fields, naming `origin` in errors.
pub fn credentials_from_fields(
    origin: &str,
    account_key: Option<crate::Secret>,
    user_key: Option<crate::Secret>,
    base_url: Option<String>,
) -> Result<Credentials, CredentialError> {
    let (account_key, user_key) = match (account_key, user_key) {
        (Some(a), Some(u)) => (a, u),
        (a, _) => {
            return Err(CredentialError::Incomplete {
                origin: origin.to_string(),
                missing: if a.is_none() {
                    "account_key"
                } else {
                    "user_key"
                }
                .to_string(),
            })
        }
    };
    let keys =
        ApiKeys::new(account_key, user_key).map_err(|reason| CredentialError::InvalidKey {
            origin: origin.to_string(),
            reason,
        })?;
    if let Some(url) = &base_url {
        check_base_url(url, origin)?;
    }
    Ok(Credentials { keys, base_url })
}

//! The public errors of the bindings: one variant per core variant, each
//! with the core's stable `code` and its message as `detail`. No variant
//! ever carries a secret.
//!
//! The key error is `ApiKeyError` here (the core's `KeyError`): `KeyError`
//! is a Python builtin that the generated Python code itself relies on.

use redis_cloud_auth as core;

use crate::keys::KeyKind;

/// A key value was rejected (the core's `KeyError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum ApiKeyError {
    /// The key is empty or only whitespace.
    #[error("{detail}")]
    Empty {
        /// `empty_key`.
        code: String,
        /// Which key.
        key: KeyKind,
        /// What is wrong, without the value.
        detail: String,
    },
    /// The key is too short or too long.
    #[error("{detail}")]
    Length {
        /// `key_length`.
        code: String,
        /// Which key.
        key: KeyKind,
        /// Its length in bytes.
        length: u64,
        /// What is wrong, without the value.
        detail: String,
    },
    /// The key holds a character outside visible ASCII.
    #[error("{detail}")]
    Character {
        /// `key_character`.
        code: String,
        /// Which key.
        key: KeyKind,
        /// Zero-based byte position of the first bad character.
        position: u64,
        /// What is wrong, without the value.
        detail: String,
    },
}

impl From<core::KeyError> for ApiKeyError {
    fn from(err: core::KeyError) -> Self {
        let code = err.code().to_string();
        let detail = err.to_string();
        let key = err.kind().into();
        match err {
            core::KeyError::Empty(_) => ApiKeyError::Empty { code, key, detail },
            core::KeyError::Length { len, .. } => ApiKeyError::Length {
                code,
                key,
                length: len as u64,
                detail,
            },
            core::KeyError::Character { position, .. } => ApiKeyError::Character {
                code,
                key,
                position: position as u64,
                detail,
            },
        }
    }
}

/// The authentication headers of a request could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum HeaderError {
    /// The header is absent.
    #[error("{detail}")]
    Missing {
        /// `missing_header`.
        code: String,
        /// The header's name.
        header: String,
        /// What is wrong, without the value.
        detail: String,
    },
    /// The header is present but empty.
    #[error("{detail}")]
    Empty {
        /// `empty_header`.
        code: String,
        /// The header's name.
        header: String,
        /// What is wrong, without the value.
        detail: String,
    },
    /// The header appears more than once.
    #[error("{detail}")]
    Duplicate {
        /// `duplicate_header`.
        code: String,
        /// The header's name.
        header: String,
        /// What is wrong, without the value.
        detail: String,
    },
    /// The header's value is not a well-formed key.
    #[error("{detail}")]
    Malformed {
        /// `malformed_header`.
        code: String,
        /// The header's name.
        header: String,
        /// What is wrong, without the value.
        detail: String,
    },
}

impl From<core::HeaderError> for HeaderError {
    fn from(err: core::HeaderError) -> Self {
        let code = err.code().to_string();
        let header = err.header().to_string();
        let detail = err.to_string();
        match err {
            core::HeaderError::Missing(_) => HeaderError::Missing {
                code,
                header,
                detail,
            },
            core::HeaderError::Empty(_) => HeaderError::Empty {
                code,
                header,
                detail,
            },
            core::HeaderError::Duplicate(_) => HeaderError::Duplicate {
                code,
                header,
                detail,
            },
            core::HeaderError::Malformed(_) => HeaderError::Malformed {
                code,
                header,
                detail,
            },
        }
    }
}

/// Credentials could not be loaded, saved or resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum CredentialError {
    /// No source had credentials for the profile.
    #[error("{detail}")]
    NotFound {
        /// `not_found`.
        code: String,
        /// The profile looked for.
        profile: String,
        /// Every place searched, in order.
        searched: Vec<String>,
        /// The full message.
        detail: String,
    },
    /// A key failed validation.
    #[error("{detail}")]
    InvalidKey {
        /// `invalid_key`.
        code: String,
        /// Where the key came from (a variable name, a file and profile).
        origin: String,
        /// Which key.
        key: KeyKind,
        /// The full message.
        detail: String,
    },
    /// Only one of the two keys is set.
    #[error("{detail}")]
    Incomplete {
        /// `incomplete`.
        code: String,
        /// The full message.
        detail: String,
    },
    /// Two environment variables for the same value disagree.
    #[error("{detail}")]
    Conflict {
        /// `conflict`.
        code: String,
        /// The disagreeing variables.
        variables: Vec<String>,
        /// The full message.
        detail: String,
    },
    /// A base URL is not an http(s) URL.
    #[error("{detail}")]
    InvalidBaseUrl {
        /// `invalid_base_url`.
        code: String,
        /// The full message.
        detail: String,
    },
    /// A profile name has characters outside letters, digits, `-`, `_`, `.`.
    #[error("{detail}")]
    InvalidProfileName {
        /// `invalid_profile_name`.
        code: String,
        /// The full message.
        detail: String,
    },
    /// The credentials file can be read by group or others.
    #[error("{detail}")]
    InsecurePermissions {
        /// `insecure_permissions`.
        code: String,
        /// The file.
        path: String,
        /// The full message.
        detail: String,
    },
    /// The credentials file is not valid TOML of the expected shape.
    #[error("{detail}")]
    FileFormat {
        /// `file_format`.
        code: String,
        /// The file.
        path: String,
        /// The full message.
        detail: String,
    },
    /// Reading or writing a file failed.
    #[error("{detail}")]
    Io {
        /// `io`.
        code: String,
        /// The file.
        path: String,
        /// The full message.
        detail: String,
    },
    /// The OS keychain failed; nothing falls back to plaintext.
    #[error("{detail}")]
    Keychain {
        /// `keychain`.
        code: String,
        /// The full message.
        detail: String,
    },
    /// A store implemented by the application reported an error.
    #[error("{detail}")]
    Store {
        /// `store`.
        code: String,
        /// The full message.
        detail: String,
    },
}

impl CredentialError {
    /// A `store` error with `detail`, for stores implemented in other languages.
    pub fn store(detail: impl Into<String>) -> Self {
        CredentialError::Store {
            code: "store".to_string(),
            detail: detail.into(),
        }
    }
}

impl From<core::CredentialError> for CredentialError {
    fn from(err: core::CredentialError) -> Self {
        use core::CredentialError as E;
        let code = err.code().to_string();
        let detail = err.to_string();
        match err {
            E::NotFound { profile, searched } => CredentialError::NotFound {
                code,
                profile,
                searched,
                detail,
            },
            E::InvalidKey { origin, reason } => CredentialError::InvalidKey {
                code,
                origin,
                key: reason.kind().into(),
                detail,
            },
            E::Incomplete { .. } => CredentialError::Incomplete { code, detail },
            E::Conflict { variables } => CredentialError::Conflict {
                code,
                variables,
                detail,
            },
            E::InvalidBaseUrl { .. } => CredentialError::InvalidBaseUrl { code, detail },
            E::InvalidProfileName { .. } => CredentialError::InvalidProfileName { code, detail },
            E::InsecurePermissions { path, .. } => {
                CredentialError::InsecurePermissions { code, path, detail }
            }
            E::FileFormat { path, .. } => CredentialError::FileFormat { code, path, detail },
            E::Io { path, .. } => CredentialError::Io { code, path, detail },
            E::Keychain(_) => CredentialError::Keychain { code, detail },
            E::Store(_) => CredentialError::Store { code, detail },
        }
    }
}

/// Back to the core error, for stores implemented in other languages whose
/// errors travel through the core's credential chain.
impl From<CredentialError> for core::CredentialError {
    fn from(err: CredentialError) -> Self {
        match err {
            CredentialError::Store { detail, .. } => core::CredentialError::Store(detail),
            other => core::CredentialError::Store(other.to_string()),
        }
    }
}

/// A foreign store's method failed in a way its language did not declare.
impl From<uniffi::UnexpectedUniFFICallbackError> for CredentialError {
    fn from(err: uniffi::UnexpectedUniFFICallbackError) -> Self {
        CredentialError::store(format!("unexpected error in the store: {}", err.reason))
    }
}

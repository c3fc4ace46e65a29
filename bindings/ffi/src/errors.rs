//! The public errors of the bindings: each is an error object around the
//! core's error, whose generated `code()`, `detail()` and own accessors read
//! it; none carries a secret. `CredentialError` alone is an enum (a store
//! written in another language throws it, and UniFFI takes only enum errors
//! back). The key error is `ApiKeyError`: `KeyError` is a Python builtin.

use std::sync::Arc;
use std::time::Duration;

use redis_cloud_auth as core;

use crate::keys::KeyKind;

/// A core result as a binding call returns it: the error in its error object.
pub(crate) trait Wrap<T> {
    /// The error object around the core's error.
    type Error;
    /// The value, or the core's error wrapped.
    fn wrap(self) -> Result<T, Arc<Self::Error>>;
}

/// Declares an error object around a core error, with `code()` and
/// `detail()` and a constructor for the error a binding call returns.
macro_rules! error_object {
    ($(#[$doc:meta])* $name:ident($core:ty)) => {
        $(#[$doc])*
        #[derive(thiserror::Error, uniffi::Object)]
        #[error(transparent)]
        #[uniffi::export(Debug, Display)]
        pub struct $name($core);

        /// `Name { code, detail }`: what a log needs, never a secret.
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("code", &self.0.code())
                    .field("detail", &self.0.to_string())
                    .finish()
            }
        }

        impl $name {
            /// The core's error as the error a binding call returns.
            pub fn new(err: impl Into<$core>) -> Arc<Self> {
                Arc::new($name(err.into()))
            }
        }

        impl<T> Wrap<T> for Result<T, $core> {
            type Error = $name;

            fn wrap(self) -> Result<T, Arc<$name>> {
                self.map_err($name::new)
            }
        }

        #[uniffi::export]
        impl $name {
            /// Stable snake_case code, the same in every language.
            pub fn code(&self) -> String {
                self.0.code().into()
            }

            /// What went wrong, in words; never a secret.
            pub fn detail(&self) -> String {
                self.0.to_string()
            }
        }
    };
}

error_object!(
    /// A key value was rejected: empty, wrong length, or a character that
    /// is not visible ASCII (the core's `KeyError`).
    ApiKeyError(core::KeyError)
);

#[uniffi::export]
impl ApiKeyError {
    /// Which key was rejected.
    pub fn key(&self) -> KeyKind {
        self.0.kind().into()
    }

    /// The key's length in bytes, for `key_length`.
    pub fn length(&self) -> Option<u64> {
        match self.0 {
            core::KeyError::Length { len, .. } => Some(len as u64),
            _ => None,
        }
    }

    /// Zero-based byte position of the first bad character, for `key_character`.
    pub fn position(&self) -> Option<u64> {
        match self.0 {
            core::KeyError::Character { position, .. } => Some(position as u64),
            _ => None,
        }
    }
}

error_object!(
    /// The authentication headers of a request could not be read.
    HeaderError(core::HeaderError)
);

#[uniffi::export]
impl HeaderError {
    /// The header's name.
    pub fn header(&self) -> String {
        self.0.header().into()
    }
}

/// Declares [`CredentialError`]: each variant holds `code` (documented by
/// the given text), its own fields, then `detail`, and displays `detail`.
macro_rules! credential_error {
    ($($(#[$doc:meta])* $variant:ident($code:tt) { $($(#[$fdoc:meta])* $field:ident: $ty:ty,)* },)*) => {
        /// Credentials could not be loaded, saved or resolved.
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
        pub enum CredentialError {
            $(
                $(#[$doc])*
                #[error("{detail}")]
                $variant {
                    #[doc = $code]
                    code: String,
                    $($(#[$fdoc])* $field: $ty,)*
                    /// The full message.
                    detail: String,
                },
            )*
        }
    };
}

credential_error! {
    /// No source had credentials for the profile.
    NotFound("`not_found`.") {
        /// The profile looked for.
        profile: String,
        /// Every place searched, in order.
        searched: Vec<String>,
    },
    /// A key failed validation.
    InvalidKey("`invalid_key`.") {
        /// Where the key came from (a variable name, a file and profile).
        origin: String,
        /// Which key.
        key: KeyKind,
    },
    /// Only one of the two keys is set.
    Incomplete("`incomplete`.") {},
    /// Two environment variables for the same value disagree.
    Conflict("`conflict`.") {
        /// The disagreeing variables.
        variables: Vec<String>,
    },
    /// A base URL is not an http(s) URL.
    InvalidBaseUrl("`invalid_base_url`.") {},
    /// A profile name has characters outside letters, digits, `-`, `_`, `.`.
    InvalidProfileName("`invalid_profile_name`.") {},
    /// The credentials file can be read by group or others.
    InsecurePermissions("`insecure_permissions`.") {
        /// The file.
        path: String,
    },
    /// The credentials file is not valid TOML of the expected shape.
    FileFormat("`file_format`.") {
        /// The file.
        path: String,
    },
    /// Reading or writing a file failed.
    Io("`io`.") {
        /// The file.
        path: String,
    },
    /// The OS keychain failed; nothing falls back to plaintext.
    Keychain("`keychain`.") {},
    /// A store implemented by the application reported an error.
    Store("`store`.") {},
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
        CredentialError::Store {
            code: "store".to_string(),
            detail: format!("unexpected error in the store: {}", err.reason),
        }
    }
}

error_object!(
    /// An admin operation of the verifier was refused.
    AdminError(core::verify::AdminError)
);

#[uniffi::export]
impl AdminError {
    /// What was not found or is invalid (`account`, `email`, ...), for
    /// `not_found` and `invalid_name`.
    pub fn what(&self) -> Option<String> {
        use core::verify::AdminError as E;
        match &self.0 {
            E::NotFound { what } | E::InvalidName { what, .. } => Some(what.to_string()),
            _ => None,
        }
    }

    /// The allow-list entry as written, for `invalid_cidr`.
    pub fn entry(&self) -> Option<String> {
        match &self.0 {
            core::verify::AdminError::InvalidCidr { entry, .. } => Some(entry.clone()),
            _ => None,
        }
    }
}

error_object!(
    /// Why a request did not authenticate. `detail` is the precise reason,
    /// for logs; a caller is shown only `http_status` and `public_message`
    /// (or the whole `error_body`), in which an account mismatch reads like
    /// an invalid user key.
    AuthFailure(core::AuthFailure)
);

#[uniffi::export]
impl AuthFailure {
    /// The HTTP status to answer with (401, 403, 500, 503).
    pub fn http_status(&self) -> u16 {
        self.0.http_status()
    }

    /// The code the caller is shown (`unauthorized`, `forbidden`, ...).
    pub fn public_code(&self) -> String {
        self.0.public_code().into()
    }

    /// The message the caller is shown: it never tells which rule failed.
    pub fn public_message(&self) -> String {
        self.0.public_message()
    }

    /// The JSON body `rcauth serve` answers with, byte for byte.
    pub fn error_body(&self) -> String {
        self.0.error_json()
    }

    /// The header concerned, for `missing_credentials` and `malformed_credentials`.
    pub fn header(&self) -> Option<String> {
        self.0.header().map(Into::into)
    }

    /// The source IP, for `source_ip_not_allowed`.
    pub fn source_ip(&self) -> Option<String> {
        self.0.source_ip().map(|ip| ip.to_string())
    }
}

error_object!(
    /// A call to the API did not succeed. No message holds a key.
    ClientError(core::ClientError)
);

#[uniffi::export]
impl ClientError {
    /// The HTTP status the server answered with, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        self.0.status()
    }

    /// How long the server asked to wait, for `rate_limited`.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after()
    }

    /// The credential error's own code (`not_found`, ...), for `credentials`.
    pub fn credential_code(&self) -> Option<String> {
        match &self.0 {
            core::ClientError::Credentials(inner) => Some(inner.code().into()),
            _ => None,
        }
    }
}

//! Error objects around the core's errors (`code()`, `detail()`, accessors; never a
//! secret); `CredentialError` is an enum, as foreign stores throw it (UniFFI takes
//! only enum errors back). `ApiKeyError`, as `KeyError` is a Python builtin.

use std::sync::Arc;
use std::time::Duration;

use redis_cloud_auth as core;

use core::verify::AdminError as Admin;

use crate::convert::text;
use crate::keys::KeyKind;

/// A core result as a binding call returns it: the error in its error object.
pub(crate) trait Wrap<T> {
    /// The error object around the core's error.
    type Error;
    /// The value, or the core's error wrapped.
    fn wrap(self) -> Result<T, Arc<Self::Error>>;
}

/// Declares an error object around a core error: `code()`, `detail()`, `new`,
/// and an accessor per `name -> Type = expression` over the core error `$e`.
macro_rules! error_object {
    ($(
        $(#[$doc:meta])* $name:ident($core:ty) |$e:ident| {
            $($(#[$mdoc:meta])* $method:ident -> $ret:ty = $body:expr,)*
        }
    )*) => {$(
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

            $(
                $(#[$mdoc])*
                pub fn $method(&self) -> $ret {
                    let $e = &self.0;
                    $body
                }
            )*
        }
    )*};
}

error_object! {
    /// A key value was rejected: empty, wrong length, or a character that
    /// is not visible ASCII (the core's `KeyError`).
    ApiKeyError(core::KeyError) |e| {
        /// Which key was rejected.
        key -> KeyKind = e.kind().into(),
        /// The key's length in bytes, for `key_length`.
        length -> Option<u64> = e.length().map(|n| n as u64),
        /// Zero-based byte position of the first bad character, for `key_character`.
        position -> Option<u64> = e.position().map(|n| n as u64),
    }

    /// The authentication headers of a request could not be read.
    HeaderError(core::HeaderError) |e| {
        /// The header's name.
        header -> String = e.header().into(),
    }

    /// An admin operation of the verifier was refused.
    AdminError(core::verify::AdminError) |e| {
        /// What was not found or is invalid (`account`, `email`, ...), for
        /// `not_found` and `invalid_name`.
        what -> Option<String> = match e {
            Admin::NotFound { what } | Admin::InvalidName { what, .. } => Some(what.to_string()),
            _ => None,
        },
        /// The allow-list entry as written, for `invalid_cidr`.
        entry -> Option<String> = match e {
            Admin::InvalidCidr { entry, .. } => Some(entry.clone()),
            _ => None,
        },
    }

    /// Why a request did not authenticate. `detail` is the precise reason,
    /// for logs; a caller is shown only `http_status` and `public_message`
    /// (or the whole `error_body`), in which an account mismatch reads like
    /// an invalid user key.
    AuthFailure(core::AuthFailure) |e| {
        /// The HTTP status to answer with (401, 403, 500, 503).
        http_status -> u16 = e.http_status(),
        /// The code the caller is shown (`unauthorized`, `forbidden`, ...).
        public_code -> String = e.public_code().into(),
        /// The message the caller is shown: it never tells which rule failed.
        public_message -> String = e.public_message(),
        /// The JSON body `rcauth serve` answers with, byte for byte.
        error_body -> String = e.error_json(),
        /// The header concerned, for `missing_credentials` and `malformed_credentials`.
        header -> Option<String> = e.header().map(Into::into),
        /// The source IP, for `source_ip_not_allowed`.
        source_ip -> Option<String> = e.source_ip().map(text),
    }

    /// A call to the API did not succeed. No message holds a key.
    ClientError(core::ClientError) |e| {
        /// The HTTP status the server answered with, when there was an answer.
        status -> Option<u16> = e.status(),
        /// How long the server asked to wait, for `rate_limited`.
        retry_after -> Option<Duration> = e.retry_after(),
        /// The credential error's own code (`not_found`, ...), for `credentials`.
        credential_code -> Option<String> = match e {
            core::ClientError::Credentials(inner) => Some(inner.code().into()),
            _ => None,
        },
    }
}

/// Declares [`CredentialError`] and `From` the core's: each variant holds `code`,
/// its fields (bound by `$pat`, or `= expr`), then `detail`, which it displays.
macro_rules! credential_error {
    (from $core:ty as $alias:ident; $(
        $(#[$doc:meta])* $variant:ident($code:tt, $pat:pat) {
            $($(#[$fdoc:meta])* $field:ident: $ty:ty $(= $value:expr)?,)*
        },
    )*) => {
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

        impl From<$core> for CredentialError {
            fn from(err: $core) -> Self {
                type $alias = $core;
                let (code, detail) = (err.code().to_string(), err.to_string());
                match err {
                    $($pat => CredentialError::$variant {
                        code,
                        $($field: credential_error!(@value $field $($value)?),)*
                        detail,
                    },)*
                }
            }
        }
    };
    (@value $field:ident) => { $field };
    (@value $field:ident $value:expr) => { $value };
}

credential_error! {
    from core::CredentialError as E;
    /// No source had credentials for the profile.
    NotFound("`not_found`.", E::NotFound { profile, searched }) {
        /// The profile looked for.
        profile: String,
        /// Every place searched, in order.
        searched: Vec<String>,
    },
    /// A key failed validation.
    InvalidKey("`invalid_key`.", E::InvalidKey { origin, reason }) {
        /// Where the key came from (a variable name, a file and profile).
        origin: String,
        /// Which key.
        key: KeyKind = reason.kind().into(),
    },
    /// Only one of the two keys is set.
    Incomplete("`incomplete`.", E::Incomplete { .. }) {},
    /// Two environment variables for the same value disagree.
    Conflict("`conflict`.", E::Conflict { variables }) {
        /// The disagreeing variables.
        variables: Vec<String>,
    },
    /// A base URL is not an http(s) URL.
    InvalidBaseUrl("`invalid_base_url`.", E::InvalidBaseUrl { .. }) {},
    /// A profile name has characters outside letters, digits, `-`, `_`, `.`.
    InvalidProfileName("`invalid_profile_name`.", E::InvalidProfileName { .. }) {},
    /// The credentials file can be read by group or others.
    InsecurePermissions("`insecure_permissions`.", E::InsecurePermissions { path, .. }) {
        /// The file.
        path: String,
    },
    /// The credentials file is not valid TOML of the expected shape.
    FileFormat("`file_format`.", E::FileFormat { path, .. }) {
        /// The file.
        path: String,
    },
    /// Reading or writing a file failed.
    Io("`io`.", E::Io { path, .. }) {
        /// The file.
        path: String,
    },
    /// The OS keychain failed; nothing falls back to plaintext.
    Keychain("`keychain`.", E::Keychain(_)) {},
    /// A store implemented by the application reported an error.
    Store("`store`.", E::Store(_)) {},
}

/// Back to the core error (`Store` with the `detail`), for stores implemented in
/// other languages whose errors travel through the core's credential chain.
impl From<CredentialError> for core::CredentialError {
    fn from(err: CredentialError) -> Self {
        core::CredentialError::Store(err.to_string())
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

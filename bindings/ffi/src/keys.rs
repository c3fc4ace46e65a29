//! [`ApiKeys`] and [`KeyKind`] over the core's keys.

use std::sync::Arc;

use redis_cloud_auth as core;

use crate::convert::all;
use crate::errors::{ApiKeyError, Wrap};
use crate::headers::HeaderPair;

mirror_enum! {
    /// Which of the two keys a message is about.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
    pub enum KeyKind from core::KeyKind {
        /// The account key, sent as `x-api-key`.
        Account,
        /// The personal user key, sent as `x-api-secret-key`.
        User,
    }
}

/// The account key and user key of a Redis Cloud API request, validated. Its
/// text forms and its hash are taken over a fingerprint, never over a key.
#[derive(Clone, PartialEq, Eq, Hash, uniffi::Object)]
#[uniffi::export(Debug, Display, Eq, Hash)]
pub struct ApiKeys(pub(crate) core::ApiKeys);

fmt_as_core!(ApiKeys: Debug, Display);

#[uniffi::export]
impl ApiKeys {
    /// Validates both keys (surrounding whitespace is trimmed first).
    #[uniffi::constructor]
    pub fn new(account_key: String, user_key: String) -> Result<Arc<Self>, Arc<ApiKeyError>> {
        let keys = core::ApiKeys::new(account_key, user_key).wrap()?;
        Ok(Arc::new(ApiKeys(keys)))
    }

    /// Fingerprint of the pair, safe for logs and display.
    pub fn fingerprint(&self) -> String {
        self.0.fingerprint()
    }

    /// Fingerprint of the account key alone.
    pub fn account_fingerprint(&self) -> String {
        self.0.account_fingerprint()
    }

    /// Fingerprint of the user key alone.
    pub fn user_fingerprint(&self) -> String {
        self.0.user_fingerprint()
    }

    /// The account key itself. Only for code that must send or store it.
    pub fn expose_account_key(&self) -> String {
        self.0.account_key().expose().to_string()
    }

    /// The user key itself. Only for code that must send or store it.
    pub fn expose_user_key(&self) -> String {
        self.0.user_key().expose().to_string()
    }

    /// The two request headers in order (`x-api-key`, `x-api-secret-key`);
    /// the values are the keys. For an HTTP library of the calling language.
    pub fn expose_header_pairs(&self) -> Vec<HeaderPair> {
        all(self.0.expose_header_pairs().to_vec())
    }
}

/// The non-secret fingerprint of one key value (`sha256:` and 12 hex digits).
#[uniffi::export]
pub fn key_fingerprint(value: String) -> String {
    core::keys::fingerprint(&value)
}

//! Finding the two keys among a request's headers.

use std::sync::Arc;

use redis_cloud_auth as core;

use crate::errors::{HeaderError, Wrap};
use crate::keys::ApiKeys;

/// One HTTP header of a request, as a name and a value.
#[derive(Clone, uniffi::Record)]
pub struct HeaderPair {
    /// The header's name, in any case.
    pub name: String,
    /// The header's value (may be a key: never print it).
    pub value: String,
}

impl<N: Into<String>, V: Into<String>> From<(N, V)> for HeaderPair {
    fn from((name, value): (N, V)) -> Self {
        HeaderPair {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// Reads the keys from a request's headers: names match in any case,
/// surrounding spaces and tabs are ignored, each header must appear once
/// with a well-formed value.
#[uniffi::export]
pub fn parse_auth_headers(headers: Vec<HeaderPair>) -> Result<Arc<ApiKeys>, Arc<HeaderError>> {
    let pairs = headers.iter().map(|h| (h.name.as_str(), h.value.as_str()));
    let keys = core::ApiKeys::from_header_pairs(pairs).wrap()?;
    Ok(Arc::new(ApiKeys(keys)))
}

/// The header that carries the account key (`x-api-key`).
#[uniffi::export]
pub fn account_key_header() -> String {
    core::ACCOUNT_KEY_HEADER.to_string()
}

/// The header that carries the user key (`x-api-secret-key`).
#[uniffi::export]
pub fn user_key_header() -> String {
    core::USER_KEY_HEADER.to_string()
}

//! [`Secret`]: a new key as it crosses to foreign code.

use redis_cloud_auth as core;

/// A secret value (a new account key or user key): printing it shows
/// `** redacted **`; `expose()` returns the text.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct Secret(pub(crate) core::Secret);

#[uniffi::export]
impl Secret {
    /// The secret's text. Every call site is a place a secret leaves its type.
    pub fn expose(&self) -> String {
        self.0.expose().to_string()
    }
}

fmt_as_core!(Secret: Debug, Display);

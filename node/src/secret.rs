//! `Secret`: a key the verifier just created, shown once.

use napi_derive::napi;
use redis_cloud_auth::Secret as CoreSecret;

/// A secret string: redacted in `toString`, `util.inspect` and `JSON.stringify`,
/// read only through `expose()`, compared in constant time.
#[napi]
pub struct Secret {
    pub(crate) inner: CoreSecret,
}

#[napi]
impl Secret {
    /// Wraps `value`.
    #[napi(constructor)]
    pub fn new(value: String) -> Self {
        Secret::from(CoreSecret::new(value))
    }

    /// The secret value itself.
    #[napi]
    pub fn expose(&self) -> String {
        self.inner.expose().to_string()
    }

    /// True when both hold the same value (constant time in the contents).
    #[napi]
    pub fn equals(&self, other: &Secret) -> bool {
        self.inner == other.inner
    }

    /// `** redacted **`.
    #[napi]
    pub fn to_string(&self) -> String {
        self.inner.to_string()
    }

    /// `"** redacted **"` for `JSON.stringify`.
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> String {
        self.inner.to_string()
    }
}

impl From<CoreSecret> for Secret {
    fn from(inner: CoreSecret) -> Self {
        Secret { inner }
    }
}

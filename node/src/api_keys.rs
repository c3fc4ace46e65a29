//! `ApiKeys`, the two request headers, and reading them from a request
//! (whose headers `auth-request.js` reads).

use napi::bindgen_prelude::*;
use napi_derive::napi;
use redis_cloud_auth::{ApiKeys as CoreApiKeys, ACCOUNT_KEY_HEADER, USER_KEY_HEADER};

use crate::errors::throw;
use crate::request::KeyHeader;

/// The account key and user key that authenticate a Redis Cloud API
/// request. Validated on construction; printing it shows only a fingerprint.
#[napi]
#[derive(Clone)]
pub struct ApiKeys {
    pub(crate) inner: CoreApiKeys,
}

/// The two authentication headers, ready for `fetch` or axios.
#[napi(object)]
pub struct AuthHeaders {
    /// The account key.
    #[napi(js_name = "x-api-key")]
    pub account_key: String,
    /// The user key.
    #[napi(js_name = "x-api-secret-key")]
    pub user_key: String,
}

#[napi]
impl ApiKeys {
    /// Validates both keys (visible ASCII, 8 to 256 characters); surrounding
    /// whitespace is trimmed. Throws an `ApiKeyError` with `code` and `key`.
    #[napi(constructor)]
    pub fn new(env: Env, account_key: String, user_key: String) -> Result<Self> {
        let inner = throw(&env, CoreApiKeys::new(account_key, user_key))?;
        Ok(ApiKeys { inner })
    }

    /// A short non-secret identifier of the pair (`sha256:` and 12 hex digits).
    #[napi(getter)]
    pub fn fingerprint(&self) -> String {
        self.inner.fingerprint()
    }

    /// Fingerprint of the account key alone.
    #[napi(getter)]
    pub fn account_fingerprint(&self) -> String {
        self.inner.account_fingerprint()
    }

    /// Fingerprint of the user key alone.
    #[napi(getter)]
    pub fn user_fingerprint(&self) -> String {
        self.inner.user_fingerprint()
    }

    /// The two headers as an object for `fetch`/axios. The values are the secrets.
    #[napi]
    pub fn auth_headers(&self) -> AuthHeaders {
        AuthHeaders {
            account_key: self.inner.account_key().expose().to_string(),
            user_key: self.inner.user_key().expose().to_string(),
        }
    }

    /// The account key itself. Every place a secret leaves this object calls an `expose` method.
    #[napi]
    pub fn expose_account_key(&self) -> String {
        self.inner.account_key().expose().to_string()
    }

    /// The user key itself.
    #[napi]
    pub fn expose_user_key(&self) -> String {
        self.inner.user_key().expose().to_string()
    }

    /// True when both keys are equal (compared in constant time).
    #[napi]
    pub fn equals(&self, other: &ApiKeys) -> bool {
        self.inner == other.inner
    }

    /// `ApiKeys(sha256:…)`: never a key.
    #[napi]
    pub fn to_string(&self) -> String {
        self.inner.to_string()
    }

    /// `{ fingerprint }` for `JSON.stringify`: never a key.
    #[napi(js_name = "toJSON", ts_return_type = "{ fingerprint: string }")]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "fingerprint": self.inner.fingerprint() })
    }
}

/// `parseAuthHeaders` after `auth-request.js` read the headers: the key
/// headers as `_authenticate` takes them. Throws a `HeaderError`.
#[napi(js_name = "_parseAuthHeaders", skip_typescript)]
pub fn parse_auth_headers(env: Env, account_key: Unknown, user_key: Unknown) -> Result<ApiKeys> {
    let raw = env.raw();
    // SAFETY: napi values of this call, read on the JavaScript thread.
    let account_key = unsafe { KeyHeader::read(raw, account_key.raw(), ACCOUNT_KEY_HEADER)? };
    let user_key = unsafe { KeyHeader::read(raw, user_key.raw(), USER_KEY_HEADER)? };
    let pairs: Vec<(&str, &str)> = (account_key.pairs(ACCOUNT_KEY_HEADER))
        .chain(user_key.pairs(USER_KEY_HEADER))
        .collect();
    let inner = throw(&env, CoreApiKeys::from_header_pairs(pairs))?;
    Ok(ApiKeys { inner })
}

//! `ApiKeys`, the two request headers, and reading them from a request.

use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;
use redis_cloud_auth::{ApiKeys as CoreApiKeys, Secret};

use crate::errors::throw;

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

/// What `JSON.stringify` shows of keys: fingerprints only.
#[napi(object)]
pub struct ApiKeysJson {
    /// Fingerprint of the pair.
    pub fingerprint: String,
}

#[napi]
impl ApiKeys {
    /// Validates both keys (visible ASCII, 8 to 256 characters); surrounding
    /// whitespace is trimmed. Throws a `KeyError` with `code` and `key`.
    #[napi(constructor)]
    pub fn new(env: Env, account_key: String, user_key: String) -> Result<Self> {
        let inner = throw(
            &env,
            CoreApiKeys::new(Secret::new(account_key), Secret::new(user_key)),
        )?;
        Ok(ApiKeys { inner })
    }

    /// Reads the keys from a request's headers; see `parseAuthHeaders`.
    #[napi(
        factory,
        ts_args_type = "headers: Record<string, string | string[] | undefined> | Array<[string, string]> | string[] | Iterable<[string, string]>"
    )]
    pub fn from_headers(env: Env, headers: HeaderList) -> Result<Self> {
        parse_auth_headers(env, headers)
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
    #[allow(clippy::inherent_to_string)]
    pub fn to_string(&self) -> String {
        self.inner.to_string()
    }

    /// `{ fingerprint }` for `JSON.stringify`: never a key.
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> ApiKeysJson {
        ApiKeysJson {
            fingerprint: self.inner.fingerprint(),
        }
    }
}

/// Reads the account key and user key from a request's headers: Node's
/// `req.headers` object, `req.rawHeaders`, `[name, value]` pairs, or a Fetch
/// `Headers`. Names match in any case; each header must appear once with a
/// well-formed value. Throws a `HeaderError` with `code` and `header`.
#[napi(
    ts_args_type = "headers: Record<string, string | string[] | undefined> | Array<[string, string]> | string[] | Iterable<[string, string]>"
)]
pub fn parse_auth_headers(env: Env, headers: HeaderList) -> Result<ApiKeys> {
    let pairs = headers.0.iter().map(|(n, v)| (n.as_str(), v.expose()));
    let inner = throw(&env, CoreApiKeys::from_header_pairs(pairs))?;
    Ok(ApiKeys { inner })
}

/// Request headers as received from JavaScript: names, and values held as secrets.
pub struct HeaderList(Vec<(String, Secret)>);

impl HeaderList {
    /// The `(name, value)` pairs, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &Secret)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v))
    }
}

impl TypeName for HeaderList {
    fn type_name() -> &'static str {
        "HeaderList"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ValidateNapiValue for HeaderList {}

fn bad_headers() -> Error {
    Error::new(
        Status::InvalidArg,
        "headers must be an object of header values, an array of [name, value] pairs, or a flat [name, value, ...] array",
    )
}

fn header_string(value: Unknown) -> Result<String> {
    match value.get_type()? {
        ValueType::String => unsafe { String::from_napi_value(value.value().env, value.raw()) },
        _ => Err(bad_headers()),
    }
}

impl FromNapiValue for HeaderList {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        let unknown = unsafe { Unknown::from_napi_value(env, value)? };
        if unknown.get_type()? != ValueType::Object {
            return Err(bad_headers());
        }
        let mut list = Vec::new();
        let value = match iterable_as_array(env, unknown)? {
            Some(array) => array,
            None => value,
        };
        if unknown.is_array()? || value != unknown.raw() {
            let array = unsafe { Array::from_napi_value(env, value)? };
            let items = (0..array.len())
                .map(|i| array.get::<Unknown>(i).map(|v| v.ok_or_else(bad_headers))?)
                .collect::<Result<Vec<_>>>()?;
            let flat = items
                .iter()
                .all(|item| matches!(item.get_type(), Ok(ValueType::String)));
            if flat {
                if items.len() % 2 != 0 {
                    return Err(bad_headers());
                }
                for pair in items.chunks(2) {
                    let name = header_string(pair[0])?;
                    list.push((name, Secret::new(header_string(pair[1])?)));
                }
            } else {
                for item in items {
                    if !item.is_array()? {
                        return Err(bad_headers());
                    }
                    let pair = unsafe { Array::from_napi_value(env, item.raw())? };
                    if pair.len() != 2 {
                        return Err(bad_headers());
                    }
                    let name: Unknown = pair.get(0)?.ok_or_else(bad_headers)?;
                    let value: Unknown = pair.get(1)?.ok_or_else(bad_headers)?;
                    let name = header_string(name)?;
                    list.push((name, Secret::new(header_string(value)?)));
                }
            }
        } else {
            let object = unsafe { Object::from_napi_value(env, value)? };
            for name in Object::keys(&object)? {
                let value: Unknown = object.get_named_property(&name)?;
                match value.get_type()? {
                    ValueType::Undefined => {}
                    ValueType::String => list.push((name, Secret::new(header_string(value)?))),
                    ValueType::Object if value.is_array()? => {
                        let values = unsafe { Array::from_napi_value(env, value.raw())? };
                        for i in 0..values.len() {
                            let one: Unknown = values.get(i)?.ok_or_else(bad_headers)?;
                            list.push((name.clone(), Secret::new(header_string(one)?)));
                        }
                    }
                    _ => return Err(bad_headers()),
                }
            }
        }
        Ok(HeaderList(list))
    }
}

/// `Array.from(value)` for an iterable that is not an array (a Fetch
/// `Headers`, a `Map`), whose entries are not own properties.
fn iterable_as_array(env: sys::napi_env, value: Unknown) -> Result<Option<sys::napi_value>> {
    if value.is_array()? {
        return Ok(None);
    }
    let env = Env::from_raw(env);
    let global = env.get_global()?;
    let symbol: Object = global.get_named_property_unchecked("Symbol")?;
    let iterator: Unknown = symbol.get_named_property("iterator")?;
    let object = unsafe { Object::from_napi_value(env.raw(), value.raw())? };
    let method: Unknown = object.get_property(iterator)?;
    if method.get_type()? != ValueType::Function {
        return Ok(None);
    }
    let array: Object = global.get_named_property_unchecked("Array")?;
    let from: Function<Unknown, Unknown> = array.get_named_property("from")?;
    Ok(Some(from.apply(array, value)?.raw()))
}

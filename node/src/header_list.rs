//! Request headers read from JavaScript: Node's `req.headers` object,
//! `req.rawHeaders`, `[name, value]` pairs, or any iterable of pairs (a
//! Fetch `Headers`, a `Map`).
//!
//! Only the headers the core reads are kept (the two keys and
//! `X-Forwarded-For`); other values are never converted. This is the hot
//! path of `Verifier.authenticateSync`, so it talks to napi directly.

use std::ptr;

use napi::bindgen_prelude::*;
use napi::sys;
use redis_cloud_auth::verify::FORWARDED_FOR_HEADER;
use redis_cloud_auth::{Secret, ACCOUNT_KEY_HEADER, USER_KEY_HEADER};

/// The relevant headers of a request: canonical names, values held as secrets.
pub struct HeaderList(Vec<(&'static str, Secret)>);

impl HeaderList {
    /// The `(name, value)` pairs, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&'static str, &Secret)> {
        self.0.iter().map(|(n, v)| (*n, v))
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
        "headers must be an object of header values, an array of [name, value] pairs, a flat [name, value, ...] array, or an iterable of pairs",
    )
}

fn check(status: sys::napi_status) -> Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(bad_headers())
    }
}

fn type_of(env: sys::napi_env, value: sys::napi_value) -> Result<sys::napi_valuetype> {
    let mut kind = 0;
    check(unsafe { sys::napi_typeof(env, value, &mut kind) })?;
    Ok(kind)
}

fn is_array(env: sys::napi_env, value: sys::napi_value) -> Result<bool> {
    let mut result = false;
    check(unsafe { sys::napi_is_array(env, value, &mut result) })?;
    Ok(result)
}

fn length(env: sys::napi_env, array: sys::napi_value) -> Result<u32> {
    let mut len = 0;
    check(unsafe { sys::napi_get_array_length(env, array, &mut len) })?;
    Ok(len)
}

fn element(env: sys::napi_env, array: sys::napi_value, index: u32) -> Result<sys::napi_value> {
    let mut value = ptr::null_mut();
    check(unsafe { sys::napi_get_element(env, array, index, &mut value) })?;
    Ok(value)
}

/// The canonical name when `name` (a JS string) is a header the core
/// reads; `None` for any other string. Reads at most 24 bytes.
fn relevant(env: sys::napi_env, name: sys::napi_value) -> Result<Option<&'static str>> {
    if type_of(env, name)? != sys::ValueType::napi_string {
        return Err(bad_headers());
    }
    let mut buf = [0u8; 24];
    let mut len = 0usize;
    check(unsafe {
        sys::napi_get_value_string_utf8(env, name, buf.as_mut_ptr().cast(), buf.len(), &mut len)
    })?;
    let name = &buf[..len];
    Ok([ACCOUNT_KEY_HEADER, USER_KEY_HEADER, FORWARDED_FOR_HEADER]
        .into_iter()
        .find(|known| name.eq_ignore_ascii_case(known.as_bytes())))
}

/// A header value: a JS string, read straight into a secret.
fn value_of(env: sys::napi_env, value: sys::napi_value) -> Result<Secret> {
    if type_of(env, value)? != sys::ValueType::napi_string {
        return Err(bad_headers());
    }
    Ok(Secret::new(unsafe { String::from_napi_value(env, value)? }))
}

impl HeaderList {
    fn from_array(env: sys::napi_env, array: sys::napi_value) -> Result<Self> {
        let len = length(env, array)?;
        let mut list = Vec::new();
        let first = if len > 0 {
            Some(element(env, array, 0)?)
        } else {
            None
        };
        let flat = match first {
            Some(first) => type_of(env, first)? == sys::ValueType::napi_string,
            None => true,
        };
        if flat {
            // rawHeaders: name, value, name, value, ...
            if len % 2 != 0 {
                return Err(bad_headers());
            }
            for i in (0..len).step_by(2) {
                if let Some(name) = relevant(env, element(env, array, i)?)? {
                    list.push((name, value_of(env, element(env, array, i + 1)?)?));
                } else if type_of(env, element(env, array, i + 1)?)? != sys::ValueType::napi_string
                {
                    return Err(bad_headers());
                }
            }
        } else {
            for i in 0..len {
                let pair = element(env, array, i)?;
                if !is_array(env, pair)? || length(env, pair)? != 2 {
                    return Err(bad_headers());
                }
                if let Some(name) = relevant(env, element(env, pair, 0)?)? {
                    list.push((name, value_of(env, element(env, pair, 1)?)?));
                }
            }
        }
        Ok(HeaderList(list))
    }

    fn from_object(env: sys::napi_env, object: sys::napi_value) -> Result<Option<Self>> {
        let mut names = ptr::null_mut();
        check(unsafe { sys::napi_get_property_names(env, object, &mut names) })?;
        let count = length(env, names)?;
        if count == 0 {
            return Ok(None);
        }
        let mut list = Vec::new();
        for i in 0..count {
            let key = element(env, names, i)?;
            let Some(name) = relevant(env, key)? else {
                continue;
            };
            let mut value = ptr::null_mut();
            check(unsafe { sys::napi_get_property(env, object, key, &mut value) })?;
            match type_of(env, value)? {
                sys::ValueType::napi_undefined => {}
                sys::ValueType::napi_string => list.push((name, value_of(env, value)?)),
                sys::ValueType::napi_object if is_array(env, value)? => {
                    for j in 0..length(env, value)? {
                        list.push((name, value_of(env, element(env, value, j)?)?));
                    }
                }
                _ => return Err(bad_headers()),
            }
        }
        Ok(Some(HeaderList(list)))
    }
}

/// `Array.from(value)` for an iterable that is not an array (a Fetch
/// `Headers`, a `Map`), whose entries are not own properties.
fn iterable_as_array(
    env: sys::napi_env,
    value: sys::napi_value,
) -> Result<Option<sys::napi_value>> {
    let env = Env::from_raw(env);
    let global = env.get_global()?;
    let symbol: Object = global.get_named_property_unchecked("Symbol")?;
    let iterator: Unknown = symbol.get_named_property("iterator")?;
    let object = unsafe { Object::from_napi_value(env.raw(), value)? };
    let method: Unknown = object.get_property(iterator)?;
    if method.get_type()? != ValueType::Function {
        return Ok(None);
    }
    let array: Object = global.get_named_property_unchecked("Array")?;
    let from: Function<Unknown, Unknown> = array.get_named_property("from")?;
    let value = unsafe { Unknown::from_napi_value(env.raw(), value)? };
    Ok(Some(from.apply(array, value)?.raw()))
}

impl FromNapiValue for HeaderList {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        if type_of(env, value)? != sys::ValueType::napi_object {
            return Err(bad_headers());
        }
        if is_array(env, value)? {
            return HeaderList::from_array(env, value);
        }
        if let Some(list) = HeaderList::from_object(env, value)? {
            return Ok(list);
        }
        // No own properties: a Fetch Headers or a Map, or really no headers.
        match iterable_as_array(env, value)? {
            Some(array) => HeaderList::from_array(env, array),
            None => Ok(HeaderList(Vec::new())),
        }
    }
}

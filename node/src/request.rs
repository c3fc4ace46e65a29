//! The native half of `Verifier.authenticate` and `authenticateSync`: the
//! parts of a request that `auth-request.js` found (method, path, the two
//! key headers, the `X-Forwarded-For` values, the peer), read with direct
//! napi calls into zeroed-on-drop buffers, and checked by the core.

use std::ptr;

use napi::bindgen_prelude::*;
use napi::sys;
use redis_cloud_auth::verify::{
    parse_peer, AuthFailure, AuthRequest, PrincipalRef, Verifier, FORWARDED_FOR_HEADER,
};
use redis_cloud_auth::{Secret, ACCOUNT_KEY_HEADER, USER_KEY_HEADER};
use smallvec::SmallVec;
use zeroize::Zeroize;

use crate::errors::invalid_arg;

/// A JavaScript string read as UTF-8, on the stack when short (a key as
/// issued, most paths); zeroed when dropped, since it may be a key.
pub struct Text {
    stack: [u8; TEXT_STACK],
    len: usize,
    heap: Option<Secret>,
}

const TEXT_STACK: usize = 128; // a check zeroes and moves six: kept small

impl Text {
    /// Reads `value`, which must be a string.
    unsafe fn read(env: sys::napi_env, value: sys::napi_value, what: &str) -> Result<Self> {
        let mut text = Text {
            stack: [0; TEXT_STACK],
            len: 0,
            heap: None,
        };
        let status = unsafe {
            sys::napi_get_value_string_utf8(
                env,
                value,
                text.stack.as_mut_ptr().cast(),
                TEXT_STACK,
                &mut text.len,
            )
        };
        if status != sys::Status::napi_ok {
            return Err(invalid_arg(format!("{what} must be a string")));
        }
        // napi writes whole characters only: a string that may not have
        // fit is read again, into a buffer of its exact length.
        if text.len + 4 >= TEXT_STACK {
            text.heap = Some(Secret::new(unsafe { String::from_napi_value(env, value)? }));
        }
        Ok(text)
    }

    fn as_str(&self) -> &str {
        match &self.heap {
            Some(secret) => secret.expose(),
            // napi wrote UTF-8 (lone surrogates replaced) and whole characters.
            None => std::str::from_utf8(&self.stack[..self.len]).unwrap_or(""),
        }
    }
}

impl Drop for Text {
    fn drop(&mut self) {
        self.stack[..self.len].zeroize();
    }
}

/// A key header (or `X-Forwarded-For`, its values joined) as
/// `auth-request.js` passes it: absent (`undefined`), repeated (`null`, the
/// values are not needed), or its one value.
// The value stays on the stack, where a key is zeroed when dropped.
#[allow(clippy::large_enum_variant)]
pub enum KeyHeader {
    Missing,
    Repeated,
    Once(Text),
}

impl KeyHeader {
    /// Reads the argument `auth-request.js` passes for header `what`.
    ///
    /// # Safety
    /// `env` and `value` come from napi, on the JavaScript thread.
    pub unsafe fn read(env: sys::napi_env, value: sys::napi_value, what: &str) -> Result<Self> {
        Ok(match type_of!(env, value)? {
            ValueType::Undefined => KeyHeader::Missing,
            ValueType::Null => KeyHeader::Repeated,
            _ => KeyHeader::Once(unsafe { Text::read(env, value, what)? }),
        })
    }

    /// The header as `(name, value)` pairs the core reads alike.
    pub fn pairs(&self, name: &'static str) -> impl Iterator<Item = (&'static str, &str)> {
        let values: [Option<&str>; 2] = match self {
            KeyHeader::Missing => [None, None],
            KeyHeader::Repeated => [Some(""), Some("")],
            KeyHeader::Once(text) => [Some(text.as_str()), None],
        };
        values.into_iter().flatten().map(move |value| (name, value))
    }
}

/// What one check reads, owned so that it can cross to a worker thread.
pub struct Parts {
    method: Text,
    path: Text,
    account_key: KeyHeader,
    user_key: KeyHeader,
    forwarded_for: KeyHeader,
    peer: Text,
}

impl Parts {
    /// Reads the arguments `auth-request.js` passes.
    ///
    /// # Safety
    /// `env` and the values come from napi, on the JavaScript thread.
    pub unsafe fn read(env: sys::napi_env, args: [Unknown; 6]) -> Result<Self> {
        let [method, path, account_key, user_key, forwarded, peer] = args.map(|a| a.raw());
        unsafe {
            Ok(Parts {
                method: Text::read(env, method, "method")?,
                path: Text::read(env, path, "path")?,
                account_key: KeyHeader::read(env, account_key, ACCOUNT_KEY_HEADER)?,
                user_key: KeyHeader::read(env, user_key, USER_KEY_HEADER)?,
                forwarded_for: KeyHeader::read(env, forwarded, FORWARDED_FOR_HEADER)?,
                peer: Text::read(env, peer, "peer")?,
            })
        }
    }

    /// The peer as the caller wrote it.
    pub fn peer(&self) -> &str {
        self.peer.as_str()
    }

    /// Runs the core check (the peer parsed by the core's rule), handing
    /// the principal to `read` (see `Verifier::authenticate_with`).
    pub fn check<R>(
        &self,
        verifier: &Verifier,
        read: impl FnOnce(PrincipalRef<'_>) -> R,
    ) -> std::result::Result<R, AuthFailure> {
        let peer = parse_peer(self.peer.as_str())?;
        let pairs: SmallVec<[(&str, &[u8]); 6]> = (self.account_key.pairs(ACCOUNT_KEY_HEADER))
            .chain(self.user_key.pairs(USER_KEY_HEADER))
            .chain(self.forwarded_for.pairs(FORWARDED_FOR_HEADER))
            .map(|(name, value)| (name, value.as_bytes()))
            .collect();
        let request =
            AuthRequest::from_pairs(self.method.as_str(), self.path.as_str(), &pairs, peer);
        verifier.authenticate_with(&request, read)
    }
}

/// A JavaScript string of `value`, as napi returns values.
pub fn js_string<'a>(env: sys::napi_env, value: &str) -> Result<Unknown<'a>> {
    // SAFETY: a value just created, on the JavaScript thread.
    Ok(unsafe { Unknown::from_raw_unchecked(env, <&str>::to_napi_value(env, value)?) })
}

/// Makes sure `table[message]` (see `auth-request.js`) holds the fields of
/// the `AuthFailure` error for `failure`; returns its message, which names
/// one set of fields, as a JavaScript string.
///
/// # Safety
/// `table` (a plain object) comes from napi, on the JavaScript thread.
pub unsafe fn remember_failure<'a>(
    env: &Env,
    table: sys::napi_value,
    failure: &AuthFailure,
) -> Result<Unknown<'a>> {
    let raw = env.raw();
    if type_of!(raw, table)? != ValueType::Object {
        return Err(invalid_arg("the failure table must be an object"));
    }
    let key = js_string(raw, &failure.to_string())?.raw();
    let mut has = false;
    check_status!(unsafe { sys::napi_has_own_property(raw, table, key, &mut has) })?;
    if !has {
        let fields = crate::errors::auth_failure_fields(env, failure)?;
        check_status!(unsafe { sys::napi_set_property(raw, table, key, fields.raw()) })?;
    }
    Ok(unsafe { Unknown::from_raw_unchecked(raw, key) })
}

/// Whether slot `serial % serials.length` of `serials` (a Float64Array, see
/// `auth-request.js`) names `serial`: the key's principal is kept there.
///
/// # Safety
/// `env` and `serials` come from napi, on the JavaScript thread.
pub unsafe fn kept(env: sys::napi_env, serials: sys::napi_value, serial: u64) -> Result<bool> {
    let (mut kind, mut len, mut data, mut offset) = (0, 0, ptr::null_mut(), 0);
    let status = unsafe {
        sys::napi_get_typedarray_info(
            env,
            serials,
            &mut kind,
            &mut len,
            &mut data,
            ptr::null_mut(),
            &mut offset,
        )
    };
    if status != sys::Status::napi_ok || kind != sys::TypedarrayType::float64_array || len == 0 {
        return Err(invalid_arg(
            "the serial table must be a non-empty Float64Array",
        ));
    }
    // SAFETY: napi's view of a live Float64Array of `len` elements; a read.
    let slot = unsafe {
        data.cast::<f64>()
            .add((serial % len as u64) as usize)
            .read()
    };
    Ok(slot == serial as f64)
}

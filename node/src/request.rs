//! The hot path of `Verifier.authenticateSync`: the request object read
//! and the `Principal` object built with direct napi calls (static
//! property names, no intermediate maps), since at a few microseconds per
//! check the boundary costs more than the check.

use std::ffi::CStr;
use std::net::IpAddr;
use std::ptr;

use napi::bindgen_prelude::*;
use napi::sys;
use redis_cloud_auth::verify::Principal as CorePrincipal;
use redis_cloud_auth::Secret;
use zeroize::Zeroize;

use crate::errors::invalid_arg;
use crate::header_list::HeaderList;
use crate::principal_slots::Slot;

/// A request read from JavaScript, owned so it can cross to a worker.
pub struct OwnedRequest {
    pub method: String,
    pub path: String,
    pub headers: HeaderList,
    pub peer: IpAddr,
}

fn ok(status: sys::napi_status, what: &str) -> Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(invalid_arg(format!("cannot read the request's {what}")))
    }
}

fn property(env: sys::napi_env, object: sys::napi_value, name: &CStr) -> Result<sys::napi_value> {
    let mut value = ptr::null_mut();
    ok(
        unsafe { sys::napi_get_named_property(env, object, name.as_ptr(), &mut value) },
        "properties",
    )?;
    Ok(value)
}

fn type_of(env: sys::napi_env, value: sys::napi_value) -> Result<sys::napi_valuetype> {
    let mut kind = 0;
    ok(
        unsafe { sys::napi_typeof(env, value, &mut kind) },
        "properties",
    )?;
    Ok(kind)
}

/// An optional string property; `default` when undefined or null.
fn text(env: sys::napi_env, object: sys::napi_value, name: &CStr, default: &str) -> Result<String> {
    let value = property(env, object, name)?;
    match type_of(env, value)? {
        sys::ValueType::napi_undefined | sys::ValueType::napi_null => Ok(default.to_string()),
        sys::ValueType::napi_string => unsafe { String::from_napi_value(env, value) },
        _ => Err(invalid_arg(format!(
            "request.{} must be a string",
            name.to_string_lossy()
        ))),
    }
}

impl TypeName for OwnedRequest {
    fn type_name() -> &'static str {
        "AuthRequest"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ValidateNapiValue for OwnedRequest {}

impl FromNapiValue for OwnedRequest {
    unsafe fn from_napi_value(env: sys::napi_env, object: sys::napi_value) -> Result<Self> {
        if type_of(env, object)? != sys::ValueType::napi_object {
            return Err(invalid_arg("the request must be an object"));
        }
        let peer = text(env, object, c"peer", "")?;
        let peer = peer
            .trim()
            .parse()
            .map_err(|_| invalid_arg("request.peer must be an IP address"))?;
        let headers = property(env, object, c"headers")?;
        Ok(OwnedRequest {
            method: text(env, object, c"method", "GET")?,
            path: text(env, object, c"path", "/")?,
            headers: unsafe { HeaderList::from_napi_value(env, headers)? },
            peer,
        })
    }
}

/// A `Principal` as a plain JavaScript object.
pub struct PrincipalObject(pub CorePrincipal);

impl TypeName for PrincipalObject {
    fn type_name() -> &'static str {
        "Principal"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

fn set(
    env: sys::napi_env,
    object: sys::napi_value,
    name: &CStr,
    value: sys::napi_value,
) -> Result<()> {
    check_status!(unsafe { sys::napi_set_named_property(env, object, name.as_ptr(), value) })
}

fn string(env: sys::napi_env, value: &str) -> Result<sys::napi_value> {
    let mut out = ptr::null_mut();
    check_status!(unsafe {
        sys::napi_create_string_utf8(env, value.as_ptr().cast(), value.len() as isize, &mut out)
    })?;
    Ok(out)
}

fn number(env: sys::napi_env, value: u64) -> Result<sys::napi_value> {
    let mut out = ptr::null_mut();
    check_status!(unsafe { sys::napi_create_double(env, value as f64, &mut out) })?;
    Ok(out)
}

impl ToNapiValue for PrincipalObject {
    unsafe fn to_napi_value(env: sys::napi_env, principal: Self) -> Result<sys::napi_value> {
        let p = principal.0;
        let mut object = ptr::null_mut();
        check_status!(unsafe { sys::napi_create_object(env, &mut object) })?;
        set(env, object, c"accountId", number(env, p.account_id)?)?;
        set(env, object, c"accountName", string(env, &p.account_name)?)?;
        set(env, object, c"userId", number(env, p.user_id)?)?;
        set(env, object, c"ownerName", string(env, &p.owner_name)?)?;
        set(env, object, c"ownerEmail", string(env, &p.owner_email)?)?;
        set(env, object, c"keyName", string(env, &p.key_name)?)?;
        set(
            env,
            object,
            c"sourceIp",
            string(env, &p.source_ip.to_string())?,
        )?;
        Ok(object)
    }
}

/// A JavaScript string read as UTF-8, on the stack when short; zeroed
/// when dropped, since it may be a key. Filled in place (it is large).
pub struct Text {
    stack: [u8; TEXT_STACK],
    len: usize,
    heap: Option<Secret>,
}

const TEXT_STACK: usize = 320;

impl Text {
    /// An empty text, to [`Text::fill`].
    pub fn new() -> Self {
        Text {
            stack: [0; TEXT_STACK],
            len: 0,
            heap: None,
        }
    }

    /// Reads `value`, which must be a string.
    ///
    /// # Safety
    /// `env` and `value` come from napi, on the JavaScript thread.
    pub unsafe fn fill(
        &mut self,
        env: sys::napi_env,
        value: sys::napi_value,
        what: &str,
    ) -> Result<()> {
        let status = unsafe {
            sys::napi_get_value_string_utf8(
                env,
                value,
                self.stack.as_mut_ptr().cast(),
                TEXT_STACK,
                &mut self.len,
            )
        };
        if status != sys::Status::napi_ok {
            return Err(invalid_arg(format!("{what} must be a string")));
        }
        // napi writes whole characters only: a string that may not have
        // fit is read again, into a buffer of its exact length.
        if self.len + 4 >= TEXT_STACK {
            self.heap = Some(Secret::new(unsafe { String::from_napi_value(env, value)? }));
        }
        Ok(())
    }

    /// The text.
    pub fn as_str(&self) -> &str {
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

/// How often a key header appeared, as the JavaScript layer passes it:
/// absent (`undefined`), repeated (`null`), or once (its value).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// The header is absent.
    Missing,
    /// The header appears more than once (values are not needed).
    Repeated,
    /// The header's one value.
    Once,
}

/// One key header as the JavaScript layer found it.
pub struct KeyHeader {
    presence: Presence,
    value: Text,
}

impl KeyHeader {
    /// An absent header, to [`KeyHeader::fill`].
    pub fn new() -> Self {
        KeyHeader {
            presence: Presence::Missing,
            value: Text::new(),
        }
    }

    /// Reads the argument the JavaScript layer passes.
    ///
    /// # Safety
    /// As [`Text::fill`].
    pub unsafe fn fill(
        &mut self,
        env: sys::napi_env,
        value: sys::napi_value,
        what: &str,
    ) -> Result<()> {
        self.presence = match type_of(env, value)? {
            sys::ValueType::napi_undefined => Presence::Missing,
            sys::ValueType::napi_null => Presence::Repeated,
            _ => {
                unsafe { self.value.fill(env, value, what)? };
                Presence::Once
            }
        };
        Ok(())
    }

    /// Appends the header as `(name, value)` pairs the core reads alike.
    pub fn push<'a>(&'a self, name: &'static str, pairs: &mut Pairs<'a>) {
        match self.presence {
            Presence::Missing => {}
            Presence::Repeated => {
                pairs.push((name, b""));
                pairs.push((name, b""));
            }
            Presence::Once => pairs.push((name, self.value.as_str().as_bytes())),
        }
    }
}

/// The `(name, value)` pairs of one check: on the stack for up to 8.
pub struct Pairs<'a> {
    stack: [(&'a str, &'a [u8]); 8],
    len: usize,
    more: Vec<(&'a str, &'a [u8])>,
}

impl<'a> Pairs<'a> {
    /// No pairs yet.
    pub fn new() -> Self {
        Pairs {
            stack: [("", b""); 8],
            len: 0,
            more: Vec::new(),
        }
    }

    /// Appends one pair.
    pub fn push(&mut self, pair: (&'a str, &'a [u8])) {
        if self.more.is_empty() && self.len < self.stack.len() {
            self.stack[self.len] = pair;
            self.len += 1;
        } else {
            if self.more.is_empty() {
                self.more.extend_from_slice(&self.stack[..self.len]);
            }
            self.more.push(pair);
        }
    }

    /// The pairs, in order.
    pub fn as_slice(&self) -> &[(&'a str, &'a [u8])] {
        if self.more.is_empty() {
            &self.stack[..self.len]
        } else {
            &self.more
        }
    }
}

/// The `X-Forwarded-For` values: `undefined`, one string, or an array of them.
///
/// # Safety
/// As [`Text::read`].
pub unsafe fn forwarded_for(env: sys::napi_env, value: sys::napi_value) -> Result<Vec<Text>> {
    const WHAT: &str = "x-forwarded-for";
    match type_of(env, value)? {
        sys::ValueType::napi_undefined => Ok(Vec::new()),
        sys::ValueType::napi_string => {
            let mut text = Text::new();
            unsafe { text.fill(env, value, WHAT)? };
            Ok(vec![text])
        }
        _ => {
            let mut len = 0;
            ok(
                unsafe { sys::napi_get_array_length(env, value, &mut len) },
                "x-forwarded-for values",
            )?;
            (0..len)
                .map(|i| {
                    let mut item = ptr::null_mut();
                    ok(
                        unsafe { sys::napi_get_element(env, value, i, &mut item) },
                        "x-forwarded-for values",
                    )?;
                    let mut text = Text::new();
                    unsafe { text.fill(env, item, WHAT)? };
                    Ok(text)
                })
                .collect()
        }
    }
}

/// The peer address: the text, trimmed, as an IP address.
pub fn peer_address(peer: &Text) -> Result<IpAddr> {
    peer.as_str()
        .trim()
        .parse()
        .map_err(|_| invalid_arg("request.peer must be an IP address"))
}

/// Whether `ip` is written exactly as `text`.
pub fn written_as(ip: IpAddr, text: &str) -> bool {
    use std::io::Write;
    let mut buf = [0u8; 48];
    let mut out = &mut buf[..];
    if write!(out, "{ip}").is_err() {
        return false;
    }
    let written = 48 - out.len();
    &buf[..written] == text.as_bytes()
}

/// A JavaScript value passed as it is, for arguments read by hand.
pub struct Arg(pub sys::napi_value);

impl TypeName for Arg {
    fn type_name() -> &'static str {
        "unknown"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl ValidateNapiValue for Arg {}

impl FromNapiValue for Arg {
    unsafe fn from_napi_value(_env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        Ok(Arg(value))
    }
}

/// The unchanging part of a `Principal` (all but `sourceIp`), as a plain
/// JavaScript object the JavaScript layer copies from.
pub struct PrincipalTemplate {
    pub account_id: u64,
    pub account_name: String,
    pub user_id: u64,
    pub owner_name: String,
    pub owner_email: String,
    pub key_name: String,
}

impl From<&Slot> for PrincipalTemplate {
    fn from(slot: &Slot) -> Self {
        PrincipalTemplate {
            account_id: slot.account_id,
            account_name: slot.account_name.to_string(),
            user_id: slot.user_id,
            owner_name: slot.owner_name.to_string(),
            owner_email: slot.owner_email.to_string(),
            key_name: slot.key_name.to_string(),
        }
    }
}

impl TypeName for PrincipalTemplate {
    fn type_name() -> &'static str {
        "PrincipalTemplate"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for PrincipalTemplate {
    unsafe fn to_napi_value(env: sys::napi_env, p: Self) -> Result<sys::napi_value> {
        let mut object = ptr::null_mut();
        check_status!(unsafe { sys::napi_create_object(env, &mut object) })?;
        set(env, object, c"accountId", number(env, p.account_id)?)?;
        set(env, object, c"accountName", string(env, &p.account_name)?)?;
        set(env, object, c"userId", number(env, p.user_id)?)?;
        set(env, object, c"ownerName", string(env, &p.owner_name)?)?;
        set(env, object, c"ownerEmail", string(env, &p.owner_email)?)?;
        set(env, object, c"keyName", string(env, &p.key_name)?)?;
        Ok(object)
    }
}

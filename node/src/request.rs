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

use crate::errors::invalid_arg;
use crate::header_list::HeaderList;

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

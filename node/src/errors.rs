//! Core errors as JavaScript `Error` objects with a stable `code`.

use napi::bindgen_prelude::*;
use redis_cloud_auth::verify::{AdminError, AuthFailure};
use redis_cloud_auth::{ClientError, CredentialError, HeaderError, KeyError};

/// Declares `Failure`, a `From` for each core error, and each variant's
/// JavaScript error `name` (the core error type's).
macro_rules! failures {
    ($($(#[$doc:meta])* $variant:ident($error:ty) = $name:literal,)*) => {
        /// Everything a call can fail with, before it becomes a JavaScript error.
        #[derive(Debug)]
        pub enum Failure {
            $($(#[$doc])* $variant($error),)*
            /// The binding itself failed (a background task stopped).
            Internal(String),
        }

        $(impl From<$error> for Failure {
            fn from(err: $error) -> Self {
                Failure::$variant(err)
            }
        })*

        impl Failure {
            /// The JavaScript error's `name`, its stable `code` (the core's) and its message.
            fn parts(&self) -> (&'static str, &'static str, String) {
                match self {
                    $(Failure::$variant(e) => ($name, e.code(), e.to_string()),)*
                    Failure::Internal(m) => ("Error", "internal", m.clone()),
                }
            }
        }
    };
}

failures! {
    /// A key value was rejected.
    Key(KeyError) = "ApiKeyError",
    /// A request's authentication headers could not be read.
    Header(HeaderError) = "HeaderError",
    /// Credentials could not be loaded, saved or resolved.
    Credential(CredentialError) = "CredentialError",
    /// A request did not authenticate.
    Auth(AuthFailure) = "AuthFailure",
    /// An admin operation was refused.
    Admin(AdminError) = "AdminError",
    /// A call to the API failed.
    Client(ClientError) = "ClientError",
}

impl Failure {
    /// Sets `name`, `code`, `detail` (the message) and the fields a caller
    /// may branch on besides `code`.
    fn decorate(self, env: &Env, error: &mut Object) -> Result<()> {
        let (name, code, message) = self.parts();
        error.set_named_property("name", name)?;
        error.set_named_property("code", code)?;
        error.set_named_property("detail", message)?;
        match self {
            Failure::Key(e) => error.set_named_property("key", e.kind().as_str()),
            Failure::Header(e) => error.set_named_property("header", e.header()),
            Failure::Credential(CredentialError::InvalidKey { reason, .. }) => {
                error.set_named_property("key", reason.kind().as_str())
            }
            Failure::Auth(e) => {
                error.set_named_property("httpStatus", e.http_status())?;
                error.set_named_property("publicCode", e.public_code())?;
                error.set_named_property("publicMessage", e.public_message())?;
                error.set_named_property("errorBody", e.error_json())?;
                set_some(error, "header", e.header())?;
                set_some(error, "sourceIp", e.source_ip().map(|ip| ip.to_string()))
            }
            Failure::Client(e) => {
                set_some(error, "status", e.status())?;
                set_some(
                    error,
                    "retryAfter",
                    e.retry_after().map(|w| w.as_secs_f64()),
                )?;
                if let ClientError::Credentials(cause) = e {
                    let cause = Failure::Credential(cause).into_js(env);
                    let cause = env.create_error(cause)?;
                    error.set_named_property("cause", cause)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Builds the JavaScript error; the returned `napi::Error` rethrows that object.
    pub fn into_js(self, env: &Env) -> Error {
        let build = || -> Result<Error> {
            let message = self.parts().2;
            let mut error = env.create_error(Error::new(Status::GenericFailure, message))?;
            self.decorate(env, &mut error)?;
            Ok(Error::from(error.to_unknown()))
        };
        build().unwrap_or_else(|err| err)
    }
}

/// Sets `object[name]` when there is a value; leaves it absent otherwise.
fn set_some<V: ToNapiValue>(object: &mut Object, name: &str, value: Option<V>) -> Result<()> {
    value.map_or(Ok(()), |value| object.set_named_property(name, value))
}

/// The fields of the `AuthFailure` error for `e` on a plain object, for
/// `auth-request.js` to build the error from (see `remember_failure`).
pub fn auth_failure_fields<'env>(env: &'env Env, e: &AuthFailure) -> Result<Object<'env>> {
    let mut fields = Object::new(env)?;
    fields.set_named_property("message", e.to_string())?;
    Failure::Auth(e.clone()).decorate(env, &mut fields)?;
    Ok(fields)
}

/// Runs a fallible conversion and throws its failure as a JavaScript error.
pub fn throw<T>(env: &Env, result: std::result::Result<T, impl Into<Failure>>) -> Result<T> {
    result.map_err(|err| err.into().into_js(env))
}

/// A wrong argument from JavaScript, thrown like napi's own (`code` `InvalidArg`).
pub fn invalid_arg(message: impl Into<String>) -> Error {
    Error::new(Status::InvalidArg, message.into())
}

//! Core errors as JavaScript `Error` objects with a stable `code`.

use napi::bindgen_prelude::*;
use redis_cloud_auth::{CredentialError, HeaderError, KeyError};

/// Everything a call can fail with, before it becomes a JavaScript error.
#[derive(Debug)]
pub enum Failure {
    /// A key value was rejected.
    Key(KeyError),
    /// A request's authentication headers could not be read.
    Header(HeaderError),
    /// Credentials could not be loaded, saved or resolved.
    Credential(CredentialError),
    /// The binding itself failed (a background task stopped).
    Internal(String),
}

impl From<KeyError> for Failure {
    fn from(err: KeyError) -> Self {
        Failure::Key(err)
    }
}

impl From<HeaderError> for Failure {
    fn from(err: HeaderError) -> Self {
        Failure::Header(err)
    }
}

impl From<CredentialError> for Failure {
    fn from(err: CredentialError) -> Self {
        Failure::Credential(err)
    }
}

impl Failure {
    /// The `name` of the JavaScript error: one per core error enum.
    fn name(&self) -> &'static str {
        match self {
            Failure::Key(_) => "KeyError",
            Failure::Header(_) => "HeaderError",
            Failure::Credential(_) => "CredentialError",
            Failure::Internal(_) => "Error",
        }
    }

    /// The stable `code`, taken from the core.
    fn code(&self) -> &'static str {
        match self {
            Failure::Key(e) => e.code(),
            Failure::Header(e) => e.code(),
            Failure::Credential(e) => e.code(),
            Failure::Internal(_) => "internal",
        }
    }

    fn message(&self) -> String {
        match self {
            Failure::Key(e) => e.to_string(),
            Failure::Header(e) => e.to_string(),
            Failure::Credential(e) => e.to_string(),
            Failure::Internal(m) => m.clone(),
        }
    }

    /// Sets the fields a caller may branch on besides `code`.
    fn decorate(&self, error: &mut Object) -> Result<()> {
        match self {
            Failure::Key(e) => error.set_named_property("key", key_kind(e.kind())),
            Failure::Header(e) => error.set_named_property("header", e.header()),
            Failure::Credential(CredentialError::InvalidKey { reason, .. }) => {
                error.set_named_property("key", key_kind(reason.kind()))
            }
            _ => Ok(()),
        }
    }

    /// Builds the JavaScript error; the returned `napi::Error` rethrows that object.
    pub fn into_js(self, env: &Env) -> Error {
        let build = || -> Result<Error> {
            let mut error = env.create_error(Error::new(Status::GenericFailure, self.message()))?;
            error.set_named_property("name", self.name())?;
            error.set_named_property("code", self.code())?;
            self.decorate(&mut error)?;
            Ok(Error::from(error.to_unknown()))
        };
        build().unwrap_or_else(|err| err)
    }
}

/// `account` or `user`, as in the vectors.
pub fn key_kind(kind: redis_cloud_auth::KeyKind) -> &'static str {
    match kind {
        redis_cloud_auth::KeyKind::Account => "account",
        redis_cloud_auth::KeyKind::User => "user",
    }
}

/// Runs a fallible conversion and throws its failure as a JavaScript error.
pub fn throw<T>(env: &Env, result: std::result::Result<T, impl Into<Failure>>) -> Result<T> {
    result.map_err(|err| err.into().into_js(env))
}

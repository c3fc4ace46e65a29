//! A `CredentialStore` written in JavaScript: any object with `save`,
//! `load` and `delete` methods, sync or returning Promises. The chain's
//! worker thread calls them on the JavaScript thread and waits for the
//! value; a call from the JavaScript thread itself is refused.

use std::fmt;
use std::sync::mpsc;
use std::thread::{self, ThreadId};

use napi::bindgen_prelude::*;
use napi::sys;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use redis_cloud_auth::credentials::{
    credentials_from_fields, CredentialError, CredentialStore, Credentials as CoreCredentials,
};
use redis_cloud_auth::Secret;

use crate::credentials::Credentials;
use crate::errors::invalid_arg;

type Outcome<T> = std::result::Result<T, CredentialError>;

/// A JavaScript method callable from any thread; weak, so it never keeps
/// the process alive on its own.
type Method<Args> = ThreadsafeFunction<Args, Unknown<'static>, Args, Status, false, true>;

/// A store implemented in JavaScript.
pub struct JavascriptStore {
    save: Method<FnArgs<(String, Credentials)>>,
    load: Method<String>,
    delete: Method<String>,
    description: String,
    js_thread: ThreadId,
}

impl fmt::Debug for JavascriptStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JavascriptStore")
            .field("description", &self.description)
            .finish()
    }
}

fn method<Args: JsValuesTupleIntoVec + 'static>(
    object: &Object,
    name: &str,
) -> Result<Method<Args>> {
    let function: Function<Args, Unknown> = object
        .get_named_property(name)
        .map_err(|_| invalid_arg(format!("a credential store needs a `{name}` method")))?;
    (function.bind(*object)?)
        .build_threadsafe_function::<Args>()
        .weak::<true>()
        .build()
}

impl JavascriptStore {
    /// Wraps `object`; must be called on the JavaScript thread.
    pub fn new(object: Object) -> Result<Self> {
        let description = (object.get_named_property::<Function<(), Unknown>>("describe"))
            .and_then(|describe| describe.apply(object, ()))
            .and_then(|v| v.coerce_to_string()?.into_utf8()?.into_owned())
            .unwrap_or_else(|_| "JavaScript store".to_string());
        Ok(JavascriptStore {
            save: method(&object, "save")?,
            load: method(&object, "load")?,
            delete: method(&object, "delete")?,
            description,
            js_thread: thread::current().id(),
        })
    }

    /// A `Store` error: the description, then `what` went wrong.
    fn failure(&self, what: impl fmt::Display) -> CredentialError {
        CredentialError::Store(format!("{}{what}", self.description))
    }

    /// Calls a method and waits for its value, or for its Promise to settle.
    fn call<Args, R>(&self, method: &Method<Args>, args: Args) -> Outcome<R>
    where
        Args: JsValuesTupleIntoVec + 'static,
        R: FromNapiValue + Send + 'static,
    {
        if thread::current().id() == self.js_thread {
            return Err(self.failure(" can only be called from an asynchronous call"));
        }
        let (sender, receiver) = mpsc::sync_channel::<Result<Pending<R>>>(1);
        let status = method.call_with_return_value(
            args,
            ThreadsafeFunctionCallMode::Blocking,
            move |returned: Result<Unknown>, env| {
                let _ = sender.send(returned.and_then(|value| unsafe { pending(&env, value) }));
                Ok(())
            },
        );
        if status != Status::Ok {
            return Err(self.failure(" is no longer reachable"));
        }
        let failed = |err: Error| self.failure(format!(": {}", err.reason));
        let pending = receiver
            .recv()
            .map_err(|_| self.failure(" did not answer"))?;
        match pending.map_err(failed)? {
            Pending::Ready(value) => Ok(value),
            Pending::Later(promise) => futures::executor::block_on(promise).map_err(failed),
        }
    }
}

/// A method's return value: plain, or a Promise still to settle.
enum Pending<R: FromNapiValue + 'static> {
    Ready(R),
    Later(Promise<R>),
}

unsafe fn pending<R: FromNapiValue>(env: &Env, value: Unknown) -> Result<Pending<R>> {
    let (env, raw) = (env.raw(), value.raw());
    Ok(match value.is_promise()? {
        true => Pending::Later(unsafe { Promise::from_napi_value(env, raw)? }),
        false => Pending::Ready(unsafe { R::from_napi_value(env, raw)? }),
    })
}

/// The truthiness of a return value (`save`'s is not read).
struct Truthy(bool);

impl FromNapiValue for Truthy {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        let value = unsafe { Unknown::from_napi_value(env, value)? };
        Ok(Truthy(value.coerce_to_bool()?))
    }
}

/// What `load` returned: null or undefined, a `Credentials` object, or
/// `{ accountKey, userKey, baseUrl? }`. Read on the JavaScript thread.
struct Loaded(Outcome<Option<CoreCredentials>>);

fn shape() -> CredentialError {
    let shape = "load must return null, a Credentials object, or { accountKey, userKey, baseUrl? }";
    CredentialError::Store(shape.into())
}

impl FromNapiValue for Loaded {
    unsafe fn from_napi_value(env: sys::napi_env, raw: sys::napi_value) -> Result<Self> {
        type Value<'a> = Option<Either<ClassInstance<'a, Credentials>, Object<'a>>>;
        Ok(Loaded(match unsafe { Value::from_napi_value(env, raw) } {
            Ok(None) => Ok(None),
            Ok(Some(Either::A(found))) => Ok(Some(found.inner.clone())),
            Ok(Some(Either::B(object))) => from_fields(&object).map(Some),
            Err(_) => Err(shape()),
        }))
    }
}

/// The credentials in `{ accountKey, userKey, baseUrl? }`.
fn from_fields(object: &Object) -> Outcome<CoreCredentials> {
    let text = |name| (object.get_named_property::<Option<String>>(name)).map_err(|_| shape());
    let secret = |name| text(name).map(|value| value.map(Secret::new));
    let (account_key, user_key) = (secret("accountKey")?, secret("userKey")?);
    credentials_from_fields(
        "a JavaScript store",
        account_key,
        user_key,
        text("baseUrl")?,
    )
}

impl CredentialStore for JavascriptStore {
    fn save(&self, profile: &str, credentials: &CoreCredentials) -> Outcome<()> {
        let inner = credentials.clone();
        let args = FnArgs::from((profile.to_string(), Credentials { inner }));
        self.call::<_, Truthy>(&self.save, args).map(|_| ())
    }

    fn load(&self, profile: &str) -> Outcome<Option<CoreCredentials>> {
        self.call::<_, Loaded>(&self.load, profile.to_string())?.0
    }

    fn delete(&self, profile: &str) -> Outcome<bool> {
        self.call::<_, Truthy>(&self.delete, profile.to_string())
            .map(|t| t.0)
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}

//! Work off the JavaScript thread (API calls, and blocking work: files,
//! keychain, SQLite) resolved as a JavaScript Promise.

use std::future::Future;

use napi::bindgen_prelude::*;

use crate::errors::Failure;

/// Runs `future` on napi's tokio runtime; the Promise settles on the JS thread.
pub fn promise<'env, T, E, F>(env: &'env Env, future: F) -> Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    E: Into<Failure> + Send + 'static,
    F: Future<Output = std::result::Result<T, E>> + Send + 'static,
{
    env.spawn_future_with_callback(async move { Ok(future.await) }, |env, outcome| {
        outcome.map_err(|err| err.into().into_js(env))
    })
}

/// Runs `work` on tokio's blocking pool, settled as `promise` settles.
pub fn blocking<'env, T, F>(env: &'env Env, work: F) -> Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    F: FnOnce() -> std::result::Result<T, Failure> + Send + 'static,
{
    promise(env, async move {
        (tokio::task::spawn_blocking(work).await)
            .unwrap_or_else(|_| Err(Failure::Internal("a background task failed".into())))
    })
}

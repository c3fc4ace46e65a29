//! Blocking work (files, keychain, SQLite) on a worker thread, resolved
//! as a JavaScript Promise.

use napi::bindgen_prelude::*;

use crate::errors::Failure;

/// Runs `work` on tokio's blocking pool; the Promise settles on the JS thread.
pub fn blocking<'env, T, F>(env: &'env Env, work: F) -> Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    F: FnOnce() -> std::result::Result<T, Failure> + Send + 'static,
{
    env.spawn_future_with_callback(
        async move {
            Ok(tokio::task::spawn_blocking(work)
                .await
                .unwrap_or_else(|_| Err(Failure::Internal("a background task failed".into()))))
        },
        |env, outcome| outcome.map_err(|failure| failure.into_js(env)),
    )
}

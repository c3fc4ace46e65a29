//! UniFFI bindings of `redis_cloud_auth` for Python, Kotlin and Swift: conversions
//! over the core, no rule of the domain; errors typed, never a secret.

uniffi::setup_scaffolding!("redis_cloud_auth_ffi");

#[macro_use]
mod convert;

pub mod client;
pub mod credentials;
pub mod errors;
pub mod fast_path;
pub mod headers;
pub mod keys;
pub mod records;
pub mod secret;
pub mod verifier;
#[cfg(unix)]
pub mod wakeup;

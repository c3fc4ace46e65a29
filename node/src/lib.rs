//! Node.js binding of redis-cloud-auth: thin napi-rs wrappers over the
//! Rust core. Every rule lives in the core; these modules only convert.

// napi registers exports only outside test builds, so checking this crate
// in test mode (`clippy --all-targets`) would see them as unused.
#![cfg_attr(test, allow(dead_code))]
// Classes have the `toString` JavaScript calls; argument lists are the API's.
#![allow(clippy::inherent_to_string, clippy::too_many_arguments)]

mod api_keys;
mod background;
mod client;
mod credentials;
mod errors;
mod javascript_store;
mod request;
mod secret;
mod stores;
mod verifier;

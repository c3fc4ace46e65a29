//! Authentication for the Redis Cloud REST API, both sides.
//!
//! Every request to the API carries two keys in HTTP headers: the account
//! key (`x-api-key`) and a personal user key (`x-api-secret-key`). This
//! crate holds them as [`Secret`]s, loads and saves them
//! ([`credentials`]), turns them into headers ([`headers`]), sends them
//! ([`Client`], [`BlockingClient`]), and, on the server side, decides
//! whether a request authenticates.
//!
//! ```
//! use redis_cloud_auth::ApiKeys;
//!
//! let keys = ApiKeys::new("AccountKey0123", "UserKey0123456")?;
//! let headers = keys.header_map();
//! assert_eq!(headers.len(), 2);
//! # Ok::<(), redis_cloud_auth::KeyError>(())
//! ```

#![warn(missing_docs)]

// The crate README's Rust example, run as a doctest. The repository
// README's are in `hardening`, a crate that is never published: that file
// lies outside this crate's package.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct CrateReadme;

pub mod api;
pub mod client;
pub mod credentials;
pub mod headers;
mod key_digest;
pub mod keys;
#[cfg(feature = "tower")]
pub mod layer;
pub mod model;
pub mod secret;
pub mod store;
pub mod verify;

pub use api::SystemLogEntry;
pub use client::{ApiResponse, BlockingClient, Client, ClientBuilder, ClientError};
pub use credentials::{CredentialChain, CredentialError, CredentialStore, Credentials};
pub use headers::{HeaderError, ACCOUNT_KEY_HEADER, USER_KEY_HEADER};
pub use keys::{ApiKeys, KeyError, KeyKind};
pub use secret::Secret;
pub use verify::{AuthFailure, AuthRequest, Principal, Verifier};

/// The Redis Cloud API's base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.redislabs.com/v1";

/// This crate's version, used in the client's user agent.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

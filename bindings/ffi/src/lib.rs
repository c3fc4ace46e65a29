//! UniFFI bindings of `redis_cloud_auth` for Python, Kotlin and Swift: wrapper
//! types and conversions over the core, no rule of the domain; every error is
//! typed, its text from the core, never a secret.

uniffi::setup_scaffolding!("redis_cloud_auth_ffi");

#[macro_use]
mod convert;

mod client;
mod credentials;
mod errors;
pub mod fast_path;
mod headers;
mod keys;
mod records;
mod secret;
mod verifier;

pub use client::{ApiResponse, BlockingClient, Client, ClientOptions};
pub use credentials::{
    default_file_store, file_store, keychain_store, memory_store, CredentialChain,
    CredentialSource, CredentialStore, Credentials, Resolved,
};
pub use errors::{AdminError, ApiKeyError, AuthFailure, ClientError, CredentialError, HeaderError};
pub use headers::{account_key_header, parse_auth_headers, user_key_header, HeaderPair};
pub use keys::{key_fingerprint, ApiKeys, KeyKind};
pub use records::{AccountInfo, KeyInfo, Owner, SystemLogEntry, SystemLogPage};
pub use secret::Secret;
pub use verifier::{AuthRequest, Principal, Role, UserInfo, UserKeyInfo, Verifier};

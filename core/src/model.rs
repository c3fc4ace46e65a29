//! The data model shared by the store and the verifier: ids, roles and key
//! hashes. Depends on nothing else in the crate, so `store` and `verify`
//! both build on it without importing each other.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// An account id, assigned by the store.
pub type AccountId = u64;
/// A user id, assigned by the store.
pub type UserId = u64;

/// A user's role in an account. Only owners hold user keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Manages the account and its API keys.
    Owner,
    /// Works with the account's resources.
    Member,
    /// Reads the account's resources.
    Viewer,
    /// Manages billing.
    BillingAdmin,
    /// Reads logs.
    LogsViewer,
}

impl Role {
    /// Every role, in a stable order.
    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Member,
        Role::Viewer,
        Role::BillingAdmin,
        Role::LogsViewer,
    ];

    /// The role's stable name: `owner`, `member`, `viewer`,
    /// `billing-admin`, `logs-viewer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Member => "member",
            Role::Viewer => "viewer",
            Role::BillingAdmin => "billing-admin",
            Role::LogsViewer => "logs-viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of [`Role::as_str`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}; expected owner, member, viewer, billing-admin or logs-viewer")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    /// Parses a role name (as [`Role::as_str`] writes it, any case).
    ///
    /// ```
    /// use redis_cloud_auth::verify::Role;
    /// assert_eq!("billing-admin".parse::<Role>().unwrap(), Role::BillingAdmin);
    /// assert!("admin".parse::<Role>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

/// The SHA-256 digest of a key: what stores keep and indexes look up.
///
/// Equality is constant time. `Debug` shows a short prefix only, which is
/// safe: the digest of a random key reveals nothing about it.
#[derive(Clone, Copy)]
pub struct KeyHash([u8; 32]);

impl KeyHash {
    /// Hashes a key value.
    pub fn of(key: &str) -> Self {
        KeyHash(crate::key_digest::digest(key.as_bytes()))
    }

    /// Hashes two key values, such as a request's account key and user
    /// key: the same digests as two calls of [`KeyHash::of`], in about the
    /// time of one where the CPU has SHA instructions.
    pub fn of_pair(a: &str, b: &str) -> (Self, Self) {
        let (a, b) = crate::key_digest::digest_pair(a.as_bytes(), b.as_bytes());
        (KeyHash(a), KeyHash(b))
    }

    /// Wraps a digest read from a store.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        KeyHash(bytes)
    }

    /// The digest bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl PartialEq for KeyHash {
    /// Constant time: every byte is compared, with no early exit.
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        let mut diff = 0u64;
        for (a, b) in self.0.chunks_exact(8).zip(other.0.chunks_exact(8)) {
            let a = u64::from_le_bytes(a.try_into().expect("8 bytes"));
            let b = u64::from_le_bytes(b.try_into().expect("8 bytes"));
            diff |= a ^ b;
        }
        // `black_box` keeps the optimiser from turning the fold into an early exit.
        std::hint::black_box(diff) == 0
    }
}

impl Eq for KeyHash {}

impl Hash for KeyHash {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // The digest is already uniform: its first 8 bytes are the hash.
        state.write_u64(u64::from_le_bytes(self.0[..8].try_into().expect("8 bytes")));
    }
}

impl fmt::Debug for KeyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyHash({}…)", hex::encode(&self.0[..4]))
    }
}

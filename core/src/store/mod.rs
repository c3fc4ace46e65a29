//! Where the verifier's accounts, users, user keys and system log live: the
//! [`Store`] trait, an in-memory store and the embedded SQLite store; with
//! the `redis` feature, `RedisStore`, shared by a fleet of verifiers.
//!
//! A store holds records and applies [`Mutation`]s; every rule about who
//! may do what lives in [`crate::verify`], once. A store only ever sees the
//! SHA-256 hashes of keys, never a key itself.
//!
//! Every store also keeps a **change feed**: each mutation it applies is
//! recorded, with the version it produced, in the same transaction as the
//! mutation itself, and the newest [`CHANGE_FEED_LEN`] are kept. A verifier
//! that notices another process's commit reads only the changes after the
//! version its index reflects ([`Store::changes_since`]) and applies them,
//! instead of reloading everything.

mod change_probe;
mod memory;
mod mutation_codec;
mod packed_log;
#[cfg(feature = "redis")]
mod redis;
mod sqlite;

#[cfg(feature = "redis")]
pub use self::redis::{RedisOptions, RedisStore};
pub use memory::{MemoryStore, DEFAULT_LOG_CAPACITY};
pub use mutation_codec::{UndecodableMutation, MUTATION_FORMAT};
pub use sqlite::{SqliteStore, MIGRATIONS};

use crate::api::SystemLogEntry;
use crate::model::{KeyHash, Role};

/// Why a store could not do what was asked. Carries no SQL text and no
/// secret; the underlying error is reported through `tracing`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The store changed since the caller's snapshot (another process
    /// committed first); reload and retry.
    #[error("the store changed concurrently")]
    Conflict,
    /// A uniqueness rule of the store was broken (for example a key name
    /// taken by another process at the same moment).
    #[error("a record with the same {0} already exists")]
    Duplicate(&'static str),
    /// The store could not be read or written (I/O, corruption, locking).
    #[error("the store is unavailable while {0}")]
    Unavailable(&'static str),
    /// The file is not a store this library can read: not an SQLite
    /// database, or a damaged one. Retrying does not help.
    #[error("the file is not a valid store ({0})")]
    Corrupt(&'static str),
    /// The store was written by a newer version of this library.
    #[error("the store has schema version {found}; this library knows up to {known}")]
    NewerSchema {
        /// Schema version found in the file.
        found: i64,
        /// Newest schema version this library knows.
        known: i64,
    },
}

impl StoreError {
    /// Stable snake_case code, the same in every language.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Conflict => "store_conflict",
            StoreError::Duplicate(_) => "store_duplicate",
            StoreError::Unavailable(_) => "store_unavailable",
            StoreError::Corrupt(_) => "store_corrupt",
            StoreError::NewerSchema { .. } => "store_newer_schema",
        }
    }
}

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    /// Account id, assigned by the store.
    pub id: u64,
    /// Display name.
    pub name: String,
    /// Whether the API is enabled (disabled by default).
    pub api_enabled: bool,
    /// Hash of the account key, once one was created.
    pub account_key_hash: Option<KeyHash>,
    /// Creation time, Unix seconds.
    pub created_at: i64,
    /// Last change, Unix seconds.
    pub updated_at: i64,
}

/// A user of an account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// User id, assigned by the store.
    pub id: u64,
    /// The account the user belongs to.
    pub account_id: u64,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Role in the account.
    pub role: Role,
    /// Creation time, Unix seconds.
    pub created_at: i64,
}

/// A user key as stored: its hash, never the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserKeyRecord {
    /// The account the key belongs to.
    pub account_id: u64,
    /// The owner (a user with the owner role when the key was created).
    pub owner_id: u64,
    /// Key name, unique in the account.
    pub name: String,
    /// SHA-256 of the key.
    pub secret_hash: KeyHash,
    /// Normalised CIDR entries; empty allows every source.
    pub allow_list: Vec<String>,
    /// Creation time, Unix seconds.
    pub created_at: i64,
}

/// Everything a verifier indexes, read in one consistent transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The store's change counter when the snapshot was read.
    pub version: u64,
    /// Every account.
    pub accounts: Vec<AccountRecord>,
    /// Every user.
    pub users: Vec<UserRecord>,
    /// Every user key.
    pub user_keys: Vec<UserKeyRecord>,
}

/// One admin change, applied by a store as a single transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mutation {
    /// Creates an account (API disabled, no account key); the store assigns its id.
    CreateAccount {
        /// Display name.
        name: String,
        /// Unix seconds.
        at: i64,
    },
    /// Adds a user to an account; the store assigns its id.
    AddUser {
        /// The account.
        account_id: u64,
        /// Display name.
        name: String,
        /// Email address.
        email: String,
        /// Role.
        role: Role,
        /// Unix seconds.
        at: i64,
    },
    /// Changes a user's role.
    SetUserRole {
        /// The user.
        user_id: u64,
        /// New role.
        role: Role,
    },
    /// Sets whether the API is enabled and, when `account_key_hash` is
    /// set, replaces the account key.
    SetApi {
        /// The account.
        account_id: u64,
        /// Enabled flag after the change.
        enabled: bool,
        /// New account key hash, or `None` to keep the current one.
        account_key_hash: Option<KeyHash>,
        /// Unix seconds.
        at: i64,
    },
    /// Stores a new user key.
    CreateUserKey(UserKeyRecord),
    /// Replaces a user key's allow list.
    SetAllowList {
        /// The account.
        account_id: u64,
        /// Key name.
        name: String,
        /// Normalised CIDR entries.
        allow_list: Vec<String>,
    },
    /// Deletes a user key.
    DeleteUserKey {
        /// The account.
        account_id: u64,
        /// Key name.
        name: String,
    },
}

/// What a store reports after applying a [`Mutation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// The id of a created account or user (0 for other changes).
    pub id: u64,
    /// The store's change counter after the change.
    pub version: u64,
}

/// How many of the newest changes every store keeps in its change feed.
/// Older entries are trimmed in the transaction that adds a new one; a
/// verifier further behind than this reloads fully.
pub const CHANGE_FEED_LEN: u64 = 10_000;

/// One committed mutation, as a store's change feed reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The store's change counter after this mutation.
    pub version: u64,
    /// The id of a created account or user, as [`Applied::id`] reported
    /// it (0 for other changes).
    pub id: u64,
    /// What changed.
    pub mutation: Mutation,
}

/// Whether `changes` are the changes right after version `since`, one per
/// version, in order, with no gap.
pub(crate) fn follow_on(since: u64, changes: &[Change]) -> bool {
    changes
        .iter()
        .enumerate()
        .all(|(n, change)| Some(change.version) == since.checked_add(n as u64 + 1))
}

/// What [`Store::changes_since`] answers, given the changes a store found
/// after `since` and its current version: all of them, or `None` when any
/// is missing.
pub(crate) fn complete_feed(since: u64, current: u64, changes: Vec<Change>) -> Option<Vec<Change>> {
    let complete =
        current >= since && current - since == changes.len() as u64 && follow_on(since, &changes);
    complete.then_some(changes)
}

/// A system-log entry to append; the store assigns its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLogEntry {
    /// The account whose log receives the entry.
    pub account_id: u64,
    /// The entry, whose `id` the store replaces.
    pub entry: SystemLogEntry,
}

/// Persistence for the verifier. Implementations apply each mutation
/// atomically, record it in their change feed in the same transaction, and
/// report changes made by other processes cheaply.
pub trait Store: Send + Sync + 'static {
    /// Reads every account, user and user key in one consistent view.
    fn load(&self) -> Result<Snapshot, StoreError>;

    /// A token that changes whenever anyone (this or another process)
    /// commits to the store. Called before every authentication, so it must
    /// be cheap; a store no other process can write returns a constant.
    fn change_token(&self) -> Result<u64, StoreError>;

    /// The store's change counter, bumped by every [`Mutation`] (not by
    /// system-log writes).
    fn version(&self) -> Result<u64, StoreError>;

    /// Applies `mutation` in one transaction if the store's change counter
    /// still equals `expected_version`, else fails with
    /// [`StoreError::Conflict`]. The same transaction bumps the counter by
    /// one and adds the change to the feed ([`Store::changes_since`]).
    fn apply(&self, expected_version: u64, mutation: &Mutation) -> Result<Applied, StoreError>;

    /// The change feed: every change after version `since`, oldest first,
    /// up to the store's current version, read in one consistent view.
    /// `Some(vec![])` when nothing changed; `None` when the store no
    /// longer holds (or never held) all of them, or `since` is ahead of
    /// the store: the caller must then reload fully with [`Store::load`].
    ///
    /// A store without a feed keeps this default, which always answers
    /// `None`.
    fn changes_since(&self, since: u64) -> Result<Option<Vec<Change>>, StoreError> {
        let _ = since;
        Ok(None)
    }

    /// Appends system-log entries, in order, in one transaction.
    fn append_log(&self, entries: &[NewLogEntry]) -> Result<(), StoreError>;

    /// Reads an account's system log, newest first.
    fn read_log(
        &self,
        account_id: u64,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<SystemLogEntry>, StoreError>;
}

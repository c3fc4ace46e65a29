//! [`MemoryStore`]: records in process memory, for tests, the emulator and
//! single-process deployments. Nothing survives the process.
//!
//! Several verifiers may share one store (`Arc<MemoryStore>`): the change
//! token is the change counter, and the change feed keeps the newest
//! [`CHANGE_FEED_LEN`] changes, so each sees the others' changes at its next
//! authentication.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

use super::packed_log::PackedLog;
use super::{
    complete_feed, AccountRecord, Applied, Change, Mutation, NewLogEntry, Snapshot, Store,
    StoreError, UserKeyRecord, UserRecord, CHANGE_FEED_LEN,
};
use crate::api::SystemLogEntry;

/// How many system-log entries the in-memory store keeps per account by
/// default; older entries are dropped first.
pub const DEFAULT_LOG_CAPACITY: usize = 100_000;

/// A store in process memory.
///
/// The system log keeps the newest [`DEFAULT_LOG_CAPACITY`] entries per
/// account (see [`MemoryStore::with_log_capacity`]).
///
/// ```
/// use redis_cloud_auth::store::{MemoryStore, Store};
///
/// let store = MemoryStore::new();
/// assert!(store.load().unwrap().accounts.is_empty());
/// ```
#[derive(Debug)]
pub struct MemoryStore {
    state: Mutex<State>,
    /// The change counter again, read without the lock by `change_token`.
    version: AtomicU64,
    log_capacity: usize,
}

#[derive(Debug, Default)]
struct State {
    version: u64,
    next_account_id: u64,
    next_user_id: u64,
    next_log_id: u64,
    accounts: BTreeMap<u64, AccountRecord>,
    users: BTreeMap<u64, UserRecord>,
    user_keys: HashMap<(u64, String), UserKeyRecord>,
    logs: HashMap<u64, PackedLog>,
    /// The newest changes, oldest first, at most `CHANGE_FEED_LEN`.
    feed: VecDeque<Change>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::with_log_capacity(DEFAULT_LOG_CAPACITY)
    }

    /// An empty store keeping at most `capacity` system-log entries per account.
    pub fn with_log_capacity(capacity: usize) -> Self {
        MemoryStore {
            state: Mutex::new(State::default()),
            version: AtomicU64::new(0),
            log_capacity: capacity.max(1),
        }
    }
}

impl Store for MemoryStore {
    fn load(&self) -> Result<Snapshot, StoreError> {
        let state = self.state.lock();
        Ok(Snapshot {
            version: state.version,
            accounts: state.accounts.values().cloned().collect(),
            users: state.users.values().cloned().collect(),
            user_keys: state.user_keys.values().cloned().collect(),
        })
    }

    fn change_token(&self) -> Result<u64, StoreError> {
        // Only mutations matter: system-log appends never move the token.
        Ok(self.version.load(Ordering::Acquire))
    }

    fn version(&self) -> Result<u64, StoreError> {
        Ok(self.state.lock().version)
    }

    fn apply(&self, expected_version: u64, mutation: &Mutation) -> Result<Applied, StoreError> {
        let mut state = self.state.lock();
        if state.version != expected_version {
            return Err(StoreError::Conflict);
        }
        let id = state.apply(mutation)?;
        state.version += 1;
        let version = state.version;
        if state.feed.len() as u64 >= CHANGE_FEED_LEN {
            state.feed.pop_front();
        }
        state.feed.push_back(Change {
            version,
            id,
            mutation: mutation.clone(),
        });
        self.version.store(version, Ordering::Release);
        Ok(Applied { id, version })
    }

    fn changes_since(&self, since: u64) -> Result<Option<Vec<Change>>, StoreError> {
        let state = self.state.lock();
        // The feed holds consecutive versions ending at the current one.
        let skip = match state.feed.front() {
            Some(oldest) => since.saturating_add(1).saturating_sub(oldest.version),
            None => 0,
        };
        let changes = state
            .feed
            .iter()
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
            .cloned()
            .collect();
        Ok(complete_feed(since, state.version, changes))
    }

    fn append_log(&self, entries: &[NewLogEntry]) -> Result<(), StoreError> {
        let mut state = self.state.lock();
        for new in entries {
            state.next_log_id += 1;
            let id = state.next_log_id;
            let log = state.logs.entry(new.account_id).or_default();
            log.push(id, &new.entry, self.log_capacity);
        }
        Ok(())
    }

    fn read_log(
        &self,
        account_id: u64,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<SystemLogEntry>, StoreError> {
        let state = self.state.lock();
        let Some(log) = state.logs.get(&account_id) else {
            return Ok(Vec::new());
        };
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        Ok(log.page(offset, limit as usize))
    }
}

impl State {
    fn apply(&mut self, mutation: &Mutation) -> Result<u64, StoreError> {
        match mutation {
            Mutation::CreateAccount { name, at } => {
                self.next_account_id += 1;
                let id = self.next_account_id;
                self.accounts.insert(
                    id,
                    AccountRecord {
                        id,
                        name: name.clone(),
                        api_enabled: false,
                        account_key_hash: None,
                        created_at: *at,
                        updated_at: *at,
                    },
                );
                return Ok(id);
            }
            Mutation::AddUser {
                account_id,
                name,
                email,
                role,
                at,
            } => {
                if !self.accounts.contains_key(account_id) {
                    return Err(StoreError::Unavailable("finding the account"));
                }
                self.next_user_id += 1;
                let id = self.next_user_id;
                self.users.insert(
                    id,
                    UserRecord {
                        id,
                        account_id: *account_id,
                        name: name.clone(),
                        email: email.clone(),
                        role: *role,
                        created_at: *at,
                    },
                );
                return Ok(id);
            }
            Mutation::SetUserRole { user_id, role } => {
                let user = self.users.get_mut(user_id);
                user.ok_or(StoreError::Unavailable("finding the user"))?
                    .role = *role;
            }
            Mutation::SetApi {
                account_id,
                enabled,
                account_key_hash,
                at,
            } => {
                let account = self.accounts.get_mut(account_id);
                let account = account.ok_or(StoreError::Unavailable("finding the account"))?;
                account.api_enabled = *enabled;
                if let Some(hash) = account_key_hash {
                    account.account_key_hash = Some(*hash);
                }
                account.updated_at = *at;
            }
            Mutation::CreateUserKey(record) => {
                let slot = (record.account_id, record.name.clone());
                if self.user_keys.contains_key(&slot) {
                    return Err(StoreError::Duplicate("key name"));
                }
                self.user_keys.insert(slot, record.clone());
            }
            Mutation::SetAllowList {
                account_id,
                name,
                allow_list,
            } => {
                let key = self.user_keys.get_mut(&(*account_id, name.clone()));
                key.ok_or(StoreError::Unavailable("finding the user key"))?
                    .allow_list = allow_list.clone();
            }
            Mutation::DeleteUserKey { account_id, name } => {
                self.user_keys.remove(&(*account_id, name.clone()));
            }
        }
        Ok(0)
    }
}

//! The verifier's in-memory index of the store: what `authenticate` reads.
//! Built from a [`Snapshot`] and kept current by applying each committed
//! [`Mutation`]: the verifier's own, and others' read from the store's
//! change feed.

use std::collections::HashMap;
use std::sync::Arc;

use super::allow_list::AllowList;
use super::key_material::{DigestState, IdState, KeyHash};
use super::model::KEY_NAME_MAX;
use super::model::{AccountId, Role, UserId};
use super::source_ip::TrustedProxies;
use super::system_log::InlineText;
use crate::store::{AccountRecord, Mutation, Snapshot, UserKeyRecord, UserRecord};

/// An account as indexed.
#[derive(Debug, Clone)]
pub(crate) struct AccountEntry {
    pub name: Arc<str>,
    pub api_enabled: bool,
    pub key_hash: Option<KeyHash>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A user as indexed.
#[derive(Debug, Clone)]
pub(crate) struct UserEntry {
    pub account_id: AccountId,
    pub name: Arc<str>,
    pub email: Arc<str>,
    pub role: Role,
}

/// A user key as indexed, stored in the hash table's slot next to its
/// hash: what a request reads comes first and needs no pointer chase.
#[derive(Debug)]
#[repr(C)]
pub(crate) struct KeyEntry {
    pub account_id: AccountId,
    pub owner_id: UserId,
    pub allow_list: AllowList,
    /// The name again, inline, for the request path.
    pub hot_name: InlineText<KEY_NAME_MAX>,
    /// The serial `PrincipalRef::key_serial` gives (see [`Index::next_serial`]).
    pub serial: u64,
    pub name: Arc<str>,
    pub created_at: i64,
}

/// Everything `authenticate` and the admin checks read.
#[derive(Debug, Default)]
pub(crate) struct Index {
    /// The store's change token this index reflects.
    pub token: u64,
    /// The store's change counter this index reflects.
    pub version: u64,
    pub accounts: HashMap<AccountId, AccountEntry, IdState>,
    pub account_keys: HashMap<KeyHash, AccountId, DigestState>,
    pub users: HashMap<UserId, UserEntry, IdState>,
    pub user_keys: HashMap<KeyHash, KeyEntry, DigestState>,
    /// (account, key name) to the key's hash.
    pub key_names: HashMap<(AccountId, Arc<str>), KeyHash>,
    pub proxies: TrustedProxies,
    /// The serial the next key indexed gets. Serials count up from 1 in
    /// each verifier and are never reused in it; a reload gives a key whose
    /// principal fields changed a new one, so a serial names one set of
    /// them, and a binding may keep what it built from them by serial.
    pub next_serial: u64,
}

impl Index {
    /// Builds the data part of an index from a snapshot. A key that
    /// `previous` (the index this one replaces) holds with the same
    /// account, owner, name and principal fields keeps its serial.
    pub fn from_snapshot(
        snapshot: Snapshot,
        token: u64,
        proxies: TrustedProxies,
        previous: Option<&Index>,
    ) -> Self {
        let mut index = Index {
            token,
            version: snapshot.version,
            proxies,
            next_serial: previous.map_or(1, |p| p.next_serial),
            ..Index::default()
        };
        index.user_keys.reserve(snapshot.user_keys.len());
        index.key_names.reserve(snapshot.user_keys.len());
        for account in snapshot.accounts {
            index.put_account(account);
        }
        for user in snapshot.users {
            index.put_user(user);
        }
        for key in snapshot.user_keys {
            let kept = previous
                .and_then(|p| Some((p, p.user_keys.get(&key.secret_hash)?)))
                .filter(|(p, e)| {
                    (e.account_id, e.owner_id, &*e.name)
                        == (key.account_id, key.owner_id, key.name.as_str())
                        && index.principal_fields(e.account_id, e.owner_id)
                            == p.principal_fields(e.account_id, e.owner_id)
                });
            index.put_key(&key, kept.map(|(_, e)| e.serial));
        }
        index
    }

    /// The account's name and the owner's name and email: what a
    /// principal holds besides the key's own fields.
    fn principal_fields(&self, account: AccountId, owner: UserId) -> Option<(&str, &str, &str)> {
        let (a, u) = (self.accounts.get(&account)?, self.users.get(&owner)?);
        Some((&a.name, &u.name, &u.email))
    }

    fn put_account(&mut self, a: AccountRecord) {
        if let Some(old) = self.accounts.get(&a.id).and_then(|e| e.key_hash) {
            self.account_keys.remove(&old);
        }
        if let Some(hash) = a.account_key_hash {
            self.account_keys.insert(hash, a.id);
        }
        self.accounts.insert(
            a.id,
            AccountEntry {
                name: a.name.into(),
                api_enabled: a.api_enabled,
                key_hash: a.account_key_hash,
                created_at: a.created_at,
                updated_at: a.updated_at,
            },
        );
    }

    fn put_user(&mut self, u: UserRecord) {
        self.users.insert(
            u.id,
            UserEntry {
                account_id: u.account_id,
                name: u.name.into(),
                email: u.email.into(),
                role: u.role,
            },
        );
    }

    /// Indexes `k` under `serial`, or the next one.
    fn put_key(&mut self, k: &UserKeyRecord, serial: Option<u64>) {
        // A list that no longer parses fails closed: the key is left out.
        let allow_list = match AllowList::parse(&k.allow_list) {
            Ok(list) => list,
            Err(error) => {
                tracing::warn!(key = %k.name, account = k.account_id, %error,
                    "stored allow list is invalid; the key will not authenticate");
                return;
            }
        };
        let name: Arc<str> = k.name.as_str().into();
        let serial = serial.unwrap_or_else(|| {
            self.next_serial += 1;
            self.next_serial - 1
        });
        self.key_names
            .insert((k.account_id, name.clone()), k.secret_hash);
        self.user_keys.insert(
            k.secret_hash,
            KeyEntry {
                account_id: k.account_id,
                owner_id: k.owner_id,
                allow_list,
                hot_name: InlineText::new(&[&name]),
                serial,
                name,
                created_at: k.created_at,
            },
        );
    }

    /// The key named `name` in `account`, with its hash.
    pub fn key_by_name(&self, account: AccountId, name: &str) -> Option<(KeyHash, &KeyEntry)> {
        let hash = *self.key_names.get(&(account, Arc::from(name)))?;
        self.user_keys.get(&hash).map(|k| (hash, k))
    }

    /// Applies a mutation the store committed (`id`: a created account or
    /// user; `version`: the store's counter after it).
    pub fn apply(&mut self, mutation: &Mutation, id: u64, version: u64) {
        self.version = version;
        match mutation {
            Mutation::CreateAccount { name, at } => self.put_account(AccountRecord {
                id,
                name: name.clone(),
                api_enabled: false,
                account_key_hash: None,
                created_at: *at,
                updated_at: *at,
            }),
            Mutation::AddUser {
                account_id,
                name,
                email,
                role,
                at,
            } => self.put_user(UserRecord {
                id,
                account_id: *account_id,
                name: name.clone(),
                email: email.clone(),
                role: *role,
                created_at: *at,
            }),
            Mutation::SetUserRole { user_id, role } => {
                if let Some(user) = self.users.get_mut(user_id) {
                    user.role = *role;
                }
            }
            Mutation::SetApi {
                account_id,
                enabled,
                account_key_hash,
                at,
            } => {
                if let Some(account) = self.accounts.get_mut(account_id) {
                    account.api_enabled = *enabled;
                    account.updated_at = *at;
                    if let Some(new) = account_key_hash {
                        if let Some(old) = account.key_hash.replace(*new) {
                            self.account_keys.remove(&old);
                        }
                        self.account_keys.insert(*new, *account_id);
                    }
                }
            }
            Mutation::CreateUserKey(record) => self.put_key(record, None),
            Mutation::SetAllowList {
                account_id,
                name,
                allow_list,
            } => {
                let slot = (*account_id, Arc::from(name.as_str()));
                let Some(hash) = self.key_names.get(&slot).copied() else {
                    return;
                };
                match AllowList::parse(allow_list) {
                    Ok(list) => {
                        if let Some(key) = self.user_keys.get_mut(&hash) {
                            key.allow_list = list;
                        }
                    }
                    Err(error) => {
                        // Fails closed, as when loading: the key is left out.
                        tracing::warn!(key = %name, account = account_id, %error,
                            "changed allow list is invalid; the key will not authenticate");
                        self.key_names.remove(&slot);
                        self.user_keys.remove(&hash);
                    }
                }
            }
            Mutation::DeleteUserKey { account_id, name } => {
                if let Some(hash) = self
                    .key_names
                    .remove(&(*account_id, Arc::from(name.as_str())))
                {
                    self.user_keys.remove(&hash);
                }
            }
        }
    }
}

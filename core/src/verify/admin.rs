//! Admin operations: accounts, users and roles, API enablement, user keys
//! and their allow lists. Each is one store transaction; the index is
//! updated before the call returns.

use super::allow_list::{AllowList, CidrError};
use super::index::Index;
use super::key_material::{generate_key, KeyHash, ACCOUNT_KEY_LEN, USER_KEY_LEN};
use super::model::{
    iso8601, now, validate_email, validate_key_name, validate_text, AccountId, Role, UserId,
    UserInfo, UserKeyInfo,
};
use super::{AuthFailure, Principal, Verifier};
use crate::api::{AccountInfo, AccountResponse, KeyInfo, Owner, SystemLogEntry, LOG_MAX_LIMIT};
use crate::secret::Secret;
use crate::store::{Mutation, StoreError, UserKeyRecord};

/// Why an admin operation was refused. Never carries a secret or SQL text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    /// The account, user or key does not exist.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for (`account`, `user`, `user key`, `account key`).
        what: &'static str,
    },
    /// The acting user is not an owner of the account, or the key's
    /// assignee is not an owner of the account.
    #[error("not allowed: {reason}")]
    NotAllowed {
        /// Which rule refused it.
        reason: &'static str,
    },
    /// A name, email or key name breaks its rule.
    #[error("invalid {what}: {reason}")]
    InvalidName {
        /// Which value (`key name`, `account name`, `user name`, `email`).
        what: &'static str,
        /// The rule it breaks.
        reason: &'static str,
    },
    /// A key with this name already exists in the account.
    #[error("a user key named {name:?} already exists in the account")]
    NameTaken {
        /// The name.
        name: String,
    },
    /// An allow-list entry is not a valid CIDR.
    #[error("invalid allow-list entry {entry:?}: {reason}")]
    InvalidCidr {
        /// The entry as written.
        entry: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The allow list has more entries than allowed.
    #[error("an allow list holds at most {max} entries")]
    AllowListTooLong {
        /// The limit.
        max: usize,
    },
    /// The OS random generator failed.
    #[error("the system random generator failed")]
    Randomness,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<CidrError> for AdminError {
    fn from(error: CidrError) -> Self {
        match error {
            CidrError::Invalid { entry, reason } => AdminError::InvalidCidr { entry, reason },
            CidrError::TooMany { max } => AdminError::AllowListTooLong { max },
        }
    }
}

impl AdminError {
    /// Stable snake_case code, the same in every language.
    pub fn code(&self) -> &'static str {
        match self {
            AdminError::NotFound { .. } => "not_found",
            AdminError::NotAllowed { .. } => "not_allowed",
            AdminError::InvalidName { .. } => "invalid_name",
            AdminError::NameTaken { .. } => "name_taken",
            AdminError::InvalidCidr { .. } => "invalid_cidr",
            AdminError::AllowListTooLong { .. } => "allow_list_too_long",
            AdminError::Randomness => "randomness",
            AdminError::Store(e) => e.code(),
        }
    }
}

const ACCOUNT: AdminError = AdminError::NotFound { what: "account" };
const USER: AdminError = AdminError::NotFound { what: "user" };
const USER_KEY: AdminError = AdminError::NotFound { what: "user key" };

fn new_key(len: usize) -> Result<Secret, AdminError> {
    generate_key(len).map_err(|_| AdminError::Randomness)
}

/// Checks that `user` is an owner of `account`.
fn require_owner(
    index: &Index,
    account: AccountId,
    user: UserId,
    reason: &'static str,
) -> Result<(), AdminError> {
    let user = index.users.get(&user).ok_or(USER)?;
    if user.account_id != account || user.role != Role::Owner {
        return Err(AdminError::NotAllowed { reason });
    }
    Ok(())
}

impl Verifier {
    /// Runs one admin change: checks it against a current index, commits it
    /// to the store if nothing changed meanwhile, then updates the index.
    /// Retries when another process committed first.
    fn change<T>(
        &self,
        mut plan: impl FnMut(&Index) -> Result<(Mutation, T), AdminError>,
    ) -> Result<(T, u64), AdminError> {
        let admin = self.admin.lock();
        let mut attempts = 0;
        loop {
            attempts += 1;
            self.refresh_locked(&admin)?;
            let (mutation, out, version) = {
                let index = self.index.read();
                let (mutation, out) = plan(&index)?;
                (mutation, out, index.version)
            };
            match self.store.apply(version, &mutation) {
                Ok(applied) => {
                    self.index
                        .write()
                        .apply(&mutation, applied.id, applied.version);
                    return Ok((out, applied.id));
                }
                Err(StoreError::Conflict) if attempts < 10 => {
                    let token = self.store.change_token()?;
                    self.catch_up(&admin, token)?;
                }
                Err(StoreError::Duplicate(_)) => {
                    if let Mutation::CreateUserKey(key) = &mutation {
                        return Err(AdminError::NameTaken {
                            name: key.name.clone(),
                        });
                    }
                    return Err(StoreError::Duplicate("record").into());
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Creates an account (API disabled) and returns its id.
    pub fn create_account(&self, name: &str) -> Result<AccountId, AdminError> {
        validate_text("account name", name)?;
        let mutation = Mutation::CreateAccount {
            name: name.to_string(),
            at: now(),
        };
        let ((), id) = self.change(|_| Ok((mutation.clone(), ())))?;
        Ok(id)
    }

    /// Adds a user to an account and returns the user's id.
    pub fn add_user(
        &self,
        account: AccountId,
        name: &str,
        email: &str,
        role: Role,
    ) -> Result<UserId, AdminError> {
        validate_text("user name", name)?;
        validate_email(email)?;
        let at = now();
        let ((), id) = self.change(|index| {
            index.accounts.get(&account).ok_or(ACCOUNT)?;
            Ok((
                Mutation::AddUser {
                    account_id: account,
                    name: name.to_string(),
                    email: email.to_string(),
                    role,
                    at,
                },
                (),
            ))
        })?;
        Ok(id)
    }

    /// Changes a user's role. A key whose owner loses the owner role stops
    /// authenticating (and works again if the role comes back).
    pub fn set_user_role(
        &self,
        account: AccountId,
        user: UserId,
        role: Role,
    ) -> Result<(), AdminError> {
        self.change(|index| {
            let found = index.users.get(&user).ok_or(USER)?;
            if found.account_id != account {
                return Err(USER);
            }
            Ok((
                Mutation::SetUserRole {
                    user_id: user,
                    role,
                },
                (),
            ))
        })?;
        Ok(())
    }

    /// Enables the API. The first call creates the account key and returns
    /// it: the only time it can be read. Later calls (also after
    /// [`Verifier::disable_api`]) keep the existing key and return `None`;
    /// replacing it is [`Verifier::rotate_account_key`].
    pub fn enable_api(&self, account: AccountId) -> Result<Option<Secret>, AdminError> {
        let fresh = new_key(ACCOUNT_KEY_LEN)?;
        let hash = KeyHash::of(fresh.expose());
        let (created, _) = self.change(|index| {
            let found = index.accounts.get(&account).ok_or(ACCOUNT)?;
            let key = if found.key_hash.is_none() {
                Some(hash)
            } else {
                None
            };
            Ok((
                Mutation::SetApi {
                    account_id: account,
                    enabled: true,
                    account_key_hash: key,
                    at: now(),
                },
                key.is_some(),
            ))
        })?;
        Ok(created.then_some(fresh))
    }

    /// Disables the API: every request of the account fails with
    /// [`AuthFailure::ApiDisabled`]. The account key is kept.
    pub fn disable_api(&self, account: AccountId) -> Result<(), AdminError> {
        self.change(|index| {
            index.accounts.get(&account).ok_or(ACCOUNT)?;
            Ok((
                Mutation::SetApi {
                    account_id: account,
                    enabled: false,
                    account_key_hash: None,
                    at: now(),
                },
                (),
            ))
        })?;
        Ok(())
    }

    /// Replaces the account key (an operator action) and returns the new
    /// one, once. The old key stops working when this returns. Fails with
    /// `NotFound { what: "account key" }` before the API was first enabled.
    pub fn rotate_account_key(&self, account: AccountId) -> Result<Secret, AdminError> {
        let fresh = new_key(ACCOUNT_KEY_LEN)?;
        let hash = KeyHash::of(fresh.expose());
        self.change(|index| {
            let found = index.accounts.get(&account).ok_or(ACCOUNT)?;
            if found.key_hash.is_none() {
                return Err(AdminError::NotFound {
                    what: "account key",
                });
            }
            Ok((
                Mutation::SetApi {
                    account_id: account,
                    enabled: found.api_enabled,
                    account_key_hash: Some(hash),
                    at: now(),
                },
                (),
            ))
        })?;
        Ok(fresh)
    }

    /// Creates a user key named `name` for `owner` and returns it, once.
    ///
    /// `acting_user` must be an owner of `account`; `owner` must be an
    /// owner of `account` too (an owner may create keys for another owner).
    /// Names are unique in the account. `allow_list` holds CIDRs (see
    /// [`AllowList`]); empty allows every source.
    pub fn create_user_key<S: AsRef<str>>(
        &self,
        account: AccountId,
        acting_user: UserId,
        owner: UserId,
        name: &str,
        allow_list: &[S],
    ) -> Result<Secret, AdminError> {
        validate_key_name(name)?;
        let list = AllowList::parse(allow_list)?;
        let secret = new_key(USER_KEY_LEN)?;
        let hash = KeyHash::of(secret.expose());
        let at = now();
        self.change(|index| {
            index.accounts.get(&account).ok_or(ACCOUNT)?;
            require_owner(
                index,
                account,
                acting_user,
                "only an owner of the account may create user keys",
            )?;
            require_owner(
                index,
                account,
                owner,
                "a user key may be assigned only to an owner of the account",
            )?;
            if index.key_by_name(account, name).is_some() {
                return Err(AdminError::NameTaken {
                    name: name.to_string(),
                });
            }
            Ok((
                Mutation::CreateUserKey(UserKeyRecord {
                    account_id: account,
                    owner_id: owner,
                    name: name.to_string(),
                    secret_hash: hash,
                    allow_list: list.entries().to_vec(),
                    created_at: at,
                }),
                (),
            ))
        })?;
        Ok(secret)
    }

    /// Replaces a user key's allow list. `acting_user` must be an owner of
    /// the account.
    pub fn set_allow_list<S: AsRef<str>>(
        &self,
        account: AccountId,
        acting_user: UserId,
        name: &str,
        allow_list: &[S],
    ) -> Result<(), AdminError> {
        let list = AllowList::parse(allow_list)?;
        self.change(|index| {
            require_owner(
                index,
                account,
                acting_user,
                "only an owner of the account may change allow lists",
            )?;
            index.key_by_name(account, name).ok_or(USER_KEY)?;
            Ok((
                Mutation::SetAllowList {
                    account_id: account,
                    name: name.to_string(),
                    allow_list: list.entries().to_vec(),
                },
                (),
            ))
        })?;
        Ok(())
    }

    /// Deletes a user key. `acting_user` must be an owner of the account.
    /// Once this returns, the key never authenticates again.
    pub fn delete_user_key(
        &self,
        account: AccountId,
        acting_user: UserId,
        name: &str,
    ) -> Result<(), AdminError> {
        self.change(|index| {
            require_owner(
                index,
                account,
                acting_user,
                "only an owner of the account may delete user keys",
            )?;
            index.key_by_name(account, name).ok_or(USER_KEY)?;
            Ok((
                Mutation::DeleteUserKey {
                    account_id: account,
                    name: name.to_string(),
                },
                (),
            ))
        })?;
        Ok(())
    }

    /// The account's user keys, by name; never a secret.
    pub fn list_user_keys(&self, account: AccountId) -> Result<Vec<UserKeyInfo>, AdminError> {
        self.refresh()?;
        let index = self.index.read();
        index.accounts.get(&account).ok_or(ACCOUNT)?;
        let mut keys: Vec<UserKeyInfo> = index
            .key_names
            .iter()
            .filter(|((a, _), _)| *a == account)
            .filter_map(|(_, hash)| index.user_keys.get(hash))
            .map(|key| {
                let owner = index.users.get(&key.owner_id);
                UserKeyInfo {
                    name: key.name.to_string(),
                    account_id: key.account_id,
                    owner_id: key.owner_id,
                    owner_name: owner.map(|o| o.name.to_string()).unwrap_or_default(),
                    owner_email: owner.map(|o| o.email.to_string()).unwrap_or_default(),
                    allow_list: key.allow_list.entries().to_vec(),
                    created_timestamp: iso8601(key.created_at),
                    active: owner.is_some_and(|o| o.role == Role::Owner),
                }
            })
            .collect();
        keys.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(keys)
    }

    /// The account's users, by id.
    pub fn list_users(&self, account: AccountId) -> Result<Vec<UserInfo>, AdminError> {
        self.refresh()?;
        let index = self.index.read();
        index.accounts.get(&account).ok_or(ACCOUNT)?;
        let mut users: Vec<UserInfo> = index
            .users
            .iter()
            .filter(|(_, u)| u.account_id == account)
            .map(|(id, u)| UserInfo {
                id: *id,
                account_id: u.account_id,
                name: u.name.to_string(),
                email: u.email.to_string(),
                role: u.role,
            })
            .collect();
        users.sort_by_key(|u| u.id);
        Ok(users)
    }

    /// Whether the account has the API enabled.
    pub fn api_enabled(&self, account: AccountId) -> Result<bool, AdminError> {
        self.refresh()?;
        let index = self.index.read();
        Ok(index.accounts.get(&account).ok_or(ACCOUNT)?.api_enabled)
    }

    /// The account's system log, newest first: `limit` entries (at most
    /// [`LOG_MAX_LIMIT`]) after skipping `offset`. Waits for queued entries
    /// to be written first.
    pub fn system_log(
        &self,
        account: AccountId,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<SystemLogEntry>, AdminError> {
        self.refresh()?;
        self.index.read().accounts.get(&account).ok_or(ACCOUNT)?;
        self.log.flush()?;
        Ok(self
            .store
            .read_log(account, offset, limit.min(LOG_MAX_LIMIT))?)
    }

    /// Waits until every queued system-log entry is in the store.
    pub fn flush_system_log(&self) -> Result<(), AdminError> {
        Ok(self.log.flush()?)
    }

    /// The body of `GET /v1/` for an authenticated request: the account and
    /// the calling key (no secret).
    pub fn describe_account(&self, principal: &Principal) -> Result<AccountResponse, AdminError> {
        let index = self.index.read();
        let account = index.accounts.get(&principal.account_id).ok_or(ACCOUNT)?;
        let (_, key) = index
            .key_by_name(principal.account_id, &principal.key_name)
            .ok_or(USER_KEY)?;
        let owner = index.users.get(&key.owner_id).ok_or(USER)?;
        Ok(AccountResponse {
            account: AccountInfo {
                id: principal.account_id,
                name: account.name.to_string(),
                created_timestamp: Some(iso8601(account.created_at)),
                updated_timestamp: Some(iso8601(account.updated_at)),
                key: KeyInfo {
                    name: key.name.to_string(),
                    account_id: principal.account_id,
                    account_name: account.name.to_string(),
                    allowed_source_ips: key.allow_list.entries().to_vec(),
                    created_timestamp: Some(iso8601(key.created_at)),
                    owner: Owner {
                        name: owner.name.to_string(),
                        email: owner.email.to_string(),
                    },
                    http_source_ip: Some(principal.source_ip.to_string()),
                },
            },
        })
    }
}

impl From<StoreError> for AuthFailure {
    fn from(error: StoreError) -> Self {
        tracing::warn!(%error, "authentication could not read the store");
        AuthFailure::StoreUnavailable
    }
}

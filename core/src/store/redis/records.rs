//! How records are laid out in Redis: the key names under a prefix, and
//! the JSON value of each account, user and user key.
//!
//! | key | type | holds |
//! |---|---|---|
//! | `P version` | string | the change counter, bumped by every mutation |
//! | `P ids` | string | the last account or user id handed out |
//! | `P accounts` | hash | account id to [`StoredAccount`] JSON |
//! | `P users` | hash | user id to [`StoredUser`] JSON |
//! | `P user_keys` | hash | `ACCOUNT:NAME` to [`StoredKey`] JSON |
//! | `P key_hashes` | hash | user-key hash (hex) to its `ACCOUNT:NAME` |
//! | `P log_ids` | string | the last system-log entry id handed out |
//! | `P log_seq` | hash | account id to the number of entries in its log |
//! | `P log:ACCOUNT` | stream | the account's system log, entry `N-0` is its Nth |
//! | `P log_batch:ID` | string | marks a written log batch for a day, so a retry is skipped |
//! | `P changes` | pub/sub channel | the new version after each mutation |
//! | `P feed` | stream | the change feed: entry `V-0` is the mutation that made version `V`, fields `id` (the account or user it created, else 0) and `mutation` (its binary encoding); capped near `CHANGE_FEED_LEN` entries |

use serde::{Deserialize, Serialize};

use crate::model::{KeyHash, Role};
use crate::store::{AccountRecord, UserKeyRecord, UserRecord};

/// The names of every key of one store, under its prefix.
#[derive(Debug, Clone)]
pub(super) struct Keys {
    pub prefix: String,
    pub version: String,
    pub ids: String,
    pub accounts: String,
    pub users: String,
    pub user_keys: String,
    pub key_hashes: String,
    pub log_ids: String,
    pub log_seq: String,
    pub changes: String,
    pub feed: String,
}

impl Keys {
    /// The key names under `prefix`.
    pub fn new(prefix: &str) -> Self {
        let key = |name: &str| format!("{prefix}{name}");
        Keys {
            prefix: prefix.to_string(),
            version: key("version"),
            ids: key("ids"),
            accounts: key("accounts"),
            users: key("users"),
            user_keys: key("user_keys"),
            key_hashes: key("key_hashes"),
            log_ids: key("log_ids"),
            log_seq: key("log_seq"),
            changes: key("changes"),
            feed: key("feed"),
        }
    }

    /// The stream holding `account`'s system log.
    pub fn log(&self, account: u64) -> String {
        format!("{}log:{account}", self.prefix)
    }
}

/// The `user_keys` field of a key: unambiguous, as key names hold no `:`.
pub(super) fn key_field(account_id: u64, name: &str) -> String {
    format!("{account_id}:{name}")
}

/// An account as stored (its id is the hash field).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct StoredAccount {
    pub name: String,
    pub api_enabled: bool,
    /// Hex SHA-256 of the account key.
    pub account_key_hash: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A user as stored (its id is the hash field).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct StoredUser {
    pub account_id: u64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub created_at: i64,
}

/// A user key as stored: its hash, never the key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct StoredKey {
    pub account_id: u64,
    pub owner_id: u64,
    pub name: String,
    /// Hex SHA-256 of the user key.
    pub secret_hash: String,
    pub allow_list: Vec<String>,
    pub created_at: i64,
}

/// A stored value that does not decode (written by something else).
#[derive(Debug)]
pub(super) struct Undecodable;

fn hash_from_hex(text: &str) -> Result<KeyHash, Undecodable> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(text, &mut bytes).map_err(|_| Undecodable)?;
    Ok(KeyHash::from_bytes(bytes))
}

/// Hex text of a key hash.
pub(super) fn hash_hex(hash: &KeyHash) -> String {
    hex::encode(hash.as_bytes())
}

/// JSON text of a stored value.
pub(super) fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("stored records serialise")
}

/// Decodes a stored JSON value.
pub(super) fn from_json<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, Undecodable> {
    serde_json::from_str(text).map_err(|_| Undecodable)
}

impl StoredAccount {
    /// The record of account `id`.
    pub fn into_record(self, id: u64) -> Result<AccountRecord, Undecodable> {
        Ok(AccountRecord {
            id,
            name: self.name,
            api_enabled: self.api_enabled,
            account_key_hash: self
                .account_key_hash
                .as_deref()
                .map(hash_from_hex)
                .transpose()?,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

impl StoredUser {
    /// The record of user `id`.
    pub fn into_record(self, id: u64) -> Result<UserRecord, Undecodable> {
        Ok(UserRecord {
            id,
            account_id: self.account_id,
            name: self.name,
            email: self.email,
            role: self.role.parse::<Role>().map_err(|_| Undecodable)?,
            created_at: self.created_at,
        })
    }
}

impl StoredKey {
    /// The stored form of `record`.
    pub fn from_record(record: &UserKeyRecord) -> Self {
        StoredKey {
            account_id: record.account_id,
            owner_id: record.owner_id,
            name: record.name.clone(),
            secret_hash: hash_hex(&record.secret_hash),
            allow_list: record.allow_list.clone(),
            created_at: record.created_at,
        }
    }

    /// The record this value holds.
    pub fn into_record(self) -> Result<UserKeyRecord, Undecodable> {
        Ok(UserKeyRecord {
            account_id: self.account_id,
            owner_id: self.owner_id,
            name: self.name,
            secret_hash: hash_from_hex(&self.secret_hash)?,
            allow_list: self.allow_list,
            created_at: self.created_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_round_trips_through_its_stored_form() {
        let record = UserKeyRecord {
            account_id: 7,
            owner_id: 9,
            name: "ci-deploy-key".into(),
            secret_hash: KeyHash::of("secret value"),
            allow_list: vec!["10.0.0.0/8".into()],
            created_at: 1_700_000_000,
        };
        let text = to_json(&StoredKey::from_record(&record));
        assert!(!text.contains("secret value"));
        let back = from_json::<StoredKey>(&text)
            .unwrap()
            .into_record()
            .unwrap();
        assert_eq!(back, record);
    }

    #[test]
    fn garbage_does_not_decode() {
        assert!(from_json::<StoredKey>("{").is_err());
        let bad_hash = StoredAccount {
            name: "a".into(),
            api_enabled: true,
            account_key_hash: Some("zz".into()),
            created_at: 0,
            updated_at: 0,
        };
        assert!(bad_hash.into_record(1).is_err());
        let bad_role = StoredUser {
            account_id: 1,
            name: "a".into(),
            email: "a@example.com".into(),
            role: "admin".into(),
            created_at: 0,
        };
        assert!(bad_role.into_record(2).is_err());
    }

    #[test]
    fn key_names_live_under_the_prefix() {
        let keys = Keys::new("{rcauth}:");
        assert_eq!(keys.version, "{rcauth}:version");
        assert_eq!(keys.log(12), "{rcauth}:log:12");
        assert_eq!(key_field(3, "ci-deploy-key"), "3:ci-deploy-key");
    }
}

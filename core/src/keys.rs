//! [`ApiKeys`]: the account key and user key pair, validated, with a
//! non-secret fingerprint for display and logs.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::secret::Secret;

/// Header that carries the account key.
pub const ACCOUNT_KEY_HEADER: &str = "x-api-key";
/// Header that carries the user key.
pub const USER_KEY_HEADER: &str = "x-api-secret-key";

/// Shortest key accepted, in bytes.
pub const MIN_KEY_LEN: usize = 8;
/// Longest key accepted, in bytes.
pub const MAX_KEY_LEN: usize = 256;

/// Which of the two keys a message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// The account key, sent as `x-api-key`.
    Account,
    /// The personal user key, sent as `x-api-secret-key`.
    User,
}

impl KeyKind {
    /// The HTTP header that carries this key.
    pub fn header(self) -> &'static str {
        match self {
            KeyKind::Account => ACCOUNT_KEY_HEADER,
            KeyKind::User => USER_KEY_HEADER,
        }
    }

    /// `account` or `user`: the stable name every language shows (as in the vectors).
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Account => "account",
            KeyKind::User => "user",
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyKind::Account => "account key",
            KeyKind::User => "user key",
        })
    }
}

/// Why a key value was rejected. Never carries the value itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key is empty or only whitespace.
    #[error("the {0} is empty")]
    Empty(KeyKind),
    /// The key is shorter than [`MIN_KEY_LEN`] or longer than [`MAX_KEY_LEN`].
    #[error("the {kind} has {len} characters; expected {MIN_KEY_LEN} to {MAX_KEY_LEN}")]
    Length {
        /// Which key.
        kind: KeyKind,
        /// Its length in bytes.
        len: usize,
    },
    /// The key holds a character outside visible ASCII (space, control, non-ASCII).
    #[error("the {kind} has a character that is not visible ASCII at position {position}")]
    Character {
        /// Which key.
        kind: KeyKind,
        /// Zero-based byte position of the first bad character.
        position: usize,
    },
}

impl KeyError {
    /// Stable snake_case code, the same in every language.
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::Empty(_) => "empty_key",
            KeyError::Length { .. } => "key_length",
            KeyError::Character { .. } => "key_character",
        }
    }

    /// Which key was rejected.
    pub fn kind(&self) -> KeyKind {
        match self {
            KeyError::Empty(kind) => *kind,
            KeyError::Length { kind, .. } | KeyError::Character { kind, .. } => *kind,
        }
    }

    /// The key's length in bytes, for [`KeyError::Length`].
    pub fn length(&self) -> Option<usize> {
        match self {
            KeyError::Length { len, .. } => Some(*len),
            _ => None,
        }
    }

    /// Zero-based byte position of the first bad character, for [`KeyError::Character`].
    pub fn position(&self) -> Option<usize> {
        match self {
            KeyError::Character { position, .. } => Some(*position),
            _ => None,
        }
    }
}

/// Checks one key value: non-empty, visible ASCII (`!` to `~`), length in bounds.
///
/// Visible ASCII excludes space, CR, LF and every control character, so a
/// valid key can never break an HTTP header.
pub fn validate_key(kind: KeyKind, value: &str) -> Result<(), KeyError> {
    let bytes = value.as_bytes();
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(KeyError::Empty(kind));
    }
    if let Some(position) = bytes.iter().position(|b| !b.is_ascii_graphic()) {
        return Err(KeyError::Character { kind, position });
    }
    if !(MIN_KEY_LEN..=MAX_KEY_LEN).contains(&bytes.len()) {
        return Err(KeyError::Length {
            kind,
            len: bytes.len(),
        });
    }
    Ok(())
}

/// A short, non-secret identifier of a key: the first 12 hex digits of its
/// SHA-256, prefixed `sha256:`. Safe for logs and display.
pub fn fingerprint(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    format!("sha256:{}", hex::encode(&digest[..6]))
}

/// The two keys that authenticate a Redis Cloud API request.
///
/// ```
/// use redis_cloud_auth::ApiKeys;
///
/// let keys = ApiKeys::new("A1b2C3d4E5f6account", "S9y8X7w6V5userkey").unwrap();
/// assert!(keys.fingerprint().starts_with("sha256:"));
/// assert!(!format!("{keys:?}").contains("A1b2C3d4E5f6account"));
/// assert!(ApiKeys::new("", "S9y8X7w6V5userkey").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeys {
    account_key: Secret,
    user_key: Secret,
}

/// Hashes the fingerprint, never a key: equal pairs hash alike, as `Eq` needs.
impl std::hash::Hash for ApiKeys {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.fingerprint().hash(state);
    }
}

impl ApiKeys {
    /// Validates both values and wraps them. Leading and trailing whitespace
    /// (a pasted newline) is trimmed first.
    pub fn new(
        account_key: impl Into<Secret>,
        user_key: impl Into<Secret>,
    ) -> Result<Self, KeyError> {
        let account_key = trimmed(account_key.into());
        let user_key = trimmed(user_key.into());
        validate_key(KeyKind::Account, account_key.expose())?;
        validate_key(KeyKind::User, user_key.expose())?;
        Ok(ApiKeys {
            account_key,
            user_key,
        })
    }

    /// The account key (`x-api-key`).
    pub fn account_key(&self) -> &Secret {
        &self.account_key
    }

    /// The user key (`x-api-secret-key`).
    pub fn user_key(&self) -> &Secret {
        &self.user_key
    }

    /// Fingerprint of the pair: identifies these credentials in logs
    /// without revealing either key.
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.account_key.expose().as_bytes());
        hasher.update([0u8]);
        hasher.update(self.user_key.expose().as_bytes());
        format!("sha256:{}", hex::encode(&hasher.finalize()[..6]))
    }

    /// Fingerprint of the account key alone.
    pub fn account_fingerprint(&self) -> String {
        fingerprint(self.account_key.expose())
    }

    /// Fingerprint of the user key alone.
    pub fn user_fingerprint(&self) -> String {
        fingerprint(self.user_key.expose())
    }
}

fn trimmed(secret: Secret) -> Secret {
    let value = secret.expose();
    if value.trim() == value {
        secret
    } else {
        Secret::new(value.trim())
    }
}

impl fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeys")
            .field("account_key", &self.account_key)
            .field("user_key", &self.user_key)
            .field("fingerprint", &self.fingerprint())
            .finish()
    }
}

impl fmt::Display for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKeys({})", self.fingerprint())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "AccountKey0123456789";
    const USER: &str = "UserKey-abcdefghijkl";

    #[test]
    fn valid_pair_is_accepted_and_trimmed() {
        let keys = ApiKeys::new(format!(" {ACCOUNT}\n"), USER).unwrap();
        assert_eq!(keys.account_key().expose(), ACCOUNT);
        assert_eq!(keys.user_key().expose(), USER);
    }

    #[test]
    fn each_rule_has_its_error() {
        assert_eq!(
            ApiKeys::new("  ", USER).unwrap_err(),
            KeyError::Empty(KeyKind::Account)
        );
        assert_eq!(
            ApiKeys::new(ACCOUNT, "short").unwrap_err(),
            KeyError::Length {
                kind: KeyKind::User,
                len: 5
            }
        );
        assert_eq!(
            ApiKeys::new(ACCOUNT, "x".repeat(MAX_KEY_LEN + 1)).unwrap_err(),
            KeyError::Length {
                kind: KeyKind::User,
                len: MAX_KEY_LEN + 1
            }
        );
        assert_eq!(
            ApiKeys::new("abc\r\nInjected: 1", USER).unwrap_err(),
            KeyError::Character {
                kind: KeyKind::Account,
                position: 3
            }
        );
        assert_eq!(
            ApiKeys::new(ACCOUNT, "useré-key-123").unwrap_err().code(),
            "key_character"
        );
        assert_eq!(
            ApiKeys::new(ACCOUNT, "has space inside")
                .unwrap_err()
                .kind(),
            KeyKind::User
        );
        let length = ApiKeys::new(ACCOUNT, "short").unwrap_err();
        assert_eq!((length.length(), length.position()), (Some(5), None));
        let character = ApiKeys::new("abc\r\nInjected: 1", USER).unwrap_err();
        assert_eq!((character.length(), character.position()), (None, Some(3)));
        assert_eq!(KeyError::Empty(KeyKind::User).length(), None);
    }

    #[test]
    fn debug_display_and_errors_never_hold_a_key() {
        let keys = ApiKeys::new(ACCOUNT, USER).unwrap();
        for text in [format!("{keys:?}"), format!("{keys:#?}"), keys.to_string()] {
            assert!(!text.contains(ACCOUNT), "{text}");
            assert!(!text.contains(USER), "{text}");
        }
        let err = ApiKeys::new(ACCOUNT, "secret part\u{7}tail").unwrap_err();
        assert!(!err.to_string().contains("secret"));
    }

    #[test]
    fn fingerprints_are_short_stable_and_distinct() {
        let keys = ApiKeys::new(ACCOUNT, USER).unwrap();
        let again = ApiKeys::new(ACCOUNT, USER).unwrap();
        let other = ApiKeys::new(ACCOUNT, "UserKey-abcdefghijkm").unwrap();
        assert_eq!(keys.fingerprint(), again.fingerprint());
        assert_ne!(keys.fingerprint(), other.fingerprint());
        assert_eq!(keys.fingerprint().len(), "sha256:".len() + 12);
        assert_eq!(keys.account_fingerprint(), fingerprint(ACCOUNT));
        assert_ne!(keys.user_fingerprint(), keys.account_fingerprint());
    }
}

//! What callers see of users and keys, and the rules for names.

use super::admin::AdminError;
pub use crate::model::{AccountId, Role, UnknownRole, UserId};

/// Shortest user-key name.
pub const KEY_NAME_MIN: usize = 10;
/// Longest user-key name.
pub const KEY_NAME_MAX: usize = 50;
/// Longest account or user name, and longest email, in characters.
pub const TEXT_MAX: usize = 200;

/// A user as callers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    /// User id.
    pub id: UserId,
    /// The account.
    pub account_id: AccountId,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Role in the account.
    pub role: Role,
}

/// A user key as callers see it: never the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserKeyInfo {
    /// Key name, unique in the account.
    pub name: String,
    /// The account.
    pub account_id: AccountId,
    /// The owner's user id.
    pub owner_id: UserId,
    /// The owner's name.
    pub owner_name: String,
    /// The owner's email.
    pub owner_email: String,
    /// Normalised CIDR entries; empty allows every source.
    pub allow_list: Vec<String>,
    /// Creation time, ISO-8601 UTC.
    pub created_timestamp: String,
    /// Whether the key authenticates today (its owner still has the owner role).
    pub active: bool,
}

/// Checks a user-key name: 10 to 50 characters of letters, digits, `-`, `_`.
///
/// ```
/// use redis_cloud_auth::verify::validate_key_name;
/// assert!(validate_key_name("ci-deploy_01").is_ok());
/// assert!(validate_key_name("short").is_err());
/// assert!(validate_key_name("has space in it").is_err());
/// ```
pub fn validate_key_name(name: &str) -> Result<(), AdminError> {
    let invalid = |reason| AdminError::InvalidName {
        what: "key name",
        reason,
    };
    if !(KEY_NAME_MIN..=KEY_NAME_MAX).contains(&name.len()) {
        return Err(invalid("must be 10 to 50 characters"));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(invalid("may hold only letters, digits, '-' and '_'"));
    }
    Ok(())
}

/// Checks an account or user name: 1 to 200 characters, no control
/// characters, no surrounding whitespace.
pub(crate) fn validate_text(what: &'static str, value: &str) -> Result<(), AdminError> {
    let invalid = |reason| AdminError::InvalidName { what, reason };
    if value.trim().is_empty() {
        return Err(invalid("must not be empty"));
    }
    if value.trim() != value {
        return Err(invalid("must not start or end with whitespace"));
    }
    if value.chars().count() > TEXT_MAX {
        return Err(invalid("must be at most 200 characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid("must not hold control characters"));
    }
    Ok(())
}

/// Checks an email address: a name, one `@`, a domain, nothing odd.
pub(crate) fn validate_email(value: &str) -> Result<(), AdminError> {
    validate_text("email", value)?;
    let ok = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !value.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(AdminError::InvalidName {
            what: "email",
            reason: "must look like name@domain",
        })
    }
}

/// Formats Unix seconds as ISO-8601 UTC (`2026-11-26T06:03:11Z`).
pub(crate) fn iso8601(unix_seconds: i64) -> String {
    const FORMAT: &[time::format_description::FormatItem<'static>] =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .format(FORMAT)
        .unwrap_or_default()
}

/// The current time in Unix seconds.
pub(crate) fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
            assert_eq!(role.to_string(), role.as_str());
        }
        assert_eq!("OWNER".parse::<Role>().unwrap(), Role::Owner);
        assert_eq!("admin".parse::<Role>().unwrap_err().0, "admin");
    }

    #[test]
    fn key_names_follow_the_rule() {
        assert!(validate_key_name(&"a".repeat(10)).is_ok());
        assert!(validate_key_name(&"a".repeat(50)).is_ok());
        assert!(validate_key_name(&"a".repeat(9)).is_err());
        assert!(validate_key_name(&"a".repeat(51)).is_err());
        assert!(validate_key_name("ci.deploy.key").is_err());
        assert!(validate_key_name("clé-de-test-01").is_err());
        assert_eq!(validate_key_name("x").unwrap_err().code(), "invalid_name");
    }

    #[test]
    fn texts_and_emails_are_checked() {
        assert!(validate_text("user name", "Ada Lovelace").is_ok());
        assert!(validate_text("user name", " Ada").is_err());
        assert!(validate_text("user name", "").is_err());
        assert!(validate_text("user name", "Ada\nEvil").is_err());
        assert!(validate_email("ada@example.com").is_ok());
        assert!(validate_email("ada.example.com").is_err());
        assert!(validate_email("ada@@example.com").is_err());
        assert!(validate_email("a da@example.com").is_err());
    }

    #[test]
    fn times_are_iso8601_utc() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_795_500_191), "2026-11-24T06:03:11Z");
    }
}

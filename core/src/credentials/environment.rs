//! [`Environment`]: credentials from environment variables, with the
//! aliases that existing Redis Cloud tools already use.

use std::collections::HashMap;

use super::{check_base_url, CredentialError, Credentials};
use crate::keys::{ApiKeys, KeyKind};
use crate::secret::Secret;

/// Variables for the account key, canonical name first.
pub const ACCOUNT_KEY_VARS: &[&str] = &[
    "REDIS_CLOUD_ACCOUNT_KEY",
    "REDIS_CLOUD_API_KEY",
    "REDISCLOUD_ACCESS_KEY",
];
/// Variables for the user key, canonical name first.
pub const USER_KEY_VARS: &[&str] = &[
    "REDIS_CLOUD_USER_KEY",
    "REDIS_CLOUD_SECRET_KEY",
    "REDIS_CLOUD_API_SECRET",
    "REDISCLOUD_SECRET_KEY",
];
/// Variables for the API base URL, canonical name first.
pub const BASE_URL_VARS: &[&str] = &[
    "REDIS_CLOUD_BASE_URL",
    "REDIS_CLOUD_API_URL",
    "REDISCLOUD_URL",
];
/// Variable naming the profile to use.
pub const PROFILE_VAR: &str = "REDIS_CLOUD_PROFILE";
/// Variable naming the credentials file.
pub const CONFIG_VAR: &str = "REDIS_CLOUD_CONFIG";

/// A snapshot of the variables this crate reads. Blank values count as unset.
///
/// ```
/// use redis_cloud_auth::credentials::Environment;
///
/// let env = Environment::from_pairs([
///     ("REDIS_CLOUD_API_KEY", "AccountKey0123"),
///     ("REDISCLOUD_SECRET_KEY", "UserKey0123456"),
/// ]);
/// let creds = env.credentials().unwrap().unwrap();
/// assert_eq!(creds.keys.user_key().expose(), "UserKey0123456");
/// ```
#[derive(Clone, Default)]
pub struct Environment {
    vars: HashMap<String, Secret>,
}

impl std::fmt::Debug for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<_> = self.vars.keys().collect();
        names.sort();
        f.debug_struct("Environment").field("set", &names).finish()
    }
}

fn known(name: &str) -> bool {
    ACCOUNT_KEY_VARS
        .iter()
        .chain(USER_KEY_VARS)
        .chain(BASE_URL_VARS)
        .chain([&PROFILE_VAR, &CONFIG_VAR])
        .any(|v| *v == name)
}

impl Environment {
    /// Reads the process environment (only the variables listed above).
    pub fn from_process() -> Self {
        Self::from_pairs(
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
        )
    }

    /// Builds a snapshot from `(name, value)` pairs; unknown names are ignored.
    pub fn from_pairs<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: AsRef<str>,
        V: Into<String>,
    {
        let vars = pairs
            .into_iter()
            .filter(|(k, _)| known(k.as_ref()))
            .map(|(k, v)| (k.as_ref().to_string(), Secret::new(v.into())))
            .filter(|(_, v)| !v.expose().trim().is_empty())
            .collect();
        Environment { vars }
    }

    /// A non-blank variable's value.
    fn get(&self, name: &str) -> Option<&Secret> {
        self.vars.get(name)
    }

    /// The value shared by every set variable in `names`, or a conflict
    /// error naming the variables that disagree.
    fn one_of(
        &self,
        names: &'static [&'static str],
    ) -> Result<Option<(&'static str, &Secret)>, CredentialError> {
        let mut found: Option<(&'static str, &Secret)> = None;
        for &name in names {
            if let Some(value) = self.get(name) {
                match found {
                    Some((first, seen)) if seen.expose().trim() != value.expose().trim() => {
                        return Err(CredentialError::Conflict {
                            variables: vec![first.to_string(), name.to_string()],
                        })
                    }
                    Some(_) => {}
                    None => found = Some((name, value)),
                }
            }
        }
        Ok(found)
    }

    /// The profile named by `REDIS_CLOUD_PROFILE`, if set.
    pub fn profile(&self) -> Option<String> {
        self.get(PROFILE_VAR).map(|v| v.expose().trim().to_string())
    }

    /// The credentials file named by `REDIS_CLOUD_CONFIG`, if set.
    pub fn config_path(&self) -> Option<std::path::PathBuf> {
        self.get(CONFIG_VAR).map(|v| v.expose().trim().into())
    }

    /// The base URL from the environment, if set and valid.
    pub fn base_url(&self) -> Result<Option<String>, CredentialError> {
        match self.one_of(BASE_URL_VARS)? {
            None => Ok(None),
            Some((name, value)) => {
                let url = value.expose().trim().to_string();
                check_base_url(&url, &format!("environment variable {name}"))?;
                Ok(Some(url))
            }
        }
    }

    /// Credentials from the environment: `Ok(None)` when neither key is set,
    /// an error when only one is, when aliases disagree, or when a value is
    /// invalid.
    pub fn credentials(&self) -> Result<Option<Credentials>, CredentialError> {
        let account = self.one_of(ACCOUNT_KEY_VARS)?;
        let user = self.one_of(USER_KEY_VARS)?;
        let base_url = self.base_url()?;
        let ((account_var, account), (user_var, user)) = match (account, user) {
            (None, None) => return Ok(None),
            (Some(a), Some(u)) => (a, u),
            (Some((name, _)), None) => {
                return Err(CredentialError::Incomplete {
                    origin: format!("environment variable {name}"),
                    missing: USER_KEY_VARS[0].to_string(),
                })
            }
            (None, Some((name, _))) => {
                return Err(CredentialError::Incomplete {
                    origin: format!("environment variable {name}"),
                    missing: ACCOUNT_KEY_VARS[0].to_string(),
                })
            }
        };
        let keys = ApiKeys::new(account.clone(), user.clone()).map_err(|reason| {
            let var = match reason.kind() {
                KeyKind::Account => account_var,
                KeyKind::User => user_var,
            };
            CredentialError::InvalidKey {
                origin: format!("environment variable {var}"),
                reason,
            }
        })?;
        Ok(Some(Credentials { keys, base_url }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_and_alias_names_work_and_blank_is_unset() {
        let env = Environment::from_pairs([
            ("REDIS_CLOUD_ACCOUNT_KEY", "  "),
            ("REDISCLOUD_ACCESS_KEY", "AccountKey0123"),
            ("REDIS_CLOUD_API_SECRET", "UserKey0123456"),
            ("REDISCLOUD_URL", "http://127.0.0.1:9/v1"),
        ]);
        let creds = env.credentials().unwrap().unwrap();
        assert_eq!(creds.keys.account_key().expose(), "AccountKey0123");
        assert_eq!(creds.base_url.as_deref(), Some("http://127.0.0.1:9/v1"));
    }

    #[test]
    fn agreeing_aliases_are_fine_and_disagreeing_ones_name_the_variables() {
        let agree = Environment::from_pairs([
            ("REDIS_CLOUD_ACCOUNT_KEY", "AccountKey0123"),
            ("REDIS_CLOUD_API_KEY", "AccountKey0123"),
            ("REDIS_CLOUD_USER_KEY", "UserKey0123456"),
        ]);
        assert!(agree.credentials().unwrap().is_some());

        let disagree = Environment::from_pairs([
            ("REDIS_CLOUD_ACCOUNT_KEY", "AccountKey0123"),
            ("REDIS_CLOUD_USER_KEY", "UserKey0123456"),
            ("REDIS_CLOUD_SECRET_KEY", "UserKeyOTHER99"),
        ]);
        let err = disagree.credentials().unwrap_err();
        assert_eq!(
            err,
            CredentialError::Conflict {
                variables: vec![
                    "REDIS_CLOUD_USER_KEY".into(),
                    "REDIS_CLOUD_SECRET_KEY".into()
                ]
            }
        );
        let text = err.to_string();
        assert!(text.contains("REDIS_CLOUD_SECRET_KEY"));
        assert!(!text.contains("UserKeyOTHER99") && !text.contains("UserKey0123456"));
    }

    #[test]
    fn one_key_alone_is_incomplete_and_none_is_none() {
        let env = Environment::from_pairs([("REDIS_CLOUD_USER_KEY", "UserKey0123456")]);
        assert_eq!(env.credentials().unwrap_err().code(), "incomplete");
        assert!(Environment::default().credentials().unwrap().is_none());
    }

    #[test]
    fn invalid_values_name_the_variable_not_the_value() {
        let env = Environment::from_pairs([
            ("REDIS_CLOUD_API_KEY", "bad key with spaces"),
            ("REDIS_CLOUD_USER_KEY", "UserKey0123456"),
        ]);
        let err = env.credentials().unwrap_err();
        assert!(err.to_string().contains("REDIS_CLOUD_API_KEY"));
        assert!(!err.to_string().contains("bad key"));
        let env = Environment::from_pairs([("REDIS_CLOUD_BASE_URL", "ftp://x")]);
        assert_eq!(env.base_url().unwrap_err().code(), "invalid_base_url");
        assert!(!format!("{env:?}").contains("ftp"));
    }
}

//! [`KeychainStore`]: credentials in the operating system's keychain
//! (macOS Keychain, Windows Credential Manager, Linux kernel keyutils).

use keyring::Entry;
use zeroize::Zeroizing;

use super::{
    credentials_from_fields, validate_profile_name, CredentialError, CredentialStore, Credentials,
};
use crate::secret::Secret;

/// Keychain service name under which profiles are stored.
pub const KEYCHAIN_SERVICE: &str = "redis-cloud-auth";

/// A [`CredentialStore`] in the OS keychain: one entry per profile, under
/// the service [`KEYCHAIN_SERVICE`] (or another given to [`KeychainStore::with_service`]).
///
/// On Linux this is the kernel's keyutils session keyring, which works
/// without a desktop session. Any keychain failure is an error; nothing
/// ever falls back to a plaintext file.
#[derive(Debug, Clone)]
pub struct KeychainStore {
    service: String,
}

impl Default for KeychainStore {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(serde::Serialize)]
struct Stored<'a> {
    account_key: &'a str,
    user_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    base_url: Option<&'a str>,
}

#[derive(serde::Deserialize)]
struct Loaded {
    account_key: Option<Secret>,
    user_key: Option<Secret>,
    base_url: Option<String>,
}

impl KeychainStore {
    /// The store under the default service name.
    pub fn new() -> Self {
        Self::with_service(KEYCHAIN_SERVICE)
    }

    /// A store under another service name (tests, several apps on one machine).
    pub fn with_service(service: impl Into<String>) -> Self {
        KeychainStore {
            service: service.into(),
        }
    }

    fn entry(&self, profile: &str) -> Result<Entry, CredentialError> {
        validate_profile_name(profile)?;
        install_session_keyring();
        Entry::new(&self.service, profile).map_err(keychain_error)
    }
}

/// On Linux, gives the calling thread its own session keyring before its
/// first entry is built. A thread started without one (a service, CI, a
/// container shell) otherwise gets the user-session keyring for its first
/// entry, which may refuse writes and does not see the persistent keyring
/// where other processes' entries live. Building one throwaway entry makes
/// keyutils look up the persistent keyring, which installs a session
/// keyring linked to it; every later entry uses that one. Keyrings belong
/// to a thread's credentials, so each thread of a pool (Node.js, the JVM)
/// needs this once.
fn install_session_keyring() {
    #[cfg(target_os = "linux")]
    {
        thread_local! {
            static READY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
        }
        READY.with(|ready| {
            if !ready.replace(true) {
                let _ = Entry::new(KEYCHAIN_SERVICE, "session-keyring-probe");
            }
        });
    }
}

/// Maps a keyring error to a message that can hold no secret (some keyring
/// errors carry the stored bytes).
fn keychain_error(err: keyring::Error) -> CredentialError {
    use keyring::Error as E;
    let message = match err {
        E::PlatformFailure(e) => format!("platform failure: {e}"),
        E::NoStorageAccess(e) => format!("no access to the keychain: {e}"),
        E::NoEntry => "no entry".to_string(),
        E::BadEncoding(_) => "the stored entry is not valid UTF-8".to_string(),
        E::TooLong(attr, max) => format!("{attr} is longer than {max}"),
        E::Invalid(attr, why) => format!("invalid {attr}: {why}"),
        E::Ambiguous(_) => "several entries match".to_string(),
        _ => "unknown keychain error".to_string(),
    };
    CredentialError::Keychain(message)
}

impl CredentialStore for KeychainStore {
    fn save(&self, profile: &str, credentials: &Credentials) -> Result<(), CredentialError> {
        let keys = &credentials.keys;
        let blob = Zeroizing::new(
            serde_json::to_string(&Stored {
                account_key: keys.account_key().expose(),
                user_key: keys.user_key().expose(),
                base_url: credentials.base_url.as_deref(),
            })
            .expect("plain strings always serialize"),
        );
        self.entry(profile)?
            .set_password(&blob)
            .map_err(keychain_error)
    }

    fn load(&self, profile: &str) -> Result<Option<Credentials>, CredentialError> {
        let blob = match self.entry(profile)?.get_password() {
            Ok(blob) => Zeroizing::new(blob),
            Err(keyring::Error::NoEntry) => return Ok(None),
            Err(err) => return Err(keychain_error(err)),
        };
        let loaded: Loaded = serde_json::from_str(&blob).map_err(|_| {
            CredentialError::Keychain(format!(
                "the entry for profile `{profile}` is not a redis-cloud-auth credential"
            ))
        })?;
        let origin = format!("keychain profile `{profile}`");
        credentials_from_fields(
            &origin,
            loaded.account_key,
            loaded.user_key,
            loaded.base_url,
        )
        .map(Some)
    }

    fn delete(&self, profile: &str) -> Result<bool, CredentialError> {
        match self.entry(profile)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(err) => Err(keychain_error(err)),
        }
    }

    fn describe(&self) -> String {
        format!("keychain service `{}`", self.service)
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use crate::ApiKeys;

    #[test]
    fn round_trip_on_linux_keyutils() {
        let store = KeychainStore::with_service(format!("rca-test-{}", std::process::id()));
        let profile = "keychain-round-trip";
        let creds = Credentials::new(ApiKeys::new("AccountKey0123", "UserKey0123456").unwrap())
            .with_base_url("http://127.0.0.1:1/v1")
            .unwrap();
        // In a thread pool (a Node.js or JVM host) the first keychain call
        // of each fresh thread may be a save: it must work on every thread.
        for n in 0..3 {
            let (fresh, saved) = (store.clone(), creds.clone());
            std::thread::spawn(move || fresh.save(&format!("first-on-thread-{n}"), &saved))
                .join()
                .unwrap()
                .unwrap();
        }
        for n in 0..3 {
            let name = format!("first-on-thread-{n}");
            assert_eq!(store.load(&name).unwrap(), Some(creds.clone()));
            assert!(store.delete(&name).unwrap());
        }
        assert_eq!(store.load(profile).unwrap(), None, "missing entry is None");
        assert!(!store.delete(profile).unwrap());
        store.save(profile, &creds).unwrap();
        assert_eq!(store.load(profile).unwrap(), Some(creds));
        assert!(store.delete(profile).unwrap());
        assert_eq!(store.load(profile).unwrap(), None);
        assert_eq!(
            store
                .save(
                    "bad name",
                    &Credentials::new(ApiKeys::new("AccountKey0123", "UserKey0123456").unwrap())
                )
                .unwrap_err()
                .code(),
            "invalid_profile_name"
        );
    }
}

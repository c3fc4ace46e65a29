//! [`MemoryStore`]: credentials kept in process memory.

use std::collections::HashMap;

use parking_lot::Mutex;

use super::{validate_profile_name, CredentialError, CredentialStore, Credentials};

/// A [`CredentialStore`] in process memory; for tests and short-lived tools.
#[derive(Debug, Default)]
pub struct MemoryStore {
    profiles: Mutex<HashMap<String, Credentials>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl CredentialStore for MemoryStore {
    fn save(&self, profile: &str, credentials: &Credentials) -> Result<(), CredentialError> {
        validate_profile_name(profile)?;
        self.profiles
            .lock()
            .insert(profile.to_string(), credentials.clone());
        Ok(())
    }

    fn load(&self, profile: &str) -> Result<Option<Credentials>, CredentialError> {
        validate_profile_name(profile)?;
        Ok(self.profiles.lock().get(profile).cloned())
    }

    fn delete(&self, profile: &str) -> Result<bool, CredentialError> {
        validate_profile_name(profile)?;
        Ok(self.profiles.lock().remove(profile).is_some())
    }

    fn describe(&self) -> String {
        "memory".to_string()
    }
}

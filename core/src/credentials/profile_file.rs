//! [`FileStore`]: the TOML profile file, written atomically with mode 0600.
//!
//! ```toml
//! [profiles.default]
//! account_key = "..."
//! user_key = "..."
//! base_url = "https://api.redislabs.com/v1"   # optional
//! ```

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::{
    credentials_from_fields, validate_profile_name, CredentialError, CredentialStore, Credentials,
};
use crate::secret::Secret;

/// The credentials file when `REDIS_CLOUD_CONFIG` is not set:
/// `<config dir>/redis-cloud/credentials.toml` (`~/.config/...` on Linux).
pub fn default_config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("redis-cloud").join("credentials.toml"))
}

/// A [`CredentialStore`] over one TOML file of `[profiles.NAME]` tables.
///
/// Writes go to a temporary file in the same folder, are flushed to disk,
/// then renamed over the old file, so a crash never leaves half a file.
/// The file is created with mode 0600, and a file that group or others can
/// read is refused (on Unix).
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    /// A store over the file at `path` (created on first save).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileStore { path: path.into() }
    }

    /// The file this store reads and writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn display(&self) -> String {
        self.path.display().to_string()
    }

    fn io_error(&self, action: &'static str, err: std::io::Error) -> CredentialError {
        CredentialError::Io {
            action,
            path: self.display(),
            problem: err.kind().to_string(),
        }
    }

    /// Reads and parses the file; `Ok(None)` when it does not exist.
    fn read_table(&self) -> Result<Option<toml::Table>, CredentialError> {
        let text = match read_private(&self.path) {
            Ok(text) => text,
            Err(ReadError::Missing) => return Ok(None),
            Err(ReadError::Io(err)) => return Err(self.io_error("read", err)),
            Err(ReadError::Insecure(mode)) => {
                return Err(CredentialError::InsecurePermissions {
                    path: self.display(),
                    mode,
                })
            }
        };
        text.parse::<toml::Table>()
            .map(Some)
            .map_err(|err| self.format_error(&text, err.span(), "not valid TOML"))
    }

    fn format_error(
        &self,
        text: &str,
        span: Option<std::ops::Range<usize>>,
        problem: &str,
    ) -> CredentialError {
        // toml's own message quotes the offending line, which may hold a
        // key; only the line number leaves this function.
        let line = span.map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        CredentialError::FileFormat {
            path: self.display(),
            line,
            problem: problem.to_string(),
        }
    }

    fn write_table(&self, table: &toml::Table) -> Result<(), CredentialError> {
        let text =
            Zeroizing::new(
                toml::to_string(table).map_err(|_| CredentialError::FileFormat {
                    path: self.display(),
                    line: None,
                    problem: "cannot encode profiles".into(),
                })?,
            );
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        create_private_dir(&dir).map_err(|e| self.io_error("create the folder of", e))?;
        // NamedTempFile is created with mode 0600 on Unix.
        let mut tmp = tempfile::Builder::new()
            .prefix(".credentials")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(|e| self.io_error("write", e))?;
        tmp.write_all(text.as_bytes())
            .and_then(|_| tmp.as_file().sync_all())
            .map_err(|e| self.io_error("write", e))?;
        tmp.persist(&self.path)
            .map_err(|e| self.io_error("replace", e.error))?;
        if let Ok(d) = fs::File::open(&dir) {
            // Makes the rename durable; not every platform can fsync a folder.
            let _ = d.sync_all();
        }
        Ok(())
    }
}

fn profiles_mut(table: &mut toml::Table) -> Option<&mut toml::Table> {
    table
        .entry("profiles")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()))
        .as_table_mut()
}

impl CredentialStore for FileStore {
    fn save(&self, profile: &str, credentials: &Credentials) -> Result<(), CredentialError> {
        validate_profile_name(profile)?;
        let mut table = self.read_table()?.unwrap_or_default();
        let profiles = profiles_mut(&mut table).ok_or_else(|| CredentialError::FileFormat {
            path: self.display(),
            line: None,
            problem: "`profiles` is not a table".into(),
        })?;
        let mut entry = toml::Table::new();
        let keys = &credentials.keys;
        entry.insert("account_key".into(), keys.account_key().expose().into());
        entry.insert("user_key".into(), keys.user_key().expose().into());
        if let Some(url) = &credentials.base_url {
            entry.insert("base_url".into(), url.clone().into());
        }
        profiles.insert(profile.to_string(), toml::Value::Table(entry));
        self.write_table(&table)
    }

    fn load(&self, profile: &str) -> Result<Option<Credentials>, CredentialError> {
        validate_profile_name(profile)?;
        let Some(table) = self.read_table()? else {
            return Ok(None);
        };
        let Some(entry) = table.get("profiles").and_then(|p| p.get(profile)) else {
            return Ok(None);
        };
        let origin = format!("profile `{profile}` in {}", self.display());
        let field = |name: &str| -> Result<Option<&str>, CredentialError> {
            match entry.get(name) {
                None => Ok(None),
                Some(toml::Value::String(s)) => Ok(Some(s.as_str())),
                Some(_) => Err(CredentialError::FileFormat {
                    path: self.display(),
                    line: None,
                    problem: format!("`{name}` of profile `{profile}` must be a string"),
                }),
            }
        };
        credentials_from_fields(
            &origin,
            field("account_key")?.map(Secret::new),
            field("user_key")?.map(Secret::new),
            field("base_url")?.map(str::to_string),
        )
        .map(Some)
    }

    fn delete(&self, profile: &str) -> Result<bool, CredentialError> {
        validate_profile_name(profile)?;
        let Some(mut table) = self.read_table()? else {
            return Ok(false);
        };
        let removed = profiles_mut(&mut table)
            .map(|p| p.remove(profile).is_some())
            .unwrap_or(false);
        if removed {
            self.write_table(&table)?;
        }
        Ok(removed)
    }

    fn describe(&self) -> String {
        self.display()
    }
}

enum ReadError {
    Missing,
    Insecure(u32),
    Io(std::io::Error),
}

/// Reads a file only if group and others cannot read or write it.
fn read_private(path: &Path) -> Result<Zeroizing<String>, ReadError> {
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ReadError::Missing),
        Err(e) => return Err(ReadError::Io(e)),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata().map_err(ReadError::Io)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(ReadError::Insecure(mode));
        }
    }
    let mut text = Zeroizing::new(String::new());
    std::io::Read::read_to_string(&mut &file, &mut text).map_err(ReadError::Io)?;
    Ok(text)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ApiKeys;

    fn creds() -> Credentials {
        Credentials::new(ApiKeys::new("AccountKey0123", "UserKey0123456").unwrap())
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn save_load_delete_round_trip_keeps_other_profiles() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("sub/credentials.toml"));
        assert_eq!(store.load("default").unwrap(), None);
        store.save("default", &creds()).unwrap();
        let other = creds().with_base_url("http://127.0.0.1:8080/v1").unwrap();
        store.save("staging", &other).unwrap();
        assert_eq!(store.load("default").unwrap(), Some(creds()));
        assert_eq!(store.load("staging").unwrap(), Some(other));
        assert!(store.delete("default").unwrap());
        assert!(!store.delete("default").unwrap());
        assert_eq!(store.load("default").unwrap(), None);
        assert!(store.load("staging").unwrap().is_some());
    }

    #[cfg(unix)]
    #[test]
    fn file_is_created_0600_and_an_open_file_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials.toml");
        let store = FileStore::new(&path);
        store.save("default", &creds()).unwrap();
        assert_eq!(mode(&path), 0o600);

        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = store.load("default").unwrap_err();
        assert_eq!(err.code(), "insecure_permissions");
        let text = err.to_string();
        assert!(text.contains("chmod 600"), "{text}");
        assert!(!text.contains("UserKey0123456"));
        // Saving over an insecure file is refused too: nothing is lost or widened.
        assert_eq!(
            store.save("x", &creds()).unwrap_err().code(),
            "insecure_permissions"
        );
    }

    #[cfg(unix)]
    #[test]
    fn format_errors_give_the_line_but_never_the_content() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials.toml");
        fs::write(
            &path,
            "[profiles.default]\naccount_key = \"AccountKey0123\"\nuser_key = UserKeyLeaked99\n",
        )
        .unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let err = FileStore::new(&path).load("default").unwrap_err();
        assert!(
            matches!(err, CredentialError::FileFormat { line: Some(3), .. }),
            "{err:?}"
        );
        assert!(!err.to_string().contains("UserKeyLeaked99"));

        fs::write(
            &path,
            "[profiles.default]\naccount_key = \"AccountKey0123\"\n",
        )
        .unwrap();
        let err = FileStore::new(&path).load("default").unwrap_err();
        assert_eq!(err.code(), "incomplete");
    }

    #[test]
    fn bad_profile_names_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("c.toml"));
        for name in ["", "a b", "x]y", &"p".repeat(65)] {
            assert_eq!(
                store.save(name, &creds()).unwrap_err().code(),
                "invalid_profile_name"
            );
        }
    }
}

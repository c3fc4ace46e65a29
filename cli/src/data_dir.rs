//! Where the emulator and the admin commands keep their SQLite store:
//! `--data DIR`, else `$RCAUTH_DATA`, else `<platform data dir>/rcauth`
//! (`~/.local/share/rcauth` on Linux).

use std::path::{Path, PathBuf};

use crate::error::CliError;

/// The environment variable that overrides the default data dir.
pub const DATA_VAR: &str = "RCAUTH_DATA";

/// The store's file name inside the data dir.
pub const STORE_FILE: &str = "rcauth.sqlite3";

/// Picks the data dir: the flag, else a non-blank `RCAUTH_DATA`, else the
/// platform data dir.
pub fn resolve(flag: Option<&Path>, env: Option<&str>) -> Result<PathBuf, CliError> {
    if let Some(dir) = flag {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = env.map(str::trim).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir().map(|d| d.join("rcauth")).ok_or_else(|| {
        CliError::usage(
            "no_data_dir",
            format!("no platform data dir is known here; pass --data DIR or set {DATA_VAR}"),
        )
    })
}

/// Refuses a data dir path that exists and is not a directory.
pub fn refuse_a_file(dir: &Path) -> Result<(), CliError> {
    if dir.exists() && !dir.is_dir() {
        return Err(CliError::usage(
            "data_dir_is_a_file",
            format!(
                "the data dir {} is a file, not a directory; pass --data DIR (or set {DATA_VAR}) \
                 with a directory, which is created if missing",
                dir.display()
            ),
        ));
    }
    Ok(())
}

/// Creates the data dir (mode 0700 on Unix) if needed and returns the
/// store file's path in it.
pub fn prepare(dir: &Path) -> Result<PathBuf, CliError> {
    refuse_a_file(dir)?;
    if !dir.is_dir() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|e| {
            CliError::failure(
                "io",
                format!("cannot create data dir {}: {}", dir.display(), e.kind()),
            )
        })?;
    }
    Ok(dir.join(STORE_FILE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_beats_environment_beats_platform() {
        let flag = Path::new("/tmp/flag");
        assert_eq!(resolve(Some(flag), Some("/tmp/env")).unwrap(), flag);
        assert_eq!(
            resolve(None, Some("/tmp/env")).unwrap(),
            Path::new("/tmp/env")
        );
        let platform = resolve(None, Some("  ")).unwrap();
        assert!(platform.ends_with("rcauth"), "{}", platform.display());
        assert_eq!(resolve(None, None).unwrap(), platform);
    }

    #[test]
    fn prepare_creates_a_private_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a").join("b");
        let file = prepare(&dir).unwrap();
        assert_eq!(file, dir.join(STORE_FILE));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }
}

//! [`FileStore`] loading (and re-saving) an arbitrary profile file.
//!
//! Input: the file's content; `$S` becomes the canary.

use std::cell::RefCell;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use redis_cloud_auth::credentials::{CredentialStore, FileStore};

use super::{assert_no_canary, with_canary, CANARY};

/// Profiles looked up in every input.
const PROFILES: [&str; 2] = ["default", "staging"];

thread_local! {
    /// A private folder for the files (on tmpfs when there is one: saves fsync).
    static DIR: RefCell<Option<tempfile::TempDir>> = const { RefCell::new(None) };
}

fn dir() -> PathBuf {
    DIR.with(|d| {
        d.borrow_mut()
            .get_or_insert_with(|| {
                let shm = Path::new("/dev/shm");
                if shm.is_dir() {
                    if let Ok(dir) = tempfile::tempdir_in(shm) {
                        return dir;
                    }
                }
                tempfile::tempdir().expect("a temp dir")
            })
            .path()
            .to_path_buf()
    })
}

fn write_private(path: &Path, content: &[u8]) {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).expect("open the fuzz file");
    file.write_all(content).expect("write the fuzz file");
}

/// The check: no panic and no canary in any error or `Debug` text; a
/// profile that loads saves to a new file and loads back equal; saving it
/// over the fuzzed file keeps every other profile as it was, and a failed
/// save leaves the file untouched.
pub fn check(data: &[u8]) {
    let text = with_canary(&String::from_utf8_lossy(data));
    let dir = dir();
    let path = dir.join("credentials.toml");
    write_private(&path, text.as_bytes());
    let store = FileStore::new(&path);

    let before: Vec<_> = PROFILES.iter().map(|p| store.load(p)).collect();
    for result in &before {
        match result {
            Err(err) => {
                assert_no_canary("CredentialError Display", &err.to_string());
                assert_no_canary("CredentialError Debug", &format!("{err:?}"));
            }
            Ok(Some(creds)) => {
                let url_has_canary = creds
                    .base_url
                    .as_deref()
                    .is_some_and(|u| u.contains(CANARY));
                if !url_has_canary {
                    assert_no_canary("Credentials Debug", &format!("{creds:?}"));
                }
            }
            Ok(None) => {}
        }
    }

    let Some((index, creds)) = before
        .iter()
        .enumerate()
        .find_map(|(i, r)| r.as_ref().ok().and_then(|c| c.as_ref()).map(|c| (i, c)))
    else {
        return;
    };
    let profile = PROFILES[index];

    let copy = FileStore::new(dir.join("copy.toml"));
    let _ = fs::remove_file(copy.path());
    copy.save(profile, creds).expect("loaded credentials save");
    assert_eq!(copy.load(profile).unwrap().as_ref(), Some(creds));

    match store.save(profile, creds) {
        Ok(()) => {
            for (p, was) in PROFILES.iter().zip(&before) {
                assert_eq!(&store.load(p), was, "saving {profile} changed {p}");
            }
        }
        Err(err) => {
            assert_eq!(err.code(), "file_format", "{err}");
            assert_no_canary("CredentialError Display", &err.to_string());
            assert_eq!(
                fs::read(&path).unwrap(),
                text.as_bytes(),
                "a failed save changed the file"
            );
        }
    }
}

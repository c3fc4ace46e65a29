//! Opens the verifier over the SQLite store in the data dir, or over a
//! Redis store shared by a fleet (`--store redis://HOST:PORT`).

use std::path::Path;

use redis_cloud_auth::verify::Verifier;

use crate::data_dir;
use crate::error::CliError;

/// Whether opening may create the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Create {
    /// Create the data dir and store when missing (`serve`, `account create`).
    Yes,
    /// Fail when there is no store yet, changing nothing.
    No,
}

/// The environment variable `--store` falls back to.
pub const STORE_VAR: &str = "RCAUTH_STORE";

/// Opens the verifier over the Redis store at `store` when given, else over
/// `<data dir>/rcauth.sqlite3`; the data dir is `flag`, else
/// `$RCAUTH_DATA`, else the platform data dir.
pub fn open(
    flag: Option<&Path>,
    store: Option<&str>,
    create: Create,
) -> Result<Verifier, CliError> {
    if let Some(url) = store.map(str::trim).filter(|u| !u.is_empty()) {
        return open_redis(url);
    }
    let env = std::env::var(data_dir::DATA_VAR).ok();
    let dir = data_dir::resolve(flag, env.as_deref())?;
    let file = dir.join(data_dir::STORE_FILE);
    if create == Create::No && !file.is_file() {
        return Err(CliError::usage(
            "no_store",
            format!(
                "no store at {}; create an account first (rcauth admin account create --name NAME), or pass --data DIR",
                file.display()
            ),
        ));
    }
    let file = data_dir::prepare(&dir)?;
    Verifier::open_sqlite(&file).map_err(|e| {
        CliError::failure(
            e.code(),
            format!("cannot open the store {}: {e}", file.display()),
        )
    })
}

/// Opens the verifier over the Redis store at `url`. Messages never repeat
/// the URL, which may hold a password.
fn open_redis(url: &str) -> Result<Verifier, CliError> {
    if !url.starts_with("redis://") {
        return Err(CliError::usage(
            "bad_store",
            "--store takes a Redis URL such as redis://127.0.0.1:6379",
        ));
    }
    Verifier::open_redis(url).map_err(|e| {
        CliError::failure(
            e.code(),
            format!("cannot open the Redis store given by --store: {e}"),
        )
    })
}

//! Opens the verifier over the SQLite store in the data dir, or over a
//! Redis store shared by a fleet (`--store redis://HOST:PORT`).

use std::path::Path;

use redis_cloud_auth::store::StoreError;
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
    data_dir::refuse_a_file(&dir)?;
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
    Verifier::open_sqlite(&file).map_err(|e| open_failed(&file, &e))
}

/// Says why the store at `file` cannot be opened and, when the file itself
/// is the cause (damaged, or from a newer version), that it was left as it
/// was and what to do.
fn open_failed(file: &Path, e: &StoreError) -> CliError {
    let file = file.display();
    let what_to_do =
        "nothing was changed: restore the file from a copy, or point --data at another directory";
    let message = match e {
        StoreError::Corrupt(why) => {
            format!("{file} is not a valid rcauth store ({why}); {what_to_do}")
        }
        StoreError::NewerSchema { found, known } => format!(
            "{file} was written by a newer version of rcauth (store schema version {found}; \
             rcauth {} reads up to version {known}); {what_to_do}, or use a newer rcauth",
            env!("CARGO_PKG_VERSION")
        ),
        other => format!("cannot open the store {file}: {other}"),
    };
    CliError::failure(e.code(), message)
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

//! Opens the verifier over the SQLite store in the data dir.

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

/// Opens the verifier over `<data dir>/rcauth.sqlite3`; the data dir is
/// `flag`, else `$RCAUTH_DATA`, else the platform data dir.
pub fn open(flag: Option<&Path>, create: Create) -> Result<Verifier, CliError> {
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

//! [`SqliteStore`]: the embedded default store, one SQLite file shared by
//! every process on the machine that opens it.
//!
//! The file is created with mode 0600 and runs in WAL mode. The schema is
//! versioned with `PRAGMA user_version`; [`MIGRATIONS`] lists every step and
//! each runs in its own transaction. Every mutation is one `BEGIN IMMEDIATE`
//! transaction that also bumps a change counter and records the change in
//! the `changes` table (the change feed: version, created id, the mutation
//! encoded as [`MUTATION_FORMAT`](super::MUTATION_FORMAT) documents; the
//! newest [`CHANGE_FEED_LEN`] rows are kept), so concurrent writers from
//! several processes are serialised and detected, and the feed and the data
//! never disagree.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use parking_lot::Mutex;
use rusqlite::{params, Connection, ErrorCode, OpenFlags, TransactionBehavior};

use super::change_probe::ChangeProbe;
use super::{
    complete_feed, AccountRecord, Applied, Change, Mutation, NewLogEntry, Snapshot, Store,
    StoreError, UserKeyRecord, UserRecord, CHANGE_FEED_LEN,
};
use crate::api::SystemLogEntry;
use crate::model::{KeyHash, Role};

/// The schema, one entry per version: entry `n` takes the file from version
/// `n` to `n + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: accounts, users, user keys (hashes only), the system log.
    "CREATE TABLE meta (
         name TEXT PRIMARY KEY,
         value INTEGER NOT NULL
     );
     INSERT INTO meta (name, value) VALUES ('version', 0);
     CREATE TABLE accounts (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         name TEXT NOT NULL,
         api_enabled INTEGER NOT NULL DEFAULT 0,
         account_key_hash BLOB UNIQUE,
         created_at INTEGER NOT NULL,
         updated_at INTEGER NOT NULL
     );
     CREATE TABLE users (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         account_id INTEGER NOT NULL REFERENCES accounts(id),
         name TEXT NOT NULL,
         email TEXT NOT NULL,
         role TEXT NOT NULL,
         created_at INTEGER NOT NULL
     );
     CREATE TABLE user_keys (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         account_id INTEGER NOT NULL REFERENCES accounts(id),
         owner_id INTEGER NOT NULL REFERENCES users(id),
         name TEXT NOT NULL,
         secret_hash BLOB NOT NULL UNIQUE,
         allow_list TEXT NOT NULL,
         created_at INTEGER NOT NULL,
         UNIQUE (account_id, name)
     );
     CREATE TABLE system_log (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         account_id INTEGER NOT NULL,
         time TEXT NOT NULL,
         originator TEXT NOT NULL,
         api_key_name TEXT,
         resource TEXT NOT NULL,
         type TEXT NOT NULL,
         description TEXT NOT NULL
     );
     CREATE INDEX system_log_by_account ON system_log (account_id, id);",
    // 2: the change feed, one row per mutation: the version it produced,
    // the account or user id it created (0 otherwise), and the mutation in
    // the feed's binary encoding. A file migrated from version 1 starts
    // with an empty feed, so a verifier behind its version reloads fully.
    // A library that knows only version 1 refuses the migrated file
    // (`StoreError::NewerSchema`), so no writer can commit past the feed:
    // upgrade every process that shares a file together.
    "CREATE TABLE changes (
         version INTEGER PRIMARY KEY,
         id INTEGER NOT NULL,
         mutation BLOB NOT NULL
     );",
];

/// How long a statement waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// WAL pages after which a commit checkpoints (SQLite's default is 1,000).
/// A system-log batch spread over many accounts dirties one index page per
/// account, so at the default nearly every batch paid a checkpoint of the
/// same pages; checkpointing a tenth as often writes each hot page to the
/// database once for many batches. Set on every connection, so an admin
/// commit does not inherit the checkpoints the log writer put off.
const WAL_AUTOCHECKPOINT_PAGES: i64 = 10_000;

/// Page cache of the system-log connection, in KiB (SQLite's default is
/// 2,000): holds the hot end of the log's index for thousands of accounts,
/// so a batch neither spills pages to the WAL mid-transaction nor reads
/// them back.
const LOG_CACHE_KIB: i64 = 16 * 1024;

/// System-log rows written by one `INSERT` statement. A statement's fixed
/// part (its cursors, the `AUTOINCREMENT` counter read and written back)
/// is paid once for all its rows: 16 a statement cost about two thirds of
/// one a statement per row, in batches of 80 and of 400 alike.
const ROWS_PER_INSERT: usize = 16;

/// `INSERT` of `rows` (1 to [`ROWS_PER_INSERT`]) system-log rows, seven
/// parameters each; the texts are built once.
fn insert_log_sql(rows: usize) -> &'static str {
    static SQL: OnceLock<Vec<String>> = OnceLock::new();
    let texts = SQL.get_or_init(|| {
        (1..=ROWS_PER_INSERT)
            .map(|rows| {
                let values = vec!["(?,?,?,?,?,?,?)"; rows].join(",");
                format!(
                    "INSERT INTO system_log \
                     (account_id, time, originator, api_key_name, resource, type, description) \
                     VALUES {values}"
                )
            })
            .collect()
    });
    &texts[rows - 1]
}

/// A store in one SQLite file.
///
/// ```
/// use redis_cloud_auth::store::{SqliteStore, Store};
///
/// let dir = tempfile::tempdir()?;
/// let store = SqliteStore::open(dir.path().join("auth.db"))?;
/// assert_eq!(store.version()?, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    /// Admin changes, snapshots, log reads and the change probe.
    main: Mutex<Connection>,
    /// System-log appends, so batches never wait on the hot path's probe.
    log: Mutex<Connection>,
    /// Reads the WAL-index header; `None` falls back to `PRAGMA data_version`.
    probe: Option<ChangeProbe>,
}

impl SqliteStore {
    /// Opens the file at `path`, creating it (mode 0600) and bringing its
    /// schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        create_private_file(&path)?;
        refuse_unreadable(&path, MIGRATIONS.len() as i64)?;
        let mut main = connect(&path)?;
        // Admin changes survive a power loss once acknowledged: each commit
        // on this connection syncs the WAL (and every log batch before it).
        main.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| unavailable(e, "configuring the connection"))?;
        migrate(&mut main)?;
        let log = connect(&path)?;
        log.pragma_update(None, "cache_size", -LOG_CACHE_KIB)
            .map_err(|e| unavailable(e, "configuring the connection"))?;
        let probe = ChangeProbe::open(&path, connect);
        if probe.is_none() {
            tracing::info!(path = %path.display(), "WAL-index probe unavailable; using PRAGMA data_version");
        }
        Ok(SqliteStore {
            path,
            main: Mutex::new(main),
            log: Mutex::new(log),
            probe,
        })
    }

    /// How changes by other processes are detected: `"wal-index"` (reading
    /// the WAL-index header, a few nanoseconds) or `"data_version"`
    /// (`PRAGMA data_version`, a few microseconds).
    pub fn change_probe(&self) -> &'static str {
        if self.probe.is_some() {
            "wal-index"
        } else {
            "data_version"
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `PRAGMA integrity_check`; `Ok(())` when the file is sound.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let conn = self.main.lock();
        let result: String = conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .map_err(|e| unavailable(e, "checking integrity"))?;
        if result == "ok" {
            Ok(())
        } else {
            tracing::error!(%result, "SQLite integrity check failed");
            Err(StoreError::Unavailable("checking integrity"))
        }
    }

    /// The file's schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        let conn = self.main.lock();
        conn.query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| unavailable(e, "reading the schema version"))
    }
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => {
            tracing::warn!(error = %e, path = %path.display(), "cannot create the SQLite file");
            Err(StoreError::Unavailable("creating the database file"))
        }
    }
}

#[cfg(not(unix))]
fn create_private_file(_path: &Path) -> Result<(), StoreError> {
    Ok(())
}

/// Reads the file's header, before any connection could change a byte: a
/// non-empty file that is not an SQLite database, or one whose schema is
/// newer than `known`, is refused as it is.
fn refuse_unreadable(path: &Path, known: i64) -> Result<(), StoreError> {
    use std::io::Read;
    let mut header = Vec::with_capacity(100);
    std::fs::File::open(path)
        .and_then(|file| file.take(100).read_to_end(&mut header))
        .map_err(|e| {
            tracing::warn!(error = %e, path = %path.display(), "cannot read the SQLite file");
            StoreError::Unavailable("reading the database file")
        })?;
    if header.is_empty() {
        return Ok(());
    }
    if header.len() < 100 || !header.starts_with(b"SQLite format 3\0") {
        return Err(StoreError::Corrupt("not an SQLite database"));
    }
    // `PRAGMA user_version`: a big-endian 32-bit integer at offset 60.
    let found = i64::from(i32::from_be_bytes([
        header[60], header[61], header[62], header[63],
    ]));
    if found > known {
        return Err(StoreError::NewerSchema { found, known });
    }
    Ok(())
}

fn connect(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn =
        Connection::open_with_flags(path, flags).map_err(|e| unavailable(e, "opening the file"))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| unavailable(e, "configuring the connection"))?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(|e| unavailable(e, "enabling WAL"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(%mode, "SQLite refused WAL mode");
        return Err(StoreError::Unavailable("enabling WAL"));
    }
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
        .map_err(|e| unavailable(e, "configuring the connection"))?;
    conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)
        .map_err(|e| unavailable(e, "configuring the connection"))?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    loop {
        // IMMEDIATE: another process opening the same file migrates in turn.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| unavailable(e, "migrating the schema"))?;
        let current: i64 = tx
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| unavailable(e, "reading the schema version"))?;
        if current > known {
            return Err(StoreError::NewerSchema {
                found: current,
                known,
            });
        }
        if current == known {
            return Ok(());
        }
        tx.execute_batch(MIGRATIONS[current as usize])
            .map_err(|e| unavailable(e, "migrating the schema"))?;
        tx.pragma_update(None, "user_version", current + 1)
            .map_err(|e| unavailable(e, "migrating the schema"))?;
        tx.commit()
            .map_err(|e| unavailable(e, "migrating the schema"))?;
    }
}

fn unavailable(error: rusqlite::Error, context: &'static str) -> StoreError {
    tracing::warn!(%error, context, "SQLite store error");
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::Corrupt("not an SQLite database"),
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt("the SQLite database is damaged"),
        _ => StoreError::Unavailable(context),
    }
}

fn write_error(error: rusqlite::Error, context: &'static str) -> StoreError {
    if let rusqlite::Error::SqliteFailure(failure, _) = &error {
        if failure.code == ErrorCode::ConstraintViolation
            && failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        {
            return StoreError::Duplicate("key name");
        }
    }
    unavailable(error, context)
}

fn read_version(conn: &Connection) -> Result<u64, StoreError> {
    conn.prepare_cached("SELECT value FROM meta WHERE name = 'version'")
        .and_then(|mut stmt| stmt.query_row([], |row| row.get::<_, i64>(0)))
        .map(|v| v as u64)
        .map_err(|e| unavailable(e, "reading the change counter"))
}

fn hash_from(blob: Vec<u8>) -> rusqlite::Result<KeyHash> {
    let bytes: [u8; 32] = blob.try_into().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            32,
            rusqlite::types::Type::Blob,
            "a key hash is 32 bytes".into(),
        )
    })?;
    Ok(KeyHash::from_bytes(bytes))
}

fn role_from(text: String) -> rusqlite::Result<Role> {
    text.parse().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            "unknown role".into(),
        )
    })
}

fn allow_list_from(text: String) -> rusqlite::Result<Vec<String>> {
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn allow_list_text(list: &[String]) -> String {
    serde_json::to_string(list).expect("a list of strings serialises")
}

impl Store for SqliteStore {
    fn load(&self) -> Result<Snapshot, StoreError> {
        let mut conn = self.main.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(|e| unavailable(e, "loading"))?;
        let version = read_version(&tx)?;
        let accounts = {
            let mut stmt = tx
                .prepare(
                    "SELECT id, name, api_enabled, account_key_hash, created_at, updated_at
                     FROM accounts ORDER BY id",
                )
                .map_err(|e| unavailable(e, "loading accounts"))?;
            let rows = stmt
                .query_map([], |row| {
                    Ok(AccountRecord {
                        id: row.get::<_, i64>(0)? as u64,
                        name: row.get(1)?,
                        api_enabled: row.get(2)?,
                        account_key_hash: row
                            .get::<_, Option<Vec<u8>>>(3)?
                            .map(hash_from)
                            .transpose()?,
                        created_at: row.get(4)?,
                        updated_at: row.get(5)?,
                    })
                })
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
            rows.map_err(|e| unavailable(e, "loading accounts"))?
        };
        let users = {
            let mut stmt = tx
                .prepare(
                    "SELECT id, account_id, name, email, role, created_at FROM users ORDER BY id",
                )
                .map_err(|e| unavailable(e, "loading users"))?;
            let rows = stmt
                .query_map([], |row| {
                    Ok(UserRecord {
                        id: row.get::<_, i64>(0)? as u64,
                        account_id: row.get::<_, i64>(1)? as u64,
                        name: row.get(2)?,
                        email: row.get(3)?,
                        role: role_from(row.get(4)?)?,
                        created_at: row.get(5)?,
                    })
                })
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
            rows.map_err(|e| unavailable(e, "loading users"))?
        };
        let user_keys = {
            let mut stmt = tx
                .prepare(
                    "SELECT account_id, owner_id, name, secret_hash, allow_list, created_at
                     FROM user_keys ORDER BY id",
                )
                .map_err(|e| unavailable(e, "loading user keys"))?;
            let rows = stmt
                .query_map([], |row| {
                    Ok(UserKeyRecord {
                        account_id: row.get::<_, i64>(0)? as u64,
                        owner_id: row.get::<_, i64>(1)? as u64,
                        name: row.get(2)?,
                        secret_hash: hash_from(row.get(3)?)?,
                        allow_list: allow_list_from(row.get(4)?)?,
                        created_at: row.get(5)?,
                    })
                })
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
            rows.map_err(|e| unavailable(e, "loading user keys"))?
        };
        tx.commit().map_err(|e| unavailable(e, "loading"))?;
        Ok(Snapshot {
            version,
            accounts,
            users,
            user_keys,
        })
    }

    fn change_token(&self) -> Result<u64, StoreError> {
        if let Some(probe) = &self.probe {
            return Ok(probe.token());
        }
        let conn = self.main.lock();
        conn.prepare_cached("PRAGMA data_version")
            .and_then(|mut stmt| stmt.query_row([], |row| row.get::<_, i64>(0)))
            .map(|v| v as u64)
            .map_err(|e| unavailable(e, "probing for changes"))
    }

    fn version(&self) -> Result<u64, StoreError> {
        read_version(&self.main.lock())
    }

    fn apply(&self, expected_version: u64, mutation: &Mutation) -> Result<Applied, StoreError> {
        let mut conn = self.main.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| unavailable(e, "starting a change"))?;
        if read_version(&tx)? != expected_version {
            return Err(StoreError::Conflict);
        }
        let id = apply_mutation(&tx, mutation)?;
        tx.execute(
            "UPDATE meta SET value = value + 1 WHERE name = 'version'",
            [],
        )
        .map_err(|e| unavailable(e, "bumping the change counter"))?;
        let version = read_version(&tx)?;
        record_change(&tx, version, id, mutation)?;
        tx.commit()
            .map_err(|e| unavailable(e, "committing a change"))?;
        Ok(Applied { id, version })
    }

    fn changes_since(&self, since: u64) -> Result<Option<Vec<Change>>, StoreError> {
        let mut conn = self.main.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(|e| unavailable(e, "reading the change feed"))?;
        let current = read_version(&tx)?;
        if current < since {
            return Ok(None);
        }
        if current == since {
            return Ok(Some(Vec::new()));
        }
        let rows = {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT version, id, mutation FROM changes WHERE version > ?1 ORDER BY version",
                )
                .map_err(|e| unavailable(e, "reading the change feed"))?;
            let since = i64::try_from(since).unwrap_or(i64::MAX);
            let rows = stmt
                .query_map([since], |row| {
                    Ok((
                        row.get::<_, i64>(0)? as u64,
                        row.get::<_, i64>(1)? as u64,
                        row.get::<_, Vec<u8>>(2)?,
                    ))
                })
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
            rows.map_err(|e| unavailable(e, "reading the change feed"))?
        };
        tx.commit()
            .map_err(|e| unavailable(e, "reading the change feed"))?;
        let mut changes = Vec::with_capacity(rows.len());
        for (version, id, bytes) in rows {
            let Ok(mutation) = Mutation::decode(&bytes) else {
                tracing::warn!(version, "a change in the SQLite feed does not decode");
                return Ok(None);
            };
            changes.push(Change {
                version,
                id,
                mutation,
            });
        }
        Ok(complete_feed(since, current, changes))
    }

    fn append_log(&self, entries: &[NewLogEntry]) -> Result<(), StoreError> {
        let failed = |e| unavailable(e, "writing the system log");
        let mut conn = self.log.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(failed)?;
        for rows in entries.chunks(ROWS_PER_INSERT) {
            let mut stmt = tx
                .prepare_cached(insert_log_sql(rows.len()))
                .map_err(failed)?;
            for (row, new) in rows.iter().enumerate() {
                let e = &new.entry;
                let at = row * 7;
                stmt.raw_bind_parameter(at + 1, new.account_id as i64)
                    .and_then(|()| stmt.raw_bind_parameter(at + 2, &e.time))
                    .and_then(|()| stmt.raw_bind_parameter(at + 3, &e.originator))
                    .and_then(|()| stmt.raw_bind_parameter(at + 4, &e.api_key_name))
                    .and_then(|()| stmt.raw_bind_parameter(at + 5, &e.resource))
                    .and_then(|()| stmt.raw_bind_parameter(at + 6, &e.kind))
                    .and_then(|()| stmt.raw_bind_parameter(at + 7, &e.description))
                    .map_err(failed)?;
            }
            stmt.raw_execute().map_err(failed)?;
        }
        tx.commit().map_err(failed)
    }

    fn read_log(
        &self,
        account_id: u64,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<SystemLogEntry>, StoreError> {
        let conn = self.main.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, time, originator, api_key_name, resource, type, description
                 FROM system_log WHERE account_id = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3",
            )
            .map_err(|e| unavailable(e, "reading the system log"))?;
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![account_id as i64, limit as i64, offset], |row| {
                Ok(SystemLogEntry {
                    id: row.get::<_, i64>(0)? as u64,
                    time: row.get(1)?,
                    originator: row.get(2)?,
                    api_key_name: row.get(3)?,
                    resource: row.get(4)?,
                    kind: row.get(5)?,
                    description: row.get(6)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
        rows.map_err(|e| unavailable(e, "reading the system log"))
    }
}

fn expect_one_row(changed: usize, what: &'static str) -> Result<(), StoreError> {
    if changed == 1 {
        Ok(())
    } else {
        tracing::warn!(
            what,
            changed,
            "SQLite change touched an unexpected number of rows"
        );
        Err(StoreError::Conflict)
    }
}

/// Adds the change that produced `version` to the feed and trims the feed
/// to its newest [`CHANGE_FEED_LEN`] rows, inside the mutation's transaction.
fn record_change(
    tx: &rusqlite::Transaction<'_>,
    version: u64,
    id: u64,
    mutation: &Mutation,
) -> Result<(), StoreError> {
    tx.prepare_cached("INSERT INTO changes (version, id, mutation) VALUES (?1, ?2, ?3)")
        .and_then(|mut stmt| stmt.execute(params![version as i64, id as i64, mutation.encode()]))
        .map_err(|e| unavailable(e, "recording the change"))?;
    if let Some(oldest_kept) = version.checked_sub(CHANGE_FEED_LEN - 1) {
        tx.prepare_cached("DELETE FROM changes WHERE version < ?1")
            .and_then(|mut stmt| stmt.execute([oldest_kept as i64]))
            .map_err(|e| unavailable(e, "trimming the change feed"))?;
    }
    Ok(())
}

fn apply_mutation(tx: &rusqlite::Transaction<'_>, mutation: &Mutation) -> Result<u64, StoreError> {
    match mutation {
        Mutation::CreateAccount { name, at } => {
            tx.execute(
                "INSERT INTO accounts (name, created_at, updated_at) VALUES (?1, ?2, ?2)",
                params![name, at],
            )
            .map_err(|e| write_error(e, "creating an account"))?;
            return Ok(tx.last_insert_rowid() as u64);
        }
        Mutation::AddUser {
            account_id,
            name,
            email,
            role,
            at,
        } => {
            tx.execute(
                "INSERT INTO users (account_id, name, email, role, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![*account_id as i64, name, email, role.as_str(), at],
            )
            .map_err(|e| write_error(e, "adding a user"))?;
            return Ok(tx.last_insert_rowid() as u64);
        }
        Mutation::SetUserRole { user_id, role } => {
            let changed = tx
                .execute(
                    "UPDATE users SET role = ?2 WHERE id = ?1",
                    params![*user_id as i64, role.as_str()],
                )
                .map_err(|e| write_error(e, "changing a role"))?;
            expect_one_row(changed, "user")?;
        }
        Mutation::SetApi {
            account_id,
            enabled,
            account_key_hash,
            at,
        } => {
            let changed = tx
                .execute(
                    "UPDATE accounts SET api_enabled = ?2,
                         account_key_hash = COALESCE(?3, account_key_hash), updated_at = ?4
                     WHERE id = ?1",
                    params![
                        *account_id as i64,
                        enabled,
                        account_key_hash.as_ref().map(|h| h.as_bytes().to_vec()),
                        at
                    ],
                )
                .map_err(|e| write_error(e, "changing the API settings"))?;
            expect_one_row(changed, "account")?;
        }
        Mutation::CreateUserKey(key) => {
            tx.execute(
                "INSERT INTO user_keys
                 (account_id, owner_id, name, secret_hash, allow_list, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    key.account_id as i64,
                    key.owner_id as i64,
                    key.name,
                    key.secret_hash.as_bytes().to_vec(),
                    allow_list_text(&key.allow_list),
                    key.created_at
                ],
            )
            .map_err(|e| write_error(e, "creating a user key"))?;
        }
        Mutation::SetAllowList {
            account_id,
            name,
            allow_list,
        } => {
            let changed = tx
                .execute(
                    "UPDATE user_keys SET allow_list = ?3 WHERE account_id = ?1 AND name = ?2",
                    params![*account_id as i64, name, allow_list_text(allow_list)],
                )
                .map_err(|e| write_error(e, "changing an allow list"))?;
            expect_one_row(changed, "user key")?;
        }
        Mutation::DeleteUserKey { account_id, name } => {
            tx.execute(
                "DELETE FROM user_keys WHERE account_id = ?1 AND name = ?2",
                params![*account_id as i64, name],
            )
            .map_err(|e| write_error(e, "deleting a user key"))?;
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pragma(conn: &Mutex<Connection>, name: &str) -> i64 {
        conn.lock()
            .query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn the_log_connection_checkpoints_rarely_and_caches_its_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("auth.db")).unwrap();
        assert_eq!(pragma(&store.log, "cache_size"), -LOG_CACHE_KIB);
        for conn in [&store.main, &store.log] {
            assert_eq!(pragma(conn, "wal_autocheckpoint"), WAL_AUTOCHECKPOINT_PAGES);
            assert_eq!(pragma(conn, "foreign_keys"), 1);
        }
    }

    #[test]
    fn a_batch_over_several_statements_keeps_every_entry_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("auth.db")).unwrap();
        // Two full statements and one of 5 rows, then one of 1 row; two
        // accounts interleaved, every third entry without a key name.
        let entry = |i: u64| NewLogEntry {
            account_id: 1 + i % 2,
            entry: SystemLogEntry {
                id: 0,
                time: format!("2026-12-06T00:00:{:02}Z", i % 60),
                originator: format!("owner {i}"),
                api_key_name: (i % 3 != 0).then(|| format!("key-name-{i}")),
                resource: format!("GET /v1/{i}"),
                kind: format!("kind-{i}"),
                description: format!("entry {i}"),
            },
        };
        let first: Vec<NewLogEntry> = (0..2 * ROWS_PER_INSERT as u64 + 5).map(entry).collect();
        store.append_log(&first).unwrap();
        let last = first.len() as u64;
        store.append_log(&[entry(last)]).unwrap();

        let mut read = store.read_log(1, 0, 100).unwrap();
        read.extend(store.read_log(2, 0, 100).unwrap());
        read.sort_by_key(|e| e.id);
        let ids: Vec<u64> = read.iter().map(|e| e.id).collect();
        assert_eq!(ids, (1..=last + 1).collect::<Vec<_>>());
        for (i, got) in read.into_iter().enumerate() {
            let want = entry(i as u64).entry;
            assert_eq!(
                got,
                SystemLogEntry {
                    id: i as u64 + 1,
                    ..want
                }
            );
        }
    }

    #[test]
    fn admin_commits_sync_the_wal_and_log_batches_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("auth.db")).unwrap();
        assert_eq!(pragma(&store.main, "synchronous"), 2, "FULL");
        assert_eq!(pragma(&store.log, "synchronous"), 1, "NORMAL");
    }

    #[test]
    fn a_file_that_is_not_a_store_or_is_newer_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auth.db");
        let junk: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
        std::fs::write(&path, &junk).unwrap();
        let err = SqliteStore::open(&path).err().unwrap();
        assert_eq!(err.code(), "store_corrupt");
        assert_eq!(std::fs::read(&path).unwrap(), junk);

        std::fs::remove_file(&path).unwrap();
        drop(SqliteStore::open(&path).unwrap());
        let known = MIGRATIONS.len() as i64;
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", known + 2)
            .unwrap();
        let before = std::fs::read(&path).unwrap();
        let err = SqliteStore::open(&path).err().unwrap();
        assert_eq!(
            err,
            StoreError::NewerSchema {
                found: known + 2,
                known
            }
        );
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
}

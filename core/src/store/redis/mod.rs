//! [`RedisStore`]: one Redis shared by a fleet of verifiers (feature `redis`).
//!
//! Accounts, users and user keys are JSON values in three hashes, the
//! system log of each account is a stream (never trimmed), and a change
//! counter is bumped by every mutation (the layout is in `records.rs`).
//!
//! - **Atomic admin operations.** [`Store::apply`] runs `WATCH` on the
//!   change counter, checks it still equals the caller's version, reads what
//!   the mutation needs, then writes everything, bumps the counter and
//!   publishes the new counter in one `MULTI`/`EXEC`. If anyone committed in
//!   between, `EXEC` aborts and the caller gets [`StoreError::Conflict`].
//! - **No Redis round trip per authentication.** A background thread
//!   subscribes to the change channel and reads the counter on every
//!   message and at least every [`RedisOptions::poll_interval`];
//!   [`Store::change_token`] only reads what it saw last. A verifier sees
//!   a change made through another one within the pub/sub latency
//!   (typically well under a millisecond on a LAN), and within one poll
//!   interval if the message is lost.
//! - **Redis unreachable.** `change_token` fails with
//!   [`StoreError::Unavailable`] once the last successful check is older
//!   than [`RedisOptions::stale_after`], so authentication answers 503
//!   rather than deciding on a view that may be out of date. Until then the
//!   verifier keeps serving from its index. When Redis answers again, the
//!   next check clears the failure, with no restart.
//! - **Admin operations** check their rules against the same view, so one
//!   made through a verifier that has not yet seen another's change may
//!   answer "not found" within the bound; a write is never based on a stale
//!   view (the version check refuses it, and the verifier re-plans).
//! - **The change feed.** The same `MULTI`/`EXEC` appends the mutation to
//!   a stream with the explicit entry id `<version>-0`, trimmed with
//!   `MAXLEN ~` [`CHANGE_FEED_LEN`]; [`Store::changes_since`] reads the
//!   counter and `XRANGE feed <since+1>-0 +` in one `MULTI`. A verifier
//!   that sees a change applies just the missing entries to its index (a
//!   few microseconds each); only a verifier further behind than the feed
//!   reaches reloads the whole snapshot (seconds at 100,000 keys: see
//!   `docs/benchmarks.md`). So does one that finds a gap, as a writer of
//!   an older version of this library leaves (it commits without an
//!   entry): a fleet mid-upgrade stays correct, only slower.
//!
//! Connections are synchronous (the [`Store`] trait is), pooled, and time
//! out; admin operations, snapshot loads and system-log writes each take a
//! connection from the pool. A single Redis server is supported (not
//! Cluster); every key lives under [`RedisOptions::prefix`], so several
//! independent stores can share one server.

mod connections;
mod records;
mod watcher;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::{Commands, Connection, RedisResult};

use super::{
    complete_feed, Applied, Change, Mutation, NewLogEntry, Snapshot, Store, StoreError,
    UserKeyRecord, CHANGE_FEED_LEN,
};
use crate::api::SystemLogEntry;
use connections::{Connections, Failure};
use records::{
    from_json, hash_hex, key_field, to_json, Keys, StoredAccount, StoredKey, StoredUser,
    Undecodable,
};
use watcher::{Freshness, Watch};

/// The key prefix unless told otherwise.
const DEFAULT_PREFIX: &str = "rcauth:";
/// The default interval of the periodic change check.
const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(250);
/// The default staleness bound: authentication fails with "store
/// unavailable" once the last successful check is older than this.
const DEFAULT_STALE_AFTER: Duration = Duration::from_secs(1);

/// How a [`RedisStore`] connects and watches for changes.
///
/// ```
/// use std::time::Duration;
/// use redis_cloud_auth::store::RedisOptions;
///
/// let options = RedisOptions::default()
///     .prefix("gateway-eu:")
///     .poll_interval(Duration::from_millis(100))
///     .stale_after(Duration::from_millis(500));
/// assert_eq!(options.staleness_bound(), Duration::from_millis(500));
/// ```
#[derive(Debug, Clone)]
pub struct RedisOptions {
    prefix: String,
    poll_interval: Duration,
    stale_after: Duration,
    connect_timeout: Duration,
    io_timeout: Duration,
    subscribe: bool,
    log_retry_window: Duration,
}

impl Default for RedisOptions {
    fn default() -> Self {
        RedisOptions {
            prefix: DEFAULT_PREFIX.to_string(),
            poll_interval: DEFAULT_POLL_INTERVAL,
            stale_after: DEFAULT_STALE_AFTER,
            connect_timeout: Duration::from_secs(1),
            io_timeout: Duration::from_secs(10),
            subscribe: true,
            log_retry_window: Duration::from_secs(10),
        }
    }
}

impl RedisOptions {
    /// Puts every key under `prefix` (default `rcauth:`).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Checks the change counter at least this often (default 250 ms; at
    /// least 10 ms).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval.max(Duration::from_millis(10));
        self
    }

    /// Refuses to authenticate once the last successful check is older
    /// than this (default 1 s). Raised to twice the poll interval if lower.
    pub fn stale_after(mut self, bound: Duration) -> Self {
        self.stale_after = bound;
        self
    }

    /// How long opening a connection may take (default 1 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one command of an admin operation, a snapshot load or a
    /// system-log write may take (default 10 s).
    pub fn io_timeout(mut self, timeout: Duration) -> Self {
        self.io_timeout = timeout;
        self
    }

    /// Whether to listen for change messages (default true). Without them a
    /// change is seen within one poll interval.
    pub fn subscribe(mut self, subscribe: bool) -> Self {
        self.subscribe = subscribe;
        self
    }

    /// How long a system-log write keeps retrying while Redis is
    /// unreachable (default 10 s), so a restart loses no entry. The
    /// verifier queues entries in memory meanwhile; authentication never
    /// waits on the log.
    pub fn log_retry_window(mut self, window: Duration) -> Self {
        self.log_retry_window = window;
        self
    }

    /// The prefix every key is under.
    pub fn key_prefix(&self) -> &str {
        &self.prefix
    }

    /// The staleness bound in force: the longest a verifier keeps deciding
    /// on a view it could not confirm with Redis.
    pub fn staleness_bound(&self) -> Duration {
        self.stale_after.max(self.poll_interval * 2)
    }
}

/// A store in Redis, shared by every verifier that opens it.
///
/// Needs a reachable Redis server; see the module docs for the layout, the
/// staleness bound and what happens when Redis is down.
///
/// ```no_run
/// use std::sync::Arc;
/// use redis_cloud_auth::store::RedisStore;
/// use redis_cloud_auth::Verifier;
///
/// let store = RedisStore::open("redis://127.0.0.1:6379")?;
/// let verifier = Verifier::new(Arc::new(store))?;
/// # Ok::<(), redis_cloud_auth::store::StoreError>(())
/// ```
pub struct RedisStore {
    /// `host:port` (or socket path): never the password.
    endpoint: String,
    keys: Keys,
    options: RedisOptions,
    connections: Arc<Connections>,
    fresh: Arc<Freshness>,
    append: redis::Script,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("endpoint", &self.endpoint)
            .field("prefix", &self.keys.prefix)
            .finish_non_exhaustive()
    }
}

/// Appends system-log entries: `KEYS` are the id counter, the per-account
/// counts and the batch marker (a batch already written is skipped, so a
/// retry after a lost reply writes nothing twice); `ARGV` is the prefix,
/// then seven values per entry (account, time, originator, key name or "",
/// resource, type, description). Entry N of an account's log gets stream id `N-0`, so
/// `offset` maps to a stream id without scanning.
const APPEND_SCRIPT: &str = r"
if not redis.call('SET', KEYS[3], 1, 'NX', 'EX', 86400) then
  return 0
end
local prefix = ARGV[1]
local total = (#ARGV - 1) / 7
local id = redis.call('INCRBY', KEYS[1], total) - total
local counts = {}
for i = 2, #ARGV, 7 do
  counts[ARGV[i]] = (counts[ARGV[i]] or 0) + 1
end
local seq = {}
for account, n in pairs(counts) do
  seq[account] = redis.call('HINCRBY', KEYS[2], account, n) - n
end
for i = 2, #ARGV, 7 do
  local account = ARGV[i]
  id = id + 1
  seq[account] = seq[account] + 1
  redis.call('XADD', prefix .. 'log:' .. account, seq[account] .. '-0',
    'id', id, 'time', ARGV[i + 1], 'originator', ARGV[i + 2], 'key', ARGV[i + 3],
    'resource', ARGV[i + 4], 'type', ARGV[i + 5], 'description', ARGV[i + 6])
end
return 1
";

impl RedisStore {
    /// Opens the store at `url` (`redis://[:PASSWORD@]HOST:PORT[/DB]`) with
    /// the default options.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        RedisStore::open_with(url, RedisOptions::default())
    }

    /// Opens the store at `url` with `options`: connects, creates the
    /// change counter if missing, and starts watching for changes.
    pub fn open_with(url: &str, options: RedisOptions) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(|e| {
            // The error names the problem, not the URL (which may hold a password).
            tracing::warn!(kind = ?e.kind(), "invalid Redis URL");
            StoreError::Unavailable("parsing the Redis URL")
        })?;
        let endpoint = client.get_connection_info().addr.to_string();
        let stale_after = options.staleness_bound();
        let connections = Arc::new(Connections::new(
            client,
            options.connect_timeout,
            options.io_timeout,
        ));
        let keys = Keys::new(&options.prefix);
        let fresh = Arc::new(Freshness::new(stale_after));
        let sent_at = fresh.now();
        let version = connections.with("connecting to Redis", |con| {
            Ok(current_version(con, &keys)?)
        })?;
        fresh.confirm(version, sent_at);
        let watch = Watch {
            keys: keys.clone(),
            poll_interval: options.poll_interval,
            check_timeout: (stale_after / 2).max(options.poll_interval),
            subscribe: options.subscribe,
        };
        watcher::spawn(fresh.clone(), connections.clone(), watch).map_err(|e| {
            tracing::error!(error = %e, "cannot start the Redis watch thread");
            StoreError::Unavailable("starting the change watch")
        })?;
        Ok(RedisStore {
            endpoint,
            keys,
            options,
            connections,
            fresh,
            append: redis::Script::new(APPEND_SCRIPT),
        })
    }

    /// The server this store talks to (`host:port`), without any password.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The options it was opened with.
    pub fn options(&self) -> &RedisOptions {
        &self.options
    }
}

impl Drop for RedisStore {
    fn drop(&mut self) {
        self.fresh.stop();
    }
}

/// Creates the change counter at `ARGV[1]` unless it exists, and then
/// drops any change feed left from before (its ids belong to the lost
/// counter); returns the counter.
const NEW_COUNTER_SCRIPT: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('DEL', KEYS[2])
end
return redis.call('GET', KEYS[1])
";

/// Reads the change counter, creating it when missing (a new store, or a
/// server that lost its data). A new counter starts at a random value, so a
/// verifier whose server lost its data never mistakes the new counter for
/// the one its index reflects, and an old change feed is dropped with it.
fn current_version(con: &mut Connection, keys: &Keys) -> RedisResult<u64> {
    if let Some(version) = con.get::<_, Option<u64>>(&keys.version)? {
        return Ok(version);
    }
    let start = getrandom::u64()
        .map_err(|_| redis::RedisError::from((redis::ErrorKind::ClientError, "no randomness")))?
        >> 12;
    redis::Script::new(NEW_COUNTER_SCRIPT)
        .key(&keys.version)
        .key(&keys.feed)
        .arg(start)
        .invoke(con)
}

/// The changes of a feed read, decoded; `None` when an entry does not decode.
fn changes_from(entries: Vec<(String, FeedFields)>) -> Option<Vec<Change>> {
    entries
        .into_iter()
        .map(|(entry_id, mut fields)| {
            let version = entry_id.strip_suffix("-0")?.parse().ok()?;
            let id = std::str::from_utf8(&fields.remove("id")?)
                .ok()?
                .parse()
                .ok()?;
            let mutation = Mutation::decode(&fields.remove("mutation")?).ok()?;
            Some(Change {
                version,
                id,
                mutation,
            })
        })
        .collect()
}

/// The fields of one change-feed entry.
type FeedFields = HashMap<String, Vec<u8>>;

fn undecodable(what: &'static str) -> impl Fn(Undecodable) -> StoreError {
    move |_| {
        tracing::error!(what, "a record in the Redis store does not decode");
        StoreError::Unavailable("decoding a stored record")
    }
}

fn parse_id(field: &str) -> Result<u64, StoreError> {
    field
        .parse()
        .map_err(|_| undecodable("record id")(Undecodable))
}

type Hash = HashMap<String, String>;

fn snapshot_from(
    version: u64,
    accounts: Hash,
    users: Hash,
    keys: Hash,
) -> Result<Snapshot, StoreError> {
    let mut snapshot = Snapshot {
        version,
        accounts: Vec::with_capacity(accounts.len()),
        users: Vec::with_capacity(users.len()),
        user_keys: Vec::with_capacity(keys.len()),
    };
    for (id, text) in accounts {
        let stored: StoredAccount = from_json(&text).map_err(undecodable("account"))?;
        let record = stored
            .into_record(parse_id(&id)?)
            .map_err(undecodable("account"))?;
        snapshot.accounts.push(record);
    }
    for (id, text) in users {
        let stored: StoredUser = from_json(&text).map_err(undecodable("user"))?;
        let record = stored
            .into_record(parse_id(&id)?)
            .map_err(undecodable("user"))?;
        snapshot.users.push(record);
    }
    for text in keys.into_values() {
        let stored: StoredKey = from_json(&text).map_err(undecodable("user key"))?;
        let record = stored.into_record().map_err(undecodable("user key"))?;
        snapshot.user_keys.push(record);
    }
    snapshot.accounts.sort_by_key(|a| a.id);
    snapshot.users.sort_by_key(|u| u.id);
    snapshot
        .user_keys
        .sort_by(|a, b| (a.account_id, &a.name).cmp(&(b.account_id, &b.name)));
    Ok(snapshot)
}

fn context_of(mutation: &Mutation) -> &'static str {
    match mutation {
        Mutation::CreateAccount { .. } => "creating an account",
        Mutation::AddUser { .. } => "adding a user",
        Mutation::SetUserRole { .. } => "changing a role",
        Mutation::SetApi { .. } => "changing the API settings",
        Mutation::CreateUserKey(_) => "creating a user key",
        Mutation::SetAllowList { .. } => "changing an allow list",
        Mutation::DeleteUserKey { .. } => "deleting a user key",
    }
}

impl RedisStore {
    /// Reads what `mutation` needs (under `WATCH`), queues its writes on
    /// `tx`, and returns the id it creates (0 for other changes). Follows
    /// the SQLite store: a missing row to update is a conflict, a missing
    /// account or owner to refer to is unavailable, a taken name or key
    /// hash is a duplicate, and deleting a missing key changes nothing.
    fn plan(
        &self,
        con: &mut Connection,
        tx: &mut redis::Pipeline,
        mutation: &Mutation,
    ) -> Result<u64, Failure> {
        let k = &self.keys;
        match mutation {
            Mutation::CreateAccount { name, at } => {
                let id: u64 = con.incr(&k.ids, 1)?;
                let stored = StoredAccount {
                    name: name.clone(),
                    api_enabled: false,
                    account_key_hash: None,
                    created_at: *at,
                    updated_at: *at,
                };
                tx.hset(&k.accounts, id, to_json(&stored)).ignore();
                return Ok(id);
            }
            Mutation::AddUser {
                account_id,
                name,
                email,
                role,
                at,
            } => {
                if !con.hexists::<_, _, bool>(&k.accounts, account_id)? {
                    return Err(StoreError::Unavailable("adding a user").into());
                }
                let id: u64 = con.incr(&k.ids, 1)?;
                let stored = StoredUser {
                    account_id: *account_id,
                    name: name.clone(),
                    email: email.clone(),
                    role: role.as_str().to_string(),
                    created_at: *at,
                };
                tx.hset(&k.users, id, to_json(&stored)).ignore();
                return Ok(id);
            }
            Mutation::SetUserRole { user_id, role } => {
                let text: Option<String> = con.hget(&k.users, user_id)?;
                let text = text.ok_or(StoreError::Conflict)?;
                let mut stored: StoredUser = from_json(&text).map_err(undecodable("user"))?;
                stored.role = role.as_str().to_string();
                tx.hset(&k.users, user_id, to_json(&stored)).ignore();
            }
            Mutation::SetApi {
                account_id,
                enabled,
                account_key_hash,
                at,
            } => {
                let text: Option<String> = con.hget(&k.accounts, account_id)?;
                let text = text.ok_or(StoreError::Conflict)?;
                let mut stored: StoredAccount = from_json(&text).map_err(undecodable("account"))?;
                stored.api_enabled = *enabled;
                if let Some(hash) = account_key_hash {
                    stored.account_key_hash = Some(hash_hex(hash));
                }
                stored.updated_at = *at;
                tx.hset(&k.accounts, account_id, to_json(&stored)).ignore();
            }
            Mutation::CreateUserKey(record) => self.plan_create_key(con, tx, record)?,
            Mutation::SetAllowList {
                account_id,
                name,
                allow_list,
            } => {
                let field = key_field(*account_id, name);
                let text: Option<String> = con.hget(&k.user_keys, &field)?;
                let text = text.ok_or(StoreError::Conflict)?;
                let mut stored: StoredKey = from_json(&text).map_err(undecodable("user key"))?;
                stored.allow_list = allow_list.clone();
                tx.hset(&k.user_keys, &field, to_json(&stored)).ignore();
            }
            Mutation::DeleteUserKey { account_id, name } => {
                let field = key_field(*account_id, name);
                let text: Option<String> = con.hget(&k.user_keys, &field)?;
                if let Some(text) = text {
                    let stored: StoredKey = from_json(&text).map_err(undecodable("user key"))?;
                    tx.hdel(&k.user_keys, &field).ignore();
                    tx.hdel(&k.key_hashes, &stored.secret_hash).ignore();
                }
            }
        }
        Ok(0)
    }

    fn plan_create_key(
        &self,
        con: &mut Connection,
        tx: &mut redis::Pipeline,
        record: &UserKeyRecord,
    ) -> Result<(), Failure> {
        let k = &self.keys;
        let (account, owner): (bool, Option<String>) = redis::pipe()
            .hexists(&k.accounts, record.account_id)
            .hget(&k.users, record.owner_id)
            .query(con)?;
        let owner_in_account = match owner {
            Some(text) => {
                let owner: StoredUser = from_json(&text).map_err(undecodable("user"))?;
                owner.account_id == record.account_id
            }
            None => false,
        };
        if !account || !owner_in_account {
            return Err(StoreError::Unavailable("creating a user key").into());
        }
        let field = key_field(record.account_id, &record.name);
        let stored = StoredKey::from_record(record);
        let (name_taken, hash_taken): (bool, bool) = redis::pipe()
            .hexists(&k.user_keys, &field)
            .hexists(&k.key_hashes, &stored.secret_hash)
            .query(con)?;
        if name_taken || hash_taken {
            return Err(StoreError::Duplicate("key name").into());
        }
        tx.hset(&k.user_keys, &field, to_json(&stored)).ignore();
        tx.hset(&k.key_hashes, &stored.secret_hash, &field).ignore();
        Ok(())
    }
}

impl Store for RedisStore {
    fn load(&self) -> Result<Snapshot, StoreError> {
        let k = &self.keys;
        let sent_at = self.fresh.now();
        let (version, accounts, users, keys) = self.connections.with("loading", |con| {
            for _ in 0..2 {
                let (version, accounts, users, keys): (Option<u64>, Hash, Hash, Hash) =
                    redis::pipe()
                        .atomic()
                        .get(&k.version)
                        .hgetall(&k.accounts)
                        .hgetall(&k.users)
                        .hgetall(&k.user_keys)
                        .query(con)?;
                if let Some(version) = version {
                    return Ok((version, accounts, users, keys));
                }
                // The server lost its data: start a new counter, read again.
                current_version(con, k)?;
            }
            Err(StoreError::Unavailable("reading the change counter").into())
        })?;
        // A load is a successful check too.
        self.fresh.confirm(version, sent_at);
        snapshot_from(version, accounts, users, keys)
    }

    fn change_token(&self) -> Result<u64, StoreError> {
        self.fresh.token()
    }

    fn version(&self) -> Result<u64, StoreError> {
        let sent_at = self.fresh.now();
        let version = self.connections.with("reading the change counter", |con| {
            Ok(current_version(con, &self.keys)?)
        })?;
        self.fresh.confirm(version, sent_at);
        Ok(version)
    }

    fn apply(&self, expected_version: u64, mutation: &Mutation) -> Result<Applied, StoreError> {
        let k = &self.keys;
        let sent_at = self.fresh.now();
        self.connections.with(context_of(mutation), |con| {
            redis::cmd("WATCH").arg(&k.version).query::<()>(con)?;
            let current: Option<u64> = con.get(&k.version)?;
            if current != Some(expected_version) {
                redis::cmd("UNWATCH").query::<()>(con)?;
                if let Some(current) = current {
                    self.fresh.confirm(current, sent_at);
                }
                return Err(StoreError::Conflict.into());
            }
            let mut tx = redis::pipe();
            tx.atomic();
            let id = match self.plan(con, &mut tx, mutation) {
                Ok(id) => id,
                Err(e) => {
                    redis::cmd("UNWATCH").query::<()>(con)?;
                    return Err(e);
                }
            };
            let version = expected_version + 1;
            tx.incr(&k.version, 1);
            tx.cmd("XADD")
                .arg(&k.feed)
                .arg("MAXLEN")
                .arg("~")
                .arg(CHANGE_FEED_LEN)
                .arg(format!("{version}-0"))
                .arg("id")
                .arg(id)
                .arg("mutation")
                .arg(mutation.encode())
                .ignore();
            tx.publish(&k.changes, version).ignore();
            let committed: Option<(u64,)> = tx.query(con)?;
            match committed {
                Some((now,)) if now == version => {
                    self.fresh.confirm(version, sent_at);
                    Ok(Applied { id, version })
                }
                Some((now,)) => {
                    tracing::error!(now, version, "Redis change counter moved under WATCH");
                    Err(StoreError::Conflict.into())
                }
                // Someone committed between WATCH and EXEC.
                None => Err(StoreError::Conflict.into()),
            }
        })
    }

    fn changes_since(&self, since: u64) -> Result<Option<Vec<Change>>, StoreError> {
        let k = &self.keys;
        let sent_at = self.fresh.now();
        let (current, entries) = self.connections.with("reading the change feed", |con| {
            let read: (Option<u64>, Vec<(String, FeedFields)>) = redis::pipe()
                .atomic()
                .get(&k.version)
                .cmd("XRANGE")
                .arg(&k.feed)
                .arg(format!("{}-0", since.saturating_add(1)))
                .arg("+")
                .query(con)?;
            Ok(read)
        })?;
        // No counter: the server lost its data; the caller reloads.
        let Some(current) = current else {
            return Ok(None);
        };
        self.fresh.confirm(current, sent_at);
        let Some(changes) = changes_from(entries) else {
            tracing::warn!(since, "a change in the Redis feed does not decode");
            return Ok(None);
        };
        Ok(complete_feed(since, current, changes))
    }

    fn append_log(&self, entries: &[NewLogEntry]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        // A retried batch is written once: the script skips a batch id it saw.
        let batch = getrandom::u64()
            .and_then(|a| getrandom::u64().map(|b| format!("{a:016x}{b:016x}")))
            .map_err(|_| StoreError::Unavailable("writing the system log"))?;
        let mut call = self.append.prepare_invoke();
        call.key(&self.keys.log_ids)
            .key(&self.keys.log_seq)
            .key(format!("{}log_batch:{batch}", self.keys.prefix))
            .arg(&self.keys.prefix);
        for new in entries {
            let e = &new.entry;
            call.arg(new.account_id)
                .arg(&e.time)
                .arg(&e.originator)
                .arg(e.api_key_name.as_deref().unwrap_or(""))
                .arg(&e.resource)
                .arg(&e.kind)
                .arg(&e.description);
        }
        let started = Instant::now();
        let mut pause = Duration::from_millis(50);
        loop {
            let written = self.connections.with("writing the system log", |con| {
                call.invoke::<()>(con)?;
                Ok(())
            });
            match written {
                Err(StoreError::Unavailable(_))
                    if started.elapsed() + pause < self.options.log_retry_window =>
                {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_secs(1));
                }
                other => return other,
            }
        }
    }

    fn read_log(
        &self,
        account_id: u64,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<SystemLogEntry>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let k = &self.keys;
        let raw = self.connections.with("reading the system log", |con| {
            let count: Option<u64> = con.hget(&k.log_seq, account_id)?;
            let count = count.unwrap_or(0);
            if offset >= count {
                return Ok(Vec::new());
            }
            let newest = count - offset;
            let raw: Vec<(String, Hash)> = redis::cmd("XREVRANGE")
                .arg(k.log(account_id))
                .arg(format!("{newest}-0"))
                .arg("-")
                .arg("COUNT")
                .arg(limit)
                .query(con)?;
            Ok(raw)
        })?;
        raw.into_iter()
            .map(|(_, fields)| log_entry(fields))
            .collect()
    }
}

fn log_entry(mut fields: Hash) -> Result<SystemLogEntry, StoreError> {
    let mut take = |name: &str| {
        fields
            .remove(name)
            .ok_or_else(|| undecodable("system-log entry")(Undecodable))
    };
    let id = take("id")?;
    let key = take("key")?;
    Ok(SystemLogEntry {
        id: parse_id(&id)?,
        time: take("time")?,
        originator: take("originator")?,
        api_key_name: (!key.is_empty()).then_some(key),
        resource: take("resource")?,
        kind: take("type")?,
        description: take("description")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_is_at_least_two_poll_intervals() {
        let options = RedisOptions::default()
            .poll_interval(Duration::from_millis(400))
            .stale_after(Duration::from_millis(100));
        assert_eq!(options.staleness_bound(), Duration::from_millis(800));
        let tiny = RedisOptions::default().poll_interval(Duration::ZERO);
        assert_eq!(tiny.poll_interval, Duration::from_millis(10));
    }

    #[test]
    fn an_invalid_url_is_refused_without_echoing_it() {
        let err = RedisStore::open("nonsense://:hunter2@host").unwrap_err();
        assert_eq!(err.code(), "store_unavailable");
        assert!(!err.to_string().contains("hunter2"));
    }

    #[test]
    fn an_unreachable_server_is_unavailable_and_its_password_never_shown() {
        let options = RedisOptions::default().connect_timeout(Duration::from_millis(200));
        // Port 1 on loopback refuses connections.
        let err = RedisStore::open_with("redis://user:hunter2@127.0.0.1:1/0", options).unwrap_err();
        assert_eq!(err, StoreError::Unavailable("connecting to Redis"));
        assert!(!format!("{err} {err:?}").contains("hunter2"));
    }

    #[test]
    fn a_stale_view_is_refused() {
        let fresh = Freshness::new(Duration::from_millis(20));
        fresh.confirm(42, fresh.now());
        assert_eq!(fresh.token().unwrap(), 42);
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(fresh.token().unwrap_err().code(), "store_unavailable");
        fresh.confirm(43, fresh.now());
        assert_eq!(fresh.token().unwrap(), 43);
    }
}

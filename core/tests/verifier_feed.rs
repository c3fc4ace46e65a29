//! The change feed: a verifier catches up with another verifier's changes
//! (another process on the same SQLite file, or another verifier on the
//! same memory store) by applying only what changed, and reloads fully only
//! when the feed no longer reaches back far enough or has a gap.

mod feed_support;

use feed_support::{
    auth, err, every_kind_reaches_the_other_verifier, feed_matches_what_was_applied, ok, one_key,
    too_far_behind_reloads_fully,
};

use std::path::Path;
use std::sync::Arc;

use redis_cloud_auth::store::{
    Applied, Change, MemoryStore, Mutation, NewLogEntry, Snapshot, SqliteStore, Store, StoreError,
    CHANGE_FEED_LEN, MIGRATIONS,
};
use redis_cloud_auth::verify::{AuthRequest, KeyHash, RefreshStats, Verifier};
use redis_cloud_auth::{Secret, SystemLogEntry};

#[test]
fn every_kind_of_change_reaches_another_verifier_on_the_same_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.db");
    let a = Verifier::open_sqlite(&path).unwrap();
    let b = Verifier::open_sqlite(&path).unwrap();
    every_kind_reaches_the_other_verifier(&a, &b, || {}, || Verifier::open_sqlite(&path).unwrap());
    SqliteStore::open(&path).unwrap().integrity_check().unwrap();
}

#[test]
fn every_kind_of_change_reaches_another_verifier_on_the_same_memory_store() {
    let store = Arc::new(MemoryStore::new());
    let a = Verifier::new(store.clone()).unwrap();
    let b = Verifier::new(store.clone()).unwrap();
    every_kind_reaches_the_other_verifier(&a, &b, || {}, || Verifier::new(store.clone()).unwrap());
}

#[test]
fn more_changes_than_the_sqlite_feed_holds_reload_fully() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.db");
    let a = Verifier::open_sqlite(&path).unwrap();
    let b = Verifier::open_sqlite(&path).unwrap();
    too_far_behind_reloads_fully(&a, &b, || {});
    let rows: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT count(*) FROM changes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows as u64, CHANGE_FEED_LEN);
}

#[test]
fn more_changes_than_the_memory_feed_holds_reload_fully() {
    let store = Arc::new(MemoryStore::new());
    let a = Verifier::new(store.clone()).unwrap();
    let b = Verifier::new(store).unwrap();
    too_far_behind_reloads_fully(&a, &b, || {});
}

#[test]
fn the_feed_holds_exactly_what_each_store_applied() {
    feed_matches_what_was_applied(&MemoryStore::new());
    let dir = tempfile::tempdir().unwrap();
    feed_matches_what_was_applied(&SqliteStore::open(dir.path().join("auth.db")).unwrap());
}

fn sql(path: &Path, batch: &str) {
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch(batch)
        .unwrap();
}

#[test]
fn a_gap_in_the_sqlite_feed_reloads_fully() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.db");
    let a = Verifier::open_sqlite(&path).unwrap();
    let b = Verifier::open_sqlite(&path).unwrap();
    let (account, owner, account_key, key) = one_key(&a);
    assert_eq!(
        auth(&b, &account_key, key.expose(), "10.0.0.1"),
        ok("feed-key-0001")
    );

    // Three changes, the middle one lost from the feed.
    a.set_allow_list(account, owner, "feed-key-0001", &["10.0.0.0/8"])
        .unwrap();
    a.set_allow_list(account, owner, "feed-key-0001", &["192.0.2.0/24"])
        .unwrap();
    a.set_allow_list(account, owner, "feed-key-0001", &["198.51.100.0/24"])
        .unwrap();
    let middle = a.store().version().unwrap() - 1;
    sql(
        &path,
        &format!("DELETE FROM changes WHERE version = {middle}"),
    );
    let before = b.refresh_stats();
    assert_eq!(
        auth(&b, &account_key, key.expose(), "198.51.100.1"),
        ok("feed-key-0001")
    );
    assert_eq!(
        auth(&b, &account_key, key.expose(), "192.0.2.1"),
        err("source_ip_not_allowed")
    );
    let after = b.refresh_stats();
    assert_eq!(after.full_reloads, before.full_reloads + 1, "{after:?}");
    assert_eq!(
        after.feed_changes, before.feed_changes,
        "never half-applied"
    );

    // A change written without a feed row (as by a writer that predates the
    // feed): seen through a full reload too.
    sql(
        &path,
        &format!(
            "BEGIN IMMEDIATE;
             DELETE FROM user_keys WHERE account_id = {account} AND name = 'feed-key-0001';
             UPDATE meta SET value = value + 1 WHERE name = 'version';
             COMMIT;"
        ),
    );
    assert_eq!(
        auth(&b, &account_key, key.expose(), "198.51.100.1"),
        err("invalid_user_key")
    );
    assert_eq!(b.refresh_stats().full_reloads, after.full_reloads + 1);
}

/// The key serial `v` gives `user_key`, and the owner's email it shows.
fn serial(v: &Verifier, account_key: &Secret, user_key: &Secret) -> (u64, String) {
    let headers = [
        ("x-api-key", account_key.expose().as_bytes()),
        ("x-api-secret-key", user_key.expose().as_bytes()),
    ];
    let request = AuthRequest::from_pairs("GET", "/v1/", &headers, "10.0.0.1".parse().unwrap());
    v.authenticate_with(&request, |p| (p.key_serial, p.owner_email.to_string()))
        .unwrap()
}

#[test]
fn a_full_reload_keeps_the_serials_of_keys_whose_principal_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.db");
    let a = Verifier::open_sqlite(&path).unwrap();
    let (account, owner, account_key, first) = one_key(&a);
    let b = Verifier::open_sqlite(&path).unwrap();
    let ada = "ada@example.com".to_string();
    // Serials count up from 1 in each verifier, through the feed too.
    assert_eq!(serial(&b, &account_key, &first), (1, ada.clone()));
    let second = a
        .create_user_key(account, owner, owner, "feed-key-0002", &[] as &[&str])
        .unwrap();
    assert_eq!(serial(&b, &account_key, &second), (2, ada.clone()));
    a.delete_user_key(account, owner, "feed-key-0001").unwrap();
    assert_eq!(
        auth(&b, &account_key, first.expose(), "10.0.0.1"),
        err("invalid_user_key")
    );

    // A third key, its feed row lost: `b` reloads fully, and counts on.
    let third = a
        .create_user_key(account, owner, owner, "feed-key-0003", &[] as &[&str])
        .unwrap();
    let created = a.store().version().unwrap();
    a.set_allow_list(account, owner, "feed-key-0002", &["10.0.0.0/8"])
        .unwrap();
    sql(
        &path,
        &format!("DELETE FROM changes WHERE version = {created}"),
    );
    let before = b.refresh_stats();
    assert_eq!(serial(&b, &account_key, &third), (3, ada.clone()));
    assert_eq!(b.refresh_stats().full_reloads, before.full_reloads + 1);
    assert_eq!(
        serial(&b, &account_key, &second),
        (2, ada),
        "same principal, same serial"
    );

    // The owner's email changed outside the API: new serials with the new email.
    sql(
        &path,
        &format!(
            "BEGIN IMMEDIATE;
             UPDATE users SET email = 'ada@new.example.com' WHERE id = {owner};
             UPDATE meta SET value = value + 1 WHERE name = 'version';
             COMMIT;"
        ),
    );
    let new = "ada@new.example.com".to_string();
    assert_eq!(serial(&b, &account_key, &second), (4, new.clone()));
    assert_eq!(serial(&b, &account_key, &third), (5, new));
    assert_eq!(b.refresh_stats().full_reloads, before.full_reloads + 2);
}

#[test]
fn an_undecodable_feed_entry_reloads_fully() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.db");
    let a = Verifier::open_sqlite(&path).unwrap();
    let b = Verifier::open_sqlite(&path).unwrap();
    let (account, owner, account_key, key) = one_key(&a);
    assert_eq!(
        auth(&b, &account_key, key.expose(), "10.0.0.1"),
        ok("feed-key-0001")
    );
    a.delete_user_key(account, owner, "feed-key-0001").unwrap();
    // As a later format would look to this library.
    let version = a.store().version().unwrap();
    sql(
        &path,
        &format!("UPDATE changes SET mutation = x'0207' WHERE version = {version}"),
    );
    assert_eq!(a.store().changes_since(version - 1).unwrap(), None);
    let before = b.refresh_stats();
    assert_eq!(
        auth(&b, &account_key, key.expose(), "10.0.0.1"),
        err("invalid_user_key")
    );
    assert_eq!(b.refresh_stats().full_reloads, before.full_reloads + 1);
}

/// A memory store whose feed drops the second change it reports: the
/// verifier must notice the gap itself.
struct GappyFeed(MemoryStore);

impl Store for GappyFeed {
    fn load(&self) -> Result<Snapshot, StoreError> {
        self.0.load()
    }
    fn change_token(&self) -> Result<u64, StoreError> {
        self.0.change_token()
    }
    fn version(&self) -> Result<u64, StoreError> {
        self.0.version()
    }
    fn apply(&self, expected_version: u64, mutation: &Mutation) -> Result<Applied, StoreError> {
        self.0.apply(expected_version, mutation)
    }
    fn changes_since(&self, since: u64) -> Result<Option<Vec<Change>>, StoreError> {
        Ok(self.0.changes_since(since)?.map(|mut changes| {
            if changes.len() > 1 {
                changes.remove(1);
            }
            changes
        }))
    }
    fn append_log(&self, entries: &[NewLogEntry]) -> Result<(), StoreError> {
        self.0.append_log(entries)
    }
    fn read_log(
        &self,
        account: u64,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<SystemLogEntry>, StoreError> {
        self.0.read_log(account, offset, limit)
    }
}

#[test]
fn a_feed_with_a_gap_is_never_half_applied() {
    let store = Arc::new(GappyFeed(MemoryStore::new()));
    let a = Verifier::new(store.clone()).unwrap();
    let b = Verifier::new(store).unwrap();
    let (account, owner, account_key, key) = one_key(&a);
    // Four changes in one catch-up: the feed hides the second.
    assert_eq!(
        auth(&b, &account_key, key.expose(), "10.0.0.1"),
        ok("feed-key-0001")
    );
    assert_eq!(
        b.refresh_stats(),
        RefreshStats {
            full_reloads: 1,
            feed_catch_ups: 0,
            feed_changes: 0
        }
    );
    // One change at a time is never gappy here.
    a.set_allow_list(account, owner, "feed-key-0001", &["192.0.2.0/24"])
        .unwrap();
    assert_eq!(
        auth(&b, &account_key, key.expose(), "10.0.0.1"),
        err("source_ip_not_allowed")
    );
    assert_eq!(b.refresh_stats().feed_changes, 1);
}

/// Creates a file at schema version 1 (before the feed) holding one
/// account with its API enabled, an owner and a key, at change counter 4.
fn schema_1_file(path: &Path, account_key: &str, user_key: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
        .unwrap();
    conn.execute_batch(MIGRATIONS[0]).unwrap();
    conn.execute_batch("PRAGMA user_version = 1").unwrap();
    conn.execute(
        "INSERT INTO accounts (id, name, api_enabled, account_key_hash, created_at, updated_at)
         VALUES (1, 'acme', 1, ?1, 0, 0)",
        [KeyHash::of(account_key).as_bytes().to_vec()],
    )
    .unwrap();
    conn.execute_batch(
        "INSERT INTO users (id, account_id, name, email, role, created_at)
         VALUES (1, 1, 'Ada', 'ada@example.com', 'owner', 0);
         UPDATE meta SET value = 4 WHERE name = 'version';",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO user_keys (account_id, owner_id, name, secret_hash, allow_list, created_at)
         VALUES (1, 1, 'old-key-0001', ?1, '[]', 0)",
        [KeyHash::of(user_key).as_bytes().to_vec()],
    )
    .unwrap();
}

#[test]
fn a_schema_1_file_migrates_and_its_feed_starts_at_the_migration() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.db");
    let account_key = Secret::new("AccountKeyFromSchema1".to_string());
    let user_key = "UserKeyFromSchema1xxxxxxxx";
    schema_1_file(&path, account_key.expose(), user_key);

    let a = Verifier::open_sqlite(&path).unwrap();
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    assert_eq!(store.version().unwrap(), 4);
    // The feed starts empty at the migrated file's version: nothing before
    // it can be read incrementally.
    assert_eq!(store.changes_since(4).unwrap(), Some(vec![]));
    assert_eq!(store.changes_since(3).unwrap(), None);
    assert_eq!(store.changes_since(0).unwrap(), None);
    assert_eq!(
        auth(&a, &account_key, user_key, "10.0.0.1"),
        ok("old-key-0001")
    );

    // After the migration, changes reach another verifier through the feed.
    let b = Verifier::open_sqlite(&path).unwrap();
    a.set_allow_list(1, 1, "old-key-0001", &["192.0.2.0/24"])
        .unwrap();
    assert_eq!(
        auth(&b, &account_key, user_key, "10.0.0.1"),
        err("source_ip_not_allowed")
    );
    assert_eq!(
        b.refresh_stats(),
        RefreshStats {
            full_reloads: 0,
            feed_catch_ups: 1,
            feed_changes: 1
        }
    );
    store.integrity_check().unwrap();
}

#[test]
fn an_invalid_allow_list_from_the_feed_fails_closed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.db");
    let a = Verifier::open_sqlite(&path).unwrap();
    let b = Verifier::open_sqlite(&path).unwrap();
    let (account, _, account_key, key) = one_key(&a);
    assert_eq!(
        auth(&b, &account_key, key.expose(), "10.0.0.1"),
        ok("feed-key-0001")
    );
    // A writer that skipped validation (the verifier never stores this).
    let store = SqliteStore::open(&path).unwrap();
    let version = store.version().unwrap();
    store
        .apply(
            version,
            &Mutation::SetAllowList {
                account_id: account,
                name: "feed-key-0001".into(),
                allow_list: vec!["not-a-network".into()],
            },
        )
        .unwrap();
    // The key stops authenticating, as it would after a full load.
    assert_eq!(
        auth(&b, &account_key, key.expose(), "10.0.0.1"),
        err("invalid_user_key")
    );
    assert_eq!(b.refresh_stats().full_reloads, 0);
    let full = Verifier::open_sqlite(&path).unwrap();
    assert_eq!(
        auth(&full, &account_key, key.expose(), "10.0.0.1"),
        err("invalid_user_key")
    );
}

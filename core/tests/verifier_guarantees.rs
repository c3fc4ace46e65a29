//! Guarantees beyond single rules: deletes under a storm of concurrent
//! authentications, the SQLite file's mode, integrity and schema version.

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;

use redis_cloud_auth::store::SqliteStore;
use redis_cloud_auth::verify::{AuthRequest, Role, Verifier};
use redis_cloud_auth::Secret;

fn storm_of_deletes(v: Verifier) {
    const KEYS: usize = 40;
    const THREADS: usize = 6;
    let v = Arc::new(v);
    let account = v.create_account("acme").unwrap();
    let owner = v
        .add_user(account, "Ada", "ada@example.com", Role::Owner)
        .unwrap();
    let account_key = v.enable_api(account).unwrap().unwrap();
    let keys: Vec<Secret> = (0..KEYS)
        .map(|i| {
            v.create_user_key(
                account,
                owner,
                owner,
                &format!("storm-key-{i:03}"),
                &[] as &[&str],
            )
            .unwrap()
        })
        .collect();
    let keys = Arc::new(keys);
    // Per key: 0 live, 1 being deleted, 2 deleted (the delete returned).
    let deleted: Arc<Vec<AtomicU8>> = Arc::new((0..KEYS).map(|_| AtomicU8::new(0)).collect());
    let done = Arc::new(AtomicBool::new(false));
    let violations = Arc::new(AtomicUsize::new(0));
    let attempts = Arc::new(AtomicUsize::new(0));
    let peer: IpAddr = "10.0.0.1".parse().unwrap();

    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (v, keys, deleted, done, violations, attempts, account_key) = (
                v.clone(),
                keys.clone(),
                deleted.clone(),
                done.clone(),
                violations.clone(),
                attempts.clone(),
                account_key.clone(),
            );
            std::thread::spawn(move || {
                let mut i = t;
                while !done.load(Ordering::Acquire) {
                    let k = i % KEYS;
                    i += 1;
                    // Read before the call: if the delete had returned by
                    // then, the call must fail.
                    let gone_before = deleted[k].load(Ordering::Acquire) == 2;
                    let headers = [
                        ("x-api-key", account_key.expose().as_bytes()),
                        ("x-api-secret-key", keys[k].expose().as_bytes()),
                    ];
                    let ok = v
                        .authenticate(&AuthRequest::from_pairs("GET", "/", &headers, peer))
                        .is_ok();
                    if gone_before && ok {
                        violations.fetch_add(1, Ordering::Relaxed);
                    }
                    if !gone_before && !ok && deleted[k].load(Ordering::Acquire) == 0 {
                        // A key nobody deleted must keep working.
                        violations.fetch_add(1, Ordering::Relaxed);
                    }
                    attempts.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();

    for (k, flag) in deleted.iter().enumerate() {
        while attempts.load(Ordering::Relaxed) < (k + 1) * 50 {
            std::thread::yield_now();
        }
        flag.store(1, Ordering::Release);
        v.delete_user_key(account, owner, &format!("storm-key-{k:03}"))
            .unwrap();
        flag.store(2, Ordering::Release);
        // Keys are created mid-storm too.
        v.create_user_key(
            account,
            owner,
            owner,
            &format!("late-key-{k:03}"),
            &[] as &[&str],
        )
        .unwrap();
    }
    let before = attempts.load(Ordering::Relaxed);
    while attempts.load(Ordering::Relaxed) < before + 500 {
        std::thread::yield_now();
    }
    done.store(true, Ordering::Release);
    for w in workers {
        w.join().unwrap();
    }
    assert_eq!(violations.load(Ordering::Relaxed), 0);
    assert_eq!(v.list_user_keys(account).unwrap().len(), KEYS);
    // One log entry per attempt: all were tied to the account.
    let total = attempts.load(Ordering::Relaxed);
    let mut logged = 0;
    let mut offset = 0;
    loop {
        let page = v.system_log(account, offset, 1000).unwrap();
        if page.is_empty() {
            break;
        }
        logged += page.len();
        offset += page.len() as u64;
    }
    assert_eq!(logged, total);
}

#[test]
fn a_deleted_key_never_authenticates_again_under_concurrency_in_memory() {
    storm_of_deletes(
        Verifier::new(Arc::new(
            redis_cloud_auth::store::MemoryStore::with_log_capacity(10_000_000),
        ))
        .unwrap(),
    );
}

#[test]
fn a_deleted_key_never_authenticates_again_under_concurrency_in_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    storm_of_deletes(Verifier::open_sqlite(dir.path().join("storm.db")).unwrap());
    SqliteStore::open(dir.path().join("storm.db"))
        .unwrap()
        .integrity_check()
        .unwrap();
}

#[cfg(unix)]
#[test]
fn the_sqlite_file_is_private_and_sound() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.db");
    let v = Verifier::open_sqlite(&path).unwrap();
    let account = v.create_account("acme").unwrap();
    v.enable_api(account).unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{}{suffix}", path.display());
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{file}");
    }
    let store = SqliteStore::open(&path).unwrap();
    store.integrity_check().unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        redis_cloud_auth::store::MIGRATIONS.len() as i64
    );
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.db");
    drop(SqliteStore::open(&path).unwrap());
    let conn = rusqlite_conn(&path);
    conn.execute_batch("PRAGMA user_version = 99").unwrap();
    drop(conn);
    let err = SqliteStore::open(&path).unwrap_err();
    assert_eq!(err.code(), "store_newer_schema");
}

fn rusqlite_conn(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

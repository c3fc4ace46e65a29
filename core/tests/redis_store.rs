//! The Redis store: the same outcome as the SQLite store for every
//! mutation and system-log read, nothing dropped from the log, verifiers
//! sharing one Redis seeing each other's changes within the staleness
//! bound, and a Redis restart answered with "store unavailable" (never a
//! wrong answer) and recovered from without reopening anything.
//!
//! Needs `RCAUTH_TEST_REDIS_URL` (and `RCAUTH_TEST_REDIS_SERVER` for the
//! restart tests), as `scripts/test.d/70-redis.sh` sets them: every test
//! here is `#[ignore]`d, and that step runs them with `--ignored`. Run
//! without those variables, an ignored test fails.

#![cfg(feature = "redis")]

mod redis_support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis_cloud_auth::api::SystemLogEntry;
use redis_cloud_auth::store::{
    Mutation, NewLogEntry, RedisStore, Snapshot, SqliteStore, Store, StoreError, UserKeyRecord,
};
use redis_cloud_auth::verify::{AdminError, AuthFailure, KeyHash, Role, Verifier};

use redis_support::{auth, eventually, fast_options, redis_url, setup, PrivateServer};

// ---------------------------------------------------------------------------
// Store conformance: the SQLite store is the reference.

/// The outcome of each step, and the ids the creating steps returned.
#[derive(Default)]
struct Transcript {
    outcomes: Vec<String>,
    /// `('a' | 'u', id)` of each created account or user, in order.
    ids: Vec<(char, u64)>,
}

impl Transcript {
    /// The real id of the `n`th created record.
    fn id(&self, n: usize) -> u64 {
        self.ids[n].1
    }

    /// Applies `mutation` at the store's current version and records the
    /// outcome; a failed mutation must leave the version alone.
    fn step(&mut self, store: &dyn Store, mutation: Mutation) {
        let before = store.version().unwrap();
        let kind = match mutation {
            Mutation::CreateAccount { .. } => 'a',
            _ => 'u',
        };
        match store.apply(before, &mutation) {
            Ok(applied) => {
                if applied.id != 0 {
                    self.ids.push((kind, applied.id));
                }
                assert_eq!(applied.version, before + 1);
                assert_eq!(store.version().unwrap(), before + 1);
                self.outcomes.push("ok".into());
            }
            Err(e) => {
                assert_eq!(store.version().unwrap(), before, "{e} changed the version");
                self.outcomes.push(e.code().into());
            }
        }
    }

    /// The snapshot with every id replaced by its creation rank, so two
    /// stores that number differently compare equal.
    fn normalise(&self, snapshot: &Snapshot) -> String {
        let rank: BTreeMap<(char, u64), usize> = self
            .ids
            .iter()
            .enumerate()
            .map(|(n, id)| (*id, n))
            .collect();
        let r = |kind: char, id: u64| {
            rank.get(&(kind, id))
                .map_or(format!("?{id}"), |n| format!("#{n}"))
        };
        let mut lines = Vec::new();
        for a in &snapshot.accounts {
            lines.push(format!(
                "account {} {} enabled={} key={:?} {} {}",
                r('a', a.id),
                a.name,
                a.api_enabled,
                a.account_key_hash,
                a.created_at,
                a.updated_at
            ));
        }
        for u in &snapshot.users {
            lines.push(format!(
                "user {} of {} {} {} {} {}",
                r('u', u.id),
                r('a', u.account_id),
                u.name,
                u.email,
                u.role,
                u.created_at
            ));
        }
        for k in &snapshot.user_keys {
            lines.push(format!(
                "key {} of {} owner {} {:?} {:?} {}",
                k.name,
                r('a', k.account_id),
                r('u', k.owner_id),
                k.secret_hash,
                k.allow_list,
                k.created_at
            ));
        }
        lines.sort();
        lines.join("\n")
    }
}

fn key(account_id: u64, owner_id: u64, name: &str, secret: &str, allow: &[&str]) -> Mutation {
    Mutation::CreateUserKey(UserKeyRecord {
        account_id,
        owner_id,
        name: name.into(),
        secret_hash: KeyHash::of(secret),
        allow_list: allow.iter().map(|s| s.to_string()).collect(),
        created_at: 1_700_000_100,
    })
}

/// Every kind of mutation, including each refusal, on `store`.
fn every_mutation(store: &dyn Store) -> Transcript {
    let mut t = Transcript::default();
    let missing = 999_999;
    let account = |name: &str| Mutation::CreateAccount {
        name: name.into(),
        at: 1_700_000_000,
    };
    let user = |account_id, name: &str, role| Mutation::AddUser {
        account_id,
        name: name.into(),
        email: format!("{}@example.com", name.to_lowercase()),
        role,
        at: 1_700_000_050,
    };
    let api = |account_id, enabled, hash: Option<&str>| Mutation::SetApi {
        account_id,
        enabled,
        account_key_hash: hash.map(KeyHash::of),
        at: 1_700_000_200,
    };
    t.step(store, account("acme")); // #0
    t.step(store, account("globex")); // #1
    let (acme, globex) = (t.id(0), t.id(1));
    t.step(store, user(acme, "Ada", Role::Owner)); // #2
    t.step(store, user(acme, "Bob", Role::Member)); // #3
    t.step(store, user(globex, "Cy", Role::Owner)); // #4
    let (ada, bob, cy) = (t.id(2), t.id(3), t.id(4));
    t.step(store, user(missing, "Nobody", Role::Owner));
    t.step(store, api(acme, true, Some("account key one")));
    t.step(store, api(acme, false, None));
    t.step(store, api(acme, true, None));
    t.step(store, api(globex, false, Some("account key two")));
    t.step(store, api(missing, true, None));
    t.step(
        store,
        Mutation::SetUserRole {
            user_id: bob,
            role: Role::Owner,
        },
    );
    t.step(
        store,
        Mutation::SetUserRole {
            user_id: missing,
            role: Role::Viewer,
        },
    );
    t.step(
        store,
        key(acme, ada, "ci-deploy-key", "k1", &["10.0.0.0/8"]),
    );
    t.step(store, key(acme, bob, "second-key-01", "k2", &[]));
    t.step(store, key(acme, ada, "ci-deploy-key", "k9", &[]));
    t.step(store, key(globex, cy, "ci-deploy-key", "k3", &[]));
    t.step(store, key(globex, cy, "other-name-01", "k1", &[]));
    t.step(store, key(acme, missing, "no-owner-key", "k4", &[]));
    t.step(store, key(missing, ada, "no-account-key", "k5", &[]));
    t.step(
        store,
        Mutation::SetAllowList {
            account_id: acme,
            name: "ci-deploy-key".into(),
            allow_list: vec!["192.0.2.0/24".into(), "2001:db8::/32".into()],
        },
    );
    t.step(
        store,
        Mutation::SetAllowList {
            account_id: globex,
            name: "second-key-01".into(),
            allow_list: vec![],
        },
    );
    let delete = Mutation::DeleteUserKey {
        account_id: acme,
        name: "second-key-01".into(),
    };
    t.step(store, delete.clone());
    t.step(store, delete);
    // The deleted key's hash is free again.
    t.step(store, key(acme, bob, "second-key-01", "k2", &["::1/128"]));
    t
}

fn fresh_sqlite() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("auth.db")).unwrap();
    (dir, store)
}

#[test]
#[ignore = "needs Redis: RCAUTH_TEST_REDIS_URL (scripts/test.d/70-redis.sh)"]
fn every_mutation_has_the_sqlite_outcome() {
    let url = redis_url();
    let (_dir, sqlite) = fresh_sqlite();
    let redis = RedisStore::open_with(&url, fast_options("conformance")).unwrap();
    let expected = every_mutation(&sqlite);
    let actual = every_mutation(&redis);
    assert_eq!(actual.outcomes, expected.outcomes);
    // Each kind of refusal occurs, so the comparison means something.
    for code in ["store_conflict", "store_duplicate", "store_unavailable"] {
        assert!(expected.outcomes.iter().any(|o| o == code), "{code}");
    }
    let expected_state = expected.normalise(&sqlite.load().unwrap());
    let actual_state = actual.normalise(&redis.load().unwrap());
    assert_eq!(actual_state, expected_state);
    assert!(actual_state.contains("2001:db8::/32"), "{actual_state}");
    assert_eq!(redis.load().unwrap().version, redis.version().unwrap());
}

#[test]
#[ignore = "needs Redis: RCAUTH_TEST_REDIS_URL (scripts/test.d/70-redis.sh)"]
fn a_stale_version_is_a_conflict_and_changes_nothing() {
    let url = redis_url();
    let redis = RedisStore::open_with(&url, fast_options("stale-version")).unwrap();
    let v0 = redis.version().unwrap();
    let create = Mutation::CreateAccount {
        name: "acme".into(),
        at: 1,
    };
    let applied = redis.apply(v0, &create).unwrap();
    assert_eq!(applied.version, v0 + 1);
    let err = redis.apply(v0, &create).unwrap_err();
    assert_eq!(err.code(), "store_conflict");
    let err = redis.apply(v0 + 5, &create).unwrap_err();
    assert_eq!(err.code(), "store_conflict");
    let snapshot = redis.load().unwrap();
    assert_eq!(snapshot.accounts.len(), 1);
    assert_eq!(snapshot.version, v0 + 1);
}

#[test]
#[ignore = "needs Redis: RCAUTH_TEST_REDIS_URL (scripts/test.d/70-redis.sh)"]
fn concurrent_writers_are_serialised() {
    let url = redis_url();
    let options = fast_options("concurrent-writers");
    let stores: Vec<Arc<RedisStore>> = (0..4)
        .map(|_| Arc::new(RedisStore::open_with(&url, options.clone()).unwrap()))
        .collect();
    let threads: Vec<_> = stores
        .iter()
        .enumerate()
        .map(|(n, store)| {
            let store = store.clone();
            std::thread::spawn(move || {
                let mut conflicts = 0;
                let mut created = 0;
                while created < 25 {
                    let version = store.version().unwrap();
                    let mutation = Mutation::CreateAccount {
                        name: format!("writer-{n}-{created}"),
                        at: 1,
                    };
                    match store.apply(version, &mutation) {
                        Ok(_) => created += 1,
                        Err(e) if e.code() == "store_conflict" => conflicts += 1,
                        Err(e) => panic!("{e}"),
                    }
                }
                conflicts
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let snapshot = stores[0].load().unwrap();
    assert_eq!(snapshot.accounts.len(), 100);
    let mut ids: Vec<u64> = snapshot.accounts.iter().map(|a| a.id).collect();
    ids.dedup();
    assert_eq!(ids.len(), 100);
    // Every commit bumped the counter exactly once.
    let start = snapshot.version - 100;
    let fresh = RedisStore::open_with(&url, options).unwrap();
    assert_eq!(fresh.version().unwrap(), start + 100);
}

// ---------------------------------------------------------------------------
// The system log.

fn log_entry(n: usize, key: Option<&str>) -> SystemLogEntry {
    SystemLogEntry {
        id: 0,
        time: format!("2026-11-26T07:{:02}:{:02}Z", n / 60 % 60, n % 60),
        originator: "Ada".into(),
        api_key_name: key.map(str::to_string),
        resource: format!("GET /v1/subscriptions/{n}"),
        kind: "authentication".into(),
        description: format!("authenticated from 192.0.2.{}", n % 250),
    }
}

#[test]
#[ignore = "needs Redis: RCAUTH_TEST_REDIS_URL (scripts/test.d/70-redis.sh)"]
fn the_system_log_reads_like_the_sqlite_one() {
    let url = redis_url();
    let (_dir, sqlite) = fresh_sqlite();
    let redis = RedisStore::open_with(&url, fast_options("log-conformance")).unwrap();
    let batch: Vec<NewLogEntry> = (0..30)
        .map(|n| NewLogEntry {
            account_id: 1 + (n % 3 == 0) as u64,
            entry: log_entry(n, (n % 4 != 0).then_some("ci-deploy-key")),
        })
        .collect();
    for store in [&sqlite as &dyn Store, &redis] {
        store.append_log(&batch[..10]).unwrap();
        store.append_log(&batch[10..]).unwrap();
        store.append_log(&[]).unwrap();
    }
    let reads = [
        (1, 0, 100),
        (1, 0, 5),
        (1, 3, 4),
        (1, 19, 5),
        (1, 20, 5),
        (1, 500, 5),
        (2, 0, 1000),
        (2, 9, 1),
        (2, 0, 0),
        (3, 0, 10),
    ];
    for (account, offset, limit) in reads {
        let expected = sqlite.read_log(account, offset, limit).unwrap();
        let actual = redis.read_log(account, offset, limit).unwrap();
        assert_eq!(
            actual, expected,
            "account {account} offset {offset} limit {limit}"
        );
    }
    let newest = redis.read_log(1, 0, 1).unwrap();
    assert_eq!(newest[0].resource, "GET /v1/subscriptions/29");
    assert_eq!(newest[0].api_key_name.as_deref(), Some("ci-deploy-key"));
    let no_key = redis.read_log(2, 1, 1).unwrap();
    assert_eq!(no_key[0].resource, "GET /v1/subscriptions/24");
    assert_eq!(no_key[0].api_key_name, None);
}

#[test]
#[ignore = "needs Redis: RCAUTH_TEST_REDIS_URL (scripts/test.d/70-redis.sh)"]
fn nothing_is_dropped_from_the_system_log() {
    let url = redis_url();
    let redis = RedisStore::open_with(&url, fast_options("log-volume")).unwrap();
    let total = 12_000;
    for chunk in (0..total).collect::<Vec<_>>().chunks(4096) {
        let batch: Vec<NewLogEntry> = chunk
            .iter()
            .map(|&n| NewLogEntry {
                account_id: 7,
                entry: log_entry(n, Some("ci-deploy-key")),
            })
            .collect();
        redis.append_log(&batch).unwrap();
    }
    let mut seen = Vec::new();
    loop {
        let page = redis.read_log(7, seen.len() as u64, 1000).unwrap();
        if page.is_empty() {
            break;
        }
        seen.extend(page);
    }
    assert_eq!(seen.len(), total);
    for (i, entry) in seen.iter().enumerate() {
        // Newest first: the ith entry read is the (total - 1 - i)th written.
        assert_eq!(
            entry.resource,
            format!("GET /v1/subscriptions/{}", total - 1 - i)
        );
        assert_eq!(entry.id, (total - i) as u64);
    }
}

// ---------------------------------------------------------------------------
// Verifiers sharing one Redis.

#[test]
#[ignore = "needs Redis: RCAUTH_TEST_REDIS_URL (scripts/test.d/70-redis.sh)"]
fn a_change_through_one_verifier_is_seen_by_another_within_the_bound() {
    let url = redis_url();
    let options = fast_options("two-verifiers");
    let bound = options.staleness_bound();
    let a = Verifier::new(Arc::new(
        RedisStore::open_with(&url, options.clone()).unwrap(),
    ))
    .unwrap();
    let b = Verifier::new(Arc::new(RedisStore::open_with(&url, options).unwrap())).unwrap();
    let s = setup(&a, &[]);
    let (ak, uk) = (s.account_key.expose(), s.user_key.expose());

    // Created through a: authenticates on b.
    eventually(bound, || auth(&b, ak, uk, "192.0.2.1").is_ok());
    assert_eq!(auth(&b, ak, uk, "192.0.2.1").unwrap(), "ci-deploy-key");

    // Allow list narrowed through a: b answers 403.
    a.set_allow_list(s.account, s.owner, "ci-deploy-key", &["10.0.0.0/8"])
        .unwrap();
    eventually(bound, || {
        auth(&b, ak, uk, "192.0.2.1").is_err_and(|f| f.http_status() == 403)
    });
    assert!(auth(&b, ak, uk, "10.1.2.3").is_ok());

    // Owner role revoked through b: a refuses.
    b.set_user_role(s.account, s.owner, Role::Member).unwrap();
    eventually(bound, || {
        auth(&a, ak, uk, "10.1.2.3") == Err(AuthFailure::OwnerRoleRevoked)
    });
    b.set_user_role(s.account, s.owner, Role::Owner).unwrap();
    eventually(bound, || auth(&a, ak, uk, "10.1.2.3").is_ok());

    // API disabled through b: a refuses.
    b.disable_api(s.account).unwrap();
    eventually(bound, || {
        auth(&a, ak, uk, "10.1.2.3") == Err(AuthFailure::ApiDisabled)
    });
    a.enable_api(s.account).unwrap();
    eventually(bound, || auth(&b, ak, uk, "10.1.2.3").is_ok());

    // Deleted through a: b refuses, and keeps refusing.
    a.delete_user_key(s.account, s.owner, "ci-deploy-key")
        .unwrap();
    assert_eq!(
        auth(&a, ak, uk, "10.1.2.3"),
        Err(AuthFailure::InvalidUserKey)
    );
    eventually(bound, || {
        auth(&b, ak, uk, "10.1.2.3") == Err(AuthFailure::InvalidUserKey)
    });
    for _ in 0..50 {
        assert_eq!(
            auth(&b, ak, uk, "10.1.2.3"),
            Err(AuthFailure::InvalidUserKey)
        );
    }

    // Both verifiers wrote to the one system log.
    a.flush_system_log().unwrap();
    b.flush_system_log().unwrap();
    let log = a.system_log(s.account, 0, 1000).unwrap();
    assert_eq!(log, b.system_log(s.account, 0, 1000).unwrap());
    assert!(log.len() >= 60, "{}", log.len());
    assert!(log.iter().all(|e| !e.description.contains(uk)));
}

#[test]
#[ignore = "needs Redis: RCAUTH_TEST_REDIS_URL (scripts/test.d/70-redis.sh)"]
fn the_periodic_check_alone_catches_a_missed_message() {
    let url = redis_url();
    // b never subscribes: as if every change message were lost.
    let options = fast_options("no-pubsub");
    let a = Verifier::new(Arc::new(
        RedisStore::open_with(&url, options.clone()).unwrap(),
    ))
    .unwrap();
    let deaf = options.clone().subscribe(false);
    let b = Verifier::new(Arc::new(RedisStore::open_with(&url, deaf).unwrap())).unwrap();
    let s = setup(&a, &[]);
    let (ak, uk) = (s.account_key.expose(), s.user_key.expose());
    let poll = Duration::from_millis(50);
    eventually(poll, || auth(&b, ak, uk, "192.0.2.1").is_ok());
    a.delete_user_key(s.account, s.owner, "ci-deploy-key")
        .unwrap();
    eventually(poll, || auth(&b, ak, uk, "192.0.2.1").is_err());
}

#[test]
#[ignore = "needs Redis: RCAUTH_TEST_REDIS_URL (scripts/test.d/70-redis.sh)"]
fn verifiers_on_two_stores_create_keys_concurrently() {
    let url = redis_url();
    let options = fast_options("concurrent-admin");
    let a = Arc::new(
        Verifier::new(Arc::new(
            RedisStore::open_with(&url, options.clone()).unwrap(),
        ))
        .unwrap(),
    );
    let b = Arc::new(
        Verifier::new(Arc::new(
            RedisStore::open_with(&url, options.clone()).unwrap(),
        ))
        .unwrap(),
    );
    let s = setup(&a, &[]);
    // b decides on its own view, which has the account within the bound.
    eventually(options.staleness_bound(), || {
        b.list_users(s.account).is_ok()
    });
    let threads: Vec<_> = [a.clone(), b.clone()]
        .into_iter()
        .enumerate()
        .map(|(n, v)| {
            let (account, owner) = (s.account, s.owner);
            std::thread::spawn(move || {
                let mut gave_up = 0;
                for i in 0..15 {
                    let name = format!("node-{n}-key-{i:02}");
                    // The documented contract: a conflict is retried by the caller.
                    loop {
                        match v.create_user_key(account, owner, owner, &name, &[] as &[&str]) {
                            Ok(_) => break,
                            Err(AdminError::Store(StoreError::Conflict)) => gave_up += 1,
                            Err(e) => panic!("{e}"),
                        }
                    }
                }
                gave_up
            })
        })
        .collect();
    for thread in threads {
        let gave_up = thread.join().unwrap();
        eprintln!("verifier retries exhausted {gave_up} times");
    }
    let names = |v: &Verifier| v.list_user_keys(s.account).unwrap().len();
    assert_eq!(names(&a), 31);
    eventually(options.staleness_bound(), || names(&b) == 31);
}

#[test]
#[ignore = "needs Redis: RCAUTH_TEST_REDIS_URL (scripts/test.d/70-redis.sh)"]
fn open_redis_opens_the_default_prefix() {
    let url = redis_url();
    let verifier = Verifier::open_redis(&url).unwrap();
    let debug = format!("{verifier:?}");
    assert!(debug.contains("Verifier"), "{debug}");
    assert!(verifier.api_enabled(u64::MAX - 1).is_err());
}

// ---------------------------------------------------------------------------
// Redis going away and coming back.

#[test]
#[ignore = "needs redis-server: RCAUTH_TEST_REDIS_SERVER (scripts/test.d/70-redis.sh)"]
fn a_redis_restart_gives_store_unavailable_then_recovers() {
    let mut server = PrivateServer::start("restart");
    let options = fast_options("restart");
    let bound = options.staleness_bound();
    let store = RedisStore::open_with(&server.url(), options).unwrap();
    let verifier = Verifier::new(Arc::new(store)).unwrap();
    let s = setup(&verifier, &[]);
    let (ak, uk) = (s.account_key.expose(), s.user_key.expose());
    assert!(auth(&verifier, ak, uk, "192.0.2.1").is_ok());

    server.shutdown_saving();
    // Served from the index until the bound passes, then refused; never a
    // different answer.
    let started = Instant::now();
    loop {
        match auth(&verifier, ak, uk, "192.0.2.1") {
            Ok(name) => assert_eq!(name, "ci-deploy-key"),
            Err(AuthFailure::StoreUnavailable) => break,
            Err(other) => panic!("wrong answer while Redis is down: {other:?}"),
        }
        assert!(
            started.elapsed() < bound + Duration::from_secs(2),
            "still serving"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(
        auth(&verifier, ak, uk, "192.0.2.1")
            .unwrap_err()
            .http_status(),
        503
    );
    let admin = verifier.create_user_key(
        s.account,
        s.owner,
        s.owner,
        "while-down-key",
        &[] as &[&str],
    );
    assert_eq!(admin.unwrap_err().code(), "store_unavailable");

    server.restart();
    eventually(Duration::from_secs(5), || {
        auth(&verifier, ak, uk, "192.0.2.1").is_ok()
    });
    let second = verifier
        .create_user_key(s.account, s.owner, s.owner, "after-restart", &[] as &[&str])
        .unwrap();
    assert_eq!(
        auth(&verifier, ak, second.expose(), "192.0.2.1").unwrap(),
        "after-restart"
    );
}

#[test]
#[ignore = "needs redis-server: RCAUTH_TEST_REDIS_SERVER (scripts/test.d/70-redis.sh)"]
fn a_server_that_lost_its_data_never_authenticates_old_keys() {
    let mut server = PrivateServer::start("data-loss");
    let options = fast_options("data-loss");
    let verifier = Verifier::new(Arc::new(
        RedisStore::open_with(&server.url(), options).unwrap(),
    ))
    .unwrap();
    let s = setup(&verifier, &[]);
    let (ak, uk) = (s.account_key.expose(), s.user_key.expose());
    assert!(auth(&verifier, ak, uk, "192.0.2.1").is_ok());

    server.shutdown_discarding();
    server.restart();
    eventually(Duration::from_secs(5), || {
        auth(&verifier, ak, uk, "192.0.2.1") == Err(AuthFailure::InvalidAccountKey)
    });
    assert!(verifier.list_users(s.account).is_err());
}

#[test]
#[ignore = "needs Redis: RCAUTH_TEST_REDIS_URL (scripts/test.d/70-redis.sh)"]
fn redis_never_holds_a_secret() {
    let url = redis_url();
    let options = fast_options("no-secrets");
    let prefix = format!("{}*", options.key_prefix());
    let verifier = Verifier::new(Arc::new(RedisStore::open_with(&url, options).unwrap())).unwrap();
    let s = setup(&verifier, &["10.0.0.0/8"]);
    let (ak, uk) = (s.account_key.expose(), s.user_key.expose());
    assert!(auth(&verifier, ak, uk, "10.0.0.1").is_ok());
    assert!(auth(&verifier, ak, uk, "192.0.2.1").is_err());
    assert!(auth(&verifier, ak, "wrong-user-key-value", "10.0.0.1").is_err());
    verifier.flush_system_log().unwrap();

    let mut con = redis::Client::open(url).unwrap().get_connection().unwrap();
    let keys: Vec<String> = redis::cmd("KEYS").arg(&prefix).query(&mut con).unwrap();
    assert!(keys.len() >= 6, "{keys:?}");
    let mut everything = String::new();
    for key in keys {
        let kind: String = redis::cmd("TYPE").arg(&key).query(&mut con).unwrap();
        let value: redis::Value = match kind.as_str() {
            "string" => redis::cmd("GET").arg(&key).query(&mut con).unwrap(),
            "hash" => redis::cmd("HGETALL").arg(&key).query(&mut con).unwrap(),
            "stream" => redis::cmd("XRANGE")
                .arg(&key)
                .arg("-")
                .arg("+")
                .query(&mut con)
                .unwrap(),
            other => panic!("unexpected {other} at {key}"),
        };
        everything.push_str(&format!("{key} {value:?}\n"));
    }
    assert!(everything.contains("ci-deploy-key"), "{everything}");
    assert!(
        everything.contains("authenticated from 10.0.0.1"),
        "{everything}"
    );
    assert!(!everything.contains(ak));
    assert!(!everything.contains(uk));
}

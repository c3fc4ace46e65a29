//! What it costs verifier B to catch up after verifier A changed one key
//! in a store of 100,000 user keys (16-CIDR allow lists): through the
//! change feed, and by a full reload, measured in the same run on the same
//! store.
//!
//! Run: `cargo bench -p redis-cloud-auth --bench reload`; add
//! `--features redis` and set `RCAUTH_TEST_REDIS_URL` for the Redis store
//! too. `RCA_BENCH_ROUNDS=feed,full` changes how many catch-ups of each
//! kind are timed (default `50,7`).
//!
//! Each round: A narrows one key's allow list (untimed; B's system log is
//! flushed first, so B sees exactly one commit), B's store signals it
//! (untimed, Redis only), then the time of B's next `authenticate`, which
//! catches up first, is recorded. Two B verifiers share the store: one
//! reads the feed, the other sees the store through a wrapper without a
//! feed ([`Store::changes_since`]'s default), so it reloads fully. Wall
//! time; the median, minimum and maximum of the rounds are printed.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis_cloud_auth::api::SystemLogEntry;
use redis_cloud_auth::store::{
    Applied, Mutation, NewLogEntry, Snapshot, SqliteStore, Store, StoreError,
};
use redis_cloud_auth::verify::{AuthRequest, Role, Verifier};
use redis_cloud_auth::Secret;

const ACCOUNTS: usize = 1_000;
const KEYS_PER_ACCOUNT: usize = 100;
const CIDRS_PER_KEY: usize = 16;

/// A store seen without its change feed: every catch-up is a full reload.
struct WithoutFeed(Arc<dyn Store>);

impl Store for WithoutFeed {
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
    fn append_log(&self, entries: &[NewLogEntry]) -> Result<(), StoreError> {
        self.0.append_log(entries)
    }
    fn read_log(
        &self,
        account_id: u64,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<SystemLogEntry>, StoreError> {
        self.0.read_log(account_id, offset, limit)
    }
}

/// The key A changes in every round, and a request B authenticates with it.
struct Target {
    account: u64,
    owner: u64,
    name: String,
    account_key: Secret,
    user_key: Secret,
}

/// 16 disjoint /24s per key.
fn allow_list(seed: usize) -> Vec<String> {
    (0..CIDRS_PER_KEY)
        .map(|i| {
            format!(
                "10.{}.{}.0/24",
                (seed + i * 7) % 256,
                (seed / 256 + i) % 256
            )
        })
        .collect()
}

/// 100,000 keys in 1,000 accounts; the target is the last key made.
fn populate(v: &Verifier) -> Target {
    let started = Instant::now();
    let mut target = None;
    for a in 0..ACCOUNTS {
        let account = v.create_account(&format!("account-{a}")).unwrap();
        let owner = v
            .add_user(account, "Owner", "owner@example.com", Role::Owner)
            .unwrap();
        let account_key = v.enable_api(account).unwrap().unwrap();
        for k in 0..KEYS_PER_ACCOUNT {
            let seed = a * KEYS_PER_ACCOUNT + k;
            let user_key = v
                .create_user_key(
                    account,
                    owner,
                    owner,
                    &format!("bench-key-{seed:06}"),
                    &allow_list(seed),
                )
                .unwrap();
            target = Some(Target {
                account,
                owner,
                name: format!("bench-key-{seed:06}"),
                account_key: account_key.clone(),
                user_key,
            });
        }
    }
    eprintln!(
        "populated {} keys in {:.1?}",
        ACCOUNTS * KEYS_PER_ACCOUNT,
        started.elapsed()
    );
    target.unwrap()
}

/// The allow list A sets in round `n`: 16 entries, the peer in the last.
fn round_list(n: usize) -> Vec<String> {
    let mut list = allow_list(n + 7);
    list[CIDRS_PER_KEY - 1] = "192.0.2.0/24".into();
    list
}

fn authenticates(v: &Verifier, t: &Target) -> bool {
    let headers = [
        ("x-api-key", t.account_key.expose().as_bytes()),
        ("x-api-secret-key", t.user_key.expose().as_bytes()),
    ];
    let peer: IpAddr = "192.0.2.77".parse().unwrap();
    v.authenticate(&AuthRequest::from_pairs("GET", "/v1/", &headers, peer))
        .is_ok()
}

/// Times `rounds` catch-ups of `b` after one change each through `a`.
fn catch_ups(
    a: &Verifier,
    b: &Verifier,
    t: &Target,
    settle: &dyn Fn(&Verifier, &Verifier),
    rounds: usize,
) -> Vec<Duration> {
    let mut times = Vec::with_capacity(rounds);
    for n in 0..rounds {
        let list = round_list(n);
        a.set_allow_list(t.account, t.owner, &t.name, &list)
            .unwrap();
        settle(a, b);
        // Everything B queued is written: A's change is its only news.
        b.flush_system_log().unwrap();
        let started = Instant::now();
        let ok = authenticates(b, t);
        times.push(started.elapsed());
        assert!(ok, "B authenticates after catching up");
    }
    times
}

/// Median, minimum and maximum.
fn summary(mut times: Vec<Duration>) -> (Duration, Duration, Duration) {
    times.sort();
    (times[times.len() / 2], times[0], times[times.len() - 1])
}

fn rounds() -> (usize, usize) {
    let text = std::env::var("RCA_BENCH_ROUNDS").unwrap_or_default();
    let mut parts = text.split(',').map(|p| p.trim().parse::<usize>().ok());
    let feed = parts.next().flatten().unwrap_or(50).max(1);
    let full = parts.next().flatten().unwrap_or(7).max(1);
    (feed, full)
}

/// Measures both kinds of catch-up over `store` and prints a table.
fn compare(
    name: &str,
    a: &Verifier,
    store: Arc<dyn Store>,
    t: &Target,
    settle: &dyn Fn(&Verifier, &Verifier),
) {
    let (feed_rounds, full_rounds) = rounds();
    let b_feed = Verifier::new(store.clone()).unwrap();
    let b_full = Verifier::new(Arc::new(WithoutFeed(store))).unwrap();
    // Both B verifiers are current and accept the target's request.
    a.set_allow_list(t.account, t.owner, &t.name, &round_list(0))
        .unwrap();
    settle(a, &b_feed);
    assert!(authenticates(&b_feed, t) && authenticates(&b_full, t));

    let feed = catch_ups(a, &b_feed, t, settle, feed_rounds);
    let full = catch_ups(a, &b_full, t, settle, full_rounds);
    let (fs, rs) = (b_feed.refresh_stats(), b_full.refresh_stats());
    assert_eq!(fs.full_reloads, 0, "{fs:?}");
    assert!(fs.feed_catch_ups >= feed_rounds as u64, "{fs:?}");
    assert!(rs.full_reloads >= full_rounds as u64, "{rs:?}");
    assert_eq!(rs.feed_catch_ups, 0, "{rs:?}");

    let (f, r) = (summary(feed), summary(full));
    println!("{name}: B's first authenticate after A changed one key of 100,000 (wall time)");
    println!("| catch-up | rounds | median | min | max |");
    println!("|---|---|---|---|---|");
    println!(
        "| change feed | {feed_rounds} | {:.1?} | {:.1?} | {:.1?} |",
        f.0, f.1, f.2
    );
    println!(
        "| full reload | {full_rounds} | {:.1?} | {:.1?} | {:.1?} |",
        r.0, r.1, r.2
    );
    println!(
        "full reload / change feed (medians): {:.0}x",
        r.0.as_secs_f64() / f.0.as_secs_f64()
    );
}

fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let a = Verifier::open_sqlite(&path).unwrap();
    let target = populate(&a);
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
    compare("sqlite", &a, store, &target, &|_, _| {});
}

#[cfg(feature = "redis")]
fn redis() {
    use redis_cloud_auth::store::{RedisOptions, RedisStore};
    let Ok(url) = std::env::var("RCAUTH_TEST_REDIS_URL") else {
        eprintln!("skipped redis: RCAUTH_TEST_REDIS_URL is not set");
        return;
    };
    let prefix = format!("rcauth-bench-reload:{}:", std::process::id());
    let options = RedisOptions::default().prefix(prefix);
    let open =
        || -> Arc<dyn Store> { Arc::new(RedisStore::open_with(&url, options.clone()).unwrap()) };
    let a = Verifier::new(open()).unwrap();
    let target = populate(&a);
    // B's store must have heard of A's change before B is timed.
    let settle = |a: &Verifier, b: &Verifier| {
        let version = a.store().version().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while b.store().change_token().unwrap() != version {
            assert!(Instant::now() < deadline, "B never heard of the change");
            std::thread::sleep(Duration::from_micros(200));
        }
    };
    compare("redis", &a, open(), &target, &settle);
}

#[cfg(not(feature = "redis"))]
fn redis() {}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument picks one store.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    if wanted("sqlite") {
        sqlite();
    }
    if wanted("redis") {
        redis();
    }
}

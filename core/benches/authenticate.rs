//! `Verifier::authenticate` with 100,000 user keys whose allow lists hold 16
//! CIDRs each, on the in-memory and the SQLite store, plus the pieces its
//! time is made of.
//!
//! Run: `cargo bench -p redis-cloud-auth --bench authenticate`; add
//! `--features redis` and set `RCAUTH_TEST_REDIS_URL` for the Redis store.
//! System-log entries are queued during a sample and written by the
//! background thread; each sample ends by flushing the queue outside the
//! timed region, so the figure is the request path's own cost.
//!
//! `RCA_BENCH_CLOCK=cpu` measures the benchmark thread's CPU time
//! (`CLOCK_THREAD_CPUTIME_ID`) instead of wall time: on a machine
//! shared with other work, wall time also counts the time the thread waited
//! for a core.

use std::hint::black_box;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use redis_cloud_auth::api::SystemLogEntry;
use redis_cloud_auth::store::{MemoryStore, NewLogEntry, SqliteStore, Store};
use redis_cloud_auth::verify::{AllowList, AuthRequest, KeyHash, Role, Verifier};
use redis_cloud_auth::Secret;

const ACCOUNTS: usize = 1_000;
const KEYS_PER_ACCOUNT: usize = 100;
const CIDRS_PER_KEY: usize = 16;
/// Requests cycled through by `100k_keys_16_cidrs` (distinct keys spread
/// over the index; their entries fit in this host's 2 MiB L2 cache).
/// `every_key_in_turn` cycles through all 100,000 keys instead.
const REQUESTS: usize = 4_096;

/// Wall time, or this thread's CPU time with `RCA_BENCH_CLOCK=cpu`.
#[derive(Clone, Copy)]
enum Clock {
    Wall(Instant),
    Cpu(u64),
}

impl Clock {
    fn start() -> Self {
        if std::env::var("RCA_BENCH_CLOCK").as_deref() == Ok("cpu") {
            Clock::Cpu(thread_cpu_ns())
        } else {
            Clock::Wall(Instant::now())
        }
    }

    fn elapsed(self) -> Duration {
        match self {
            Clock::Wall(start) => start.elapsed(),
            Clock::Cpu(start) => Duration::from_nanos(thread_cpu_ns() - start),
        }
    }
}

/// Nanoseconds this thread has run on a CPU.
fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "CLOCK_THREAD_CPUTIME_ID");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Times `iters` calls of `f`; the system log is flushed untimed afterwards.
fn timed(v: &Verifier, iters: u64, mut f: impl FnMut(usize)) -> Duration {
    let clock = Clock::start();
    for i in 0..iters as usize {
        f(i);
    }
    let elapsed = clock.elapsed();
    v.flush_system_log().unwrap();
    elapsed
}

/// A request's two keys as a server reads them off the socket: in one
/// buffer (the account key at 0, the user key at [`USER_KEY_AT`]). The
/// cases read their requests in order from one array, as requests
/// arrive, so the key bytes come in with the stream, not from scattered
/// heap strings whose cache misses would be counted as the verifier's.
#[derive(Clone)]
struct Request {
    wire: [u8; 160],
    account_key_len: usize,
    user_key_len: usize,
    peer: IpAddr,
}

const USER_KEY_AT: usize = 80;

impl Request {
    fn new(account_key: &Secret, user_key: &Secret, peer: IpAddr) -> Self {
        let (a, u) = (
            account_key.expose().as_bytes(),
            user_key.expose().as_bytes(),
        );
        let mut wire = [0; 160];
        wire[..a.len()].copy_from_slice(a);
        wire[USER_KEY_AT..USER_KEY_AT + u.len()].copy_from_slice(u);
        Request {
            wire,
            account_key_len: a.len(),
            user_key_len: u.len(),
            peer,
        }
    }
}

/// 16 disjoint /24s per key, the peer inside the last one.
fn allow_list(seed: usize) -> (Vec<String>, IpAddr) {
    let list: Vec<String> = (0..CIDRS_PER_KEY)
        .map(|i| {
            format!(
                "10.{}.{}.0/24",
                (seed + i * 7) % 256,
                (seed / 256 + i) % 256
            )
        })
        .collect();
    let last = list.last().unwrap().trim_end_matches(".0/24").to_string();
    (list, format!("{last}.77").parse().unwrap())
}

fn populate(v: &Verifier) -> Vec<Request> {
    let started = Instant::now();
    let mut requests = Vec::new();
    for a in 0..ACCOUNTS {
        let account = v.create_account(&format!("account-{a}")).unwrap();
        let owner = v
            .add_user(account, "Owner", "owner@example.com", Role::Owner)
            .unwrap();
        let account_key = v.enable_api(account).unwrap().unwrap();
        for k in 0..KEYS_PER_ACCOUNT {
            let seed = a * KEYS_PER_ACCOUNT + k;
            let (list, peer) = allow_list(seed);
            let user_key = v
                .create_user_key(
                    account,
                    owner,
                    owner,
                    &format!("bench-key-{seed:06}"),
                    &list,
                )
                .unwrap();
            requests.push(Request::new(&account_key, &user_key, peer));
        }
    }
    eprintln!(
        "populated {} keys in {:.1?}",
        ACCOUNTS * KEYS_PER_ACCOUNT,
        started.elapsed()
    );
    requests
}

/// `r`'s two key headers with the keys copied into `buf` first, as a server
/// would have them: just read from the socket, hot in cache.
fn fresh_headers<'b>(buf: &'b mut [u8; 160], r: &Request) -> [(&'static str, &'b [u8]); 2] {
    let (a, u) = (r.account_key_len, USER_KEY_AT + r.user_key_len);
    buf[..a].copy_from_slice(&r.wire[..a]);
    buf[USER_KEY_AT..u].copy_from_slice(&r.wire[USER_KEY_AT..u]);
    [
        ("x-api-key", &buf[..a]),
        ("x-api-secret-key", &buf[USER_KEY_AT..u]),
    ]
}

/// Authenticates `r` with its keys freshly copied ([`fresh_headers`]).
fn authenticate_fresh(v: &Verifier, buf: &mut [u8; 160], r: &Request) -> bool {
    let headers = fresh_headers(buf, r);
    v.authenticate(black_box(&AuthRequest::from_pairs(
        "GET", "/v1/", &headers, r.peer,
    )))
    .is_ok()
}

/// [`authenticate_fresh`] through `authenticate_with`, reading the user id.
fn authenticate_borrowed(v: &Verifier, buf: &mut [u8; 160], r: &Request) -> bool {
    let headers = fresh_headers(buf, r);
    v.authenticate_with(
        black_box(&AuthRequest::from_pairs("GET", "/v1/", &headers, r.peer)),
        |principal| black_box(principal.user_id),
    )
    .is_ok()
}

fn bench_verifier(c: &mut Criterion, name: &str, v: &Verifier, every_key: &[Request]) {
    let requests: Vec<Request> = every_key
        .iter()
        .step_by(every_key.len() / REQUESTS)
        .take(REQUESTS)
        .cloned()
        .collect();
    let mut buf = [0u8; 160];
    // Every prepared request authenticates.
    for r in &requests {
        assert!(authenticate_fresh(v, &mut buf, r));
    }
    let mut group = c.benchmark_group("authenticate");
    group.measurement_time(Duration::from_secs(4));
    // A different key each call, over 4,096 keys spread through the index.
    group.bench_function(format!("{name}/100k_keys_16_cidrs"), |b| {
        b.iter_custom(|iters| {
            timed(v, iters, |i| {
                black_box(authenticate_fresh(
                    v,
                    &mut buf,
                    &requests[i % requests.len()],
                ));
            })
        })
    });
    // Every key in turn: most index entries come from memory, not cache.
    group.bench_function(format!("{name}/every_key_in_turn"), |b| {
        b.iter_custom(|iters| {
            timed(v, iters, |i| {
                black_box(authenticate_fresh(
                    v,
                    &mut buf,
                    &every_key[i % every_key.len()],
                ));
            })
        })
    });
    // The same key every call: the index entries stay in cache.
    group.bench_function(format!("{name}/one_key_repeated"), |b| {
        b.iter_custom(|iters| {
            timed(v, iters, |_| {
                black_box(authenticate_fresh(v, &mut buf, &requests[7]));
            })
        })
    });
    // The same, through `authenticate_with` (what servers and bindings
    // call): the principal borrowed, nothing allocated.
    group.bench_function(format!("{name}/one_key_repeated_borrowed"), |b| {
        b.iter_custom(|iters| {
            timed(v, iters, |_| {
                black_box(authenticate_borrowed(v, &mut buf, &requests[7]));
            })
        })
    });
    let bad: Vec<Request> = requests
        .iter()
        .map(|r| {
            let mut bad = r.clone();
            let unknown = b"NoSuchAccountKey-0123456789";
            bad.wire[..unknown.len()].copy_from_slice(unknown);
            bad.wire[unknown.len()..USER_KEY_AT].fill(0);
            bad.account_key_len = unknown.len();
            bad
        })
        .collect();
    group.bench_function(format!("{name}/invalid_account_key"), |b| {
        b.iter_custom(|iters| {
            timed(v, iters, |i| {
                black_box(authenticate_fresh(v, &mut buf, &bad[i % bad.len()]));
            })
        })
    });
    group.finish();

    // What the background writer spends storing entries: one transaction
    // of 4,096 (formatting them adds a few hundred ns each, off this path too).
    let entries: Vec<NewLogEntry> = (0..4096)
        .map(|i| NewLogEntry {
            account_id: 1,
            entry: SystemLogEntry {
                id: 0,
                time: "2026-11-26T07:00:00Z".into(),
                originator: "Owner".into(),
                api_key_name: Some(format!("bench-key-{i:06}")),
                resource: "GET /v1/".into(),
                kind: "authentication".into(),
                description: "authenticated from 10.1.2.3".into(),
            },
        })
        .collect();
    c.benchmark_group("system_log")
        .sample_size(10)
        .bench_function(format!("{name}/append_4096_entries"), |b| {
            b.iter(|| v.store().append_log(black_box(&entries)).unwrap())
        });
    // The writer thread's CPU time per entry, formatting and storing it:
    // the process's CPU time over authenticate calls and the flush, minus
    // this thread's.
    c.benchmark_group("system_log")
        .bench_function(format!("{name}/writer_cpu_per_entry"), |b| {
            b.iter_custom(|iters| {
                let (process, thread) = (process_cpu_ns(), thread_cpu_ns());
                for i in 0..iters as usize {
                    black_box(authenticate_fresh(
                        v,
                        &mut buf,
                        &requests[i % requests.len()],
                    ));
                }
                v.flush_system_log().unwrap();
                let all = process_cpu_ns() - process;
                Duration::from_nanos(all.saturating_sub(thread_cpu_ns() - thread))
            })
        });
}

/// Nanoseconds every thread of this process has run on a CPU.
fn process_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "CLOCK_PROCESS_CPUTIME_ID");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Whether criterion's command-line filter (if any) can select `id`; keeps a
/// filtered run from spending time populating stores it will not measure.
fn wanted(id: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    filters.is_empty()
        || filters
            .iter()
            .flat_map(|f| f.split('|').map(str::to_string).collect::<Vec<_>>())
            .any(|f| id.contains(&f) || f.contains(id))
}

fn memory(c: &mut Criterion) {
    if !wanted("authenticate/memory") && !wanted("system_log/memory") {
        return;
    }
    let v = Verifier::new(Arc::new(MemoryStore::with_log_capacity(100))).unwrap();
    let requests = populate(&v);
    bench_verifier(c, "memory", &v, &requests);
}

fn sqlite(c: &mut Criterion) {
    if !wanted("authenticate/sqlite") && !wanted("store/sqlite") && !wanted("system_log/sqlite") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let v = Verifier::open_sqlite(&path).unwrap();
    let requests = populate(&v);
    bench_verifier(c, "sqlite", &v, &requests);
    drop(v);

    // What a change by another process costs the first request after it:
    // a full snapshot read and index build (here through a fresh verifier).
    c.benchmark_group("store")
        .sample_size(10)
        .bench_function("sqlite_reload_100k_keys", |b| {
            b.iter(|| black_box(Verifier::open_sqlite(&path).unwrap()))
        });

    // The change probe alone.
    let store = SqliteStore::open(&path).unwrap();
    c.bench_function("store/sqlite_change_token", |b| {
        b.iter(|| black_box(store.change_token().unwrap()))
    });
}

/// The same on the Redis store (feature `redis`), when
/// `RCAUTH_TEST_REDIS_URL` names a server; keys go under a fresh prefix.
#[cfg(feature = "redis")]
fn redis(c: &mut Criterion) {
    use redis_cloud_auth::store::{RedisOptions, RedisStore};
    if !wanted("authenticate/redis") && !wanted("store/redis") {
        return;
    }
    let Ok(url) = std::env::var("RCAUTH_TEST_REDIS_URL") else {
        eprintln!("skipped authenticate/redis: RCAUTH_TEST_REDIS_URL is not set");
        return;
    };
    let prefix = format!("rcauth-bench:{}:", std::process::id());
    let options = RedisOptions::default().prefix(prefix);
    let store = Arc::new(RedisStore::open_with(&url, options.clone()).unwrap());
    let v = Verifier::new(store.clone()).unwrap();
    let requests = populate(&v);
    bench_verifier(c, "redis", &v, &requests);

    // The change probe alone (what authenticate asks the store).
    c.bench_function("store/redis_change_token", |b| {
        b.iter(|| black_box(store.change_token().unwrap()))
    });
    // What another verifier pays to see a change: a full snapshot load
    // plus the index build, here as opening a second verifier.
    let mut group = c.benchmark_group("store");
    group.sample_size(10);
    group.bench_function("redis_load_100k_keys", |b| {
        b.iter(|| black_box(store.load().unwrap()))
    });
    group.bench_function("redis_open_verifier_100k_keys", |b| {
        b.iter(|| {
            let other = RedisStore::open_with(&url, options.clone()).unwrap();
            black_box(Verifier::new(Arc::new(other)).unwrap())
        })
    });
    group.finish();
}

#[cfg(not(feature = "redis"))]
fn redis(_: &mut Criterion) {}

fn pieces(c: &mut Criterion) {
    let key = "K".repeat(50);
    c.bench_function("pieces/sha256_50_bytes", |b| {
        b.iter(|| black_box(KeyHash::of(black_box(&key))))
    });
    let peer: IpAddr = "10.3.231.9".parse().unwrap();
    for n in [16usize, 1_000] {
        let entries: Vec<String> = (0..n)
            .map(|i| format!("10.{}.{}.0/24", i / 256, i % 256))
            .collect();
        let list = AllowList::parse(&entries).unwrap();
        c.bench_function(&format!("pieces/allow_list_check_{n}"), |b| {
            b.iter(|| black_box(list.allows(black_box(peer))))
        });
    }
}

criterion_group!(benches, pieces, memory, sqlite, redis);
criterion_main!(benches);

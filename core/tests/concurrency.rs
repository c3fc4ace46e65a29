//! Revocation under load: user keys deleted, allow lists narrowed, owners
//! demoted and the API disabled while many threads authenticate. Once a
//! change is acknowledged (the admin call returned), no request that
//! starts afterwards may authenticate with what it revoked — whether the
//! change went through the serving verifier or through another verifier
//! on the same SQLite file (another process, as `rcauth admin` is) or the
//! same memory store, which the serving verifier reads from the change feed.

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use redis_cloud_auth::store::MemoryStore;
use redis_cloud_auth::verify::{AuthRequest, Role, Verifier};
use redis_cloud_auth::Secret;

const THREADS: usize = 8;
/// Keys per kind of change.
const KEYS: usize = 4;
/// Requests come from here; allow lists are narrowed away from it.
const SOURCE: &str = "10.1.2.3";

/// One key the storm uses, and whether its revocation was acknowledged.
struct Target {
    account_key: Arc<Secret>,
    user_key: Secret,
    revoked: AtomicBool,
    /// Successes that started before the acknowledgement.
    before: AtomicU64,
    /// Successes that started after it: must stay 0.
    after: AtomicU64,
}

fn target(account_key: &Arc<Secret>, user_key: Secret) -> Target {
    Target {
        account_key: account_key.clone(),
        user_key,
        revoked: AtomicBool::new(false),
        before: AtomicU64::new(0),
        after: AtomicU64::new(0),
    }
}

fn authenticates(v: &Verifier, t: &Target, peer: IpAddr) -> bool {
    let headers = [
        ("x-api-key", t.account_key.expose().as_bytes()),
        ("x-api-secret-key", t.user_key.expose().as_bytes()),
    ];
    v.authenticate(&AuthRequest::from_pairs("GET", "/v1/", &headers, peer))
        .is_ok()
}

/// The revocations the admin side performs, in order.
enum Change {
    DeleteKey(usize),
    NarrowAllowList(usize),
    DemoteOwner(usize),
    DisableApi,
}

struct World {
    account: u64,
    other_account: u64,
    /// The owner who holds the delete and narrow keys and makes changes.
    admin_owner: u64,
    owners: Vec<u64>,
    targets: Vec<Target>,
    changes: Vec<(Change, Vec<usize>)>,
}

/// Account 1 with `KEYS` keys per kind of change; account 2 whose API is
/// disabled last, with `KEYS` keys of its own.
fn build(admin: &Verifier) -> World {
    let account = admin.create_account("storm").unwrap();
    let account_key = Arc::new(admin.enable_api(account).unwrap().unwrap());
    let mut owners = Vec::new();
    let mut targets = Vec::new();
    let mut changes = Vec::new();
    let admin_owner = admin
        .add_user(account, "Admin", "admin@example.com", Role::Owner)
        .unwrap();
    for i in 0..KEYS {
        let name = format!("delete-key-{i:02}");
        let key = admin
            .create_user_key(account, admin_owner, admin_owner, &name, &["10.0.0.0/8"])
            .unwrap();
        changes.push((Change::DeleteKey(i), vec![targets.len()]));
        targets.push(target(&account_key, key));
    }
    for i in 0..KEYS {
        let name = format!("narrow-key-{i:02}");
        let key = admin
            .create_user_key(account, admin_owner, admin_owner, &name, &["10.0.0.0/8"])
            .unwrap();
        changes.push((Change::NarrowAllowList(i), vec![targets.len()]));
        targets.push(target(&account_key, key));
    }
    for i in 0..KEYS {
        let owner = admin
            .add_user(
                account,
                &format!("Owner {i}"),
                &format!("o{i}@example.com"),
                Role::Owner,
            )
            .unwrap();
        owners.push(owner);
        let key = admin
            .create_user_key(
                account,
                owner,
                owner,
                &format!("demote-key-{i:02}"),
                &[] as &[&str],
            )
            .unwrap();
        changes.push((Change::DemoteOwner(i), vec![targets.len()]));
        targets.push(target(&account_key, key));
    }
    let other = admin.create_account("other").unwrap();
    let other_key = Arc::new(admin.enable_api(other).unwrap().unwrap());
    let other_owner = admin
        .add_user(other, "Bo", "bo@example.com", Role::Owner)
        .unwrap();
    let mut disabled = Vec::new();
    for i in 0..KEYS {
        let key = admin
            .create_user_key(
                other,
                other_owner,
                other_owner,
                &format!("other-key-{i:02}"),
                &[] as &[&str],
            )
            .unwrap();
        disabled.push(targets.len());
        targets.push(target(&other_key, key));
    }
    changes.push((Change::DisableApi, disabled));
    World {
        account,
        other_account: other,
        admin_owner,
        owners,
        targets,
        changes,
    }
}

/// Runs the storm on `serving` while `admin` applies every change; returns
/// the world for the caller's assertions.
fn storm(serving: Arc<Verifier>, admin: &Verifier) -> World {
    let world = Arc::new(build(admin));
    let stop = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(THREADS + 1));
    let peer: IpAddr = SOURCE.parse().unwrap();
    let workers: Vec<_> = (0..THREADS)
        .map(|n| {
            let (serving, world, stop, start) =
                (serving.clone(), world.clone(), stop.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                let mut i = n;
                while !stop.load(SeqCst) {
                    let t = &world.targets[i % world.targets.len()];
                    i += 1;
                    // Read before the request starts: true means the change
                    // was acknowledged before this request began.
                    let revoked = t.revoked.load(SeqCst);
                    if authenticates(&serving, t, peer) {
                        let counter = if revoked { &t.after } else { &t.before };
                        counter.fetch_add(1, SeqCst);
                    }
                }
            })
        })
        .collect();
    start.wait();

    for (change, affected) in &world.changes {
        // Let the storm authenticate with the key first.
        let deadline = Instant::now() + Duration::from_secs(10);
        while affected
            .iter()
            .any(|&t| world.targets[t].before.load(SeqCst) == 0)
        {
            assert!(Instant::now() < deadline, "the storm never authenticated");
            thread::sleep(Duration::from_millis(1));
        }
        match change {
            Change::DeleteKey(i) => admin
                .delete_user_key(
                    world.account,
                    world.admin_owner,
                    &format!("delete-key-{i:02}"),
                )
                .unwrap(),
            Change::NarrowAllowList(i) => admin
                .set_allow_list(
                    world.account,
                    world.admin_owner,
                    &format!("narrow-key-{i:02}"),
                    &["192.0.2.0/24"],
                )
                .unwrap(),
            Change::DemoteOwner(i) => admin
                .set_user_role(world.account, world.owners[*i], Role::Viewer)
                .unwrap(),
            Change::DisableApi => admin.disable_api(world.other_account).unwrap(),
        }
        for &t in affected {
            world.targets[t].revoked.store(true, SeqCst);
        }
        // Keep the storm going on the revoked key for a while.
        thread::sleep(Duration::from_millis(20));
    }
    stop.store(true, SeqCst);
    for w in workers {
        w.join().unwrap();
    }
    Arc::try_unwrap(world).ok().expect("workers are done")
}

fn assert_revoked(world: &World) {
    for (n, t) in world.targets.iter().enumerate() {
        assert!(t.before.load(SeqCst) > 0, "target {n} never authenticated");
        assert_eq!(
            t.after.load(SeqCst),
            0,
            "target {n} authenticated after its revocation was acknowledged"
        );
    }
}

#[test]
fn revocations_through_the_serving_verifier_hold_at_once() {
    let v = Arc::new(Verifier::in_memory());
    let world = storm(v.clone(), &v);
    assert_revoked(&world);

    let dir = tempfile::tempdir().unwrap();
    let v = Arc::new(Verifier::open_sqlite(dir.path().join("auth.db")).unwrap());
    let world = storm(v.clone(), &v);
    assert_revoked(&world);
}

#[test]
fn revocations_by_another_verifier_on_the_same_file_hold_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.db");
    let admin = Verifier::open_sqlite(&path).unwrap();
    let serving = Arc::new(Verifier::open_sqlite(&path).unwrap());
    let world = storm(serving.clone(), &admin);
    assert_revoked(&world);
    // The serving verifier caught up through the change feed alone.
    let stats = serving.refresh_stats();
    assert_eq!(stats.full_reloads, 0, "{stats:?}");
    assert!(stats.feed_changes > 0, "{stats:?}");
}

#[test]
fn revocations_by_another_verifier_on_the_same_memory_store_hold_at_once() {
    let store = Arc::new(MemoryStore::new());
    let admin = Verifier::new(store.clone()).unwrap();
    let serving = Arc::new(Verifier::new(store).unwrap());
    let world = storm(serving.clone(), &admin);
    assert_revoked(&world);
    assert_eq!(serving.refresh_stats().full_reloads, 0);
}

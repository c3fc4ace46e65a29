//! What `authenticate` allocates, counted by this test binary's global
//! allocator on the calling thread: nothing on the success path of
//! `Verifier::authenticate_with` (the path servers and bindings take), and
//! only the four strings of the owned `Principal` for
//! `Verifier::authenticate`, on the in-memory and the SQLite store, with
//! allow lists and the system log on. A call that finds the store changed
//! (on SQLite, each system-log commit changes it) first catches up, which
//! may allocate; the test allows that only when the store did change.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::net::IpAddr;

use redis_cloud_auth::verify::{AuthRequest, Role, Verifier};
use redis_cloud_auth::Secret;

/// The system allocator, counting the allocations each thread makes.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        System.alloc_zeroed(layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        System.realloc(ptr, layout, new_size)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

/// Counts one allocation for this thread (a no-op while it is exiting).
fn count() {
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations this thread made while running `f`.
fn allocations_in(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

/// A verifier with one account and `KEYS` keys, half of them with an
/// allow list; the requests that authenticate each.
const KEYS: usize = 64;

fn populate(v: &Verifier) -> (u64, Vec<(Secret, Secret, IpAddr)>) {
    let account = v.create_account("acme").unwrap();
    let ada = v
        .add_user(account, "Ada", "ada@example.com", Role::Owner)
        .unwrap();
    let account_key = v.enable_api(account).unwrap().unwrap();
    let requests = (0..KEYS)
        .map(|i| {
            let list: Vec<String> = if i % 2 == 0 {
                vec![format!("10.{i}.0.0/16"), "192.0.2.0/24".into()]
            } else {
                Vec::new()
            };
            let key = v
                .create_user_key(account, ada, ada, &format!("alloc-key-{i:04}"), &list)
                .unwrap();
            let peer: IpAddr = format!("10.{i}.3.4").parse().unwrap();
            (account_key.clone(), key, peer)
        })
        .collect();
    (account, requests)
}

/// Runs every request `rounds` times through `call`, flushing the system
/// log between rounds, and returns the allocations of each call of the
/// last round beyond `expected`: only calls made while the store changed
/// (on SQLite, the system-log writer's commits move the store's change
/// token, and the next call catches up in a read transaction) may
/// allocate more, and each such call must follow a change.
fn surplus(
    v: &Verifier,
    requests: &[(Secret, Secret, IpAddr)],
    rounds: usize,
    expected: u64,
    call: impl Fn(&AuthRequest<'_>),
) -> u64 {
    let token = || v.store().change_token().unwrap();
    let mut surplus = 0;
    for _ in 0..rounds {
        v.flush_system_log().unwrap();
        surplus = 0;
        let mut before_previous = token();
        // Catches up with the flush's commit.
        for_each_request(&requests[..1], &call);
        for_each_request(requests, |request| {
            let before = token();
            let made = allocations_in(|| call(request));
            let changed = token() != before_previous;
            before_previous = before;
            if made != expected {
                assert!(
                    made > expected && changed,
                    "{made} allocations where {expected} were expected, the store unchanged"
                );
                surplus += made - expected;
            }
        });
    }
    surplus
}

/// Calls `call` with each request, among other headers.
fn for_each_request(requests: &[(Secret, Secret, IpAddr)], mut call: impl FnMut(&AuthRequest<'_>)) {
    for (account_key, user_key, peer) in requests {
        let headers = [
            ("Host", b"api.example.com".as_slice()),
            ("x-api-key", account_key.expose().as_bytes()),
            ("x-api-secret-key", user_key.expose().as_bytes()),
            ("Accept", b"application/json".as_slice()),
        ];
        call(&AuthRequest::from_pairs(
            "GET",
            "/v1/subscriptions",
            &headers,
            *peer,
        ));
    }
}

fn check(v: &Verifier) -> u64 {
    let (account, requests) = populate(v);
    // The first rounds may grow the system-log queue; after that it is
    // reused, as in a running server.
    let borrowed = surplus(v, &requests, 4, 0, |request| {
        let user = v.authenticate_with(request, |p| p.user_id).unwrap();
        std::hint::black_box(user);
    });
    // The principal's four strings, and nothing else.
    let owned = surplus(v, &requests, 2, 4, |request| {
        std::hint::black_box(v.authenticate(request).unwrap());
    });
    // Every attempt reached the system log.
    v.flush_system_log().unwrap();
    let log = v.system_log(account, 0, 1_000).unwrap();
    assert_eq!(log.len(), 6 * (KEYS + 1));
    borrowed + owned
}

#[test]
fn authenticating_allocates_nothing_on_memory() {
    // The memory store's token moves only with admin changes: not once here.
    assert_eq!(check(&Verifier::in_memory()), 0);
}

#[test]
fn authenticating_allocates_nothing_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let surplus = check(&Verifier::open_sqlite(dir.path().join("alloc.db")).unwrap());
    // A catch-up after some of the writer's commits, not one per call.
    assert!(
        surplus < KEYS as u64 / 4,
        "{surplus} allocations in catch-ups"
    );
}

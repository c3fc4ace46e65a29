//! What the change-feed tests share, for every store: every kind of change
//! made through one verifier reaching another through the feed, a verifier
//! too far behind reloading fully, and a store's feed holding exactly what
//! it applied.

#![allow(dead_code)]

use std::net::IpAddr;

use redis_cloud_auth::store::{
    Applied, Change, Mutation, NewLogEntry, Store, StoreError, UserKeyRecord, CHANGE_FEED_LEN,
};
use redis_cloud_auth::verify::{AuthRequest, KeyHash, Role, Verifier};
use redis_cloud_auth::{Secret, SystemLogEntry};

/// The key name `v` authenticates `user_key` as, or the failure code.
pub fn auth(
    v: &Verifier,
    account_key: &Secret,
    user_key: &str,
    peer: &str,
) -> Result<String, String> {
    let headers = [
        ("x-api-key", account_key.expose().as_bytes()),
        ("x-api-secret-key", user_key.as_bytes()),
    ];
    let peer: IpAddr = peer.parse().unwrap();
    v.authenticate(&AuthRequest::from_pairs("GET", "/v1/", &headers, peer))
        .map(|p| p.key_name)
        .map_err(|f| f.code().to_string())
}

pub fn ok(name: &str) -> Result<String, String> {
    Ok(name.to_string())
}

pub fn err(code: &str) -> Result<String, String> {
    Err(code.to_string())
}

/// Every kind of mutation made through `a` is seen by `b` at its next call
/// (once `settle` returns: it waits for both verifiers' stores to signal
/// the latest change, which SQLite and memory do at once),
/// through the feed; `fresh` opens a third verifier that loads everything,
/// to compare `b`'s index with.
pub fn every_kind_reaches_the_other_verifier(
    a: &Verifier,
    b: &Verifier,
    settle: impl Fn(),
    fresh: impl Fn() -> Verifier,
) {
    let start = b.store().version().unwrap();
    let stats = b.refresh_stats();

    let account = a.create_account("acme").unwrap();
    settle();
    assert!(
        !b.api_enabled(account).unwrap(),
        "account created elsewhere"
    );
    let ada = a
        .add_user(account, "Ada", "ada@example.com", Role::Owner)
        .unwrap();
    settle();
    let bob = a
        .add_user(account, "Bob", "bob@example.com", Role::Owner)
        .unwrap();
    settle();
    assert_eq!(b.list_users(account).unwrap().len(), 2);

    let account_key = a.enable_api(account).unwrap().unwrap();
    settle();
    assert!(b.api_enabled(account).unwrap());
    let key = a
        .create_user_key(account, ada, ada, "feed-key-0001", &["10.0.0.0/8"])
        .unwrap();
    settle();
    let key = key.expose();
    assert_eq!(auth(b, &account_key, key, "10.1.1.1"), ok("feed-key-0001"));
    assert_eq!(
        auth(b, &account_key, key, "192.0.2.1"),
        err("source_ip_not_allowed")
    );

    a.set_allow_list(account, ada, "feed-key-0001", &["192.0.2.0/24"])
        .unwrap();
    settle();
    assert_eq!(auth(b, &account_key, key, "192.0.2.1"), ok("feed-key-0001"));
    assert_eq!(
        auth(b, &account_key, key, "10.1.1.1"),
        err("source_ip_not_allowed")
    );

    a.set_user_role(account, ada, Role::Member).unwrap();
    settle();
    assert_eq!(
        auth(b, &account_key, key, "192.0.2.1"),
        err("owner_role_revoked")
    );
    a.set_user_role(account, ada, Role::Owner).unwrap();
    settle();
    assert_eq!(auth(b, &account_key, key, "192.0.2.1"), ok("feed-key-0001"));

    a.disable_api(account).unwrap();
    settle();
    assert_eq!(auth(b, &account_key, key, "192.0.2.1"), err("api_disabled"));
    assert!(a.enable_api(account).unwrap().is_none());
    settle();
    assert_eq!(auth(b, &account_key, key, "192.0.2.1"), ok("feed-key-0001"));

    let rotated = a.rotate_account_key(account).unwrap();
    settle();
    assert_eq!(
        auth(b, &account_key, key, "192.0.2.1"),
        err("invalid_account_key")
    );
    assert_eq!(auth(b, &rotated, key, "192.0.2.1"), ok("feed-key-0001"));

    // B's own change lands on top of A's, and A sees it in turn.
    let bobs = b
        .create_user_key(account, bob, bob, "feed-key-0002", &[] as &[&str])
        .unwrap();
    settle();
    assert_eq!(
        auth(a, &rotated, bobs.expose(), "198.51.100.7"),
        ok("feed-key-0002")
    );

    // Once A's delete returned, the key never authenticates at B.
    a.delete_user_key(account, ada, "feed-key-0001").unwrap();
    settle();
    assert_eq!(auth(b, &rotated, key, "192.0.2.1"), err("invalid_user_key"));

    // B's index is what a full load gives.
    let full = fresh();
    assert_eq!(
        b.list_user_keys(account).unwrap(),
        full.list_user_keys(account).unwrap()
    );
    assert_eq!(
        b.list_users(account).unwrap(),
        full.list_users(account).unwrap()
    );
    assert_eq!(
        b.api_enabled(account).unwrap(),
        full.api_enabled(account).unwrap()
    );

    // Every change but B's own came through the feed, none by a reload.
    let now = b.refresh_stats();
    let moved = b.store().version().unwrap() - start;
    assert_eq!(now.full_reloads, stats.full_reloads, "{now:?}");
    assert_eq!(now.feed_changes - stats.feed_changes, moved - 1, "{now:?}");
    assert!(now.feed_catch_ups - stats.feed_catch_ups >= 10, "{now:?}");
}

/// A world with one key, made through `a`; returns the account key, the
/// owner and the user key.
pub fn one_key(a: &Verifier) -> (u64, u64, Secret, Secret) {
    let account = a.create_account("acme").unwrap();
    let owner = a
        .add_user(account, "Ada", "ada@example.com", Role::Owner)
        .unwrap();
    let account_key = a.enable_api(account).unwrap().unwrap();
    let key = a
        .create_user_key(account, owner, owner, "feed-key-0001", &[] as &[&str])
        .unwrap();
    (account, owner, account_key, key)
}

/// Changes past [`CHANGE_FEED_LEN`] a store may still hold: Redis trims its
/// stream by whole nodes (`MAXLEN ~`, 100 entries a node by default).
pub const FEED_SLACK: u64 = 500;

/// The allow list of change `n`: a /24 no other change uses.
fn nth_net(n: u64) -> String {
    format!("10.{}.{}.0/24", n / 256 % 256, n % 256)
}

/// `a` makes more changes than the feed holds while `b` is idle: `b`
/// reloads fully, once, and is right.
pub fn too_far_behind_reloads_fully(a: &Verifier, b: &Verifier, settle: impl Fn()) {
    let (account, owner, account_key, key) = one_key(a);
    settle();
    assert_eq!(
        auth(b, &account_key, key.expose(), "10.0.0.1"),
        ok("feed-key-0001")
    );
    let before = b.refresh_stats();
    let changes = CHANGE_FEED_LEN + FEED_SLACK;
    for n in 0..changes {
        a.set_allow_list(account, owner, "feed-key-0001", &[nth_net(n).as_str()])
            .unwrap();
    }
    settle();
    let last = nth_net(changes - 1).replace(".0/24", ".9");
    assert_eq!(
        auth(b, &account_key, key.expose(), "10.0.0.1"),
        err("source_ip_not_allowed")
    );
    assert_eq!(
        auth(b, &account_key, key.expose(), &last),
        ok("feed-key-0001")
    );
    let after = b.refresh_stats();
    assert_eq!(after.full_reloads, before.full_reloads + 1, "{after:?}");
    assert_eq!(after.feed_changes, before.feed_changes, "{after:?}");

    // The feed keeps at least its bound, and not much more.
    let version = a.store().version().unwrap();
    let tail = a
        .store()
        .changes_since(version - CHANGE_FEED_LEN)
        .unwrap()
        .expect("the newest CHANGE_FEED_LEN changes are kept");
    assert_eq!(tail.len() as u64, CHANGE_FEED_LEN);
    assert_eq!(tail.last().unwrap().version, version);
    assert_eq!(a.store().changes_since(version - changes).unwrap(), None);

    // And the next change comes through the feed again.
    a.delete_user_key(account, owner, "feed-key-0001").unwrap();
    settle();
    assert_eq!(
        auth(b, &account_key, key.expose(), &last),
        err("invalid_user_key")
    );
    let last = b.refresh_stats();
    assert_eq!(last.full_reloads, after.full_reloads);
    assert_eq!(last.feed_changes, after.feed_changes + 1);
}

/// The mutations `store` recorded, compared with what `apply` reported.
pub fn feed_matches_what_was_applied(store: &dyn Store) {
    let start = store.version().unwrap();
    let mut applied: Vec<(Applied, Mutation)> = Vec::new();
    let mut apply = |m: Mutation| {
        let a = store.apply(store.version().unwrap(), &m).unwrap();
        applied.push((a, m));
        a.id
    };
    let account = apply(Mutation::CreateAccount {
        name: "acme".into(),
        at: 1_700_000_000,
    });
    let owner = apply(Mutation::AddUser {
        account_id: account,
        name: "Ada".into(),
        email: "ada@example.com".into(),
        role: Role::Owner,
        at: 1_700_000_001,
    });
    apply(Mutation::SetApi {
        account_id: account,
        enabled: true,
        account_key_hash: Some(KeyHash::of("account key")),
        at: 1_700_000_002,
    });
    apply(Mutation::CreateUserKey(UserKeyRecord {
        account_id: account,
        owner_id: owner,
        name: "feed-key-0001".into(),
        secret_hash: KeyHash::of("user key"),
        allow_list: vec!["10.0.0.0/8".into()],
        created_at: 1_700_000_003,
    }));
    apply(Mutation::SetAllowList {
        account_id: account,
        name: "feed-key-0001".into(),
        allow_list: vec![],
    });
    apply(Mutation::SetUserRole {
        user_id: owner,
        role: Role::Viewer,
    });
    apply(Mutation::DeleteUserKey {
        account_id: account,
        name: "feed-key-0001".into(),
    });
    // A refused mutation records nothing.
    let stale = store.apply(
        start,
        &Mutation::DeleteUserKey {
            account_id: account,
            name: "x".into(),
        },
    );
    assert_eq!(stale, Err(StoreError::Conflict));

    let expected: Vec<Change> = applied
        .iter()
        .map(|(a, m)| Change {
            version: a.version,
            id: a.id,
            mutation: m.clone(),
        })
        .collect();
    assert_eq!(store.changes_since(start).unwrap(), Some(expected.clone()));
    assert_eq!(
        store.changes_since(start + 3).unwrap(),
        Some(expected[3..].to_vec())
    );
    let current = store.version().unwrap();
    assert_eq!(current, start + 7);
    assert_eq!(store.changes_since(current).unwrap(), Some(vec![]));
    // Ahead of the store: nothing the caller can trust.
    assert_eq!(store.changes_since(current + 1).unwrap(), None);
    // System-log writes are not changes.
    store
        .append_log(&[NewLogEntry {
            account_id: account,
            entry: SystemLogEntry {
                id: 0,
                time: "2026-11-26T10:00:00Z".into(),
                originator: "Ada".into(),
                api_key_name: None,
                resource: "GET /v1/".into(),
                kind: "authentication".into(),
                description: "success".into(),
            },
        }])
        .unwrap();
    assert_eq!(store.changes_since(current).unwrap(), Some(vec![]));
}

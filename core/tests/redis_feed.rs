//! The Redis store's change feed: every mutation recorded in the same
//! `MULTI`/`EXEC`, as stream entry `<version>-0`; two verifiers on one
//! redis-server catching up with each other through it, never by a full
//! reload unless one falls further behind than the feed holds.
//!
//! Needs `RCAUTH_TEST_REDIS_URL`, as `scripts/test.d/70-redis.sh` sets it:
//! every test here is `#[ignore]`d, and that step runs them with
//! `--ignored`. Run without that variable, an ignored test fails.

#![cfg(feature = "redis")]

mod feed_support;
mod redis_support;

use std::sync::Arc;
use std::time::Duration;

use redis_cloud_auth::store::{Mutation, RedisOptions, RedisStore, CHANGE_FEED_LEN};
use redis_cloud_auth::verify::Verifier;

use feed_support::{
    auth, err, every_kind_reaches_the_other_verifier, feed_matches_what_was_applied, ok, one_key,
    too_far_behind_reloads_fully, FEED_SLACK,
};
use redis_support::{eventually, fast_options, redis_url};

/// A stream entry as `XRANGE` returns it: its id and its fields in order.
type StreamEntry = (String, Vec<(String, Vec<u8>)>);

fn verifier(url: &str, options: &RedisOptions) -> Verifier {
    Verifier::new(Arc::new(
        RedisStore::open_with(url, options.clone()).unwrap(),
    ))
    .unwrap()
}

/// Waits until both verifiers' stores signal the store's latest version.
fn settled(a: &Verifier, b: &Verifier, bound: Duration) {
    let version = a.store().version().unwrap();
    eventually(bound, || {
        a.store().change_token().unwrap() == version && b.store().change_token().unwrap() == version
    });
}

#[test]
#[ignore = "needs Redis: RCAUTH_TEST_REDIS_URL (scripts/test.d/70-redis.sh)"]
fn the_redis_feed_holds_exactly_what_was_applied() {
    let url = redis_url();
    let store = RedisStore::open_with(&url, fast_options("feed-conformance")).unwrap();
    feed_matches_what_was_applied(&store);
}

#[test]
#[ignore = "needs Redis: RCAUTH_TEST_REDIS_URL (scripts/test.d/70-redis.sh)"]
fn every_kind_of_change_reaches_another_verifier_on_the_same_redis() {
    let url = redis_url();
    let options = fast_options("feed-every-kind");
    let bound = options.staleness_bound();
    let a = verifier(&url, &options);
    let b = verifier(&url, &options);
    every_kind_reaches_the_other_verifier(
        &a,
        &b,
        || settled(&a, &b, bound),
        || verifier(&url, &options),
    );
}

#[test]
#[ignore = "needs Redis: RCAUTH_TEST_REDIS_URL (scripts/test.d/70-redis.sh)"]
fn more_changes_than_the_redis_feed_holds_reload_fully() {
    let url = redis_url();
    let options = fast_options("feed-too-far");
    let bound = options.staleness_bound();
    let a = verifier(&url, &options);
    let b = verifier(&url, &options);
    too_far_behind_reloads_fully(&a, &b, || settled(&a, &b, bound));

    // `MAXLEN ~` trims whole nodes: the stream stays near the bound.
    let mut con = redis::Client::open(url).unwrap().get_connection().unwrap();
    let feed = format!("{}feed", options.key_prefix());
    let len: u64 = redis::cmd("XLEN").arg(&feed).query(&mut con).unwrap();
    assert!(
        (CHANGE_FEED_LEN..CHANGE_FEED_LEN + FEED_SLACK).contains(&len),
        "{len}"
    );
}

#[test]
#[ignore = "needs Redis: RCAUTH_TEST_REDIS_URL (scripts/test.d/70-redis.sh)"]
fn feed_entries_are_the_versions_with_the_encoded_mutation() {
    let url = redis_url();
    let options = fast_options("feed-layout");
    let a = verifier(&url, &options);
    let (account, owner, _, _) = one_key(&a);
    a.delete_user_key(account, owner, "feed-key-0001").unwrap();
    let version = a.store().version().unwrap();

    let mut con = redis::Client::open(url).unwrap().get_connection().unwrap();
    let feed = format!("{}feed", options.key_prefix());
    let entries: Vec<StreamEntry> = redis::cmd("XREVRANGE")
        .arg(&feed)
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(1)
        .query(&mut con)
        .unwrap();
    let (id, fields) = &entries[0];
    assert_eq!(id, &format!("{version}-0"));
    let expected = Mutation::DeleteUserKey {
        account_id: account,
        name: "feed-key-0001".into(),
    };
    assert_eq!(
        fields,
        &vec![
            ("id".to_string(), b"0".to_vec()),
            ("mutation".to_string(), expected.encode())
        ]
    );
}

#[test]
#[ignore = "needs Redis: RCAUTH_TEST_REDIS_URL (scripts/test.d/70-redis.sh)"]
fn a_damaged_redis_feed_reloads_fully() {
    let url = redis_url();
    let options = fast_options("feed-damaged");
    let bound = options.staleness_bound();
    let a = verifier(&url, &options);
    let b = verifier(&url, &options);
    let (account, owner, account_key, key) = one_key(&a);
    settled(&a, &b, bound);
    assert_eq!(
        auth(&b, &account_key, key.expose(), "10.0.0.1"),
        ok("feed-key-0001")
    );

    // Two changes; the first one's entry lost from the stream.
    a.set_allow_list(account, owner, "feed-key-0001", &["192.0.2.0/24"])
        .unwrap();
    a.set_allow_list(account, owner, "feed-key-0001", &["198.51.100.0/24"])
        .unwrap();
    let version = a.store().version().unwrap();
    let mut con = redis::Client::open(url).unwrap().get_connection().unwrap();
    let feed = format!("{}feed", options.key_prefix());
    let _: u64 = redis::cmd("XDEL")
        .arg(&feed)
        .arg(format!("{}-0", version - 1))
        .query(&mut con)
        .unwrap();
    assert_eq!(a.store().changes_since(version - 2).unwrap(), None);
    settled(&a, &b, bound);
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
    assert_eq!(after.feed_changes, before.feed_changes, "{after:?}");
}

#[test]
#[ignore = "needs Redis: RCAUTH_TEST_REDIS_URL (scripts/test.d/70-redis.sh)"]
fn a_lost_counter_takes_the_old_feed_with_it() {
    let url = redis_url();
    let options = fast_options("feed-lost-counter");
    let a = verifier(&url, &options);
    let (account, owner, account_key, key) = one_key(&a);
    let mut con = redis::Client::open(url).unwrap().get_connection().unwrap();
    let feed = format!("{}feed", options.key_prefix());
    let _: u64 = redis::cmd("DEL")
        .arg(format!("{}version", options.key_prefix()))
        .query(&mut con)
        .unwrap();

    // A new counter starts at a random value, and the old entries go.
    let restarted = a.store().version().unwrap();
    let len: u64 = redis::cmd("XLEN").arg(&feed).query(&mut con).unwrap();
    assert_eq!(len, 0);
    assert_eq!(a.store().changes_since(restarted).unwrap(), Some(vec![]));

    // The verifier notices its index is from before, reloads, and its
    // next change goes into the new feed.
    a.set_allow_list(account, owner, "feed-key-0001", &["192.0.2.0/24"])
        .unwrap();
    assert_eq!(a.refresh_stats().full_reloads, 1);
    let changes = a.store().changes_since(restarted).unwrap().unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].version, restarted + 1);
    assert_eq!(
        auth(&a, &account_key, key.expose(), "192.0.2.1"),
        ok("feed-key-0001")
    );
}

//! `Verifier::open_redis` as Python, Kotlin and Swift call it: two
//! verifiers on one Redis see each other's keys. Needs
//! `RCAUTH_TEST_REDIS_URL` (scripts/test.d/70-redis.sh sets it): that test
//! is `#[ignore]`d, the step runs it with `--ignored`, and it fails without
//! the variable.

use std::time::{Duration, Instant};

use redis_cloud_auth_ffi::headers::HeaderPair;
use redis_cloud_auth_ffi::verifier::{Role, Verifier};

fn headers(account_key: &str, user_key: &str) -> Vec<HeaderPair> {
    vec![
        HeaderPair {
            name: "x-api-key".into(),
            value: account_key.into(),
        },
        HeaderPair {
            name: "x-api-secret-key".into(),
            value: user_key.into(),
        },
    ]
}

fn eventually(mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "not within the bound"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
#[ignore = "needs Redis: RCAUTH_TEST_REDIS_URL (scripts/test.d/70-redis.sh)"]
fn two_verifiers_on_one_redis_share_keys() {
    let url = std::env::var("RCAUTH_TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .expect("RCAUTH_TEST_REDIS_URL is not set (scripts/test.d/70-redis.sh sets it)");
    let admin = Verifier::open_redis(url.clone()).unwrap();
    let gateway = Verifier::open_redis(url).unwrap();
    let account = admin.create_account("acme".into()).unwrap();
    let ada = admin
        .add_user(account, "Ada".into(), "ada@example.com".into(), Role::Owner)
        .unwrap();
    let account_key = admin.enable_api(account).unwrap().unwrap();
    let user_key = admin
        .create_user_key(account, ada, ada, "ffi-redis-key".into(), vec![])
        .unwrap();
    // The key name, or the failure's debug text (which holds its code).
    let attempt = || {
        gateway
            .authenticate(
                "GET".into(),
                "/v1/".into(),
                headers(&account_key.expose(), &user_key.expose()),
                "192.0.2.1".into(),
            )
            .map(|p| p.key_name)
            .map_err(|f| format!("{f:?}"))
    };
    eventually(|| attempt().is_ok_and(|name| name == "ffi-redis-key"));
    admin
        .delete_user_key(account, ada, "ffi-redis-key".into())
        .unwrap();
    eventually(|| attempt().is_err());
    let failure = attempt().unwrap_err();
    assert!(failure.contains("invalid_user_key"), "{failure}");
}

#[test]
fn an_unreachable_redis_is_store_unavailable() {
    // Port 1 on loopback refuses connections.
    let err = Verifier::open_redis("redis://:hunter2@127.0.0.1:1".into()).unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("store_unavailable"), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");
}

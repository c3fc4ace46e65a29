//! A second process changing the SQLite store while a verifier runs: the
//! verifier sees each change at its next authentication, without restart,
//! by reading the store's change feed.
//!
//! The child is this test binary run again with `RCA_CHILD_ACTION` set; it
//! then runs only `child_process` and exits.

use std::net::IpAddr;
use std::path::Path;
use std::process::Command;

use redis_cloud_auth::store::{SqliteStore, Store};
use redis_cloud_auth::verify::{AuthRequest, Role, Verifier};
use redis_cloud_auth::Secret;

const ACCOUNT: u64 = 1;
const OWNER: u64 = 1;

/// Runs in the child: one admin action on the database, through its own verifier.
#[test]
fn child_process() {
    let Ok(action) = std::env::var("RCA_CHILD_ACTION") else {
        return; // an ordinary test run
    };
    let db = std::env::var("RCA_CHILD_DB").unwrap();
    let v = Verifier::open_sqlite(&db).unwrap();
    match action.as_str() {
        "create-key" => {
            let key = v
                .create_user_key(ACCOUNT, OWNER, OWNER, "child-made-key", &[] as &[&str])
                .unwrap();
            let out = std::env::var("RCA_CHILD_OUT").unwrap();
            std::fs::write(out, key.expose()).unwrap();
        }
        "delete-key" => v.delete_user_key(ACCOUNT, OWNER, "parent-key-01").unwrap(),
        "allow-list" => v
            .set_allow_list(ACCOUNT, OWNER, "parent-key-01", &["192.0.2.0/24"])
            .unwrap(),
        "demote" => v.set_user_role(ACCOUNT, OWNER, Role::Member).unwrap(),
        "promote" => v.set_user_role(ACCOUNT, OWNER, Role::Owner).unwrap(),
        "disable-api" => v.disable_api(ACCOUNT).unwrap(),
        "enable-api" => assert!(v.enable_api(ACCOUNT).unwrap().is_none()),
        other => panic!("unknown action {other}"),
    }
}

fn in_child(db: &Path, action: &str, out: Option<&Path>) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child_process", "--test-threads=1"])
        .env("RCA_CHILD_ACTION", action)
        .env("RCA_CHILD_DB", db);
    if let Some(out) = out {
        cmd.env("RCA_CHILD_OUT", out);
    }
    let status = cmd.status().unwrap();
    assert!(status.success(), "child {action} failed");
}

fn auth(
    v: &Verifier,
    account_key: &Secret,
    user_key: &str,
    peer: &str,
) -> Result<(), &'static str> {
    let headers = [
        ("x-api-key", account_key.expose().as_bytes()),
        ("x-api-secret-key", user_key.as_bytes()),
    ];
    let peer: IpAddr = peer.parse().unwrap();
    v.authenticate(&AuthRequest::from_pairs("GET", "/v1/", &headers, peer))
        .map(drop)
        .map_err(|f| f.code())
}

#[test]
fn another_process_changes_are_seen_at_the_next_authentication() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    let v = Verifier::open_sqlite(&db).unwrap();
    let account = v.create_account("acme").unwrap();
    let owner = v
        .add_user(account, "Ada", "ada@example.com", Role::Owner)
        .unwrap();
    assert_eq!((account, owner), (ACCOUNT, OWNER));
    let account_key = v.enable_api(account).unwrap().unwrap();
    let key = v
        .create_user_key(account, owner, owner, "parent-key-01", &[] as &[&str])
        .unwrap();
    assert_eq!(auth(&v, &account_key, key.expose(), "10.0.0.1"), Ok(()));

    // A key created elsewhere authenticates here.
    let out = dir.path().join("child-key");
    in_child(&db, "create-key", Some(&out));
    let child_key = std::fs::read_to_string(&out).unwrap();
    assert_eq!(auth(&v, &account_key, &child_key, "10.0.0.1"), Ok(()));
    // Its name is taken for this verifier too, although it never authenticated with it.
    assert_eq!(
        v.create_user_key(account, owner, owner, "child-made-key", &[] as &[&str])
            .unwrap_err()
            .code(),
        "name_taken"
    );

    in_child(&db, "allow-list", None);
    assert_eq!(
        auth(&v, &account_key, key.expose(), "10.0.0.1"),
        Err("source_ip_not_allowed")
    );
    assert_eq!(auth(&v, &account_key, key.expose(), "192.0.2.9"), Ok(()));

    in_child(&db, "demote", None);
    assert_eq!(
        auth(&v, &account_key, key.expose(), "192.0.2.9"),
        Err("owner_role_revoked")
    );
    in_child(&db, "promote", None);
    assert_eq!(auth(&v, &account_key, key.expose(), "192.0.2.9"), Ok(()));

    in_child(&db, "disable-api", None);
    assert_eq!(
        auth(&v, &account_key, key.expose(), "192.0.2.9"),
        Err("api_disabled")
    );
    in_child(&db, "enable-api", None);
    assert_eq!(auth(&v, &account_key, key.expose(), "192.0.2.9"), Ok(()));

    in_child(&db, "delete-key", None);
    assert_eq!(
        auth(&v, &account_key, key.expose(), "192.0.2.9"),
        Err("invalid_user_key")
    );

    // This verifier's own changes still commit after the others' (no lost update).
    v.create_user_key(account, owner, owner, "parent-key-02", &[] as &[&str])
        .unwrap();
    let names: Vec<String> = v
        .list_user_keys(account)
        .unwrap()
        .into_iter()
        .map(|k| k.name)
        .collect();
    assert_eq!(names, ["child-made-key", "parent-key-02"]);

    // Each child's change arrived through the change feed, never a reload.
    let stats = v.refresh_stats();
    assert_eq!(stats.full_reloads, 0, "{stats:?}");
    assert_eq!(stats.feed_changes, 7, "{stats:?}");

    // Every attempt made here was logged once: 9 authentications above.
    assert_eq!(v.system_log(account, 0, 1000).unwrap().len(), 9);
    let store = SqliteStore::open(&db).unwrap();
    assert_eq!(store.change_probe(), "wal-index");
    store.integrity_check().unwrap();
    assert_eq!(store.load().unwrap().user_keys.len(), 2);
}

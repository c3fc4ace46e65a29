//! The verifier's rules, on the in-memory and the SQLite store.

use std::net::IpAddr;

use redis_cloud_auth::verify::{AdminError, AuthFailure, AuthRequest, Role, Verifier};
use redis_cloud_auth::Secret;

/// Runs `test` once per store.
fn each_store(test: impl Fn(Verifier)) {
    test(Verifier::in_memory());
    let dir = tempfile::tempdir().unwrap();
    test(Verifier::open_sqlite(dir.path().join("auth.db")).unwrap());
}

struct Setup {
    account: u64,
    owner: u64,
    account_key: Secret,
    user_key: Secret,
}

fn setup(v: &Verifier, allow: &[&str]) -> Setup {
    let account = v.create_account("acme").unwrap();
    let owner = v
        .add_user(account, "Ada", "ada@example.com", Role::Owner)
        .unwrap();
    let account_key = v.enable_api(account).unwrap().unwrap();
    let user_key = v
        .create_user_key(account, owner, owner, "ci-deploy-key", allow)
        .unwrap();
    Setup {
        account,
        owner,
        account_key,
        user_key,
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn auth(
    v: &Verifier,
    account_key: &str,
    user_key: &str,
    peer: &str,
) -> Result<String, AuthFailure> {
    let headers = [
        ("x-api-key", account_key.as_bytes()),
        ("x-api-secret-key", user_key.as_bytes()),
    ];
    v.authenticate(&AuthRequest::from_pairs("GET", "/v1/", &headers, ip(peer)))
        .map(|p| p.key_name)
}

fn code(result: Result<String, AuthFailure>) -> &'static str {
    result.unwrap_err().code()
}

#[test]
fn a_valid_request_authenticates_as_the_key_owner() {
    each_store(|v| {
        let s = setup(&v, &[]);
        let headers = [
            ("X-Api-Key", s.account_key.expose().as_bytes()),
            ("X-Api-Secret-Key", s.user_key.expose().as_bytes()),
        ];
        let p = v
            .authenticate(&AuthRequest::from_pairs(
                "GET",
                "/v1/",
                &headers,
                ip("192.0.2.1"),
            ))
            .unwrap();
        assert_eq!(p.account_id, s.account);
        assert_eq!(p.account_name, "acme");
        assert_eq!(p.user_id, s.owner);
        assert_eq!(p.owner_name, "Ada");
        assert_eq!(p.owner_email, "ada@example.com");
        assert_eq!(p.key_name, "ci-deploy-key");
        assert_eq!(p.source_ip, ip("192.0.2.1"));
        let body = v.describe_account(&p).unwrap();
        assert_eq!(body.account.key.owner.email, "ada@example.com");
        assert_eq!(
            body.account.key.http_source_ip.as_deref(),
            Some("192.0.2.1")
        );
    });
}

#[test]
fn the_api_is_disabled_by_default_and_can_be_disabled_again() {
    each_store(|v| {
        let account = v.create_account("acme").unwrap();
        assert!(!v.api_enabled(account).unwrap());
        let owner = v
            .add_user(account, "Ada", "ada@example.com", Role::Owner)
            .unwrap();
        let key = v
            .enable_api(account)
            .unwrap()
            .expect("first enable creates the key");
        let user_key = v
            .create_user_key(account, owner, owner, "ci-deploy-key", &[] as &[&str])
            .unwrap();
        assert!(auth(&v, key.expose(), user_key.expose(), "10.0.0.1").is_ok());
        v.disable_api(account).unwrap();
        assert_eq!(
            code(auth(&v, key.expose(), user_key.expose(), "10.0.0.1")),
            "api_disabled"
        );
        // Enabling again keeps the same key and does not show it again.
        assert!(v.enable_api(account).unwrap().is_none());
        assert!(auth(&v, key.expose(), user_key.expose(), "10.0.0.1").is_ok());
    });
}

#[test]
fn every_credential_failure_has_its_code_and_status() {
    each_store(|v| {
        let s = setup(&v, &[]);
        let other = setup(&v, &[]);
        let a = s.account_key.expose();
        let u = s.user_key.expose();
        assert_eq!(
            code(auth(&v, "NoSuchAccountKey123", u, "10.0.0.1")),
            "invalid_account_key"
        );
        assert_eq!(
            code(auth(&v, a, "NoSuchUserKey1234567", "10.0.0.1")),
            "invalid_user_key"
        );
        let mismatch = auth(&v, a, other.user_key.expose(), "10.0.0.1").unwrap_err();
        assert_eq!(mismatch.code(), "account_mismatch");
        assert_eq!(mismatch.http_status(), 401);
        assert_eq!(
            mismatch.public_message(),
            AuthFailure::InvalidUserKey.public_message()
        );
        assert_eq!(
            code(auth(&v, a, "short", "10.0.0.1")),
            "malformed_credentials"
        );
        let headers = [("x-api-key", a.as_bytes())];
        let missing = v
            .authenticate(&AuthRequest::from_pairs(
                "GET",
                "/",
                &headers,
                ip("10.0.0.1"),
            ))
            .unwrap_err();
        assert_eq!(missing.code(), "missing_credentials");
        assert_eq!(missing.http_status(), 401);
    });
}

#[test]
fn owner_role_rules() {
    each_store(|v| {
        let s = setup(&v, &[]);
        let bob = v
            .add_user(s.account, "Bob", "bob@example.com", Role::Owner)
            .unwrap();
        let mia = v
            .add_user(s.account, "Mia", "mia@example.com", Role::Member)
            .unwrap();
        // An owner creates a key for another owner.
        let bobs = v
            .create_user_key(s.account, s.owner, bob, "bob-laptop-key", &[] as &[&str])
            .unwrap();
        // An owner may hold many keys.
        v.create_user_key(s.account, bob, bob, "bob-second-key", &[] as &[&str])
            .unwrap();
        // A member may not create keys, nor be assigned one.
        for (acting, owner) in [(mia, mia), (mia, s.owner), (s.owner, mia)] {
            let err = v
                .create_user_key(s.account, acting, owner, "member-key-01", &[] as &[&str])
                .unwrap_err();
            assert_eq!(err.code(), "not_allowed", "{acting} for {owner}");
        }
        // An owner of another account may not act here.
        let other = setup(&v, &[]);
        let err = v
            .create_user_key(
                s.account,
                other.owner,
                s.owner,
                "foreign-key-01",
                &[] as &[&str],
            )
            .unwrap_err();
        assert_eq!(err.code(), "not_allowed");
        assert_eq!(
            v.create_user_key(s.account, s.owner, s.owner, "ci-deploy-key", &[] as &[&str])
                .unwrap_err(),
            AdminError::NameTaken {
                name: "ci-deploy-key".into()
            }
        );
        // Losing the owner role stops the key; getting it back restores it.
        let a = s.account_key.expose();
        assert!(auth(&v, a, bobs.expose(), "10.0.0.1").is_ok());
        v.set_user_role(s.account, bob, Role::Viewer).unwrap();
        assert_eq!(
            code(auth(&v, a, bobs.expose(), "10.0.0.1")),
            "owner_role_revoked"
        );
        let keys = v.list_user_keys(s.account).unwrap();
        assert!(
            !keys
                .iter()
                .find(|k| k.name == "bob-laptop-key")
                .unwrap()
                .active
        );
        v.set_user_role(s.account, bob, Role::Owner).unwrap();
        assert!(auth(&v, a, bobs.expose(), "10.0.0.1").is_ok());
    });
}

#[test]
fn allow_lists_check_the_source_ip() {
    each_store(|v| {
        let s = setup(&v, &["10.0.0.0/8", "2001:db8::/32"]);
        let (a, u) = (s.account_key.expose(), s.user_key.expose());
        assert!(auth(&v, a, u, "10.9.8.7").is_ok());
        assert!(auth(&v, a, u, "::ffff:10.9.8.7").is_ok());
        assert!(auth(&v, a, u, "2001:db8:ffff::1").is_ok());
        let denied = auth(&v, a, u, "192.0.2.1").unwrap_err();
        assert_eq!(denied.code(), "source_ip_not_allowed");
        assert_eq!(denied.http_status(), 403);
        assert_eq!(code(auth(&v, a, u, "2001:db9::1")), "source_ip_not_allowed");
        v.set_allow_list(s.account, s.owner, "ci-deploy-key", &["192.0.2.0/24"])
            .unwrap();
        assert!(auth(&v, a, u, "192.0.2.1").is_ok());
        assert_eq!(code(auth(&v, a, u, "10.9.8.7")), "source_ip_not_allowed");
        v.set_allow_list(s.account, s.owner, "ci-deploy-key", &[] as &[&str])
            .unwrap();
        assert!(auth(&v, a, u, "10.9.8.7").is_ok());
        let err = v
            .set_allow_list(s.account, s.owner, "ci-deploy-key", &["10.0.0.1/8"])
            .unwrap_err();
        assert_eq!(err.code(), "invalid_cidr");
    });
}

#[test]
fn forwarded_for_is_believed_only_from_trusted_proxies() {
    each_store(|v| {
        let s = setup(&v, &["203.0.113.0/24"]);
        let headers = [
            ("x-api-key", s.account_key.expose().as_bytes()),
            ("x-api-secret-key", s.user_key.expose().as_bytes()),
            ("x-forwarded-for", b"203.0.113.9".as_slice()),
        ];
        let from = |peer: &str| {
            v.authenticate(&AuthRequest::from_pairs("GET", "/v1/", &headers, ip(peer)))
        };
        // No trusted proxies: the header is ignored.
        assert_eq!(
            from("10.0.0.2").unwrap_err().code(),
            "source_ip_not_allowed"
        );
        v.set_trusted_proxies(vec!["10.0.0.0/8".parse().unwrap()]);
        assert_eq!(from("10.0.0.2").unwrap().source_ip, ip("203.0.113.9"));
        // A spoofed header from an untrusted peer changes nothing.
        assert_eq!(
            from("198.51.100.1").unwrap_err().code(),
            "source_ip_not_allowed"
        );
    });
}

/// A trusted proxy that forwards a malformed `X-Forwarded-For` does not
/// make the request its own: a key with an allow list (even one that holds
/// the proxy) is refused, a key without one still authenticates.
#[test]
fn a_malformed_forwarded_chain_fails_closed() {
    each_store(|v| {
        let s = setup(&v, &["127.0.0.0/8"]);
        let open = v
            .create_user_key(
                s.account,
                s.owner,
                s.owner,
                "open-deploy-key",
                &[] as &[&str],
            )
            .unwrap();
        v.set_trusted_proxies(vec!["127.0.0.1/32".parse().unwrap()]);
        let send = |user_key: &Secret, forwarded: &[&[u8]]| {
            let mut headers = vec![
                ("x-api-key", s.account_key.expose().as_bytes()),
                ("x-api-secret-key", user_key.expose().as_bytes()),
            ];
            headers.extend(forwarded.iter().map(|f| ("x-forwarded-for", *f)));
            v.authenticate(&AuthRequest::from_pairs(
                "GET",
                "/v1/",
                &headers,
                ip("127.0.0.1"),
            ))
        };
        let malformed: [&[&[u8]]; 10] = [
            &[b"not-an-ip"],
            &[b"unknown"],
            &[b"1.2.3.4, garbage"],
            &[b"8.8.8.8, 300.1.1.1"],
            &[b""],
            &[b"127.0.0.5, , 127.0.0.1"],
            &[b"127.0.0.5:99999"],
            &[b"[::1"],
            &[b"127.0.0.5", b"\xff"],
            &[b"127.0.0.5, 127.0.0.1:-1"],
        ];
        for forwarded in malformed {
            let failure = send(&s.user_key, forwarded).unwrap_err();
            assert_eq!(
                (failure.code(), failure.http_status()),
                ("source_ip_unknown", 403),
                "{forwarded:?}"
            );
            assert!(
                failure.to_string().contains("trusted proxy 127.0.0.1"),
                "{failure}"
            );
            let principal = send(&open, forwarded).unwrap();
            assert_eq!(principal.source_ip, ip("0.0.0.0"), "{forwarded:?}");
        }
        // A well-formed chain still gives the client, inside or outside.
        assert_eq!(
            send(&s.user_key, &[b"127.0.0.9"]).unwrap().source_ip,
            ip("127.0.0.9")
        );
        assert_eq!(
            send(&s.user_key, &[b"1.2.3.4"]).unwrap_err().code(),
            "source_ip_not_allowed"
        );
        // Garbage left of an untrusted address is never read.
        assert_eq!(
            send(&s.user_key, &[b"garbage, 1.2.3.4"])
                .unwrap_err()
                .code(),
            "source_ip_not_allowed"
        );
        let log = v.system_log(s.account, 0, 100).unwrap();
        let rejected = log
            .iter()
            .find(|e| e.api_key_name.as_deref() == Some("ci-deploy-key"))
            .unwrap();
        assert_eq!(
            rejected.description,
            "rejected: source IP not in the key's allow list from 1.2.3.4"
        );
        let unknown: Vec<&str> = log.iter().map(|e| e.description.as_str()).collect();
        assert!(unknown.contains(&"rejected: the key has an allow list and the source IP is unknown (malformed X-Forwarded-For); forwarded by trusted proxy 127.0.0.1"), "{unknown:?}");
        assert!(unknown.contains(&"authenticated: the source IP is unknown (malformed X-Forwarded-For); forwarded by trusted proxy 127.0.0.1"), "{unknown:?}");
    });
}

#[test]
fn deleted_and_rotated_keys_stop_working() {
    each_store(|v| {
        let s = setup(&v, &[]);
        let (a, u) = (s.account_key.expose(), s.user_key.expose());
        let new_account_key = v.rotate_account_key(s.account).unwrap();
        assert_eq!(code(auth(&v, a, u, "10.0.0.1")), "invalid_account_key");
        assert!(auth(&v, new_account_key.expose(), u, "10.0.0.1").is_ok());
        v.delete_user_key(s.account, s.owner, "ci-deploy-key")
            .unwrap();
        assert_eq!(
            code(auth(&v, new_account_key.expose(), u, "10.0.0.1")),
            "invalid_user_key"
        );
        assert_eq!(
            v.delete_user_key(s.account, s.owner, "ci-deploy-key")
                .unwrap_err()
                .code(),
            "not_found"
        );
        assert!(v.list_user_keys(s.account).unwrap().is_empty());
    });
}

#[test]
fn the_system_log_records_each_attempt_tied_to_an_account() {
    each_store(|v| {
        let s = setup(&v, &["10.0.0.0/8"]);
        let (a, u) = (s.account_key.expose(), s.user_key.expose());
        auth(&v, a, u, "10.0.0.1").unwrap();
        auth(&v, a, u, "192.0.2.1").unwrap_err();
        auth(&v, a, "NoSuchUserKey1234567", "10.0.0.1").unwrap_err();
        auth(&v, "NoSuchAccountKey123", u, "10.0.0.1").unwrap_err(); // not tied: not logged
        let log = v.system_log(s.account, 0, 100).unwrap();
        assert_eq!(log.len(), 3);
        assert!(
            log[0].id > log[1].id && log[1].id > log[2].id,
            "newest first"
        );
        assert_eq!(log[2].api_key_name.as_deref(), Some("ci-deploy-key"));
        assert_eq!(log[2].originator, "Ada");
        assert_eq!(log[2].resource, "GET /v1/");
        assert_eq!(log[2].kind, "authentication");
        assert_eq!(log[2].description, "authenticated from 10.0.0.1");
        assert!(
            log[1].description.contains("allow list") && log[1].description.contains("192.0.2.1")
        );
        assert_eq!(log[0].api_key_name, None);
        assert!(log[0].time.ends_with('Z'));
        assert_eq!(v.system_log(s.account, 1, 1).unwrap(), log[1..2]);
        for entry in &log {
            let text = format!("{entry:?}");
            assert!(!text.contains(a) && !text.contains(u), "{text}");
        }
    });
}

//! Inputs the fuzz targets (`fuzz/`) found breaking a property, kept as
//! plain tests so they stay fixed on the stable toolchain.

use std::net::IpAddr;

use redis_cloud_auth::verify::{AuthRequest, Role, Verifier};

/// `request` target: the caller wrote its own keys into the URL path
/// (`GET /444\xff\xff<user key>...`), then into the method
/// (`<user key> /vGET1/`); the resource the system log stores held them.
/// The log must never hold a secret, so both are redacted.
#[test]
fn keys_written_into_the_path_are_redacted_in_the_system_log() {
    let dir = tempfile::tempdir().unwrap();
    for v in [
        Verifier::in_memory(),
        Verifier::open_sqlite(dir.path().join("auth.db")).unwrap(),
    ] {
        let account = v.create_account("acme").unwrap();
        let ada = v
            .add_user(account, "Ada", "ada@example.com", Role::Owner)
            .unwrap();
        let account_key = v.enable_api(account).unwrap().unwrap();
        let user_key = v
            .create_user_key(account, ada, ada, "ci-deploy-key", &[] as &[&str])
            .unwrap();
        let (a, u) = (account_key.expose(), user_key.expose());
        let headers = [
            ("x-api-key", a.as_bytes()),
            ("x-api-secret-key", u.as_bytes()),
        ];
        let peer: IpAddr = "10.0.0.1".parse().unwrap();
        for path in [format!("/v1/{u}/{a}"), format!("/444\u{fffd}{u}")] {
            v.authenticate(&AuthRequest::from_pairs("GET", &path, &headers, peer))
                .unwrap();
        }
        // The second input: the key as the method (`<key> /vGET1/`).
        v.authenticate(&AuthRequest::from_pairs(u, "/vGET1/", &headers, peer))
            .unwrap();
        assert_eq!(
            v.system_log(account, 0, 1).unwrap()[0].resource,
            "** redacted ** /vGET1/"
        );
        // A failed attempt tied to the account is logged too.
        let wrong = [
            ("x-api-key", a.as_bytes()),
            ("x-api-secret-key", b"NoSuchUserKey-0123456789".as_slice()),
        ];
        let path = format!("/v1/{a}");
        v.authenticate(&AuthRequest::from_pairs("GET", &path, &wrong, peer))
            .unwrap_err();
        // A key across the cut of a long resource leaves no prefix behind.
        let long = format!("/{}{u}", "x".repeat(140));
        v.authenticate(&AuthRequest::from_pairs("GET", &long, &headers, peer))
            .unwrap();
        let cut = v.system_log(account, 0, 1).unwrap().remove(0).resource;
        assert!(cut.starts_with("GET /xxx"), "{cut}");
        assert!(!cut.contains(&u[..8]), "a key prefix was stored: {cut}");
        let log = v.system_log(account, 1, 10).unwrap();
        let resources: Vec<&str> = log.iter().map(|e| e.resource.as_str()).collect();
        assert_eq!(
            resources,
            [
                "GET /v1/** redacted **",
                "** redacted ** /vGET1/",
                "GET /444\u{fffd}** redacted **",
                "GET /v1/** redacted **/** redacted **",
            ]
        );
    }
}

/// `forwarded_for` target: with every IPv4 host trusted, the walk went on
/// past `10.12.68.1:+18` (Rust's integer parser takes a leading `+`), so an
/// entry that is not `address:port` was believed. Hops must be an address,
/// `IPv4:port`, `[IPv6]` or `[IPv6]:port`, the port plain digits; any other
/// entry the walk needs makes the source unknown (never the proxy).
#[test]
fn a_hop_with_a_signed_or_junk_port_makes_the_source_unknown() {
    use redis_cloud_auth::verify::{HopProblem, TrustedProxies};
    let all = TrustedProxies::new(vec!["0.0.0.0/0".parse().unwrap(), "::/0".parse().unwrap()]);
    let peer: IpAddr = "127.0.0.1".parse().unwrap();
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    let unknown = all
        .source_ip(peer, ["10.12.68.1:+18, 11.12.68.1, 11.11.6.1:18088"])
        .unwrap_err();
    assert_eq!(
        (unknown.proxy, unknown.position, unknown.problem),
        (ip("11.12.68.1"), 3, HopProblem::BadPort)
    );
    for junk in [
        "10.0.0.9:-1",
        "10.0.0.9: 80",
        "10.0.0.9:",
        "10.0.0.9:65536",
        "[2001:db8::9]junk",
        "[2001:db8::9]:x",
        "[10.0.0.9]",
    ] {
        let unknown = all
            .source_ip(peer, [format!("{junk}, 203.0.113.9").as_str()])
            .expect_err(junk);
        assert_eq!(
            (unknown.proxy, unknown.position),
            (ip("203.0.113.9"), 2),
            "{junk}"
        );
    }
    for good in [
        "10.0.0.9:443",
        "[2001:db8::9]:443",
        "[2001:db8::9]",
        "2001:db8::9",
        "10.0.0.9",
    ] {
        let expected = good.trim_start_matches('[').split(']').next().unwrap();
        let expected = expected.strip_suffix(":443").unwrap_or(expected);
        assert_eq!(all.source_ip(peer, [good]), Ok(ip(expected)), "{good}");
    }
}

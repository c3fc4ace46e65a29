//! Secrets appear nowhere but in the one value that returns them: not in
//! Debug, errors, public messages, tracing output at every level, the
//! system log, nor the SQLite file (which holds their hashes).
//!
//! Its own test binary: the tracing subscriber is process-wide here.

use std::io::Write;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use redis_cloud_auth::verify::{AuthRequest, KeyHash, Role, Verifier};

/// Captures everything `tracing` prints, at every level.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn no_secret_in_debug_errors_tracing_the_log_or_the_file() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.db");
    let v = Verifier::open_sqlite(&path).unwrap();
    let account = v.create_account("acme").unwrap();
    let owner = v
        .add_user(account, "Ada", "ada@example.com", Role::Owner)
        .unwrap();
    let member = v
        .add_user(account, "Mia", "mia@example.com", Role::Member)
        .unwrap();
    let account_key = v.enable_api(account).unwrap().unwrap();
    let user_key = v
        .create_user_key(account, owner, owner, "ci-deploy-key", &["10.0.0.0/8"])
        .unwrap();
    let peer: IpAddr = "192.0.2.1".parse().unwrap();
    let mut texts = vec![
        format!("{v:?}"),
        format!("{account_key:?}"),
        format!("{user_key}"),
    ];
    for (a, u) in [
        (account_key.expose(), user_key.expose()),
        (account_key.expose(), "WrongUserKey-0123456789"),
        ("WrongAccountKey-0123456789", user_key.expose()),
        (account_key.expose(), ""),
    ] {
        let headers = [
            ("x-api-key", a.as_bytes()),
            ("x-api-secret-key", u.as_bytes()),
        ];
        let request = AuthRequest::from_pairs("GET", "/v1/", &headers, peer);
        texts.push(format!("{request:?}"));
        let failure = v.authenticate(&request).unwrap_err();
        texts.extend([
            format!("{failure:?}"),
            failure.to_string(),
            failure.public_message(),
            serde_json::to_string(&failure.error_body()).unwrap(),
        ]);
    }
    let err = v
        .create_user_key(account, member, owner, "member-made-key", &[] as &[&str])
        .unwrap_err();
    texts.extend([format!("{err:?}"), err.to_string()]);
    texts.push(format!("{:?}", v.list_user_keys(account).unwrap()));
    for entry in v.system_log(account, 0, 100).unwrap() {
        texts.push(serde_json::to_string(&entry).unwrap());
    }
    drop(v);
    texts.push(String::from_utf8(captured.0.lock().unwrap().clone()).unwrap());
    assert!(
        texts.last().unwrap().contains("authentication rejected"),
        "tracing captured"
    );

    for text in &texts {
        for secret in [&account_key, &user_key] {
            assert!(!text.contains(secret.expose()), "secret in: {text}");
        }
    }
    // The file (and its WAL) holds the hashes, never the keys.
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(format!("{}-wal", path.display())) {
        bytes.extend(wal);
    }
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    for secret in [&account_key, &user_key] {
        assert!(!contains(secret.expose().as_bytes()));
        assert!(
            contains(KeyHash::of(secret.expose()).as_bytes()),
            "the hash is stored"
        );
    }
}

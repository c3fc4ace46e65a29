//! What the Redis tests share: the server to use (the tests are ignored
//! unless the Redis step runs them, and fail without one), a
//! unique key prefix per test, a private server a test may stop and
//! restart, and the verifier set-up of the other verifier tests.

#![allow(dead_code)]

use std::net::{IpAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use redis_cloud_auth::store::RedisOptions;
use redis_cloud_auth::verify::{AuthFailure, AuthRequest, Role, Verifier};
use redis_cloud_auth::Secret;

/// The shared test server's URL; fails the test when unset.
pub fn redis_url() -> String {
    match std::env::var("RCAUTH_TEST_REDIS_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "RCAUTH_TEST_REDIS_URL is not set (scripts/test.d/70-redis.sh starts a Redis and sets it)"
        ),
    }
}

/// Options with a prefix of this test's own and a short poll interval
/// (50 ms) and staleness bound (300 ms), so the tests run quickly.
pub fn fast_options(test: &str) -> RedisOptions {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    RedisOptions::default()
        .prefix(format!(
            "rcauth-test:{test}:{}:{nanos}:",
            std::process::id()
        ))
        .poll_interval(Duration::from_millis(50))
        .stale_after(Duration::from_millis(300))
}

/// Slack for a loaded machine on top of a documented bound.
pub const GRACE: Duration = Duration::from_secs(2);

/// Waits until `done` holds, failing if that takes longer than `bound`
/// plus [`GRACE`].
pub fn eventually(bound: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() <= bound + GRACE,
            "not seen within {bound:?} (+{GRACE:?} grace)"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// An account with the API enabled, one owner and one user key.
pub struct Setup {
    pub account: u64,
    pub owner: u64,
    pub account_key: Secret,
    pub user_key: Secret,
}

/// Creates an account "acme", owner "Ada", and key "ci-deploy-key".
pub fn setup(v: &Verifier, allow: &[&str]) -> Setup {
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

/// Authenticates a `GET /v1/` from `peer`; the key name on success.
pub fn auth(
    v: &Verifier,
    account_key: &str,
    user_key: &str,
    peer: &str,
) -> Result<String, AuthFailure> {
    let headers = [
        ("x-api-key", account_key.as_bytes()),
        ("x-api-secret-key", user_key.as_bytes()),
    ];
    let peer: IpAddr = peer.parse().unwrap();
    v.authenticate(&AuthRequest::from_pairs("GET", "/v1/", &headers, peer))
        .map(|p| p.key_name)
}

/// A redis-server of one test's own, on a free loopback port, that the
/// test may stop and start again on the same port and directory.
pub struct PrivateServer {
    binary: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
}

impl PrivateServer {
    /// Starts one; fails the test when `RCAUTH_TEST_REDIS_SERVER` does
    /// not name the redis-server binary.
    pub fn start(test: &str) -> Self {
        let binary = match std::env::var("RCAUTH_TEST_REDIS_SERVER") {
            Ok(path) if !path.trim().is_empty() => PathBuf::from(path),
            _ => panic!(
                "{test}: RCAUTH_TEST_REDIS_SERVER is not set (scripts/test.d/70-redis.sh sets it)"
            ),
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut server = PrivateServer {
            binary,
            dir: tempfile::tempdir().unwrap(),
            port,
            child: None,
        };
        server.restart();
        server
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again), loading what the last save wrote.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "already running");
        let child = Command::new(&self.binary)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--dir"])
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let started = Instant::now();
        loop {
            let ping = redis::Client::open(self.url())
                .and_then(|c| c.get_connection_with_timeout(Duration::from_millis(200)))
                .and_then(|mut con| redis::cmd("PING").query::<String>(&mut con));
            if ping.is_ok() {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the server after saving its data (a clean restart).
    pub fn shutdown_saving(&mut self) {
        self.shutdown("SAVE");
    }

    /// Stops the server without saving, and removes any earlier save: it
    /// comes back empty.
    pub fn shutdown_discarding(&mut self) {
        self.shutdown("NOSAVE");
        let _ = std::fs::remove_file(self.dir.path().join("dump.rdb"));
    }

    /// Sends `SHUTDOWN <mode>` and waits for the server to exit cleanly
    /// (status 0) within 10 s.
    fn shutdown(&mut self, mode: &str) {
        let mut child = self.child.take().expect("running");
        let mut con = redis::Client::open(self.url())
            .and_then(|c| c.get_connection())
            .expect("the test's own server accepts a connection");
        // The server closes the connection instead of answering.
        let _ = redis::cmd("SHUTDOWN").arg(mode).query::<()>(&mut con);
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(10) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("redis-server did not exit after SHUTDOWN {mode}");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        assert!(
            status.success(),
            "SHUTDOWN {mode}: redis-server exited with {status:?}"
        );
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

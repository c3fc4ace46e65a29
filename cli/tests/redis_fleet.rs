//! A fleet: two `rcauth serve` processes and the admin commands on one
//! Redis (`--store redis://...`). A key created through the admin commands
//! authenticates on both servers; one deleted is refused by both within the
//! staleness bound; a Redis restart during traffic is answered with 503
//! (never a wrong answer) and both servers recover without a restart.
//!
//! Needs `RCAUTH_TEST_REDIS_URL` and `RCAUTH_TEST_REDIS_SERVER`, as
//! `scripts/test.d/70-redis.sh` sets them: the tests that need them are
//! `#[ignore]`d, and that step runs them with `--ignored`. Run without
//! those variables, an ignored test fails.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{get_with_keys, Sandbox};

/// The servers' default staleness bound (1 s) plus slack for a loaded machine.
const BOUND: Duration = Duration::from_secs(3);

/// The shared test server's URL; fails the test when unset.
fn redis_url() -> String {
    match std::env::var("RCAUTH_TEST_REDIS_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "RCAUTH_TEST_REDIS_URL is not set (scripts/test.d/70-redis.sh starts a Redis and sets it)"
        ),
    }
}

/// `rcauth serve --store URL` on an ephemeral loopback port.
struct Node {
    child: Child,
    url: String,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Node {
    fn start(sb: &Sandbox, store: &str) -> Node {
        let mut child = sb
            .cmd(["serve", "--listen", "127.0.0.1:0", "--store", store])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_string();
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let mut stderr = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Node {
            child,
            url,
            stderr: Some(stderr),
        }
    }

    /// Stops the server with SIGTERM (it flushes its system log and exits
    /// 0); what it wrote on stderr.
    fn stop(mut self) -> String {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = self.child.wait().unwrap();
        let stderr = self.stderr.take().unwrap().join().unwrap();
        assert!(status.success(), "{status:?}: {stderr}");
        stderr
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `rcauth admin --store URL ARGS...`, asserting success; stdout trimmed.
fn admin(sb: &Sandbox, store: &str, args: &[&str]) -> String {
    let mut all = vec!["admin", "--store", store];
    all.extend_from_slice(args);
    sb.run(&all).ok().trim().to_string()
}

struct Keys {
    account: String,
    owner: String,
    account_key: String,
    user_key: String,
}

/// An account with the API enabled, an owner and one user key.
fn provision(sb: &Sandbox, store: &str, key_name: &str) -> Keys {
    let account = admin(sb, store, &["account", "create", "--name", "acme"]);
    let owner = admin(
        sb,
        store,
        &[
            "user",
            "add",
            "--account",
            &account,
            "--name",
            "Ada",
            "--email",
            "ada@example.com",
            "--role",
            "owner",
        ],
    );
    let account_key = admin(sb, store, &["api", "enable", "--account", &account]);
    let user_key = admin(
        sb,
        store,
        &[
            "keys",
            "create",
            "--account",
            &account,
            "--owner",
            &owner,
            "--name",
            key_name,
        ],
    );
    Keys {
        account,
        owner,
        account_key,
        user_key,
    }
}

fn status(node: &Node, account_key: &str, user_key: &str) -> u16 {
    get_with_keys(&node.url, "/v1/", account_key, user_key).status
}

fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < BOUND, "{what}: not within {BOUND:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
#[ignore = "needs Redis: RCAUTH_TEST_REDIS_URL (scripts/test.d/70-redis.sh)"]
fn two_servers_share_keys_through_redis() {
    let store = redis_url();
    let sb = Sandbox::new();
    let k = provision(&sb, &store, "fleet-first-key");
    let a = Node::start(&sb, &store);
    let b = Node::start(&sb, &store);
    for node in [&a, &b] {
        let r = get_with_keys(&node.url, "/v1/", &k.account_key, &k.user_key);
        assert_eq!(r.status, 200, "{r:?}");
        assert_eq!(r.json()["account"]["key"]["name"], "fleet-first-key");
    }

    // Created while both run: authenticates on both.
    let second = admin(
        &sb,
        &store,
        &[
            "keys",
            "create",
            "--account",
            &k.account,
            "--owner",
            &k.owner,
            "--name",
            "fleet-second-key",
        ],
    );
    for node in [&a, &b] {
        eventually("new key accepted", || {
            status(node, &k.account_key, &second) == 200
        });
    }

    // Allow list narrowed: 403 on both.
    admin(
        &sb,
        &store,
        &[
            "keys",
            "allow-list",
            "set",
            "--account",
            &k.account,
            "fleet-second-key",
            "10.0.0.0/8",
        ],
    );
    for node in [&a, &b] {
        eventually("narrowed list enforced", || {
            status(node, &k.account_key, &second) == 403
        });
    }

    // Deleted: refused by both, and stays refused.
    admin(
        &sb,
        &store,
        &[
            "keys",
            "delete",
            "--account",
            &k.account,
            "fleet-second-key",
        ],
    );
    for node in [&a, &b] {
        eventually("deleted key refused", || {
            status(node, &k.account_key, &second) == 401
        });
    }
    for _ in 0..20 {
        assert_eq!(status(&a, &k.account_key, &second), 401);
        assert_eq!(status(&b, &k.account_key, &second), 401);
    }
    assert_eq!(status(&a, &k.account_key, &k.user_key), 200);

    // Both servers wrote to the account's one system log.
    let stderr_a = a.stop();
    let stderr_b = b.stop();
    let entries = all_log_entries(&sb, &store, &k.account);
    let log = serde_json::to_string(&entries).unwrap();
    assert!(entries.len() >= 40, "{} entries: {log}", entries.len());
    for secret in [&k.account_key, &k.user_key, &second] {
        assert!(!log.contains(secret.as_str()));
        assert!(!stderr_a.contains(secret.as_str()));
        assert!(!stderr_b.contains(secret.as_str()));
    }
}

/// A redis-server of this test's own, stopped and started on one port and
/// directory, spoken to over raw RESP (the test needs no Redis client).
struct PrivateRedis {
    binary: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
}

impl PrivateRedis {
    /// Starts one; fails the test when `RCAUTH_TEST_REDIS_SERVER` does
    /// not name the redis-server binary.
    fn start() -> Self {
        let binary = match std::env::var("RCAUTH_TEST_REDIS_SERVER") {
            Ok(path) if !path.trim().is_empty() => PathBuf::from(path),
            _ => panic!("RCAUTH_TEST_REDIS_SERVER is not set (scripts/test.d/70-redis.sh sets it)"),
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut redis = PrivateRedis {
            binary,
            dir: tempfile::tempdir().unwrap(),
            port,
            child: None,
        };
        redis.restart();
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Sends one inline command; the first reply line, if any.
    fn command(&self, line: &str) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        stream.write_all(format!("{line}\r\n").as_bytes()).ok()?;
        let mut reply = String::new();
        BufReader::new(stream).read_line(&mut reply).ok()?;
        Some(reply.trim().to_string())
    }

    fn restart(&mut self) {
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
        while self.command("PING").as_deref() != Some("+PONG") {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Saves the data and stops.
    fn shutdown(&mut self) {
        let _ = self.command("SHUTDOWN SAVE");
        if let Some(mut child) = self.child.take() {
            child.wait().unwrap();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
#[ignore = "needs redis-server: RCAUTH_TEST_REDIS_SERVER (scripts/test.d/70-redis.sh)"]
fn a_redis_restart_during_traffic_gives_503_then_recovers() {
    let mut redis = PrivateRedis::start();
    let store = redis.url();
    let sb = Sandbox::new();
    let k = provision(&sb, &store, "restart-test-key");
    let nodes = [Node::start(&sb, &store), Node::start(&sb, &store)];
    let urls: Vec<String> = nodes.iter().map(|n| n.url.clone()).collect();

    // Traffic on both servers for the whole test.
    let seen: Arc<Mutex<Vec<u16>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let traffic = {
        let (seen, stop) = (seen.clone(), stop.clone());
        let (ak, uk) = (k.account_key.clone(), k.user_key.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                for url in &urls {
                    let status = get_with_keys(url, "/v1/", &ak, &uk).status;
                    seen.lock().unwrap().push(status);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let last = |n: usize| -> Vec<u16> {
        let seen = seen.lock().unwrap();
        seen[seen.len().saturating_sub(n)..].to_vec()
    };
    eventually("traffic flows", || {
        last(10).len() == 10 && last(10).iter().all(|s| *s == 200)
    });

    redis.shutdown();
    eventually("503 from both servers", || {
        last(6).iter().all(|s| *s == 503)
    });
    let r = get_with_keys(&nodes[0].url, "/v1/", &k.account_key, &k.user_key);
    assert_eq!(r.status, 503, "{r:?}");
    assert_eq!(r.json()["error"], "service_unavailable");

    redis.restart();
    eventually("recovered on both servers", || {
        last(6).iter().all(|s| *s == 200)
    });
    stop.store(true, Ordering::Relaxed);
    traffic.join().unwrap();

    let seen = seen.lock().unwrap().clone();
    assert!(seen.contains(&503));
    let wrong: Vec<&u16> = seen.iter().filter(|s| **s != 200 && **s != 503).collect();
    assert!(
        wrong.is_empty(),
        "wrong answers during the restart: {wrong:?}"
    );
    let served = seen.iter().filter(|s| **s == 200).count();
    let refused = seen.len() - served;
    eprintln!("during the restart test: {served} requests served, {refused} answered 503");
    // And the admin commands work again on the restarted server.
    let key = admin(
        &sb,
        &store,
        &[
            "keys",
            "create",
            "--account",
            &k.account,
            "--owner",
            &k.owner,
            "--name",
            "after-restart-key",
        ],
    );
    for node in &nodes {
        eventually("key created after the restart", || {
            status(node, &k.account_key, &key) == 200
        });
    }
    for node in nodes {
        let stderr = node.stop();
        assert!(!stderr.contains(&k.user_key) && !stderr.contains(&k.account_key));
    }

    // Every request served, before, during and after the outage, is in the
    // system log exactly once: entries queued while Redis was down were
    // written when it came back.
    let entries = all_log_entries(&sb, &store, &k.account);
    let logged = entries
        .iter()
        .filter(|e| {
            e["apiKeyName"] == "restart-test-key"
                && e["description"]
                    .as_str()
                    .unwrap()
                    .starts_with("authenticated")
        })
        .count();
    assert_eq!(logged, served);
}

/// Every entry of an account's system log, newest first, page by page.
fn all_log_entries(sb: &Sandbox, store: &str, account: &str) -> Vec<serde_json::Value> {
    let mut all = Vec::new();
    loop {
        let offset = all.len().to_string();
        let page = admin(
            sb,
            store,
            &[
                "logs",
                "--account",
                account,
                "--offset",
                &offset,
                "--limit",
                "1000",
                "--json",
            ],
        );
        let page: serde_json::Value = serde_json::from_str(&page).unwrap();
        let entries = page["entries"].as_array().unwrap();
        if entries.is_empty() {
            return all;
        }
        all.extend(entries.iter().cloned());
    }
}

#[test]
fn store_urls_are_checked_and_never_echoed() {
    let sb = Sandbox::new();
    let run = sb.run([
        "admin",
        "--store",
        "http://127.0.0.1:6379",
        "account",
        "list",
    ]);
    run.code(2);
    assert!(run.stderr.contains("redis://"), "{run:?}");

    let run = sb.run([
        "admin",
        "--data",
        "/tmp",
        "--store",
        "redis://127.0.0.1:1",
        "account",
        "list",
    ]);
    run.code(2);

    // Port 1 on loopback refuses: a failure that names neither the URL nor its password.
    let run = sb.run([
        "admin",
        "--store",
        "redis://ops:hunter2-password@127.0.0.1:1",
        "account",
        "list",
    ]);
    run.code(1);
    assert!(
        run.stderr.contains("store_unavailable") || run.stderr.contains("unavailable"),
        "{run:?}"
    );
    assert!(!run.all().contains("hunter2"), "{run:?}");

    // The variable works like the flag, and --help never shows its value.
    let run = sb
        .cmd(["admin", "account", "list"])
        .env("RCAUTH_STORE", "redis://ops:hunter2-password@127.0.0.1:1")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&run.stderr).contains("hunter2"));
    let help = sb
        .cmd(["serve", "--help"])
        .env("RCAUTH_STORE", "redis://ops:hunter2-password@127.0.0.1:1")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout).to_string();
    assert!(help.contains("--store <URL>"), "{help}");
    assert!(!help.contains("hunter2"), "{help}");
}

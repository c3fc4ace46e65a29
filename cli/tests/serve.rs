//! `rcauth serve` and `rcauth admin`, through the real binary: admin
//! commands on the data dir while the server runs on it, every
//! authentication outcome over HTTP, the system log read back, bad
//! arguments, and no secret in any output but its creation line.

mod common;

use common::{get_with_keys, http, Run, Sandbox};
use serde_json::Value;

/// Every CLI run of a test, to check where secrets were printed.
struct Transcript<'a> {
    sb: &'a Sandbox,
    runs: Vec<Run>,
}

impl<'a> Transcript<'a> {
    fn new(sb: &'a Sandbox) -> Self {
        Transcript {
            sb,
            runs: Vec::new(),
        }
    }

    /// `rcauth admin --data <sandbox> ARGS...`, asserting success.
    fn admin(&mut self, args: &[&str]) -> String {
        let run = self.admin_run(args);
        let out = run.ok().to_string();
        self.runs.push(run);
        out
    }

    /// The same with `--json`, parsed.
    fn admin_json(&mut self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        let run = self.admin_run(&args);
        let value = run.json();
        self.runs.push(run);
        value
    }

    fn admin_run(&self, args: &[&str]) -> Run {
        let data = self.sb.data();
        let mut all = vec!["admin", "--data", data.to_str().unwrap()];
        all.extend_from_slice(args);
        self.sb.run(&all)
    }

    /// Asserts `secret` was printed exactly once, alone on a stdout line.
    fn assert_printed_once(&self, secret: &str) {
        let mut seen = 0;
        for run in &self.runs {
            assert!(!run.stderr.contains(secret), "secret on stderr: {run:?}");
            seen += run.stdout.matches(secret).count();
            if run.stdout.contains(secret) {
                assert!(
                    run.stdout.lines().any(|l| l == secret),
                    "secret not alone on its line: {run:?}"
                );
            }
        }
        assert_eq!(seen, 1, "secret printed {seen} times");
    }
}

struct World {
    acme: String,
    ada: String,
    grace: String,
    acme_key: String,
    ada_key: String,
    grace_key: String,
    other_key: String,
}

/// Account `acme` with owners Ada (key, any source) and Grace (key allowed
/// only from 10.0.0.0/8), and account `globex` with one owner and key.
fn provision(t: &mut Transcript) -> World {
    let acme = t.admin(&["account", "create", "--name", "acme"]);
    let acme = acme.trim().to_string();
    let ada = t
        .admin(&[
            "user",
            "add",
            "--account",
            &acme,
            "--name",
            "Ada",
            "--email",
            "ada@example.com",
            "--role",
            "owner",
        ])
        .trim()
        .to_string();
    let grace = t.admin_json(&[
        "user",
        "add",
        "--account",
        &acme,
        "--name",
        "Grace",
        "--email",
        "grace@example.com",
        "--role",
        "owner",
    ]);
    assert_eq!(grace["role"], "owner");
    let grace = grace["id"].to_string();
    let acme_key = t.admin(&["api", "enable", "--account", &acme]);
    let acme_key = acme_key.trim().to_string();
    let ada_key = t
        .admin(&[
            "keys",
            "create",
            "--account",
            &acme,
            "--owner",
            &ada,
            "--name",
            "ada-laptop-key",
        ])
        .trim()
        .to_string();
    let created = t.admin_json(&[
        "keys",
        "create",
        "--account",
        &acme,
        "--owner",
        &grace,
        "--name",
        "grace-office-key",
        "--allow",
        "10.0.0.0/8",
    ]);
    assert_eq!(created["allowList"], serde_json::json!(["10.0.0.0/8"]));
    let grace_key = created["userKey"].as_str().unwrap().to_string();

    let globex = t.admin_json(&["account", "create", "--name", "globex"]);
    let globex = globex["id"].to_string();
    let hal = t
        .admin(&[
            "user",
            "add",
            "--account",
            &globex,
            "--name",
            "Hal",
            "--email",
            "hal@example.com",
            "--role",
            "owner",
        ])
        .trim()
        .to_string();
    let enabled = t.admin_json(&["api", "enable", "--account", &globex]);
    assert_eq!(enabled["apiEnabled"], true);
    assert!(enabled["accountKey"].as_str().unwrap().len() >= 20);
    let other_key = t
        .admin(&[
            "keys",
            "create",
            "--account",
            &globex,
            "--owner",
            &hal,
            "--name",
            "hal-deploy-key",
        ])
        .trim()
        .to_string();
    World {
        acme,
        ada,
        grace,
        acme_key,
        ada_key,
        grace_key,
        other_key,
    }
}

#[test]
fn serve_with_admin_changes_while_running() {
    let sb = Sandbox::new();
    let mut t = Transcript::new(&sb);
    let w = provision(&mut t);
    let server = sb.serve(&[]);
    let url = server.url.clone();

    // 1. Success: the account and the calling key, never a secret.
    let r = get_with_keys(&url, "/v1/", &w.acme_key, &w.ada_key);
    assert_eq!(r.status, 200, "{r:?}");
    let body = r.json();
    assert_eq!(body["account"]["name"], "acme");
    assert_eq!(body["account"]["key"]["name"], "ada-laptop-key");
    assert_eq!(body["account"]["key"]["owner"]["email"], "ada@example.com");
    assert_eq!(body["account"]["key"]["httpSourceIp"], "127.0.0.1");
    assert!(!r.body.contains(&w.ada_key) && !r.body.contains(&w.acme_key));

    // 2. Wrong account key.
    let r = get_with_keys(&url, "/v1/", "NotAnAccountKey000000", &w.ada_key);
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "unauthorized");
    assert_eq!(r.header("content-type"), Some("application/json"));
    // 3. A user key of the other account.
    let r = get_with_keys(&url, "/v1/", &w.acme_key, &w.other_key);
    assert_eq!((r.status, r.json()["status"].as_u64()), (401, Some(401)));
    // 4. Source IP outside the key's allow list.
    let r = get_with_keys(&url, "/v1/", &w.acme_key, &w.grace_key);
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["error"], "forbidden");
    // No keys at all.
    let r = http(&url, "GET", "/v1/", &[]);
    assert_eq!(r.status, 401);
    // Unknown paths: 404 only after authenticating.
    assert_eq!(http(&url, "GET", "/v1/subscriptions", &[]).status, 401);
    let r = get_with_keys(&url, "/v1/subscriptions", &w.acme_key, &w.ada_key);
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (404, Some("not_found"))
    );

    // Admin changes on the same data dir take effect on the next request.
    t.admin(&[
        "keys",
        "allow-list",
        "set",
        "--account",
        &w.acme,
        "grace-office-key",
        "127.0.0.0/8",
    ]);
    let r = get_with_keys(&url, "/v1/", &w.acme_key, &w.grace_key);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.json()["account"]["key"]["allowedSourceIps"][0],
        "127.0.0.0/8"
    );

    t.admin(&[
        "user",
        "set-role",
        "--account",
        &w.acme,
        "--user",
        &w.ada,
        "--role",
        "member",
    ]);
    assert_eq!(
        get_with_keys(&url, "/v1/", &w.acme_key, &w.ada_key).status,
        401
    );
    let keys = t.admin_json(&["keys", "list", "--account", &w.acme]);
    let ada_row = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "ada-laptop-key")
        .unwrap();
    assert_eq!(ada_row["active"], false);
    t.admin(&[
        "user",
        "set-role",
        "--account",
        &w.acme,
        "--user",
        &w.ada,
        "--role",
        "owner",
    ]);
    assert_eq!(
        get_with_keys(&url, "/v1/", &w.acme_key, &w.ada_key).status,
        200
    );

    // 5. API disabled, then enabled again with the same account key.
    t.admin(&["api", "disable", "--account", &w.acme]);
    let r = get_with_keys(&url, "/v1/", &w.acme_key, &w.ada_key);
    assert_eq!(r.status, 401);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("not enabled"));
    let again = t.admin_json(&["api", "enable", "--account", &w.acme]);
    assert_eq!(again["accountKey"], Value::Null);
    assert_eq!(
        get_with_keys(&url, "/v1/", &w.acme_key, &w.ada_key).status,
        200
    );

    // Clearing an allow list allows every source again.
    t.admin(&[
        "keys",
        "allow-list",
        "set",
        "--account",
        &w.acme,
        "grace-office-key",
        "10.0.0.0/8",
    ]);
    assert_eq!(
        get_with_keys(&url, "/v1/", &w.acme_key, &w.grace_key).status,
        403
    );
    let cleared = t.admin_json(&[
        "keys",
        "allow-list",
        "clear",
        "--account",
        &w.acme,
        "grace-office-key",
    ]);
    assert_eq!(cleared["allowList"], serde_json::json!([]));
    assert_eq!(
        get_with_keys(&url, "/v1/", &w.acme_key, &w.grace_key).status,
        200
    );

    // Rotating the account key: the old one stops working at once.
    let first_key = w.acme_key.clone();
    let rotated = t.admin(&["api", "rotate-key", "--account", &w.acme]);
    let new_key = rotated.trim().to_string();
    assert_eq!(rotated.lines().count(), 1);
    assert_ne!(new_key, w.acme_key);
    assert_eq!(
        get_with_keys(&url, "/v1/", &w.acme_key, &w.ada_key).status,
        401
    );
    assert_eq!(
        get_with_keys(&url, "/v1/", &new_key, &w.ada_key).status,
        200
    );
    let w = World {
        acme_key: new_key.clone(),
        ..w
    };

    // A deleted key never authenticates again.
    t.admin(&[
        "keys",
        "delete",
        "--account",
        &w.acme,
        "grace-office-key",
        "--as",
        &w.grace,
    ]);
    assert_eq!(
        get_with_keys(&url, "/v1/", &w.acme_key, &w.grace_key).status,
        401
    );

    // The system log over HTTP: newest first, paged, limits checked.
    let r = get_with_keys(&url, "/v1/logs?offset=0&limit=2", &w.acme_key, &w.ada_key);
    assert_eq!(r.status, 200, "{r:?}");
    let page = r.json();
    let entries = page["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["resource"], "GET /v1/logs");
    assert_eq!(entries[0]["apiKeyName"], "ada-laptop-key");
    assert!(entries[0]["id"].as_u64() > entries[1]["id"].as_u64());
    let r = get_with_keys(&url, "/v1/logs?limit=5000", &w.acme_key, &w.ada_key);
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (400, Some("bad_request"))
    );
    let r = get_with_keys(&url, "/v1/logs?limit=-1", &w.acme_key, &w.ada_key);
    assert_eq!(r.status, 400);

    // The system log from the admin side, as JSON and as a table.
    let log = t.admin_json(&["logs", "--account", &w.acme, "--limit", "1000"]);
    let entries = log["entries"].as_array().unwrap();
    let descriptions: Vec<&str> = entries
        .iter()
        .map(|e| e["description"].as_str().unwrap())
        .collect();
    assert!(descriptions.iter().any(|d| d.starts_with("authenticated")));
    assert!(
        descriptions
            .iter()
            .any(|d| d.contains("not in the allow list") || d.contains("allow list")),
        "{descriptions:?}"
    );
    assert!(
        descriptions.iter().any(|d| d.contains("disabled")),
        "{descriptions:?}"
    );
    assert!(entries
        .iter()
        .any(|e| e["apiKeyName"] == "grace-office-key"));
    let table = t.admin(&["logs", "--account", &w.acme, "--limit", "3"]);
    assert!(table.starts_with("id  time"), "{table}");
    assert_eq!(table.lines().count(), 4);

    // Graceful shutdown on SIGTERM.
    let stopped = server.stop("TERM");
    assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
    assert!(
        stopped.stderr.contains("system log flushed"),
        "{}",
        stopped.stderr
    );
    assert_eq!(stopped.stdout.lines().count(), 1, "{}", stopped.stdout);

    // Every secret: once, alone on its line, in the run that created it.
    for secret in [&first_key, &w.ada_key, &w.other_key, &new_key] {
        t.assert_printed_once(secret);
        assert!(
            !stopped.stdout.contains(secret.as_str()) && !stopped.stderr.contains(secret.as_str())
        );
    }
    // Grace's key was created with --json: one JSON line holds it.
    let json_runs = t
        .runs
        .iter()
        .filter(|r| r.stdout.contains(&w.grace_key))
        .count();
    assert_eq!(json_runs, 1);
}

#[test]
fn forwarded_for_counts_only_from_a_trusted_proxy() {
    let sb = Sandbox::new();
    let mut t = Transcript::new(&sb);
    let w = provision(&mut t);
    let via_proxy = |url: &str| {
        http(
            url,
            "GET",
            "/v1/",
            &[
                ("x-api-key", &w.acme_key),
                ("x-api-secret-key", &w.grace_key),
                ("x-forwarded-for", "10.20.30.40"),
            ],
        )
    };
    let server = sb.serve(&[]);
    assert_eq!(via_proxy(&server.url).status, 403);
    server.stop("INT");

    let server = sb.serve(&["--trusted-proxy", "127.0.0.1/32"]);
    let r = via_proxy(&server.url);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["account"]["key"]["httpSourceIp"], "10.20.30.40");
    let stopped = server.stop("INT");
    assert_eq!(stopped.code, Some(0));
}

/// A trusted proxy that forwards a malformed `X-Forwarded-For`: the source
/// IP is unknown, never the proxy's own. A key whose allow list holds the
/// proxy's network is refused (403, its precise reason at `RUST_LOG=info`
/// and in the system log); a key without an allow list still answers.
#[test]
fn a_malformed_forwarded_chain_fails_closed() {
    let sb = Sandbox::new();
    let mut t = Transcript::new(&sb);
    let w = provision(&mut t);
    let internal = t.admin_json(&[
        "keys",
        "create",
        "--account",
        &w.acme,
        "--owner",
        &w.ada,
        "--name",
        "internal-caller-key",
        "--allow",
        "127.0.0.0/8",
    ]);
    let internal = internal["userKey"].as_str().unwrap().to_string();
    let server = sb.serve_with_env(
        &[("RUST_LOG", "info")],
        &["--trusted-proxy", "127.0.0.1/32"],
    );
    let send = |user_key: &str, forwarded: &str| {
        http(
            &server.url,
            "GET",
            "/v1/",
            &[
                ("x-api-key", &w.acme_key),
                ("x-api-secret-key", user_key),
                ("x-forwarded-for", forwarded),
            ],
        )
    };
    let malformed = [
        "not-an-ip",
        "unknown",
        "1.2.3.4, garbage",
        "8.8.8.8, 300.1.1.1",
        "1.2.3.4, ",
        "127.0.0.9:99999",
        "[::1",
    ];
    for forwarded in malformed {
        let r = send(&internal, forwarded);
        assert_eq!(r.status, 403, "{forwarded}: {r:?}");
        assert_eq!(r.json()["error"], "forbidden", "{forwarded}");
        let r = send(&w.ada_key, forwarded);
        assert_eq!(r.status, 200, "{forwarded}: {r:?}");
        assert_eq!(r.json()["account"]["key"]["httpSourceIp"], "0.0.0.0");
    }
    // A well-formed chain still counts.
    let r = send(&internal, "127.0.0.9");
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["account"]["key"]["httpSourceIp"], "127.0.0.9");
    assert_eq!(send(&internal, "1.2.3.4").status, 403);

    let stopped = server.stop("TERM");
    assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
    // Read once the server has written its system log out.
    let log = t.admin_json(&["logs", "--account", &w.acme, "--limit", "1000"]);
    let described = |text: &str| {
        log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["description"] == text)
            .count()
    };
    assert_eq!(
        described(
            "rejected: the key has an allow list and the source IP is unknown \
             (malformed X-Forwarded-For); forwarded by trusted proxy 127.0.0.1"
        ),
        malformed.len(),
        "{log}"
    );
    assert_eq!(
        described(
            "authenticated: the source IP is unknown (malformed X-Forwarded-For); \
             forwarded by trusted proxy 127.0.0.1"
        ),
        malformed.len(),
        "{log}"
    );
    let reasons = stopped
        .stderr
        .lines()
        .filter(|l| {
            l.contains("the source IP cannot be determined")
                && l.contains("appended by trusted proxy 127.0.0.1")
                && l.contains("the user key has an allow list")
        })
        .count();
    assert_eq!(reasons, malformed.len(), "{}", stopped.stderr);
    assert!(
        stopped.stderr.contains("entry 1 from the right")
            && stopped.stderr.contains("is not an IP address"),
        "{}",
        stopped.stderr
    );
    assert!(!stopped.stderr.contains(&internal) && !stopped.stderr.contains(&w.acme_key));
}

#[test]
fn rate_limit_answers_429_with_the_wait() {
    let sb = Sandbox::new();
    let mut t = Transcript::new(&sb);
    let w = provision(&mut t);
    let server = sb.serve(&["--rate-limit", "2"]);
    for _ in 0..2 {
        assert_eq!(
            get_with_keys(&server.url, "/v1/", &w.acme_key, &w.ada_key).status,
            200
        );
    }
    let r = get_with_keys(&server.url, "/v1/", &w.acme_key, &w.ada_key);
    assert_eq!(r.status, 429);
    assert_eq!(r.json()["error"], "rate_limited");
    let wait: u64 = r
        .header("x-rate-limit-retry-after-seconds")
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    // Another key has its own budget.
    let other = get_with_keys(&server.url, "/v1/", &w.acme_key, &w.grace_key);
    assert_eq!(other.status, 403, "rate limit applies after authentication");
    server.stop("TERM");
}

#[test]
fn bad_arguments_fail_clearly_and_change_nothing() {
    let sb = Sandbox::new();
    let mut t = Transcript::new(&sb);
    let w = provision(&mut t);
    let before = (
        t.admin_json(&["keys", "list", "--account", &w.acme]),
        t.admin_json(&["user", "list", "--account", &w.acme]),
        t.admin_json(&["account", "list"]),
    );

    let bad = |args: &[&str], expect: &str| {
        let run = t.admin_run(args);
        run.code(2);
        assert!(run.stderr.contains(expect), "{args:?}: {run:?}");
        assert!(run.stdout.is_empty(), "{run:?}");
    };
    bad(
        &[
            "keys",
            "create",
            "--account",
            &w.acme,
            "--owner",
            &w.ada,
            "--name",
            "good-name-key",
            "--allow",
            "10.0.0.0/33",
        ],
        "10.0.0.0/33",
    );
    bad(
        &[
            "keys",
            "create",
            "--account",
            &w.acme,
            "--owner",
            &w.ada,
            "--name",
            "short",
        ],
        "10 to 50",
    );
    bad(
        &[
            "keys",
            "create",
            "--account",
            "99",
            "--owner",
            &w.ada,
            "--name",
            "good-name-key",
        ],
        "account 99 not found",
    );
    bad(
        &[
            "user",
            "add",
            "--account",
            "99",
            "--name",
            "X",
            "--email",
            "x@example.com",
            "--role",
            "owner",
        ],
        "account 99 not found",
    );
    bad(
        &[
            "user",
            "add",
            "--account",
            &w.acme,
            "--name",
            "X",
            "--email",
            "x@example.com",
            "--role",
            "admin",
        ],
        "unknown role",
    );
    bad(
        &[
            "user",
            "add",
            "--account",
            &w.acme,
            "--name",
            "X",
            "--email",
            "not-an-email",
            "--role",
            "owner",
        ],
        "email",
    );
    bad(
        &["api", "enable", "--account", "99"],
        "account 99 not found",
    );
    bad(
        &[
            "keys",
            "allow-list",
            "set",
            "--account",
            &w.acme,
            "ada-laptop-key",
            "banana",
        ],
        "banana",
    );
    bad(
        &["keys", "delete", "--account", &w.acme, "no-such-key-here"],
        "no user key named",
    );
    bad(
        &[
            "keys",
            "create",
            "--account",
            &w.acme,
            "--owner",
            &w.ada,
            "--name",
            "ada-laptop-key",
        ],
        "already exists",
    );
    bad(
        &[
            "keys",
            "create",
            "--account",
            &w.acme,
            "--owner",
            &w.grace,
            "--name",
            "made-by-stranger",
            "--as",
            "999",
        ],
        "",
    );
    bad(&["logs", "--account", &w.acme, "--limit", "1001"], "1001");

    // JSON errors carry a stable code.
    let run = t.admin_run(&["api", "disable", "--account", "99", "--json"]);
    run.code(2);
    let err: Value = serde_json::from_str(run.stderr.trim()).unwrap();
    assert_eq!(err["error"], "not_found");

    let after = (
        t.admin_json(&["keys", "list", "--account", &w.acme]),
        t.admin_json(&["user", "list", "--account", &w.acme]),
        t.admin_json(&["account", "list"]),
    );
    assert_eq!(before, after);

    // serve: a bad CIDR or rate limit fails before anything is created.
    let fresh = Sandbox::new();
    for args in [
        vec![
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--trusted-proxy",
            "10.0.0.0/99",
        ],
        vec!["serve", "--listen", "127.0.0.1:0", "--rate-limit", "0"],
        vec!["serve", "--listen", "nowhere"],
    ] {
        let data = fresh.data();
        let mut args = args.clone();
        args.extend(["--data", data.to_str().unwrap()]);
        let run = fresh.run(&args);
        run.code(2);
        assert!(!fresh.data().exists(), "{args:?} created the data dir");
    }
    // admin on a data dir without a store: exit 2, no file created.
    let data = fresh.data();
    let run = fresh.run([
        "admin",
        "--data",
        data.to_str().unwrap(),
        "keys",
        "list",
        "--account",
        "1",
    ]);
    run.code(2);
    assert!(run.stderr.contains("no store"), "{run:?}");
    assert!(!fresh.data().exists());
}

#[test]
fn data_dir_comes_from_rcauth_data() {
    let sb = Sandbox::new();
    let dir = sb.path().join("from-env");
    let run = sb
        .cmd(["admin", "account", "create", "--name", "envco", "--json"])
        .env("RCAUTH_DATA", &dir)
        .output()
        .unwrap();
    let run = Run::from(run);
    assert_eq!(run.json()["name"], "envco");
    assert!(dir.join("rcauth.sqlite3").is_file());
    // Without --data or RCAUTH_DATA: the platform data dir under the sandbox HOME.
    let run = sb.run(["admin", "account", "create", "--name", "platformco"]);
    assert_eq!(run.ok().trim(), "1");
    assert!(sb.path().join("share/rcauth/rcauth.sqlite3").is_file());
}

#[test]
fn shutdown_does_not_wait_forever_for_a_stalled_connection() {
    use std::io::Write;
    let sb = Sandbox::new();
    let mut t = Transcript::new(&sb);
    provision(&mut t);
    let server = sb.serve(&[]);
    // A client that sends half a request and goes quiet.
    let mut stalled =
        std::net::TcpStream::connect(server.url.trim_start_matches("http://")).unwrap();
    stalled
        .write_all(b"GET /v1/ HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    let started = std::time::Instant::now();
    let stopped = server.stop("TERM");
    assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
    assert!(stopped.stderr.contains("system log flushed"));
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    drop(stalled);
}

/// The benchmark baseline (`serve --bench-no-auth`) answers the API and the
/// authorizer as the first key of account 1 without reading keys, and
/// still refuses a check request that lacks the original method and URI,
/// as the authenticated authorizer does.
#[test]
fn bench_baseline_answers_without_keys_on_both_paths() {
    let sb = Sandbox::new();
    let mut t = Transcript::new(&sb);
    let account = t.admin(&["account", "create", "--name", "acme"]);
    let account = account.trim();
    let owner = t.admin(&[
        "user",
        "add",
        "--account",
        account,
        "--name",
        "Ada",
        "--email",
        "ada@example.com",
        "--role",
        "owner",
    ]);
    let owner = owner.trim();
    t.admin(&["api", "enable", "--account", account]);
    t.admin(&[
        "keys",
        "create",
        "--account",
        account,
        "--owner",
        owner,
        "--name",
        "baseline-key",
    ]);

    let server = sb.serve(&["--bench-no-auth"]);
    let original = [
        ("x-original-method", "GET"),
        ("x-original-uri", "/orders/7"),
    ];
    let checked = http(&server.url, "GET", "/auth/nginx", &original);
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert_eq!(checked.header("x-rcauth-key-name"), Some("baseline-key"));
    assert_eq!(checked.header("x-rcauth-owner-id"), Some(owner));
    let misconfigured = http(&server.url, "GET", "/auth/nginx", &original[..1]);
    assert_eq!(misconfigured.status, 400, "{}", misconfigured.body);
    assert_eq!(http(&server.url, "GET", "/v1/", &[]).status, 200);
    drop(server);

    // Without the flag the same check request needs keys.
    let server = sb.serve(&[]);
    assert_eq!(
        http(&server.url, "GET", "/auth/nginx", &original).status,
        401
    );
}

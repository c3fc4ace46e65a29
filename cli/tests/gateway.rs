//! `rcauth serve` as the external authorizer of a real nginx
//! (`auth_request`), in front of an upstream that echoes the headers it
//! receives: good keys reach the upstream with the identity headers, bad
//! ones get 401 from nginx and never reach it, a key's allow list sees the
//! client's address (bound to 127.0.0.5 or 127.0.0.6) because rcauth trusts
//! nginx and only nginx, forged identity headers are overwritten, the system
//! log holds each attempt with the original method and path, and a deleted
//! key stops passing within the server's bound.
//!
//! Needs nginx: `scripts/test.d/65-gateway.sh` installs Debian's package
//! when missing and runs this with `--ignored`. `RCAUTH_TEST_NGINX` names
//! the binary (default: `nginx` on `PATH`, else `/usr/sbin/nginx`). Without
//! a working nginx the test fails; it never passes without running.

mod common;

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Response, Sandbox};
use serde_json::Value;

/// The server's bound for seeing a change made by another process (1 s),
/// plus slack for a loaded machine.
const BOUND: Duration = Duration::from_secs(3);

/// One request the upstream received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
}

impl Seen {
    /// Every value of header `name`.
    fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The one value of header `name`.
    fn one(&self, name: &str) -> &str {
        match self.all(name).as_slice() {
            [value] => value,
            other => panic!("{name}: expected one value, got {other:?} in {self:?}"),
        }
    }
}

/// The upstream: answers 200 to anything and records what it received.
struct Upstream {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    _runtime: tokio::runtime::Runtime,
}

impl Upstream {
    fn start() -> Upstream {
        use axum::extract::State;
        use axum::http::{HeaderMap, Method, Uri};

        async fn echo(
            State(seen): State<Arc<Mutex<Vec<Seen>>>>,
            method: Method,
            uri: Uri,
            headers: HeaderMap,
        ) -> String {
            let request = Seen {
                method: method.to_string(),
                path: uri.path().to_string(),
                headers: headers
                    .iter()
                    .map(|(n, v)| {
                        let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
                        (n.to_string(), value)
                    })
                    .collect(),
            };
            let text = format!("{} {}", request.method, request.path);
            seen.lock().unwrap().push(request);
            text
        }

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().fallback(echo).with_state(seen.clone());
        runtime.spawn(async move { axum::serve(listener, app).await });
        Upstream {
            addr,
            seen,
            _runtime: runtime,
        }
    }

    /// Requests received so far whose path is `path`.
    fn received(&self, path: &str) -> Vec<Seen> {
        let seen = self.seen.lock().unwrap();
        seen.iter().filter(|s| s.path == path).cloned().collect()
    }
}

/// nginx on loopback with the config of `docs/gateways.md`, run in the
/// foreground so the test owns it.
struct Nginx {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Nginx {
    fn binary() -> PathBuf {
        if let Ok(path) = std::env::var("RCAUTH_TEST_NGINX") {
            if !path.trim().is_empty() {
                return PathBuf::from(path);
            }
        }
        let on_path = Command::new("sh")
            .args(["-c", "command -v nginx"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
        PathBuf::from(on_path.unwrap_or_else(|| "/usr/sbin/nginx".into()))
    }

    fn start(dir: &Path, rcauth: SocketAddr, upstream: SocketAddr) -> Nginx {
        let port = free_port();
        std::fs::create_dir_all(dir.join("logs")).unwrap();
        let conf = dir.join("nginx.conf");
        std::fs::write(&conf, config(dir, port, rcauth, upstream)).unwrap();
        let binary = Self::binary();
        let error_log = dir.join("logs/error.log");
        let child = Command::new(&binary)
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&conf)
            .arg("-e")
            .arg(&error_log)
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run nginx at {}: {e} (scripts/test.d/65-gateway.sh installs it)",
                    binary.display()
                )
            });
        let mut nginx = Nginx {
            child,
            port,
            dir: dir.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = nginx.child.try_wait().unwrap() {
                panic!("nginx exited ({status}): {}", nginx.error_log());
            }
            assert!(
                Instant::now() < deadline,
                "nginx did not listen: {}",
                nginx.error_log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        nginx
    }

    fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("logs/error.log")).unwrap_or_default()
    }

    /// `METHOD path` to nginx from `client` (a loopback address).
    fn send(&self, client: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
        let client: IpAddr = client.parse().unwrap();
        request_from(client, self.port, method, path, headers)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGQUIT: graceful stop of the master and its workers.
        let _ = Command::new("kill")
            .args(["-QUIT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The nginx config `docs/gateways.md` shows, on the test's ports and dir.
fn config(dir: &Path, port: u16, rcauth: SocketAddr, upstream: SocketAddr) -> String {
    let dir = dir.display();
    format!(
        r#"
worker_processes 1;
pid {dir}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

    upstream rcauth {{ server {rcauth}; keepalive 16; }}
    upstream app {{ server {upstream}; keepalive 16; }}

    server {{
        listen 127.0.0.1:{port};

        location / {{
            auth_request /_rcauth;
            auth_request_set $rcauth_account_id $upstream_http_x_rcauth_account_id;
            auth_request_set $rcauth_account_name $upstream_http_x_rcauth_account_name;
            auth_request_set $rcauth_key_name $upstream_http_x_rcauth_key_name;
            auth_request_set $rcauth_owner_id $upstream_http_x_rcauth_owner_id;
            auth_request_set $rcauth_owner_name $upstream_http_x_rcauth_owner_name;
            auth_request_set $rcauth_owner_email $upstream_http_x_rcauth_owner_email;
            auth_request_set $rcauth_source_ip $upstream_http_x_rcauth_source_ip;

            proxy_set_header X-Rcauth-Account-Id $rcauth_account_id;
            proxy_set_header X-Rcauth-Account-Name $rcauth_account_name;
            proxy_set_header X-Rcauth-Key-Name $rcauth_key_name;
            proxy_set_header X-Rcauth-Owner-Id $rcauth_owner_id;
            proxy_set_header X-Rcauth-Owner-Name $rcauth_owner_name;
            proxy_set_header X-Rcauth-Owner-Email $rcauth_owner_email;
            proxy_set_header X-Rcauth-Source-Ip $rcauth_source_ip;
            proxy_set_header X-Api-Key "";
            proxy_set_header X-Api-Secret-Key "";
            proxy_set_header Host $host;
            proxy_set_header Connection "";
            proxy_http_version 1.1;
            proxy_pass http://app;
        }}

        location = /_rcauth {{
            internal;
            proxy_pass http://rcauth/auth/nginx;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Original-Method $request_method;
            proxy_set_header X-Original-URI $request_uri;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header Connection "";
            proxy_http_version 1.1;
        }}
    }}
}}
"#
    )
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// One HTTP/1.1 request to 127.0.0.1:`port` over a connection bound to
/// `client`, read whole.
fn request_from(
    client: IpAddr,
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> Response {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    let stream = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(SocketAddr::new(client, 0)).unwrap();
        socket
            .connect(SocketAddr::from(([127, 0, 0, 1], port)))
            .await
            .unwrap()
    });
    let mut stream = stream.into_std().unwrap();
    drop(runtime);
    stream.set_nonblocking(false).unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\nContent-Length: 0\r\n"
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap();
    Response {
        status: status.parse().unwrap(),
        headers: lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .collect(),
        body: body.to_string(),
    }
}

/// An account with one owner, its account key and three user keys.
struct World {
    account: String,
    owner: String,
    account_key: String,
    good_key: String,
    pinned_key: String,
    doomed_key: String,
}

fn admin(sb: &Sandbox, args: &[&str]) -> String {
    let data = sb.data();
    let mut all = vec!["admin", "--data", data.to_str().unwrap()];
    all.extend_from_slice(args);
    sb.run(&all).ok().trim().to_string()
}

fn provision(sb: &Sandbox) -> World {
    let account = admin(sb, &["account", "create", "--name", "Acmé Shop"]);
    let owner = admin(
        sb,
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
    let account_key = admin(sb, &["api", "enable", "--account", &account]);
    let key = |name: &str, extra: &[&str]| {
        let mut args = vec![
            "keys",
            "create",
            "--account",
            &account,
            "--owner",
            &owner,
            "--name",
            name,
        ];
        args.extend_from_slice(extra);
        admin(sb, &args)
    };
    World {
        good_key: key("gateway-good-key", &[]),
        pinned_key: key("gateway-pinned-key", &["--allow", "127.0.0.5/32"]),
        doomed_key: key("gateway-doomed-key", &[]),
        account: account.clone(),
        owner: owner.clone(),
        account_key,
    }
}

/// The account's system log, oldest first, as `(resource, key, description)`.
fn system_log(sb: &Sandbox, account: &str) -> Vec<(String, String, String)> {
    let data = sb.data();
    let run = sb.run([
        "admin",
        "logs",
        "--data",
        data.to_str().unwrap(),
        "--account",
        account,
        "--limit",
        "1000",
        "--json",
    ]);
    let value: Value = run.json();
    let entries = value["entries"]
        .as_array()
        .or_else(|| value.as_array())
        .unwrap_or_else(|| panic!("no entries in {value}"));
    let mut log: Vec<_> = entries
        .iter()
        .filter(|e| e["type"] == "authentication")
        .map(|e| {
            (
                e["resource"].as_str().unwrap().to_string(),
                e["apiKeyName"].as_str().unwrap_or_default().to_string(),
                e["description"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    log.reverse();
    log
}

#[test]
#[ignore = "needs nginx: run by scripts/test.d/65-gateway.sh"]
fn nginx_auth_request_guards_an_upstream() {
    let sb = Sandbox::new();
    let w = provision(&sb);
    let server = sb.serve(&["--trusted-proxy", "127.0.0.1/32"]);
    let rcauth: SocketAddr = server.url.strip_prefix("http://").unwrap().parse().unwrap();
    let upstream = Upstream::start();
    let nginx = Nginx::start(&sb.path().join("nginx"), rcauth, upstream.addr);

    let keys = |user_key| key_headers(&w.account_key, user_key);
    let good = w.good_key.as_str();

    // A good key reaches the upstream with the identity headers, and
    // without either key.
    let answer = nginx.send("127.0.0.5", "GET", "/orders/7?expand=items", &keys(good));
    assert_eq!(answer.status, 200, "{answer:?}\n{}", nginx.error_log());
    assert_eq!(answer.body, "GET /orders/7");
    let seen = upstream.received("/orders/7");
    let [seen] = seen.as_slice() else {
        panic!("upstream saw {seen:?}")
    };
    assert_eq!(seen.one("x-rcauth-account-id"), w.account);
    assert_eq!(seen.one("x-rcauth-account-name"), "Acm%C3%A9 Shop");
    assert_eq!(seen.one("x-rcauth-key-name"), "gateway-good-key");
    assert_eq!(seen.one("x-rcauth-owner-id"), w.owner);
    assert_eq!(seen.one("x-rcauth-owner-name"), "Ada");
    assert_eq!(seen.one("x-rcauth-owner-email"), "ada@example.com");
    assert_eq!(seen.one("x-rcauth-source-ip"), "127.0.0.5");
    assert!(seen.all("x-api-key").is_empty(), "{seen:?}");
    assert!(seen.all("x-api-secret-key").is_empty(), "{seen:?}");

    // Forged identity headers, original-request headers and
    // X-Forwarded-For from the client change nothing.
    let mut forged = keys(good);
    forged.extend([
        ("X-Rcauth-Key-Name", "someone-elses-key"),
        ("X-Rcauth-Account-Id", "999"),
        ("X-Rcauth-Owner-Name", "Mallory"),
        ("X-Rcauth-Owner-Email", "mallory@example.com"),
        ("X-Rcauth-Source-Ip", "10.0.0.1"),
        ("X-Original-URI", "/forged/path"),
        ("X-Original-Method", "DELETE"),
        ("X-Forwarded-For", "10.0.0.1"),
    ]);
    let answer = nginx.send("127.0.0.6", "POST", "/payments", &forged);
    assert_eq!(answer.status, 200, "{answer:?}");
    let seen = upstream.received("/payments");
    let [seen] = seen.as_slice() else {
        panic!("upstream saw {seen:?}")
    };
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.one("x-rcauth-key-name"), "gateway-good-key");
    assert_eq!(seen.one("x-rcauth-account-id"), w.account);
    assert_eq!(seen.one("x-rcauth-owner-name"), "Ada");
    assert_eq!(seen.one("x-rcauth-owner-email"), "ada@example.com");
    assert_eq!(seen.one("x-rcauth-source-ip"), "127.0.0.6");

    // Bad keys: 401 from nginx, and the upstream never sees them.
    let wrong_user = nginx.send(
        "127.0.0.5",
        "GET",
        "/bad/user-key",
        &keys("NotTheUserKey0000"),
    );
    assert_eq!(wrong_user.status, 401, "{wrong_user:?}");
    let mut wrong_account = keys(good);
    wrong_account[0].1 = "NotTheAccountKey0000";
    let answer = nginx.send("127.0.0.5", "GET", "/bad/account-key", &wrong_account);
    assert_eq!(answer.status, 401, "{answer:?}");
    let answer = nginx.send("127.0.0.5", "GET", "/bad/no-keys", &[]);
    assert_eq!(answer.status, 401, "{answer:?}");
    for path in ["/bad/user-key", "/bad/account-key", "/bad/no-keys"] {
        assert!(upstream.received(path).is_empty(), "upstream saw {path}");
    }

    // A key allowed only from 127.0.0.5: through from there, 403 from
    // 127.0.0.6 even when the client claims 127.0.0.5.
    let pinned = w.pinned_key.as_str();
    let answer = nginx.send("127.0.0.5", "GET", "/pinned/from-5", &keys(pinned));
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        upstream.received("/pinned/from-5")[0].one("x-rcauth-key-name"),
        "gateway-pinned-key"
    );
    let answer = nginx.send("127.0.0.6", "GET", "/pinned/from-6", &keys(pinned));
    assert_eq!(answer.status, 403, "{answer:?}");
    let mut spoofing = keys(pinned);
    spoofing.push(("X-Forwarded-For", "127.0.0.5"));
    let answer = nginx.send("127.0.0.6", "GET", "/pinned/spoofed", &spoofing);
    assert_eq!(answer.status, 403, "{answer:?}");
    assert!(upstream.received("/pinned/from-6").is_empty());
    assert!(upstream.received("/pinned/spoofed").is_empty());

    // A deleted key stops passing within the bound.
    let doomed = w.doomed_key.as_str();
    let answer = nginx.send("127.0.0.5", "GET", "/doomed/before", &keys(doomed));
    assert_eq!(answer.status, 200, "{answer:?}");
    admin(
        &sb,
        &[
            "keys",
            "delete",
            "--account",
            &w.account,
            "gateway-doomed-key",
        ],
    );
    let deleted = Instant::now();
    let refused_after = loop {
        let answer = nginx.send("127.0.0.5", "GET", "/doomed/after", &keys(doomed));
        if answer.status == 401 {
            break deleted.elapsed();
        }
        assert_eq!(answer.status, 200, "{answer:?}");
        assert!(
            deleted.elapsed() < BOUND,
            "a deleted key still passes after {:?}",
            deleted.elapsed()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    eprintln!("deleted key refused through nginx after {refused_after:?}");
    let passed_after_delete = upstream.received("/doomed/after").len();

    // The system log holds every attempt that names the account, with the
    // original method and path (no query), exactly like a direct request.
    let stopped = server.stop("TERM");
    assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
    let log = system_log(&sb, &w.account);
    let find = |resource: &str| -> Vec<&(String, String, String)> {
        log.iter().filter(|(r, _, _)| r == resource).collect()
    };
    let one = |resource: &str| -> (String, String) {
        match find(resource).as_slice() {
            [(_, key, description)] => (key.clone(), description.clone()),
            other => panic!("{resource}: {other:?} in {log:#?}"),
        }
    };
    let (key, description) = one("GET /orders/7");
    assert_eq!(key, "gateway-good-key");
    assert!(description.contains("127.0.0.5"), "{description}");
    let (key, description) = one("POST /payments");
    assert_eq!(key, "gateway-good-key");
    assert!(description.contains("127.0.0.6"), "{description}");
    assert!(find("DELETE /forged/path").is_empty(), "{log:#?}");
    let (_, description) = one("GET /bad/user-key");
    assert!(!description.contains("NotTheUserKey"), "{description}");
    let (key, description) = one("GET /pinned/from-5");
    assert_eq!(key, "gateway-pinned-key");
    assert!(description.contains("127.0.0.5"), "{description}");
    for refused in ["GET /pinned/from-6", "GET /pinned/spoofed"] {
        let (key, description) = one(refused);
        assert_eq!(key, "gateway-pinned-key");
        assert!(description.contains("127.0.0.6"), "{description}");
    }
    one("GET /doomed/before");
    assert_eq!(find("GET /doomed/after").len(), passed_after_delete + 1);
    // Keys that name no account cannot be logged under one.
    assert!(find("GET /bad/account-key").is_empty());
    assert!(find("GET /bad/no-keys").is_empty());
    for secret in [&w.account_key, &w.good_key, &w.pinned_key, &w.doomed_key] {
        assert!(!format!("{log:?}").contains(secret.as_str()));
        assert!(!stopped.stderr.contains(secret.as_str()));
        assert!(!nginx.error_log().contains(secret.as_str()));
    }
}

/// The two key headers.
fn key_headers<'a>(account_key: &'a str, user_key: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("x-api-key", account_key), ("x-api-secret-key", user_key)]
}

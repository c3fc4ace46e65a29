//! A whole request through the emulator's router, in process.
//!
//! Input: the first line is `METHOD TARGET` (`GET /v1/logs?limit=5`); a
//! line starting with `@` is the peer address (default `127.0.0.1`, a
//! trusted proxy, so `X-Forwarded-For` counts); every other line is a
//! header `name:value`. In values, `$A` and `$U` become account 1's keys,
//! `$UD` a user key of account 1 allowed only from `203.0.113.0/24`, `$A2`
//! and `$U2` account 2's keys, `$A3` and `$U3` the keys of account 3,
//! whose API is disabled.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use http::header::{HeaderName, HeaderValue};
use http::Request;
use ipnet::IpNet;
use redis_cloud_auth::api::ErrorBody;
use redis_cloud_auth::store::MemoryStore;
use redis_cloud_auth::verify::{AuthRequest, Role, Verifier};
use redis_cloud_auth::Secret;
use tower::ServiceExt;

/// The network the `$UD` key is allowed from.
pub const RESTRICTED_NET: &str = "203.0.113.0/24";

/// Accounts, keys and a router to send requests to.
pub struct Fixture {
    /// The emulator's router over an in-memory verifier.
    pub router: Router,
    /// The verifier behind the router.
    pub verifier: Arc<Verifier>,
    /// `(token, secret)` pairs, longest token first.
    pub tokens: Vec<(&'static str, Secret)>,
}

impl Fixture {
    /// Three accounts as the module documents, proxies on 127.0.0.0/8.
    pub fn new() -> Self {
        let verifier = Arc::new(
            Verifier::new(Arc::new(MemoryStore::with_log_capacity(1000))).expect("memory store"),
        );
        let mut tokens = Vec::new();
        for (n, enable) in [(1, true), (2, true), (3, false)] {
            let account = verifier.create_account(&format!("account-{n}")).unwrap();
            let owner = verifier
                .add_user(account, "Ada", "ada@example.com", Role::Owner)
                .unwrap();
            let account_key = verifier.enable_api(account).unwrap().unwrap();
            let user_key = verifier
                .create_user_key(account, owner, owner, "fuzz-open-key", &[] as &[&str])
                .unwrap();
            if !enable {
                verifier.disable_api(account).unwrap();
            }
            let (a, u) = match n {
                1 => ("$A", "$U"),
                2 => ("$A2", "$U2"),
                _ => ("$A3", "$U3"),
            };
            tokens.push((a, account_key));
            tokens.push((u, user_key));
            if n == 1 {
                let restricted = verifier
                    .create_user_key(account, owner, owner, "fuzz-restricted", &[RESTRICTED_NET])
                    .unwrap();
                tokens.push(("$UD", restricted));
            }
        }
        tokens.sort_by_key(|(t, _)| std::cmp::Reverse(t.len()));
        verifier.set_trusted_proxies(vec!["127.0.0.0/8".parse().unwrap()]);
        let router = rcauth::emulator::router(
            verifier.clone(),
            None,
            rcauth::emulator::Authentication::Verifier,
        );
        Fixture {
            router,
            verifier,
            tokens,
        }
    }

    fn expand(&self, value: &str) -> String {
        let mut value = value.to_string();
        for (token, secret) in &self.tokens {
            value = value.replace(token, secret.expose());
        }
        value
    }

    fn secret(&self, token: &str) -> &str {
        self.tokens
            .iter()
            .find(|(t, _)| *t == token)
            .map(|(_, s)| s.expose())
            .unwrap()
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Fixture::new()
    }
}

thread_local! {
    /// Tokens whose key some request wrote into its path.
    static ECHOED: std::cell::RefCell<std::collections::BTreeSet<&'static str>> =
        const { std::cell::RefCell::new(std::collections::BTreeSet::new()) };
    static STATE: (tokio::runtime::Runtime, Fixture) = (
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime"),
        Fixture::new(),
    );
}

/// A decoded request: what the router gets.
struct Decoded {
    request: Request<Body>,
    method: String,
    target: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    peer: IpAddr,
    method_is_head: bool,
}

fn decode(fixture: &Fixture, data: &[u8]) -> Option<Decoded> {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let first = lines.next().unwrap_or("");
    let (method, target) = first.split_once(' ').unwrap_or(("GET", first));
    let mut peer: IpAddr = IpAddr::from([127, 0, 0, 1]);
    let mut headers = Vec::new();
    for line in lines {
        if let Some(ip) = line.strip_prefix('@') {
            if let Ok(ip) = ip.trim().parse() {
                peer = ip;
            }
            continue;
        }
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&fixture.expand(value)),
        ) else {
            continue;
        };
        headers.push((name, value));
    }
    let mut builder = Request::builder().method(method).uri(target);
    for (name, value) in &headers {
        builder = builder.header(name, value);
    }
    let request = builder
        .extension(ConnectInfo(SocketAddr::new(peer, 40000)))
        .body(Body::empty())
        .ok()?;
    Some(Decoded {
        method_is_head: request.method() == http::Method::HEAD,
        target: target.to_string(),
        method: method.to_string(),
        request,
        headers,
        peer,
    })
}

/// The values of `name` in `headers`, as text.
fn values<'a>(headers: &'a [(HeaderName, HeaderValue)], name: &str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.to_str().unwrap_or(""))
        .collect()
}

/// Sends the request `data` decodes to through the router: its status
/// and body, or `None` when `data` is not a request `http` can build.
pub fn answer(data: &[u8]) -> Option<(u16, Vec<u8>)> {
    STATE.with(|(runtime, fixture)| {
        let decoded = decode(fixture, data)?;
        Some(send(runtime, fixture, decoded).0)
    })
}

fn send(
    runtime: &tokio::runtime::Runtime,
    fixture: &Fixture,
    decoded: Decoded,
) -> ((u16, Vec<u8>), Checked) {
    let checked = Checked {
        method: decoded.method,
        target: decoded.target,
        headers: decoded.headers,
        peer: decoded.peer,
        method_is_head: decoded.method_is_head,
    };
    let response = runtime
        .block_on(fixture.router.clone().oneshot(decoded.request))
        .expect("the router is infallible");
    let status = response.status().as_u16();
    let body = runtime
        .block_on(axum::body::to_bytes(response.into_body(), 1 << 22))
        .expect("a body under 4 MiB");
    ((status, body.to_vec()), checked)
}

/// What the check needs of a request once it has been sent.
struct Checked {
    method: String,
    target: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    peer: IpAddr,
    method_is_head: bool,
}

/// The check: no panic, never a 5xx, only the statuses the emulator
/// documents, every error a JSON `ErrorBody` whose status matches, no
/// secret in any body (unless a request wrote it into its method or path), and a 200 only for a request holding exactly one
/// account key of an enabled account and one user key of that account
/// whose allow list admits the source.
pub fn check(data: &[u8]) {
    STATE.with(|(runtime, fixture)| {
        let Some(decoded) = decode(fixture, data) else {
            return;
        };
        let ((status, body), decoded) = send(runtime, fixture, decoded);
        assert!(
            matches!(status, 200 | 400 | 401 | 403 | 404 | 405),
            "status {status}: {}",
            String::from_utf8_lossy(&body)
        );
        for (token, secret) in &fixture.tokens {
            // A 404 names the method and path it was asked for, and the
            // system log those of earlier requests (with the presenting request's own
            // keys redacted): a key some caller wrote into a path may come
            // back to that account. Only keys never written anywhere count.
            if decoded.target.contains(secret.expose()) || decoded.method.contains(secret.expose())
            {
                ECHOED.with(|e| e.borrow_mut().insert(*token));
            }
            if ECHOED.with(|e| e.borrow().contains(token)) {
                continue;
            }
            assert!(
                !body
                    .windows(secret.len())
                    .any(|w| w == secret.expose().as_bytes()),
                "a key leaked into a {status} body"
            );
        }
        if decoded.method_is_head {
            assert!(body.is_empty(), "a body in answer to HEAD");
            return;
        }
        let json: serde_json::Value = serde_json::from_slice(&body).expect("every answer is JSON");
        if status != 200 {
            let error: ErrorBody = serde_json::from_value(json).expect("an ErrorBody");
            assert_eq!(error.status, status);
            return;
        }

        let accounts = values(&decoded.headers, "x-api-key");
        let users = values(&decoded.headers, "x-api-secret-key");
        assert_eq!(
            (accounts.len(), users.len()),
            (1, 1),
            "200 without one of each key"
        );
        let trim = |v: &str| v.trim_matches(|c| c == ' ' || c == '\t').to_string();
        let (account, user) = (trim(accounts[0]), trim(users[0]));
        let ok_pairs = [("$A", "$U"), ("$A", "$UD"), ("$A2", "$U2")];
        let pair = ok_pairs
            .iter()
            .find(|(a, u)| fixture.secret(a) == account && fixture.secret(u) == user)
            .unwrap_or_else(|| panic!("200 for keys that are not a valid pair"));
        if pair.1 == "$UD" {
            let forwarded: Vec<&str> = values(&decoded.headers, "x-forwarded-for");
            let pairs: Vec<(&str, &[u8])> = forwarded
                .iter()
                .map(|v| ("x-forwarded-for", v.as_bytes()))
                .collect();
            let source = fixture.verifier.trusted_proxies();
            let proxies = redis_cloud_auth::verify::TrustedProxies::new(source);
            let request = AuthRequest::from_pairs("GET", "/", &pairs, decoded.peer);
            let ip = proxies
                .source_ip(decoded.peer, request.forwarded_for())
                .unwrap_or_else(|unknown| panic!("200 for the restricted key: {unknown}"));
            let net: IpNet = RESTRICTED_NET.parse().unwrap();
            assert!(net.contains(&ip), "200 for the restricted key from {ip}");
        }
    });
}

//! Mixed traffic against a real `rcauth serve` on loopback, with every
//! answer checked and the system log counted afterwards.
//!
//! The driver provisions a data dir through `rcauth admin`, starts
//! `rcauth serve --trusted-proxy 127.0.0.1/32` (so `X-Forwarded-For` sets
//! each request's source), and sends from several keep-alive connections a
//! fixed rotation of [`Kind`]s until the time or request bound is reached.
//! It then stops the server with SIGTERM (which flushes the system log)
//! and counts the log per account: exactly one entry per request that
//! carried a valid account key, and exactly one `authenticated` entry per
//! request that authenticated.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis_cloud_auth::verify::Verifier;

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// The `rcauth` binary.
    pub rcauth: PathBuf,
    /// How long to send for.
    pub duration: Duration,
    /// Most requests to send in all.
    pub max_requests: u64,
    /// Concurrent keep-alive connections.
    pub connections: usize,
}

/// One kind of request in the rotation, and what it must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Account A's key with its open user key: 200.
    Valid,
    /// The same on a path the emulator does not serve: 404, after authenticating.
    ValidUnknownPath,
    /// Account A's restricted key from an allowed source: 200.
    AllowedSource,
    /// Account A's restricted key from a denied source: 403.
    DeniedSource,
    /// Account A's key with a user key that does not exist: 401.
    WrongUserKey,
    /// An account key that does not exist: 401 (not tied to an account).
    WrongAccountKey,
    /// Account A's key with account B's user key: 401.
    OtherAccountKey,
    /// Account B's own keys: 200.
    OtherAccountValid,
    /// Account C's keys, API disabled: 401.
    DisabledAccount,
    /// No key headers: 401 (not tied to an account).
    NoKeys,
}

/// The rotation every connection cycles through (offset by its number).
pub const ROTATION: [Kind; 10] = [
    Kind::Valid,
    Kind::WrongUserKey,
    Kind::DeniedSource,
    Kind::WrongAccountKey,
    Kind::AllowedSource,
    Kind::OtherAccountKey,
    Kind::ValidUnknownPath,
    Kind::OtherAccountValid,
    Kind::DisabledAccount,
    Kind::NoKeys,
];

/// Accounts a request can be tied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Account {
    A,
    B,
    C,
}

impl Kind {
    /// The status the request must get.
    pub fn expected_status(self) -> u16 {
        match self {
            Kind::Valid | Kind::AllowedSource | Kind::OtherAccountValid => 200,
            Kind::ValidUnknownPath => 404,
            Kind::DeniedSource => 403,
            _ => 401,
        }
    }

    /// The account whose system log records the request, if any, and
    /// whether the entry says it authenticated.
    fn logged(self) -> Option<(Account, bool)> {
        match self {
            Kind::Valid | Kind::ValidUnknownPath | Kind::AllowedSource => Some((Account::A, true)),
            Kind::DeniedSource | Kind::WrongUserKey | Kind::OtherAccountKey => {
                Some((Account::A, false))
            }
            Kind::OtherAccountValid => Some((Account::B, true)),
            Kind::DisabledAccount => Some((Account::C, false)),
            Kind::WrongAccountKey | Kind::NoKeys => None,
        }
    }
}

/// The keys the provisioning printed.
#[derive(Debug, Clone)]
struct Keys {
    accounts: BTreeMap<Account, (u64, String)>,
    a_open: String,
    a_restricted: String,
    b_user: String,
    c_user: String,
}

impl Keys {
    /// The request line and headers of one request of `kind`.
    fn request(&self, kind: Kind, host: &str, n: u64) -> String {
        let a = &self.accounts[&Account::A].1;
        let b = &self.accounts[&Account::B].1;
        let c = &self.accounts[&Account::C].1;
        let client = format!("198.51.100.{}", n % 250 + 1);
        let (path, keys, source): (&str, Option<(&str, &str)>, String) = match kind {
            Kind::Valid => ("/v1/", Some((a, &self.a_open)), client),
            Kind::ValidUnknownPath => ("/v1/subscriptions", Some((a, &self.a_open)), client),
            Kind::AllowedSource => (
                "/v1/",
                Some((a, &self.a_restricted)),
                format!("203.0.113.{}", n % 250 + 1),
            ),
            Kind::DeniedSource => ("/v1/", Some((a, &self.a_restricted)), client),
            Kind::WrongUserKey => ("/v1/", Some((a, "NoSuchUserKey-0123456789abcdef")), client),
            Kind::WrongAccountKey => (
                "/v1/",
                Some(("NoSuchAccountKey-0123456789", &self.a_open)),
                client,
            ),
            Kind::OtherAccountKey => ("/v1/", Some((a, &self.b_user)), client),
            Kind::OtherAccountValid => ("/v1/", Some((b, &self.b_user)), client),
            Kind::DisabledAccount => ("/v1/", Some((c, &self.c_user)), client),
            Kind::NoKeys => ("/v1/", None, client),
        };
        let mut text =
            format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-For: {source}\r\n");
        if let Some((account, user)) = keys {
            text.push_str(&format!(
                "x-api-key: {account}\r\nx-api-secret-key: {user}\r\n"
            ));
        }
        text.push_str("\r\n");
        text
    }
}

/// What a run measured.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// Wall time spent sending.
    pub elapsed: Duration,
    /// Requests answered, by kind.
    pub sent: BTreeMap<String, u64>,
    /// Answers with another status than expected (first few, as text).
    pub wrong: Vec<String>,
    /// Number of answers with another status than expected.
    pub wrong_count: u64,
    /// Answers with a 5xx status.
    pub server_errors: u64,
    /// Connection failures (each ends that connection's run).
    pub io_errors: Vec<String>,
    /// Latency percentiles in microseconds: p50, p90, p99, max.
    pub latency_us: [u64; 4],
    /// Per account: (expected entries, found entries, expected
    /// `authenticated`, found `authenticated`).
    pub system_log: BTreeMap<String, (u64, u64, u64, u64)>,
    /// How the server exited after SIGTERM.
    pub server_exit: Option<i32>,
}

impl LoadReport {
    /// Requests answered.
    pub fn total(&self) -> u64 {
        self.sent.values().sum()
    }

    /// Everything that went wrong; empty means the run passed.
    pub fn failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.server_errors > 0 {
            out.push(format!("{} answers were 5xx", self.server_errors));
        }
        if self.wrong_count > 0 {
            out.push(format!(
                "{} answers had an unexpected status, e.g. {:?}",
                self.wrong_count, self.wrong
            ));
        }
        if !self.io_errors.is_empty() {
            out.push(format!("connection failures: {:?}", self.io_errors));
        }
        for (account, (want, got, want_ok, got_ok)) in &self.system_log {
            if want != got || want_ok != got_ok {
                out.push(format!(
                    "account {account}: system log holds {got} entries ({got_ok} authenticated), expected {want} ({want_ok})"
                ));
            }
        }
        if self.server_exit != Some(0) {
            out.push(format!("the server exited with {:?}", self.server_exit));
        }
        if self.total() == 0 {
            out.push("no request was answered".into());
        }
        out
    }

    /// A human-readable summary.
    pub fn summary(&self) -> String {
        let secs = self.elapsed.as_secs_f64();
        let mut out = format!(
            "{} requests in {:.1} s ({:.0}/s), 5xx: {}, unexpected status: {}, connection errors: {}\n",
            self.total(),
            secs,
            self.total() as f64 / secs.max(1e-9),
            self.server_errors,
            self.wrong_count,
            self.io_errors.len()
        );
        let [p50, p90, p99, max] = self.latency_us;
        out.push_str(&format!(
            "latency: p50 {p50} us, p90 {p90} us, p99 {p99} us, max {max} us\n"
        ));
        for (kind, n) in &self.sent {
            out.push_str(&format!("  {kind:<18} {n}\n"));
        }
        for (account, (want, got, want_ok, got_ok)) in &self.system_log {
            out.push_str(&format!(
                "system log of account {account}: {got} entries (expected {want}), {got_ok} authenticated (expected {want_ok})\n"
            ));
        }
        out
    }
}

/// Runs `rcauth --json admin --data DIR ARGS` and returns its JSON output.
fn admin(rcauth: &Path, data: &Path, args: &[&str]) -> Result<serde_json::Value, String> {
    let out = Command::new(rcauth)
        .arg("--json")
        .arg("admin")
        .arg("--data")
        .arg(data)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", rcauth.display()))?;
    if !out.status.success() {
        return Err(format!(
            "rcauth admin {} failed: {}",
            args.first().unwrap_or(&""),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("rcauth admin output: {e}"))
}

fn provision(rcauth: &Path, data: &Path) -> Result<Keys, String> {
    let mut accounts = BTreeMap::new();
    let mut users = BTreeMap::new();
    for (account, name) in [
        (Account::A, "load-a"),
        (Account::B, "load-b"),
        (Account::C, "load-c"),
    ] {
        let id = admin(rcauth, data, &["account", "create", "--name", name])?["id"]
            .as_u64()
            .ok_or("no account id")?;
        let ids = id.to_string();
        let owner = admin(
            rcauth,
            data,
            &[
                "user",
                "add",
                "--account",
                &ids,
                "--name",
                "Owner",
                "--email",
                "owner@example.com",
                "--role",
                "owner",
            ],
        )?["id"]
            .as_u64()
            .ok_or("no user id")?;
        let key = admin(rcauth, data, &["api", "enable", "--account", &ids])?["accountKey"]
            .as_str()
            .ok_or("no account key")?
            .to_string();
        accounts.insert(account, (id, key));
        users.insert(account, (ids, owner.to_string()));
    }
    let create = |account: Account, name: &str, allow: &[&str]| -> Result<String, String> {
        let (ids, owner) = &users[&account];
        let mut args = vec![
            "keys",
            "create",
            "--account",
            ids,
            "--owner",
            owner,
            "--name",
            name,
        ];
        for cidr in allow {
            args.push("--allow");
            args.push(cidr);
        }
        Ok(admin(rcauth, data, &args)?["userKey"]
            .as_str()
            .ok_or("no user key")?
            .to_string())
    };
    let keys = Keys {
        a_open: create(Account::A, "load-open-key", &[])?,
        a_restricted: create(Account::A, "load-restricted", &["203.0.113.0/24"])?,
        b_user: create(Account::B, "load-b-key-01", &[])?,
        c_user: create(Account::C, "load-c-key-01", &[])?,
        accounts,
    };
    let c = keys.accounts[&Account::C].0.to_string();
    admin(rcauth, data, &["api", "disable", "--account", &c])?;
    Ok(keys)
}

/// Starts the server and reads its address from the first stdout line.
fn serve(rcauth: &Path, data: &Path) -> Result<(Child, String), String> {
    let mut child = Command::new(rcauth)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--trusted-proxy",
            "127.0.0.1/32",
            "--data",
        ])
        .arg(data)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", rcauth.display()))?;
    let mut first = String::new();
    BufReader::new(child.stdout.take().ok_or("no stdout")?)
        .read_line(&mut first)
        .map_err(|e| e.to_string())?;
    let host = first
        .trim()
        .strip_prefix("listening on http://")
        .ok_or_else(|| format!("unexpected first line {first:?}"))?
        .to_string();
    Ok((child, host))
}

/// Reads one HTTP/1.1 response (status line, headers, Content-Length body).
fn read_response(reader: &mut BufReader<TcpStream>) -> std::io::Result<u16> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut length = 0usize;
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body)?;
    Ok(status)
}

/// What one connection saw.
#[derive(Default)]
struct Tally {
    sent: BTreeMap<Kind, u64>,
    wrong: Vec<String>,
    wrong_count: u64,
    server_errors: u64,
    io_error: Option<String>,
    latencies: Vec<u32>,
}

fn connection(
    n: usize,
    host: &str,
    keys: &Keys,
    deadline: Instant,
    budget: &AtomicU64,
    stop: &AtomicBool,
) -> Tally {
    let mut tally = Tally::default();
    let stream = match TcpStream::connect(host) {
        Ok(s) => s,
        Err(e) => {
            tally.io_error = Some(e.to_string());
            return tally;
        }
    };
    let _ = stream.set_nodelay(true);
    let mut writer = stream.try_clone().expect("a socket clones");
    let mut reader = BufReader::new(stream);
    let mut i = n as u64;
    while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
        if budget
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1))
            .is_err()
        {
            break;
        }
        let kind = ROTATION[(i % ROTATION.len() as u64) as usize];
        let request = keys.request(kind, host, i);
        i += 1;
        let started = Instant::now();
        let status = writer
            .write_all(request.as_bytes())
            .and_then(|()| read_response(&mut reader));
        let status = match status {
            Ok(s) => s,
            Err(e) => {
                tally.io_error = Some(format!("{kind:?}: {e}"));
                stop.store(true, Ordering::Relaxed);
                break;
            }
        };
        tally
            .latencies
            .push(started.elapsed().as_micros().min(u32::MAX as u128) as u32);
        *tally.sent.entry(kind).or_default() += 1;
        if status >= 500 {
            tally.server_errors += 1;
        }
        if status != kind.expected_status() {
            tally.wrong_count += 1;
            if tally.wrong.len() < 5 {
                tally.wrong.push(format!("{kind:?}: {status}"));
            }
        }
    }
    tally
}

/// Counts the system log of `account`: (entries, `authenticated` entries).
fn count_log(verifier: &Verifier, account: u64) -> Result<(u64, u64), String> {
    let (mut total, mut authenticated, mut offset) = (0u64, 0u64, 0u64);
    loop {
        let page = verifier
            .system_log(account, offset, 1000)
            .map_err(|e| e.to_string())?;
        if page.is_empty() {
            return Ok((total, authenticated));
        }
        total += page.len() as u64;
        authenticated += page
            .iter()
            .filter(|e| e.description.starts_with("authenticated"))
            .count() as u64;
        offset += page.len() as u64;
    }
}

/// Provisions a temp data dir, runs the traffic, stops the server and
/// counts the system log.
pub fn run(config: &LoadConfig) -> Result<LoadReport, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let data = dir.path().join("data");
    let keys = Arc::new(provision(&config.rcauth, &data)?);
    let (mut server, host) = serve(&config.rcauth, &data)?;

    let budget = Arc::new(AtomicU64::new(config.max_requests));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let deadline = started + config.duration;
    let tallies = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<_> = (0..config.connections.max(1))
        .map(|n| {
            let (keys, host, budget, stop, tallies) = (
                keys.clone(),
                host.clone(),
                budget.clone(),
                stop.clone(),
                tallies.clone(),
            );
            std::thread::spawn(move || {
                let tally = connection(n, &host, &keys, deadline, &budget, &stop);
                tallies.lock().unwrap().push(tally);
            })
        })
        .collect();
    for t in threads {
        t.join().map_err(|_| "a connection thread panicked")?;
    }
    let elapsed = started.elapsed();

    let status = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("cannot signal the server".into());
    }
    let exit = server.wait().map_err(|e| e.to_string())?;

    let mut report = LoadReport {
        elapsed,
        server_exit: exit.code(),
        ..LoadReport::default()
    };
    let mut sent: BTreeMap<Kind, u64> = BTreeMap::new();
    let mut latencies: Vec<u32> = Vec::new();
    for tally in tallies.lock().unwrap().drain(..) {
        for (kind, n) in tally.sent {
            *sent.entry(kind).or_default() += n;
        }
        report.wrong.extend(tally.wrong);
        report.wrong_count += tally.wrong_count;
        report.server_errors += tally.server_errors;
        report.io_errors.extend(tally.io_error);
        latencies.extend(tally.latencies);
    }
    report.wrong.truncate(5);
    latencies.sort_unstable();
    if !latencies.is_empty() {
        let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize] as u64;
        report.latency_us = [at(0.5), at(0.9), at(0.99), at(1.0)];
    }

    let verifier = Verifier::open_sqlite(data.join("rcauth.sqlite3")).map_err(|e| e.to_string())?;
    for (account, (id, _)) in &keys.accounts {
        let (want, want_ok) = sent
            .iter()
            .fold((0, 0), |(w, ok), (kind, n)| match kind.logged() {
                Some((a, authenticated)) if a == *account => {
                    (w + n, ok + if authenticated { *n } else { 0 })
                }
                _ => (w, ok),
            });
        let (got, got_ok) = count_log(&verifier, *id)?;
        report
            .system_log
            .insert(format!("{account:?}"), (want, got, want_ok, got_ok));
    }
    report.sent = sent
        .into_iter()
        .map(|(k, n)| (format!("{k:?}"), n))
        .collect();
    Ok(report)
}

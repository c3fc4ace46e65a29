//! Crash safety: `kill -9` of the emulator and of admin commands in the
//! middle of loops of key creations, deletions and allow-list changes.
//!
//! Every change a command acknowledged (it exited 0 having printed its
//! result) must be there after restart; a change whose command was killed
//! is either wholly there or wholly absent; the SQLite file passes
//! `PRAGMA integrity_check`. Bounded: at most `ROUNDS` commands and
//! `BUDGET` of wall time.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{get_with_keys, Sandbox, Server};

const ROUNDS: usize = 90;
const BUDGET: Duration = Duration::from_secs(40);
/// The server is killed and restarted every this many commands.
const SERVER_LIFE: usize = 15;

/// Allow lists the loop switches between; only the first admits 127.0.0.1.
const LISTS: [&[&str]; 3] = [&["127.0.0.0/8"], &["192.0.2.0/24"], &[]];

/// A small deterministic generator (xorshift), seeded per run and printed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What a key may look like after restart: absent (`None`) or present with
/// an allow list. Acknowledged changes collapse it to one possibility.
#[derive(Debug, Clone, Default)]
struct Possible {
    states: Vec<Option<usize>>,
    /// The user key, once a creation was acknowledged.
    secret: Option<String>,
}

impl Possible {
    fn certain(&self) -> Option<Option<usize>> {
        match self.states.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }
}

fn admin(s: &Sandbox, args: &[String]) -> std::process::Command {
    let data = s.data();
    let mut full: Vec<String> = vec![
        "--json".into(),
        "admin".into(),
        "--data".into(),
        data.to_str().unwrap().into(),
    ];
    full.extend_from_slice(args);
    let mut cmd = s.cmd(&full);
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    cmd
}

/// Runs an admin command, killing it with SIGKILL after `kill_after` when
/// given. Returns its JSON result when it acknowledged the change.
fn run(s: &Sandbox, args: &[String], kill_after: Option<Duration>) -> Option<serde_json::Value> {
    let mut child = admin(s, args).spawn().unwrap();
    let killed = match kill_after {
        Some(delay) => {
            std::thread::sleep(delay);
            child.kill().is_ok()
        }
        None => false,
    };
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        let stdout = String::from_utf8(out.stdout).unwrap();
        return Some(
            serde_json::from_str(stdout.trim())
                .unwrap_or_else(|e| panic!("exit 0 without a JSON result ({e}): {stdout:?}")),
        );
    }
    // Only a kill may stop a command that had nothing wrong with it.
    assert!(
        killed && out.status.code().is_none(),
        "{args:?} failed without being killed: {:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    None
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Sends authenticated requests to whatever server is current until told
/// to stop, so each kill lands while the server is writing its system log.
fn traffic(
    url: Arc<Mutex<String>>,
    keys: (String, String),
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::SeqCst) {
            let host = url
                .lock()
                .unwrap()
                .trim_start_matches("http://")
                .to_string();
            let Ok(mut stream) = TcpStream::connect(&host) else {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            };
            let request = format!(
                "GET /v1/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nx-api-key: {}\r\nx-api-secret-key: {}\r\n\r\n",
                keys.0, keys.1
            );
            let mut answer = String::new();
            if stream.write_all(request.as_bytes()).is_ok() {
                let _ = stream.read_to_string(&mut answer);
                if answer.starts_with("HTTP/1.1 200") {
                    sent.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
    })
}

#[test]
fn acknowledged_changes_survive_kill_9_and_nothing_is_half_written() {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("crash-safety seed {seed}");
    let mut rng = Rng(seed);
    let s = Sandbox::new();
    let created = run(
        &s,
        &args(&["account", "create", "--name", "crash-test"]),
        None,
    )
    .unwrap();
    let account = created["id"].as_u64().unwrap().to_string();
    let owner = run(
        &s,
        &args(&[
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
        ]),
        None,
    )
    .unwrap()["id"]
        .as_u64()
        .unwrap()
        .to_string();
    let account_key = run(&s, &args(&["api", "enable", "--account", &account]), None).unwrap()
        ["accountKey"]
        .as_str()
        .unwrap()
        .to_string();
    let anchor = run(
        &s,
        &args(&[
            "keys",
            "create",
            "--account",
            &account,
            "--owner",
            &owner,
            "--name",
            "anchor-key-000",
        ]),
        None,
    )
    .unwrap()["userKey"]
        .as_str()
        .unwrap()
        .to_string();

    let mut server: Server = s.serve(&[]);
    let url = Arc::new(Mutex::new(server.url.clone()));
    let stop = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicU64::new(0));
    let load = traffic(
        url.clone(),
        (account_key.clone(), anchor),
        stop.clone(),
        served.clone(),
    );

    let mut keys: BTreeMap<String, Possible> = BTreeMap::new();
    let (mut acknowledged, mut killed, mut restarts) = (0, 0, 0);
    let mut typical = Duration::from_millis(30);
    let started = Instant::now();
    for round in 0..ROUNDS {
        if started.elapsed() > BUDGET {
            break;
        }
        if round > 0 && round % SERVER_LIFE == 0 {
            drop(server); // SIGKILL, then reaped
            restarts += 1;
            server = s.serve(&[]);
            *url.lock().unwrap() = server.url.clone();
        }
        // Kill half the commands at a random point of a typical run, so
        // kills land mid-command however fast the machine is.
        let kill_after = (rng.below(2) == 0)
            .then(|| Duration::from_micros(rng.below(typical.as_micros() as u64 + 1)));
        let existing: Vec<String> = keys
            .iter()
            .filter(|(_, p)| matches!(p.certain(), Some(Some(_))))
            .map(|(n, _)| n.clone())
            .collect();
        let op = if existing.is_empty() { 0 } else { rng.below(3) };
        let (name, command, next): (String, Vec<String>, Option<usize>) = match op {
            0 => {
                let name = format!("crash-key-{round:05}");
                let list = rng.below(3) as usize;
                let mut command = args(&[
                    "keys",
                    "create",
                    "--account",
                    &account,
                    "--owner",
                    &owner,
                    "--name",
                    &name,
                ]);
                for cidr in LISTS[list] {
                    command.push(format!("--allow={cidr}"));
                }
                (name, command, Some(list))
            }
            1 => {
                let name = existing[rng.below(existing.len() as u64) as usize].clone();
                let command = args(&["keys", "delete", "--account", &account, &name]);
                (name, command, None)
            }
            _ => {
                let name = existing[rng.below(existing.len() as u64) as usize].clone();
                let list = rng.below(3) as usize;
                let mut command = if LISTS[list].is_empty() {
                    args(&["keys", "allow-list", "clear", "--account", &account, &name])
                } else {
                    args(&["keys", "allow-list", "set", "--account", &account, &name])
                };
                command.extend(LISTS[list].iter().map(|c| c.to_string()));
                (name, command, Some(list))
            }
        };
        let entry = keys.entry(name.clone()).or_insert_with(|| Possible {
            states: vec![None],
            secret: None,
        });
        let began = Instant::now();
        match run(&s, &command, kill_after) {
            Some(result) => {
                acknowledged += 1;
                if kill_after.is_none() {
                    typical = (typical * 3 + began.elapsed()) / 4;
                }
                entry.states = vec![next];
                if let Some(secret) = result["userKey"].as_str() {
                    entry.secret = Some(secret.to_string());
                }
                if let Some(list) = next {
                    let shown: Vec<String> = result["allowList"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap().to_string())
                        .collect();
                    assert_eq!(shown, LISTS[list], "{name}: printed allow list");
                }
            }
            None => {
                killed += 1;
                if !entry.states.contains(&next) {
                    entry.states.push(next);
                }
            }
        }
    }

    // The last blow: the server dies with requests in flight.
    drop(server);
    stop.store(true, Ordering::SeqCst);
    load.join().unwrap();
    eprintln!(
        "{acknowledged} acknowledged, {killed} killed, {restarts} server restarts, {} requests served",
        served.load(Ordering::SeqCst)
    );
    assert!(acknowledged > 10 && killed > 5, "the loop did too little");

    let file = s.data().join("rcauth.sqlite3");
    let db = rusqlite::Connection::open(&file).unwrap();
    let integrity: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    drop(db);

    let server = s.serve(&[]);
    let listed = run(&s, &args(&["keys", "list", "--account", &account]), None).unwrap();
    let listed: BTreeMap<String, Vec<String>> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let list = k["allowList"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            (k["name"].as_str().unwrap().to_string(), list)
        })
        .collect();
    for (name, list) in &listed {
        if name == "anchor-key-000" {
            continue;
        }
        let possible = keys.get(name).unwrap_or_else(|| panic!("{name} appeared"));
        let index = LISTS
            .iter()
            .position(|l| l == list)
            .unwrap_or_else(|| panic!("{name} has a half-written allow list {list:?}"));
        assert!(
            possible.states.contains(&Some(index)),
            "{name}: allow list {list:?}, expected one of {:?}",
            possible.states
        );
    }
    for (name, possible) in &keys {
        match possible.certain() {
            Some(Some(list)) => {
                assert_eq!(
                    listed.get(name).map(Vec::as_slice),
                    Some(
                        &LISTS[list]
                            .iter()
                            .map(|c| c.to_string())
                            .collect::<Vec<_>>()[..]
                    ),
                    "{name}: an acknowledged change was lost"
                );
                if let Some(secret) = &possible.secret {
                    let status = get_with_keys(&server.url, "/v1/", &account_key, secret).status;
                    let expected = if list == 1 { 403 } else { 200 };
                    assert_eq!(status, expected, "{name} with allow list {:?}", LISTS[list]);
                }
            }
            Some(None) => {
                assert!(!listed.contains_key(name), "{name}: a deletion was lost");
                if let Some(secret) = &possible.secret {
                    let status = get_with_keys(&server.url, "/v1/", &account_key, secret).status;
                    assert_eq!(status, 401, "{name} was deleted");
                }
            }
            None => {}
        }
    }
    let logs = run(
        &s,
        &args(&["logs", "--account", &account, "--limit", "1000"]),
        None,
    )
    .unwrap();
    assert!(!logs["entries"].as_array().unwrap().is_empty());
}

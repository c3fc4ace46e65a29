//! Runs the real `rcauth` binary in a sandbox: a temp HOME, config and
//! data dirs, and none of the caller's credential variables.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Variables that could leak the caller's credentials or data into a test.
const SCRUBBED: &[&str] = &[
    "REDIS_CLOUD_API_KEY",
    "REDIS_CLOUD_ACCOUNT_KEY",
    "REDISCLOUD_ACCESS_KEY",
    "REDIS_CLOUD_USER_KEY",
    "REDIS_CLOUD_SECRET_KEY",
    "REDIS_CLOUD_API_SECRET",
    "REDISCLOUD_SECRET_KEY",
    "REDIS_CLOUD_BASE_URL",
    "REDIS_CLOUD_API_URL",
    "REDISCLOUD_URL",
    "REDIS_CLOUD_PROFILE",
    "REDIS_CLOUD_CONFIG",
    "RCAUTH_DATA",
    "RCAUTH_STORE",
];

/// A temp home for one test: every `rcauth` it runs sees only this.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The data dir tests pass with `--data`.
    pub fn data(&self) -> PathBuf {
        self.path().join("data")
    }

    /// The profile file `configure` writes by default here.
    pub fn config_file(&self) -> PathBuf {
        self.path().join("config/redis-cloud/credentials.toml")
    }

    /// `rcauth ARGS...` with a scrubbed environment.
    pub fn cmd<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rcauth"));
        for var in SCRUBBED {
            cmd.env_remove(var);
        }
        cmd.env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_DATA_HOME", self.path().join("share"))
            .args(args)
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `rcauth ARGS...` with `stdin` fed in.
    pub fn run_with_stdin<I, S>(&self, args: I, stdin: &str) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The command may exit before reading everything (a bad argument).
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        Run::from(child.wait_with_output().unwrap())
    }

    /// Runs `rcauth ARGS...` and collects its output.
    pub fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        Run::from(self.cmd(args).output().unwrap())
    }
}

/// What one run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code(),
            stdout: String::from_utf8(o.stdout).unwrap(),
            stderr: String::from_utf8(o.stderr).unwrap(),
        }
    }
}

impl Run {
    /// Asserts exit code 0 and returns stdout.
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, Some(0), "rcauth failed: {self:#?}");
        &self.stdout
    }

    /// Asserts exit code 0 and parses stdout as one JSON document.
    pub fn json(&self) -> serde_json::Value {
        let out = self.ok();
        assert_eq!(out.lines().count(), 1, "one JSON line expected: {out}");
        serde_json::from_str(out).unwrap()
    }

    /// Asserts the exit code.
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(self.code, Some(expected), "{self:#?}");
        self
    }

    /// Everything printed, for secret checks.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// A running `rcauth serve` on an ephemeral loopback port.
pub struct Server {
    child: Option<std::process::Child>,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    stderr: Option<std::thread::JoinHandle<String>>,
    stdout: Option<std::thread::JoinHandle<String>>,
}

impl Sandbox {
    /// Starts `rcauth serve --listen 127.0.0.1:0 --data <sandbox data> EXTRA...`
    /// and reads the port from its first stdout line.
    pub fn serve(&self, extra: &[&str]) -> Server {
        self.serve_with_env(&[], extra)
    }

    /// The same with extra environment variables (`RUST_LOG`).
    pub fn serve_with_env(&self, env: &[(&str, &str)], extra: &[&str]) -> Server {
        use std::io::{BufRead, BufReader, Read};
        let mut args = vec!["serve", "--listen", "127.0.0.1:0", "--data"];
        let data = self.data();
        args.push(data.to_str().unwrap());
        args.extend_from_slice(extra);
        let mut child = self
            .cmd(&args)
            .envs(env.iter().copied())
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
        let mut stderr = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let stdout = std::thread::spawn(move || {
            let mut text = first;
            let _ = stdout.read_to_string(&mut text);
            text
        });
        Server {
            child: Some(child),
            url,
            stderr: Some(stderr),
            stdout: Some(stdout),
        }
    }
}

/// What a stopped server printed and how it ended.
pub struct Stopped {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Server {
    /// The API base URL clients use.
    pub fn base_url(&self) -> String {
        format!("{}/v1", self.url)
    }

    /// Sends `signal` (`TERM`, `INT`) and waits for the server to exit.
    pub fn stop(mut self, signal: &str) -> Stopped {
        let mut child = self.child.take().unwrap();
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("server did not stop on SIG{signal}");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        Stopped {
            code: status.code(),
            stdout: self.stdout.take().unwrap().join().unwrap(),
            stderr: self.stderr.take().unwrap().join().unwrap(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One HTTP response, read whole.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }
}

/// Sends one HTTP/1.1 request over a fresh loopback connection.
pub fn http(url: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
    use std::io::Read;
    let host = url.strip_prefix("http://").unwrap();
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_string(),
    }
}

/// `GET path` with the two key headers.
pub fn get_with_keys(url: &str, path: &str, account_key: &str, user_key: &str) -> Response {
    http(
        url,
        "GET",
        path,
        &[("x-api-key", account_key), ("x-api-secret-key", user_key)],
    )
}

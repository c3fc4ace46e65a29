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

//! `rcauth-load`: mixed traffic against `rcauth serve` on loopback; exits
//! 1 when any answer or the system log is not what it must be.
//!
//! ```text
//! rcauth-load [--rcauth PATH] [--seconds N] [--max-requests N] [--connections N]
//! ```
//! `--rcauth` defaults to the `rcauth` binary next to this one.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use hardening::load::{run, LoadConfig};

fn main() -> ExitCode {
    let mut config = LoadConfig {
        rcauth: std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join("rcauth")))
            .unwrap_or_else(|| PathBuf::from("rcauth")),
        duration: Duration::from_secs(60),
        max_requests: 5_000_000,
        connections: 8,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_default();
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag} needs a number"))
        };
        let parsed = match flag.as_str() {
            "--rcauth" => {
                config.rcauth = PathBuf::from(&value);
                Ok(())
            }
            "--seconds" => number().map(|n| config.duration = Duration::from_secs(n)),
            "--max-requests" => number().map(|n| config.max_requests = n),
            "--connections" => number().map(|n| config.connections = n as usize),
            other => Err(format!("unknown argument {other}")),
        };
        if let Err(message) = parsed {
            eprintln!("rcauth-load: {message}");
            return ExitCode::from(2);
        }
    }
    match run(&config) {
        Ok(report) => {
            print!("{}", report.summary());
            let failures = report.failures();
            if failures.is_empty() {
                println!("load: ok");
                ExitCode::SUCCESS
            } else {
                for failure in failures {
                    eprintln!("load: FAILED: {failure}");
                }
                ExitCode::FAILURE
            }
        }
        Err(message) => {
            eprintln!("rcauth-load: {message}");
            ExitCode::FAILURE
        }
    }
}

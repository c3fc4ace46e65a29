//! `rcauth`: the redis-cloud-auth command-line tool and local emulator of
//! the Redis Cloud API's authentication.
//!
//! The library holds every command; the binary only parses and dispatches.

#![warn(missing_docs)]

pub mod admin;
pub mod authorizer;
pub mod configure;
pub mod data_dir;
pub mod demo;
pub mod emulator;
pub mod error;
pub mod output;
pub mod rate_limit;
pub mod remote;
pub mod serve;
pub mod store;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::CliError;
use crate::output::Output;

/// The redis-cloud-auth command-line tool.
#[derive(Debug, Parser)]
#[command(
    name = "rcauth",
    version,
    about = "Authentication for the Redis Cloud REST API: a local emulator, admin and client commands",
    after_help = "Exit codes: 0 success, 1 failure, 2 bad argument (nothing changed), 3 request refused by the server."
)]
pub struct Cli {
    /// Print machine-readable JSON (one document per line) instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Every `rcauth` command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The main job: run the emulator on a temporary store and show every
    /// authentication outcome (exits 0 only if all match the rules).
    Demo,
    /// Run the emulator: the Redis Cloud API's authentication on a local port.
    Serve(serve::ServeArgs),
    /// Administer accounts, users, API access, user keys and the system log.
    Admin(admin::AdminArgs),
    /// Save a profile's keys to the profile file or the OS keychain
    /// (read from a no-echo prompt, or from two stdin lines).
    Configure(configure::ConfigureArgs),
    /// Show the account and user key the credentials belong to (GET /v1/).
    Whoami(remote::WhoamiArgs),
    /// Show the account's system log, newest first (GET /v1/logs).
    Logs(remote::LogsArgs),
    /// Send any request with the credentials and print the JSON answer.
    Request(remote::RequestArgs),
}

/// Parses the command line, runs the command, prints any failure, and
/// returns the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Output::new(cli.json);
    match run(cli.command, out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            out.error(&err);
            err.exit_code()
        }
    }
}

/// Runs one command.
pub fn run(command: Command, out: Output) -> Result<(), CliError> {
    match command {
        Command::Demo => demo::run(out),
        Command::Serve(args) => serve::run(args, out),
        Command::Admin(args) => admin::run(args, out),
        Command::Configure(args) => configure::run(args, out),
        Command::Whoami(args) => remote::whoami(args, out),
        Command::Logs(args) => remote::logs(args, out),
        Command::Request(args) => remote::request(args, out),
    }
}

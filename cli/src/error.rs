//! [`CliError`]: why a command failed, and the exit code that says so.

use std::fmt;
use std::process::ExitCode;

/// Exit code of a command that failed for a reason other than the ones below.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code of a bad argument: malformed input, or an unknown account,
/// user or key. Nothing was changed.
pub const EXIT_USAGE: u8 = 2;
/// Exit code of a request the server refused (401, 403, 429).
pub const EXIT_REJECTED: u8 = 3;

/// A failed command: a message for stderr and an exit code.
/// Messages never hold a secret.
#[derive(Debug)]
pub struct CliError {
    /// What went wrong, in words.
    pub message: String,
    /// Stable snake_case code, shown in `--json` error output.
    pub code: &'static str,
    /// The process exit code.
    pub exit: u8,
}

impl CliError {
    /// A bad argument (exit code 2).
    pub fn usage(code: &'static str, message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code,
            exit: EXIT_USAGE,
        }
    }

    /// Any other failure (exit code 1).
    pub fn failure(code: &'static str, message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code,
            exit: EXIT_FAILURE,
        }
    }

    /// A request the server refused (exit code 3).
    pub fn rejected(code: &'static str, message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code,
            exit: EXIT_REJECTED,
        }
    }

    /// The process exit code.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

impl From<redis_cloud_auth::CredentialError> for CliError {
    fn from(err: redis_cloud_auth::CredentialError) -> Self {
        use redis_cloud_auth::CredentialError as E;
        let usage = matches!(
            err,
            E::InvalidKey { .. }
                | E::Incomplete { .. }
                | E::Conflict { .. }
                | E::InvalidBaseUrl { .. }
                | E::InvalidProfileName { .. }
                | E::NotFound { .. }
        );
        let message = err.to_string();
        let code = err.code();
        if usage {
            CliError::usage(code, message)
        } else {
            CliError::failure(code, message)
        }
    }
}

//! `rcauth configure`: saves a profile's keys to the profile file or the
//! OS keychain. Keys come from a no-echo prompt on a terminal, or from the
//! first two lines of stdin otherwise; never from the command line.

use std::io::{BufRead, IsTerminal};

use clap::{Args, ValueEnum};
use redis_cloud_auth::credentials::{FileStore, KeychainStore};
use redis_cloud_auth::{ApiKeys, CredentialChain, CredentialStore, Credentials, Secret};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::error::CliError;
use crate::output::Output;

/// Where `configure` saves the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreKind {
    /// The TOML profile file (mode 0600): `$REDIS_CLOUD_CONFIG`, else
    /// `~/.config/redis-cloud/credentials.toml`.
    File,
    /// The OS keychain (kernel keyutils on Linux).
    Keychain,
}

/// Arguments of `rcauth configure`.
#[derive(Debug, Args)]
pub struct ConfigureArgs {
    /// Profile to save (default: $REDIS_CLOUD_PROFILE, else `default`).
    #[arg(long)]
    pub profile: Option<String>,
    /// Where to save the keys.
    #[arg(long, value_enum, default_value = "file")]
    pub store: StoreKind,
    /// API base URL to save with the keys (e.g. http://127.0.0.1:8080/v1).
    #[arg(long)]
    pub base_url: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Saved {
    profile: String,
    store: &'static str,
    location: String,
    fingerprint: String,
    base_url: Option<String>,
}

/// Runs `rcauth configure`.
pub fn run(args: ConfigureArgs, out: Output) -> Result<(), CliError> {
    let mut chain = CredentialChain::new();
    if let Some(profile) = &args.profile {
        chain = chain.profile(profile.clone());
    }
    let profile = chain.profile_name();
    redis_cloud_auth::credentials::validate_profile_name(&profile)?;
    let mut credentials = Credentials::new(read_keys()?);
    if let Some(url) = args.base_url {
        credentials = credentials.with_base_url(url)?;
    }
    let (store, kind): (Box<dyn CredentialStore>, _) = match args.store {
        StoreKind::File => {
            let path = chain.profile_file_path().ok_or_else(|| {
                CliError::usage(
                    "no_config_dir",
                    "no platform config dir is known here; set REDIS_CLOUD_CONFIG to a file path",
                )
            })?;
            (Box::new(FileStore::new(path)), "file")
        }
        StoreKind::Keychain => (Box::new(KeychainStore::new()), "keychain"),
    };
    store.save(&profile, &credentials)?;
    let saved = Saved {
        profile,
        store: kind,
        location: store.describe(),
        fingerprint: credentials.keys.fingerprint(),
        base_url: credentials.base_url.clone(),
    };
    out.emit_done(
        &saved,
        &format!(
            "saved profile `{}` ({}) to {}",
            saved.profile, saved.fingerprint, saved.location
        ),
    )
}

/// Reads the account key then the user key.
fn read_keys() -> Result<ApiKeys, CliError> {
    let stdin = std::io::stdin();
    let (account, user) = if stdin.is_terminal() {
        (
            prompt("Account key (x-api-key): ")?,
            prompt("User key (x-api-secret-key): ")?,
        )
    } else {
        let mut lines = stdin.lock();
        (
            read_line(&mut lines, "account key")?,
            read_line(&mut lines, "user key")?,
        )
    };
    ApiKeys::new(account, user)
        .map_err(|e| CliError::usage(e.code(), format!("{e}; nothing was saved")))
}

fn prompt(label: &str) -> Result<Secret, CliError> {
    let value = Zeroizing::new(rpassword::prompt_password(label).map_err(|e| {
        CliError::failure("io", format!("cannot read from the terminal: {}", e.kind()))
    })?);
    Ok(Secret::new(value.trim()))
}

fn read_line(input: &mut impl BufRead, what: &str) -> Result<Secret, CliError> {
    let mut line = Zeroizing::new(String::new());
    let read = input
        .read_line(&mut line)
        .map_err(|e| CliError::failure("io", format!("cannot read stdin: {}", e.kind())))?;
    if read == 0 {
        return Err(CliError::usage(
            "missing_key",
            format!(
                "stdin ended before the {what}; give the account key and the user key on two lines"
            ),
        ));
    }
    Ok(Secret::new(line.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_two_lines_and_trims_them() {
        let mut input = std::io::Cursor::new("AccountKey0123\r\n  UserKey0123456 \n");
        let a = read_line(&mut input, "account key").unwrap();
        let u = read_line(&mut input, "user key").unwrap();
        assert_eq!(
            (a.expose(), u.expose()),
            ("AccountKey0123", "UserKey0123456")
        );
        let err = read_line(&mut input, "user key").unwrap_err();
        assert_eq!(err.code, "missing_key");
        assert!(err.message.contains("before the user key"));
    }
}

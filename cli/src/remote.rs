//! `rcauth whoami`, `rcauth logs`, `rcauth request`: calls to a Redis Cloud
//! API (or the emulator) through the library's client, with keys from the
//! credential chain (environment, profile file, keychain).

use std::time::Duration;

use clap::Args;
use redis_cloud_auth::api::{AccountResponse, LOG_DEFAULT_LIMIT, LOG_MAX_LIMIT};
use redis_cloud_auth::client::ClientBuilder;
use redis_cloud_auth::{Client, ClientError, CredentialChain};
use serde::Serialize;

use crate::error::CliError;
use crate::output::{pairs, system_log_table, Output};

/// Where to send requests and with which keys.
#[derive(Debug, Args)]
pub struct Target {
    /// API base URL (default: the profile's, $REDIS_CLOUD_BASE_URL, else https://api.redislabs.com/v1).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Credentials profile (default: $REDIS_CLOUD_PROFILE, else `default`).
    #[arg(long)]
    pub profile: Option<String>,
}

/// Arguments of `rcauth whoami`.
#[derive(Debug, Args)]
pub struct WhoamiArgs {
    #[command(flatten)]
    target: Target,
}

/// Arguments of `rcauth logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    #[command(flatten)]
    target: Target,
    /// Entries to skip (newest first).
    #[arg(long, default_value_t = 0)]
    offset: u32,
    /// Entries to show (1 to 1000).
    #[arg(long, default_value_t = LOG_DEFAULT_LIMIT, value_parser = clap::value_parser!(u32).range(1..=LOG_MAX_LIMIT as i64))]
    limit: u32,
}

/// Arguments of `rcauth request`.
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// HTTP method: GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS.
    method: String,
    /// Path relative to the base URL, e.g. `/` or `/logs?limit=5`.
    path: String,
    /// JSON request body.
    #[arg(long, value_name = "JSON")]
    data: Option<String>,
    #[command(flatten)]
    target: Target,
}

/// Maps a client error: refused requests exit 3, bad input 2, the rest 1.
pub fn client_error(err: ClientError) -> CliError {
    let message = err.to_string();
    let code = err.code();
    match err {
        ClientError::Unauthorized | ClientError::Forbidden | ClientError::RateLimited { .. } => {
            CliError::rejected(code, message)
        }
        ClientError::InvalidRequest { .. } => CliError::usage(code, message),
        ClientError::Credentials(err) => err.into(),
        _ => CliError::failure(code, message),
    }
}

/// Builds a client for `target` from the credential chain.
fn client(target: &Target) -> Result<Client, CliError> {
    let mut chain = CredentialChain::new();
    if let Some(profile) = &target.profile {
        chain = chain.profile(profile.clone());
    }
    let mut builder = ClientBuilder::from_chain(&chain).map_err(client_error)?;
    if let Some(url) = &target.base_url {
        builder = builder.base_url(url.clone());
    }
    builder
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(client_error)
}

/// Runs an async client call to completion.
fn block_on<T>(
    future: impl std::future::Future<Output = Result<T, ClientError>>,
) -> Result<T, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failure("runtime", format!("cannot start the runtime: {e}")))?
        .block_on(future)
        .map_err(client_error)
}

/// Runs `rcauth whoami`: the account and key the credentials belong to.
pub fn whoami(args: WhoamiArgs, out: Output) -> Result<(), CliError> {
    let client = client(&args.target)?;
    let me: AccountResponse = block_on(client.account())?;
    out.emit(&me, |w| {
        let a = &me.account;
        let k = &a.key;
        let allowed = if k.allowed_source_ips.is_empty() {
            "any".to_string()
        } else {
            k.allowed_source_ips.join(", ")
        };
        let rows = [
            ("account", format!("{} (id {})", a.name, a.id)),
            ("user key", k.name.clone()),
            ("owner", format!("{} <{}>", k.owner.name, k.owner.email)),
            ("allowed from", allowed),
            (
                "source IP",
                k.http_source_ip.clone().unwrap_or_else(|| "-".into()),
            ),
            ("base URL", client.base_url().to_string()),
            ("keys", client.fingerprint().to_string()),
        ];
        w.write_all(pairs(&rows).as_bytes())
    })
}

/// Runs `rcauth logs`: the account's system log, newest first.
pub fn logs(args: LogsArgs, out: Output) -> Result<(), CliError> {
    let client = client(&args.target)?;
    let page = block_on(client.system_log(args.offset, args.limit))?;
    out.emit(&page, |w| {
        w.write_all(system_log_table(&page.entries).as_bytes())
    })
}

#[derive(Serialize)]
struct Answer {
    status: u16,
    body: serde_json::Value,
}

/// Runs `rcauth request`: any request, printing the JSON answer.
pub fn request(args: RequestArgs, out: Output) -> Result<(), CliError> {
    let body = args
        .data
        .as_deref()
        .map(serde_json::from_str::<serde_json::Value>)
        .transpose()
        .map_err(|e| CliError::usage("invalid_json", format!("--data is not JSON: {e}")))?;
    let client = client(&args.target)?;
    let response = block_on(client.request(&args.method, &args.path, body))?;
    let answer = Answer {
        status: response.status,
        body: response.json,
    };
    out.emit(&answer, |w| {
        if !answer.body.is_null() {
            let text = serde_json::to_string_pretty(&answer.body).map_err(std::io::Error::other)?;
            writeln!(w, "{text}")?;
        }
        Ok(())
    })?;
    out.note(&format!("HTTP {}", answer.status));
    Ok(())
}

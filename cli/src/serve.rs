//! `rcauth serve`: runs the emulator on a data dir until SIGINT or SIGTERM.
//!
//! The first stdout line is `listening on http://ADDR:PORT` (with `--json`:
//! `{"listening":"http://ADDR:PORT","baseUrl":"http://ADDR:PORT/v1"}`), so
//! a test can listen on port 0 and read the port the system chose.
//!
//! Besides the API under `/v1`, it answers a gateway's authorization
//! requests under `/auth` (see [`crate::authorizer`] and `docs/gateways.md`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use ipnet::IpNet;
use redis_cloud_auth::verify::{Principal, Verifier};

use crate::authorizer;
use crate::emulator::{self, Authentication};
use crate::error::CliError;
use crate::output::Output;
use crate::store;

/// How long open connections may take to finish after SIGINT or SIGTERM.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Arguments of `rcauth serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (printed on the first line).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Data dir holding the SQLite store (default: $RCAUTH_DATA, else the platform data dir).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Redis store shared by a fleet of verifiers, instead of the data dir's
    /// SQLite store: redis://[:PASSWORD@]HOST:PORT[/DB].
    #[arg(
        long,
        value_name = "URL",
        env = "RCAUTH_STORE",
        hide_env_values = true,
        conflicts_with = "data"
    )]
    pub store: Option<String>,
    /// Trust X-Forwarded-For from peers in this network (repeatable), e.g. 10.0.0.0/8.
    #[arg(long = "trusted-proxy", value_name = "CIDR", value_parser = parse_cidr)]
    pub trusted_proxies: Vec<IpNet>,
    /// Answer 429 to a key sending more than this many requests a minute.
    #[arg(long, value_name = "PER_MINUTE", value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit: Option<u32>,
    /// Benchmark baseline only: skip authentication and run every request
    /// (and answer every authorizer check) as the first user key of
    /// account 1. Never use it otherwise.
    #[arg(long, hide = true)]
    pub bench_no_auth: bool,
}

/// Parses a CIDR (`10.0.0.0/8`) or a single address (`10.0.0.1`).
pub fn parse_cidr(value: &str) -> Result<IpNet, String> {
    redis_cloud_auth::verify::TrustedProxies::parse([value])
        .map(|mut nets| nets.remove(0))
        .map_err(|_| {
            format!(
                "`{}` is not a CIDR such as 10.0.0.0/8 or an IP address",
                value.trim()
            )
        })
}

/// Runs `rcauth serve`.
pub fn run(args: ServeArgs, out: Output) -> Result<(), CliError> {
    init_tracing();
    let verifier = Arc::new(store::open(
        args.data.as_deref(),
        args.store.as_deref(),
        store::Create::Yes,
    )?);
    verifier.set_trusted_proxies(args.trusted_proxies.clone());
    let authentication = if args.bench_no_auth {
        Authentication::Off(bench_principal(&verifier)?)
    } else {
        Authentication::Verifier
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failure("runtime", format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| {
                CliError::failure(
                    "listen",
                    format!("cannot listen on {}: {}", args.listen, e.kind()),
                )
            })?;
        let local = listener
            .local_addr()
            .map_err(|e| CliError::failure("listen", e.to_string()))?;
        announce(out, local)?;
        let app = emulator::router(verifier.clone(), args.rate_limit, authentication.clone())
            .merge(authorizer::router(verifier.clone(), authentication));
        let (stopping, stop_requested) = tokio::sync::oneshot::channel::<()>();
        let server = emulator::serve(listener, app, async move {
            shutdown_signal().await;
            let _ = stopping.send(());
        });
        // Open requests get a grace period; a connection that never
        // finishes its request does not hold the shutdown (and the system
        // log flush) hostage.
        let grace = async {
            if stop_requested.await.is_ok() {
                tokio::time::sleep(SHUTDOWN_GRACE).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            served = server => served
                .map_err(|e| CliError::failure("serve", format!("the server failed: {e}"))),
            () = grace => {
                tracing::warn!("connections still open after the grace period; closing them");
                Ok(())
            }
        }
    })?;
    verifier.flush_system_log().map_err(|e| {
        CliError::failure(
            e.code(),
            format!("the system log was not fully written: {e}"),
        )
    })?;
    out.note("stopped; system log flushed");
    Ok(())
}

/// Diagnostics on stderr: warnings by default, `RUST_LOG` for more
/// (`RUST_LOG=info` shows each rejected request's precise reason).
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Prints the first stdout line: where the server listens.
fn announce(out: Output, local: SocketAddr) -> Result<(), CliError> {
    let url = format!("http://{local}");
    let value = serde_json::json!({"listening": url, "baseUrl": format!("{url}/v1")});
    out.emit(&value, |w| writeln!(w, "listening on {url}"))?;
    out.note(&format!(
        "base URL for clients: {url}/v1 (stop with Ctrl-C or SIGTERM)"
    ));
    Ok(())
}

/// The principal of `--bench-no-auth`: the first user key of account 1.
fn bench_principal(verifier: &Verifier) -> Result<Principal, CliError> {
    let keys = verifier
        .list_user_keys(1)
        .map_err(crate::admin::admin_error)?;
    let key = keys.into_iter().next().ok_or_else(|| {
        CliError::usage("no_key", "--bench-no-auth needs a user key in account 1")
    })?;
    let users = verifier.list_users(1).map_err(crate::admin::admin_error)?;
    let owner = users.iter().find(|u| u.id == key.owner_id);
    Ok(Principal {
        account_id: 1,
        account_name: String::new(),
        user_id: key.owner_id,
        owner_name: owner.map(|o| o.name.clone()).unwrap_or_default(),
        owner_email: owner.map(|o| o.email.clone()).unwrap_or_default(),
        key_name: key.name,
        source_ip: std::net::Ipv4Addr::LOCALHOST.into(),
    })
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_and_single_addresses_parse() {
        assert_eq!(parse_cidr("10.0.0.0/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(parse_cidr("::1").unwrap().to_string(), "::1/128");
        assert_eq!(parse_cidr("10.0.0.1").unwrap().to_string(), "10.0.0.1/32");
        let err = parse_cidr("10.0.0.0/33").unwrap_err();
        assert!(err.contains("not a CIDR"), "{err}");
        assert!(parse_cidr("localhost").is_err());
    }
}

//! `rcauth demo`: the whole system on one machine in one command.
//!
//! Starts the emulator on an ephemeral loopback port over a temporary
//! SQLite store, provisions two accounts, owners and keys, drives the
//! library's client through every authentication outcome, and prints what
//! was expected and what happened, then the system log. Exits 0 only if
//! every outcome matches the rules.

use std::io::Write;
use std::sync::Arc;

use redis_cloud_auth::api::SystemLogEntry;
use redis_cloud_auth::client::ClientBuilder;
use redis_cloud_auth::verify::{AdminError, Role, Verifier};
use redis_cloud_auth::{ApiKeys, Client, Secret};
use serde::Serialize;

use crate::admin::admin_error;
use crate::data_dir::STORE_FILE;
use crate::emulator::{self, Authentication};
use crate::error::CliError;
use crate::output::{system_log_table, table, Output};

/// One request of the demo and how it turned out.
#[derive(Debug, Serialize)]
pub struct Outcome {
    /// What was sent, in words.
    pub request: String,
    /// What the rules call for (an HTTP status).
    pub expected: String,
    /// What happened: the status and the account and key, or the error code.
    pub got: String,
    /// Whether what happened is what the rules call for.
    pub ok: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    base_url: String,
    outcomes: Vec<Outcome>,
    system_log: Vec<SystemLogEntry>,
    passed: bool,
}

/// The accounts, owners and keys the demo provisions.
struct World {
    acme: u64,
    acme_key: Secret,
    ada_key: Secret,
    grace_key: Secret,
    globex_key: Secret,
    hal_key: Secret,
}

/// acme: owners Ada (key from any source) and Grace (key allowed only from
/// 10.0.0.0/8, which excludes loopback); globex: owner Hal.
fn provision(v: &Verifier) -> Result<World, AdminError> {
    let acme = v.create_account("acme")?;
    let ada = v.add_user(acme, "Ada Lovelace", "ada@acme.example", Role::Owner)?;
    let grace = v.add_user(acme, "Grace Hopper", "grace@acme.example", Role::Owner)?;
    let acme_key = v.enable_api(acme)?.ok_or(AdminError::NotFound {
        what: "account key",
    })?;
    let none: &[&str] = &[];
    let ada_key = v.create_user_key(acme, ada, ada, "ada-laptop-key", none)?;
    let grace_key = v.create_user_key(acme, grace, grace, "grace-office-key", &["10.0.0.0/8"])?;

    let globex = v.create_account("globex")?;
    let hal = v.add_user(globex, "Hal Abelson", "hal@globex.example", Role::Owner)?;
    let globex_key = v.enable_api(globex)?.ok_or(AdminError::NotFound {
        what: "account key",
    })?;
    let hal_key = v.create_user_key(globex, hal, hal, "hal-deploy-key", none)?;
    Ok(World {
        acme,
        acme_key,
        ada_key,
        grace_key,
        globex_key,
        hal_key,
    })
}

fn client(base_url: &str, account_key: &Secret, user_key: &Secret) -> Result<Client, CliError> {
    let keys = ApiKeys::new(account_key.clone(), user_key.clone())
        .map_err(|e| CliError::failure(e.code(), e.to_string()))?;
    ClientBuilder::new(keys)
        .base_url(base_url)
        .max_retries(0)
        .build()
        .map_err(crate::remote::client_error)
}

/// Sends `GET /v1/` (or `/v1/logs`) and records the outcome.
async fn attempt(
    outcomes: &mut Vec<Outcome>,
    request: &str,
    expected: u16,
    client: &Client,
    logs: bool,
) {
    let result = if logs {
        client
            .system_log(0, 10)
            .await
            .map(|page| format!("{} log entries", page.entries.len()))
    } else {
        client
            .account()
            .await
            .map(|me| format!("account {}, key {}", me.account.name, me.account.key.name))
    };
    let (status, detail) = match result {
        Ok(detail) => (200, detail),
        Err(err) => (err.status().unwrap_or(0), err.code().to_string()),
    };
    outcomes.push(Outcome {
        request: request.to_string(),
        expected: match expected {
            401 => "401 unauthorized".to_string(),
            403 => "403 forbidden".to_string(),
            other => other.to_string(),
        },
        got: format!("{status} {detail}"),
        ok: status == expected,
    });
}

/// Runs `rcauth demo`.
pub fn run(out: Output) -> Result<(), CliError> {
    let dir = tempfile::tempdir()
        .map_err(|e| CliError::failure("io", format!("cannot create a temp dir: {e}")))?;
    let verifier = Arc::new(
        Verifier::open_sqlite(dir.path().join(STORE_FILE))
            .map_err(|e| CliError::failure(e.code(), format!("cannot open the store: {e}")))?,
    );
    let world = provision(&verifier).map_err(admin_error)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failure("runtime", format!("cannot start the runtime: {e}")))?;
    let (base_url, mut outcomes) = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| CliError::failure("listen", format!("cannot listen on loopback: {e}")))?;
        let local = listener
            .local_addr()
            .map_err(|e| CliError::failure("listen", e.to_string()))?;
        let base_url = format!("http://{local}/v1");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = emulator::router(verifier.clone(), None, Authentication::Verifier);
        let server = tokio::spawn(emulator::serve(listener, app, async {
            let _ = stopped.await;
        }));
        let outcomes = drive(&verifier, &world, &base_url).await;
        let _ = stop.send(());
        let served = server.await;
        let outcomes = outcomes?;
        match served {
            Ok(Ok(())) => Ok((base_url, outcomes)),
            _ => Err(CliError::failure(
                "serve",
                "the emulator stopped with an error",
            )),
        }
    })?;
    let system_log = verifier
        .system_log(world.acme, 0, 100)
        .map_err(admin_error)?;
    outcomes.push(check_log(&system_log));
    let passed = outcomes.iter().all(|o| o.ok);
    let report = Report {
        base_url,
        outcomes,
        system_log,
        passed,
    };
    out.emit(&report, |w| print_report(w, &report))?;
    if passed {
        Ok(())
    } else {
        let failed = report.outcomes.iter().filter(|o| !o.ok).count();
        Err(CliError::failure(
            "demo_failed",
            format!(
                "{failed} of {} outcomes did not match the rules",
                report.outcomes.len()
            ),
        ))
    }
}

/// The requests of the demo, in order.
async fn drive(verifier: &Verifier, w: &World, base_url: &str) -> Result<Vec<Outcome>, CliError> {
    let mut outcomes = Vec::new();
    let ada = client(base_url, &w.acme_key, &w.ada_key)?;
    let grace = client(base_url, &w.acme_key, &w.grace_key)?;
    let hal = client(base_url, &w.globex_key, &w.hal_key)?;
    let wrong_account = client(
        base_url,
        &Secret::new("NotAnAccountKey0000000000000000"),
        &w.ada_key,
    )?;
    let cross_account = client(base_url, &w.acme_key, &w.hal_key)?;
    let o = &mut outcomes;
    attempt(o, "GET /v1/ as Ada (acme owner)", 200, &ada, false).await;
    attempt(o, "GET /v1/ as Hal (globex owner)", 200, &hal, false).await;
    attempt(
        o,
        "GET /v1/ with a wrong account key",
        401,
        &wrong_account,
        false,
    )
    .await;
    attempt(
        o,
        "GET /v1/ acme account key + globex user key",
        401,
        &cross_account,
        false,
    )
    .await;
    attempt(
        o,
        "GET /v1/ as Grace from 127.0.0.1, key allows only 10.0.0.0/8",
        403,
        &grace,
        false,
    )
    .await;
    attempt(o, "GET /v1/logs as Ada", 200, &ada, true).await;
    verifier.disable_api(w.acme).map_err(admin_error)?;
    attempt(o, "GET /v1/ as Ada, acme's API disabled", 401, &ada, false).await;
    verifier.enable_api(w.acme).map_err(admin_error)?;
    attempt(
        o,
        "GET /v1/ as Ada, acme's API enabled again",
        200,
        &ada,
        false,
    )
    .await;
    Ok(outcomes)
}

/// The system log of acme must hold one entry per request made with its
/// account key: 6 (the wrong-account-key request names no account).
fn check_log(entries: &[SystemLogEntry]) -> Outcome {
    let authenticated = entries
        .iter()
        .filter(|e| e.description.starts_with("authenticated"))
        .count();
    let describe = |(entries, authenticated): (usize, usize)| {
        format!("{entries} entries, {authenticated} authenticated")
    };
    let expected = (6, 3);
    let got = (entries.len(), authenticated);
    Outcome {
        request: "acme's system log records each request with its account key".to_string(),
        expected: describe(expected),
        got: describe(got),
        ok: got == expected,
    }
}

fn print_report(w: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    writeln!(
        w,
        "Emulator on {} over a temporary SQLite store.",
        report.base_url
    )?;
    writeln!(
        w,
        "Accounts: acme (owners Ada and Grace; Grace's key allows only 10.0.0.0/8) and globex (owner Hal).\n"
    )?;
    let rows: Vec<Vec<String>> = report
        .outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| {
            vec![
                (i + 1).to_string(),
                o.request.clone(),
                o.expected.clone(),
                o.got.clone(),
                if o.ok { "ok" } else { "MISMATCH" }.to_string(),
            ]
        })
        .collect();
    w.write_all(table(&["#", "request", "expected", "got", "result"], &rows).as_bytes())?;
    writeln!(w, "\nSystem log of acme, newest first:")?;
    w.write_all(system_log_table(&report.system_log).as_bytes())?;
    let ok = report.outcomes.iter().filter(|o| o.ok).count();
    writeln!(
        w,
        "\n{ok} of {} outcomes match the rules.",
        report.outcomes.len()
    )
}

//! `rcauth whoami`, `logs`, `request` and `demo`, through the real binary
//! against a real `rcauth serve`.

mod common;

use common::{Run, Sandbox, Server};
use serde_json::Value;

struct Keys {
    account: String,
    ada: String,
    grace: String,
}

/// acme with owners Ada (any source) and Grace (10.0.0.0/8 only).
fn provision(sb: &Sandbox) -> Keys {
    let data = sb.data();
    let admin = |args: &[&str]| {
        let mut all = vec!["admin", "--data", data.to_str().unwrap()];
        all.extend_from_slice(args);
        sb.run(&all).ok().trim().to_string()
    };
    let acme = admin(&["account", "create", "--name", "acme"]);
    let ada = admin(&[
        "user",
        "add",
        "--account",
        &acme,
        "--name",
        "Ada",
        "--email",
        "ada@example.com",
        "--role",
        "owner",
    ]);
    let grace = admin(&[
        "user",
        "add",
        "--account",
        &acme,
        "--name",
        "Grace",
        "--email",
        "grace@example.com",
        "--role",
        "owner",
    ]);
    Keys {
        account: admin(&["api", "enable", "--account", &acme]),
        ada: admin(&[
            "keys",
            "create",
            "--account",
            &acme,
            "--owner",
            &ada,
            "--name",
            "ada-laptop-key",
        ]),
        grace: admin(&[
            "keys",
            "create",
            "--account",
            &acme,
            "--owner",
            &grace,
            "--name",
            "grace-office-key",
            "--allow",
            "10.0.0.0/8",
        ]),
    }
}

fn configure(sb: &Sandbox, server: &Server, profile: &str, account: &str, user: &str) {
    let base_url = server.base_url();
    sb.run_with_stdin(
        ["configure", "--profile", profile, "--base-url", &base_url],
        &format!("{account}\n{user}\n"),
    )
    .ok();
}

fn assert_no_secret(runs: &[&Run], keys: &Keys) {
    for run in runs {
        for secret in [&keys.account, &keys.ada, &keys.grace] {
            assert!(
                !run.all().contains(secret.as_str()),
                "secret printed: {run:?}"
            );
        }
    }
}

#[test]
fn whoami_logs_and_request_use_the_profile() {
    let sb = Sandbox::new();
    let keys = provision(&sb);
    let server = sb.serve(&[]);
    configure(&sb, &server, "local", &keys.account, &keys.ada);

    let who = sb.run(["whoami", "--profile", "local", "--json"]);
    let me = who.json();
    assert_eq!(me["account"]["name"], "acme");
    assert_eq!(me["account"]["key"]["name"], "ada-laptop-key");
    let human = sb.run(["whoami", "--profile", "local"]);
    let text = human.ok();
    assert!(
        text.contains("ada-laptop-key") && text.contains("Ada <ada@example.com>"),
        "{text}"
    );
    assert!(text.contains(&server.base_url()));

    let logs = sb.run(["logs", "--profile", "local", "--limit", "2", "--json"]);
    let page = logs.json();
    let entries = page["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["resource"], "GET /v1/logs");
    assert_eq!(entries[1]["resource"], "GET /v1/");
    let table = sb.run(["logs", "--profile", "local"]);
    assert!(table.ok().starts_with("id  time"));

    let req = sb.run(["request", "GET", "/", "--profile", "local", "--json"]);
    let answer = req.json();
    assert_eq!(answer["status"], 200);
    assert_eq!(answer["body"]["account"]["key"]["owner"]["name"], "Ada");
    let pretty = sb.run(["request", "GET", "/logs?limit=1", "--profile", "local"]);
    let body: Value = serde_json::from_str(pretty.ok()).unwrap();
    assert_eq!(body["entries"].as_array().unwrap().len(), 1);
    assert!(pretty.stderr.contains("HTTP 200"));

    // Errors: unknown path (1), bad JSON body (2), body on GET (2).
    let missing = sb.run(["request", "GET", "/subscriptions", "--profile", "local"]);
    missing.code(1);
    assert!(missing.stderr.contains("not found"), "{missing:?}");
    let bad_json = sb.run([
        "request",
        "POST",
        "/",
        "--data",
        "{oops",
        "--profile",
        "local",
    ]);
    bad_json.code(2);
    assert!(bad_json.stderr.contains("--data is not JSON"));
    let get_body = sb.run(["request", "GET", "/", "--data", "{}", "--profile", "local"]);
    get_body.code(2);

    assert_no_secret(
        &[&who, &human, &logs, &table, &req, &pretty, &missing],
        &keys,
    );
    server.stop("TERM");
}

#[test]
fn refused_requests_exit_3_with_the_reason() {
    let sb = Sandbox::new();
    let keys = provision(&sb);
    let server = sb.serve(&[]);
    configure(&sb, &server, "grace", &keys.account, &keys.grace);
    let run = sb.run(["whoami", "--profile", "grace"]);
    run.code(3);
    assert!(run.stderr.contains("forbidden (403)"), "{run:?}");
    let run_json = sb.run(["whoami", "--profile", "grace", "--json"]);
    run_json.code(3);
    let err: Value = serde_json::from_str(run_json.stderr.trim()).unwrap();
    assert_eq!(err["error"], "forbidden");

    // Keys from the environment, base URL from the flag.
    let env = sb
        .cmd(["whoami", "--base-url", &server.base_url()])
        .env("REDIS_CLOUD_ACCOUNT_KEY", "NotAnAccountKey00000000")
        .env("REDIS_CLOUD_USER_KEY", &keys.ada)
        .output()
        .unwrap();
    let env = Run::from(env);
    env.code(3);
    assert!(
        env.stderr.contains("authentication failed (401)"),
        "{env:?}"
    );

    // No credentials anywhere: exit 2 and where it looked.
    let none = sb.run([
        "whoami",
        "--profile",
        "nobody",
        "--base-url",
        &server.base_url(),
    ]);
    none.code(2);
    assert!(
        none.stderr
            .contains("no credentials found for profile `nobody`"),
        "{none:?}"
    );
    // Nothing listening: exit 1.
    let closed = sb.run([
        "whoami",
        "--profile",
        "grace",
        "--base-url",
        "http://127.0.0.1:9/v1",
    ]);
    closed.code(1);

    assert_no_secret(&[&run, &run_json, &env, &none, &closed], &keys);
    server.stop("TERM");
}

#[cfg(target_os = "linux")]
#[test]
fn whoami_reads_keys_from_the_keychain() {
    use redis_cloud_auth::credentials::KeychainStore;
    use redis_cloud_auth::CredentialStore;
    let sb = Sandbox::new();
    let keys = provision(&sb);
    let server = sb.serve(&[]);
    let profile = format!("rcauth-whoami-{}", std::process::id());
    let base_url = server.base_url();
    sb.run_with_stdin(
        [
            "configure",
            "--store",
            "keychain",
            "--profile",
            &profile,
            "--base-url",
            &base_url,
        ],
        &format!("{}\n{}\n", keys.account, keys.ada),
    )
    .ok();
    let who = sb.run(["whoami", "--profile", &profile, "--json"]);
    let result = who.json();
    assert!(KeychainStore::new().delete(&profile).unwrap());
    assert_eq!(result["account"]["key"]["name"], "ada-laptop-key");
    assert_no_secret(&[&who], &keys);
    server.stop("TERM");
}

#[test]
fn demo_passes_and_reports_every_outcome() {
    let sb = Sandbox::new();
    let run = sb.run(["demo", "--json"]);
    let report = run.json();
    assert_eq!(report["passed"], true);
    let outcomes = report["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 9);
    assert!(outcomes.iter().all(|o| o["ok"] == true), "{outcomes:?}");
    let expected: Vec<&str> = outcomes
        .iter()
        .map(|o| o["expected"].as_str().unwrap())
        .collect();
    for status in ["200", "401 unauthorized", "403 forbidden"] {
        assert!(expected.contains(&status), "{expected:?}");
    }
    assert_eq!(report["systemLog"].as_array().unwrap().len(), 6);

    let human = sb.run(["demo"]);
    let text = human.ok();
    assert!(text.contains("9 of 9 outcomes match the rules."), "{text}");
    assert!(text.contains("System log of acme"));
    assert!(!text.contains("MISMATCH"));
}

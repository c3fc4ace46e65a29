//! The secret-leak suite of `rcauth`: keys created through the CLI, every
//! authentication failure driven over HTTP against `rcauth serve` running
//! with `RUST_LOG=trace`, admin and configure errors provoked with keys in
//! their input; then each secret appears exactly once in all CLI output
//! (its creation line), and never in the server's stdout or stderr, the
//! system log, or any byte of the data dir.

mod common;

use common::{http, Run, Sandbox};

const WRONG_ACCOUNT: &str = "WrongAccountKey-Cli-5e8a1f";
const WRONG_USER: &str = "WrongUserKey-Cli-9d3c7b";

struct Session<'a> {
    sb: &'a Sandbox,
    runs: Vec<Run>,
}

impl Session<'_> {
    fn admin(&mut self, args: &[&str]) -> Run {
        let data = self.sb.data();
        let mut all = vec!["admin", "--data", data.to_str().unwrap()];
        all.extend_from_slice(args);
        let run = self.sb.run(&all);
        self.runs.push(Run {
            code: run.code,
            stdout: run.stdout.clone(),
            stderr: run.stderr.clone(),
        });
        run
    }

    fn created(&mut self, args: &[&str]) -> String {
        self.admin(args).ok().trim().to_string()
    }
}

fn assert_absent(what: &str, haystack: &[u8], secret: &str) {
    let found = haystack
        .windows(secret.len())
        .any(|w| w == secret.as_bytes());
    assert!(
        !found,
        "a secret ({} chars) leaked into {what}",
        secret.len()
    );
}

#[test]
fn each_secret_is_printed_once_and_found_nowhere_else() {
    let sb = Sandbox::new();
    let mut s = Session {
        sb: &sb,
        runs: Vec::new(),
    };
    let acme = s.created(&["account", "create", "--name", "acme"]);
    let ada = s.created(&[
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
    let mia = s.created(&[
        "user",
        "add",
        "--account",
        &acme,
        "--name",
        "Mia",
        "--email",
        "mia@example.com",
        "--role",
        "owner",
    ]);
    let account_key = s.created(&["api", "enable", "--account", &acme]);
    let user_key = s.created(&[
        "keys",
        "create",
        "--account",
        &acme,
        "--owner",
        &ada,
        "--name",
        "ada-laptop-key",
        "--allow",
        "127.0.0.0/8",
    ]);
    let denied_key = s.created(&[
        "keys",
        "create",
        "--account",
        &acme,
        "--owner",
        &ada,
        "--name",
        "ada-office-key",
        "--allow",
        "192.0.2.0/24",
    ]);
    let mias_key = s.created(&[
        "keys",
        "create",
        "--account",
        &acme,
        "--owner",
        &mia,
        "--name",
        "mia-laptop-key",
    ]);
    let deleted_key = s.created(&[
        "keys",
        "create",
        "--account",
        &acme,
        "--owner",
        &ada,
        "--name",
        "ada-old-key-1",
    ]);
    let globex = s.created(&["account", "create", "--name", "globex"]);
    let gus = s.created(&[
        "user",
        "add",
        "--account",
        &globex,
        "--name",
        "Gus",
        "--email",
        "gus@example.com",
        "--role",
        "owner",
    ]);
    let globex_account_key = s.created(&["api", "enable", "--account", &globex]);
    let globex_user_key = s.created(&[
        "keys",
        "create",
        "--account",
        &globex,
        "--owner",
        &gus,
        "--name",
        "gus-server-key",
    ]);
    let rotated = s.created(&["api", "rotate-key", "--account", &globex]);
    let created = [
        &account_key,
        &user_key,
        &denied_key,
        &mias_key,
        &deleted_key,
        &globex_account_key,
        &globex_user_key,
        &rotated,
    ];
    for key in created {
        assert!(
            key.len() >= 20 && !key.contains(' '),
            "not a key line: {key:?}"
        );
    }

    let mut server = {
        // RUST_LOG=trace reaches the server through the sandboxed command.
        std::env::set_var("RUST_LOG", "trace");
        let server = sb.serve(&["--trusted-proxy", "127.0.0.1/32"]);
        std::env::remove_var("RUST_LOG");
        Some(server)
    };
    let url = server.as_ref().unwrap().url.clone();
    s.admin(&["keys", "delete", "--account", &acme, "ada-old-key-1"])
        .ok();
    s.admin(&[
        "user",
        "set-role",
        "--account",
        &acme,
        "--user",
        &mia,
        "--role",
        "viewer",
    ])
    .ok();
    s.admin(&["api", "disable", "--account", &globex]).ok();

    let get = |headers: &[(&str, &str)]| http(&url, "GET", "/v1/", headers).status;
    let k = |a: &str, u: &str| {
        vec![
            ("x-api-key", a.to_string()),
            ("x-api-secret-key", u.to_string()),
        ]
    };
    let cases: Vec<(u16, Vec<(&str, String)>)> = vec![
        (200, k(&account_key, &user_key)),
        (401, k(WRONG_ACCOUNT, &user_key)),
        (401, k(&account_key, WRONG_USER)),
        (401, k(&account_key, &globex_user_key)),
        (401, k(&account_key, &deleted_key)),
        (401, k(&account_key, &mias_key)),
        (401, k(&globex_account_key, &globex_user_key)),
        (401, k(&rotated, &globex_user_key)),
        (403, k(&account_key, &denied_key)),
        (401, vec![("x-api-key", account_key.clone())]),
        (
            401,
            vec![
                ("x-api-key", account_key.clone()),
                ("x-api-secret-key", format!("{user_key} x")),
            ],
        ),
        (
            401,
            vec![
                ("x-api-key", account_key.clone()),
                ("x-api-secret-key", user_key.clone()),
                ("x-api-secret-key", user_key.clone()),
            ],
        ),
        (
            403,
            vec![
                ("x-api-key", account_key.clone()),
                ("x-api-secret-key", user_key.clone()),
                ("x-forwarded-for", "198.51.100.4".to_string()),
            ],
        ),
    ];
    let mut bodies = Vec::new();
    for (expected, headers) in &cases {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        assert_eq!(
            get(&headers),
            *expected,
            "{:?}",
            headers.iter().map(|h| h.0).collect::<Vec<_>>()
        );
        let response = http(&url, "GET", "/v1/logs?limit=5000", &headers);
        bodies.push(format!(
            "{} {:?} {}",
            response.status, response.headers, response.body
        ));
    }

    // Admin and configure errors with keys in their input.
    let bad_name = format!("{user_key}!");
    s.admin(&[
        "keys",
        "create",
        "--account",
        &acme,
        "--owner",
        &ada,
        "--name",
        &bad_name,
    ])
    .code(2);
    s.admin(&[
        "keys",
        "create",
        "--account",
        &acme,
        "--owner",
        &ada,
        "--name",
        "bad-cidr-key",
        "--allow",
        "10.1.2.3/8",
    ])
    .code(2);
    s.admin(&["keys", "delete", "--account", &acme, WRONG_USER])
        .code(2);
    let configure = sb.run_with_stdin(["configure"], &format!("{account_key}\n{user_key} \u{7}\n"));
    assert_ne!(configure.code, Some(0));
    let configured = sb.run_with_stdin(
        ["configure", "--profile", "leaks"],
        &format!("{account_key}\n{user_key}\n"),
    );
    configured.ok();
    let stopped = server.take().unwrap().stop("TERM");
    assert!(
        stopped.stderr.contains("authentication rejected") && stopped.stderr.contains("TRACE"),
        "the server did not log at TRACE: {}",
        &stopped.stderr[..stopped.stderr.len().min(400)]
    );
    // Seven requests tied to acme (a valid account key), each sent twice.
    let logs = s.admin(&["logs", "--account", &acme, "--limit", "1000", "--json"]);
    assert_eq!(logs.json()["entries"].as_array().unwrap().len(), 14);
    s.admin(&["logs", "--account", &acme]).ok();
    s.admin(&["keys", "list", "--account", &acme, "--json"])
        .ok();

    for key in created {
        // Printed exactly once, alone on a stdout line: its creation.
        let printed: usize = s
            .runs
            .iter()
            .map(|r| r.stdout.matches(key.as_str()).count())
            .sum();
        assert_eq!(printed, 1, "a key was printed {printed} times");
        for run in &s.runs {
            assert_absent("admin stderr", run.stderr.as_bytes(), key);
        }
    }
    let mut all_secrets: Vec<&str> = created.iter().map(|k| k.as_str()).collect();
    all_secrets.extend([WRONG_ACCOUNT, WRONG_USER]);
    for secret in &all_secrets {
        for body in &bodies {
            assert_absent("a response", body.as_bytes(), secret);
        }
        assert_absent("configure output", configure.all().as_bytes(), secret);
        assert_absent("configure output", configured.all().as_bytes(), secret);
        assert_absent("server stdout", stopped.stdout.as_bytes(), secret);
        assert_absent("server stderr", stopped.stderr.as_bytes(), secret);
        for entry in std::fs::read_dir(sb.data()).unwrap() {
            let path = entry.unwrap().path();
            assert_absent(
                &path.display().to_string(),
                &std::fs::read(&path).unwrap(),
                secret,
            );
        }
    }
}

//! What every `rcauth` command prints on stdout, through the real binary:
//! only the value a script captures (an id, a new secret, the listening
//! line), the data asked for (a table, an answer), or one JSON document
//! with `--json`; every note goes to stderr. A command that creates no
//! value prints nothing on stdout, so `x=$(rcauth ...)` never captures a
//! sentence.

mod common;

use std::collections::BTreeSet;

use common::{Run, Sandbox};

/// What a command's stdout must be without `--json`.
enum Stdout {
    /// One line of digits: an id.
    Id,
    /// One line: a new secret.
    Secret,
    /// Nothing: the change is described on stderr.
    Nothing,
    /// A table or text whose first line starts with this.
    Starts(&'static str),
}

fn check(run: &Run, expect: &Stdout, what: &str) {
    assert_eq!(run.code, Some(0), "{what}: {run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    match expect {
        Stdout::Id => {
            assert_eq!(lines.len(), 1, "{what}: {run:?}");
            assert!(
                lines[0].bytes().all(|b| b.is_ascii_digit()),
                "{what}: {run:?}"
            );
        }
        Stdout::Secret => {
            assert_eq!(lines.len(), 1, "{what}: {run:?}");
            assert!(
                lines[0].len() >= 20 && !lines[0].contains(' '),
                "{what}: {run:?}"
            );
            assert!(!run.stderr.is_empty(), "{what}: the note is missing");
        }
        Stdout::Nothing => {
            assert_eq!(run.stdout, "", "{what}: {run:?}");
            assert!(!run.stderr.is_empty(), "{what}: the note is missing");
        }
        Stdout::Starts(start) => {
            assert!(run.stdout.starts_with(start), "{what}: {run:?}");
        }
    }
}

fn check_json(run: &Run, what: &str) {
    assert_eq!(run.code, Some(0), "{what}: {run:?}");
    assert_eq!(run.stdout.lines().count(), 1, "{what}: {run:?}");
    serde_json::from_str::<serde_json::Value>(&run.stdout)
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {run:?}"));
    assert_eq!(run.stderr, "", "{what}: notes with --json: {run:?}");
}

/// Every leaf command `rcauth --help` lists, as space-separated paths.
fn every_command(sb: &Sandbox) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut pending = vec![Vec::<String>::new()];
    while let Some(path) = pending.pop() {
        let mut args = path.clone();
        args.push("--help".into());
        let help = sb.run(&args);
        let text = help.ok();
        let Some(section) = text.split("Commands:\n").nth(1) else {
            found.insert(path.join(" "));
            continue;
        };
        for line in section.lines().take_while(|l| !l.trim().is_empty()) {
            // Command lines are indented two spaces; wrapped text more.
            if line.starts_with("  ") && !line.starts_with("   ") {
                let name = line.split_whitespace().next().unwrap();
                if name != "help" {
                    let mut child = path.clone();
                    child.push(name.to_string());
                    pending.push(child);
                }
            }
        }
    }
    found
}

#[test]
fn stdout_holds_only_the_value_a_script_captures() {
    let sb = Sandbox::new();
    let data = sb.data();
    let data = data.to_str().unwrap();
    let covered = std::cell::RefCell::new(BTreeSet::new());
    let run = |args: &[&str], expect: Stdout, json: bool| -> Run {
        let mut all: Vec<&str> = args.to_vec();
        if all[0] == "admin" {
            all.splice(1..1, ["--data", data]);
        }
        let path: Vec<&str> = args
            .iter()
            .copied()
            .take_while(|a| !a.starts_with('-'))
            .collect();
        let what = args.join(" ");
        let out = sb.run(&all);
        check(&out, &expect, &what);
        covered.borrow_mut().insert(path.join(" "));
        if json {
            all.push("--json");
            check_json(&sb.run(&all), &what);
        }
        out
    };
    let first = |run: &Run| run.stdout.trim().to_string();

    let account = first(&run(
        &["admin", "account", "create", "--name", "acme"],
        Stdout::Id,
        true,
    ));
    let a = account.as_str();
    let ada = first(&run(
        &[
            "admin",
            "user",
            "add",
            "--account",
            a,
            "--name",
            "Ada",
            "--email",
            "ada@example.com",
            "--role",
            "owner",
        ],
        Stdout::Id,
        false,
    ));
    let account_key = first(&run(
        &["admin", "api", "enable", "--account", a],
        Stdout::Secret,
        false,
    ));
    // The second enable has no key to show: nothing on stdout.
    let again = run(
        &["admin", "api", "enable", "--account", a],
        Stdout::Nothing,
        true,
    );
    assert!(
        again.stderr.contains("shown when first created"),
        "{again:?}"
    );
    let user_key = first(&run(
        &[
            "admin",
            "keys",
            "create",
            "--account",
            a,
            "--owner",
            &ada,
            "--name",
            "ada-laptop-key",
        ],
        Stdout::Secret,
        false,
    ));
    run(
        &[
            "admin",
            "keys",
            "create",
            "--account",
            a,
            "--owner",
            &ada,
            "--name",
            "ci-deploy-key",
            "--allow",
            "10.0.0.0/8",
            "--json",
        ],
        Stdout::Starts("{"),
        false,
    );
    run(
        &[
            "admin",
            "keys",
            "allow-list",
            "set",
            "--account",
            a,
            "ci-deploy-key",
            "10.0.0.0/8",
            "192.0.2.7/32",
        ],
        Stdout::Nothing,
        true,
    );
    run(
        &[
            "admin",
            "keys",
            "allow-list",
            "clear",
            "--account",
            a,
            "ci-deploy-key",
        ],
        Stdout::Nothing,
        true,
    );
    run(
        &["admin", "keys", "list", "--account", a],
        Stdout::Starts("name "),
        true,
    );
    run(&["admin", "account", "list"], Stdout::Starts("id "), true);
    run(
        &["admin", "user", "list", "--account", a],
        Stdout::Starts("id "),
        true,
    );
    let grace = first(&run(
        &[
            "admin",
            "user",
            "add",
            "--account",
            a,
            "--name",
            "Grace",
            "--email",
            "grace@example.com",
            "--role",
            "owner",
        ],
        Stdout::Id,
        false,
    ));
    run(
        &[
            "admin",
            "user",
            "set-role",
            "--account",
            a,
            "--user",
            &grace,
            "--role",
            "member",
        ],
        Stdout::Nothing,
        true,
    );
    run(
        &["admin", "keys", "delete", "--account", a, "ci-deploy-key"],
        Stdout::Nothing,
        false,
    );
    run(
        &[
            "admin",
            "keys",
            "create",
            "--account",
            a,
            "--owner",
            &ada,
            "--name",
            "ci-spare-key",
        ],
        Stdout::Secret,
        false,
    );
    let deleted = run(
        &[
            "admin",
            "keys",
            "delete",
            "--account",
            a,
            "ci-spare-key",
            "--json",
        ],
        Stdout::Starts("{"),
        false,
    );
    check_json(&deleted, "keys delete --json");

    // Client commands against the emulator, with the keys from the environment.
    let server = sb.serve(&[]);
    let base_url = server.base_url();
    let client = |args: &[&str], expect: Stdout, json: bool| {
        let mut all: Vec<&str> = args.to_vec();
        let what = args.join(" ");
        let out = common::Run::from(
            sb.cmd(&all)
                .env("REDIS_CLOUD_BASE_URL", &base_url)
                .env("REDIS_CLOUD_ACCOUNT_KEY", &account_key)
                .env("REDIS_CLOUD_USER_KEY", &user_key)
                .output()
                .unwrap(),
        );
        check(&out, &expect, &what);
        if json {
            all.push("--json");
            let out = common::Run::from(
                sb.cmd(&all)
                    .env("REDIS_CLOUD_BASE_URL", &base_url)
                    .env("REDIS_CLOUD_ACCOUNT_KEY", &account_key)
                    .env("REDIS_CLOUD_USER_KEY", &user_key)
                    .output()
                    .unwrap(),
            );
            check_json(&out, &what);
        }
        out
    };
    client(&["whoami"], Stdout::Starts("account "), true);
    client(&["logs", "--limit", "5"], Stdout::Starts("id "), true);
    let answer = client(
        &["request", "GET", "/logs?limit=1"],
        Stdout::Starts("{"),
        true,
    );
    assert!(answer.stderr.contains("HTTP 200"), "{answer:?}");
    for command in ["whoami", "logs", "request"] {
        covered.borrow_mut().insert(command.to_string());
    }
    let stopped = server.stop("TERM");
    assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
    // `serve`: the listening line, and nothing else.
    let lines: Vec<&str> = stopped.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", stopped.stdout);
    assert!(
        lines[0].starts_with("listening on http://127.0.0.1:"),
        "{lines:?}"
    );
    covered.borrow_mut().insert("serve".into());

    let configure = sb.run_with_stdin(["configure"], &format!("{account_key}\n{user_key}\n"));
    check(&configure, &Stdout::Nothing, "configure");
    let configure_json = sb.run_with_stdin(
        ["configure", "--profile", "other", "--json"],
        &format!("{account_key}\n{user_key}\n"),
    );
    check_json(&configure_json, "configure --json");
    covered.borrow_mut().insert("configure".into());

    run(
        &["admin", "logs", "--account", a],
        Stdout::Starts("id "),
        true,
    );
    run(
        &["admin", "api", "rotate-key", "--account", a],
        Stdout::Secret,
        false,
    );
    run(
        &["admin", "api", "disable", "--account", a],
        Stdout::Nothing,
        true,
    );

    // `demo`: its report, ending with the verdict.
    let demo = sb.run(["demo"]);
    assert_eq!(demo.code, Some(0), "{demo:?}");
    assert!(
        demo.stdout.lines().any(|l| l.starts_with("#  request")),
        "{demo:?}"
    );
    assert!(
        demo.stdout
            .trim_end()
            .ends_with("outcomes match the rules."),
        "{demo:?}"
    );
    check_json(&sb.run(["demo", "--json"]), "demo --json");
    covered.borrow_mut().insert("demo".into());

    let every = every_command(&sb);
    let covered = covered.into_inner();
    let missing: Vec<&String> = every.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "commands without a stdout check: {missing:?}"
    );
}

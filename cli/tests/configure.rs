//! `rcauth configure` and `--help`, through the real binary.

mod common;

use common::Sandbox;
use redis_cloud_auth::credentials::{FileStore, KeychainStore};
use redis_cloud_auth::CredentialStore;

const ACCOUNT: &str = "AccountKeyForConfigure01";
const USER: &str = "UserKeyForConfigure0123456";

#[test]
fn saves_keys_from_stdin_lines_to_the_profile_file() {
    let sb = Sandbox::new();
    let run = sb.run_with_stdin(
        [
            "configure",
            "--profile",
            "local",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--json",
        ],
        &format!("{ACCOUNT}\n{USER}\n"),
    );
    let saved = run.json();
    assert_eq!(saved["profile"], "local");
    assert_eq!(saved["store"], "file");
    assert_eq!(saved["baseUrl"], "http://127.0.0.1:9/v1");
    assert!(saved["fingerprint"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    assert!(!run.all().contains(ACCOUNT) && !run.all().contains(USER));

    let loaded = FileStore::new(sb.config_file())
        .load("local")
        .unwrap()
        .unwrap();
    assert_eq!(loaded.keys.account_key().expose(), ACCOUNT);
    assert_eq!(loaded.keys.user_key().expose(), USER);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(sb.config_file())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "credentials file readable by others");
    }

    // Human output names the profile and file, never a key.
    // The note goes to stderr: nothing on stdout for a script to capture.
    let run = sb.run_with_stdin(["configure"], &format!("{ACCOUNT}\n{USER}\n"));
    assert_eq!(run.ok(), "", "{run:?}");
    assert!(run.stderr.contains("saved profile `default`"), "{run:?}");
    assert!(run.stderr.contains("credentials.toml"));
    assert!(!run.all().contains(ACCOUNT) && !run.all().contains(USER));
}

#[test]
fn bad_or_missing_keys_save_nothing() {
    let sb = Sandbox::new();
    let run = sb.run_with_stdin(["configure"], "short\nUserKeyForConfigure0123456\n");
    run.code(2);
    assert!(run.stderr.contains("account key"), "{run:?}");
    assert!(run.stderr.contains("nothing was saved"));
    assert!(!run.all().contains("short\n") && !run.all().contains(USER));

    let run = sb.run_with_stdin(["configure", "--json"], &format!("{ACCOUNT}\n"));
    run.code(2);
    let err: serde_json::Value = serde_json::from_str(run.stderr.trim()).unwrap();
    assert_eq!(err["error"], "missing_key");
    assert!(!run.all().contains(ACCOUNT));

    let run = sb.run_with_stdin(
        ["configure", "--profile", "bad profile"],
        &format!("{ACCOUNT}\n{USER}\n"),
    );
    run.code(2);
    assert!(run.stderr.contains("invalid profile name"), "{run:?}");
    assert!(!sb.config_file().exists());
}

#[test]
fn keys_are_never_taken_from_argv() {
    let sb = Sandbox::new();
    let run = sb.run(["configure", "--account-key", ACCOUNT]);
    run.code(2);
    assert!(run.stderr.contains("unexpected argument"), "{run:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn saves_keys_to_the_keychain() {
    let sb = Sandbox::new();
    let profile = format!("rcauth-e2e-{}", std::process::id());
    let run = sb.run_with_stdin(
        [
            "configure",
            "--store",
            "keychain",
            "--profile",
            &profile,
            "--json",
        ],
        &format!("{ACCOUNT}\n{USER}\n"),
    );
    let saved = run.json();
    assert_eq!(saved["store"], "keychain");
    let keychain = KeychainStore::new();
    let loaded = keychain.load(&profile).unwrap().unwrap();
    assert_eq!(loaded.keys.user_key().expose(), USER);
    assert!(keychain.delete(&profile).unwrap());
    assert!(!run.all().contains(USER));
}

/// The subcommands listed in a `--help` text.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn every_command_has_help() {
    let sb = Sandbox::new();
    let top = sb.run(["--help"]);
    let mut pending: Vec<Vec<String>> =
        subcommands(top.ok()).into_iter().map(|c| vec![c]).collect();
    assert!(pending.iter().any(|p| p == &["configure"]), "{top:?}");
    let mut seen = 0;
    while let Some(path) = pending.pop() {
        let mut args = path.clone();
        args.push("--help".to_string());
        let run = sb.run(&args);
        let help = run.ok();
        assert!(help.contains("Usage: rcauth"), "{path:?}: {run:?}");
        assert!(
            !help.lines().next().unwrap_or("").is_empty(),
            "{path:?} has no about"
        );
        seen += 1;
        for sub in subcommands(help) {
            let mut next = path.clone();
            next.push(sub);
            pending.push(next);
        }
    }
    assert!(seen >= 1);
}

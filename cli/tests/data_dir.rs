//! `--data` that cannot hold a store, through the real binary: a path that
//! is a regular file, a store file of random bytes, and a store written by
//! a newer version. Every command says what is wrong and what to do, and
//! changes nothing.

mod common;

use std::path::Path;

use common::{Run, Sandbox};

/// Every command that opens the data dir, with `--data DIR` spliced in
/// after `admin` (or `serve`).
const COMMANDS: &[&[&str]] = &[
    &["admin", "account", "create", "--name", "acme"],
    &["admin", "account", "list"],
    &["admin", "user", "list", "--account", "1"],
    &[
        "admin",
        "user",
        "add",
        "--account",
        "1",
        "--name",
        "Ada",
        "--email",
        "a@b.c",
        "--role",
        "owner",
    ],
    &["admin", "api", "enable", "--account", "1"],
    &["admin", "keys", "list", "--account", "1"],
    &["admin", "logs", "--account", "1"],
    &["serve", "--listen", "127.0.0.1:0"],
];

fn run_with_data(sb: &Sandbox, command: &[&str], data: &Path) -> Run {
    let mut args: Vec<&str> = vec![command[0], "--data", data.to_str().unwrap()];
    args.extend_from_slice(&command[1..]);
    sb.run(&args)
}

/// Every file under `dir`, with its bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_data_path_that_is_a_file_is_named_as_such_by_every_command() {
    let sb = Sandbox::new();
    let file = sb.path().join("afile");
    std::fs::write(&file, b"not a directory\n").unwrap();
    for command in COMMANDS {
        let run = run_with_data(&sb, command, &file);
        assert_eq!(run.code, Some(2), "{command:?}: {run:?}");
        assert!(
            run.stderr
                .contains(&format!("{} is a file, not a directory", file.display())),
            "{command:?}: {run:?}"
        );
        assert!(
            !run.stderr.contains("account create"),
            "{command:?}: {run:?}"
        );
        assert_eq!(run.stdout, "", "{command:?}: {run:?}");
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"not a directory\n");

    // With --json: one JSON error line with its code.
    let run = sb.run([
        "admin",
        "--data",
        file.to_str().unwrap(),
        "account",
        "list",
        "--json",
    ]);
    let error: serde_json::Value = serde_json::from_str(run.stderr.trim()).unwrap();
    assert_eq!(error["error"], "data_dir_is_a_file", "{run:?}");
}

#[test]
fn a_corrupt_store_is_named_left_unchanged_and_explained() {
    let sb = Sandbox::new();
    let data = sb.data();
    std::fs::create_dir_all(&data).unwrap();
    let store = data.join("rcauth.sqlite3");
    // Random bytes, from the kernel (long enough to hold no SQLite header).
    let mut bytes = vec![0u8; 8192];
    std::io::Read::read_exact(
        &mut std::fs::File::open("/dev/urandom").unwrap(),
        &mut bytes,
    )
    .unwrap();
    std::fs::write(&store, &bytes).unwrap();
    let before = snapshot(&data);
    for command in COMMANDS {
        let run = run_with_data(&sb, command, &data);
        assert_eq!(run.code, Some(1), "{command:?}: {run:?}");
        let message = &run.stderr;
        for expected in [
            format!("{} is not a valid rcauth store", store.display()),
            "not an SQLite database".into(),
            "nothing was changed".into(),
            "restore the file from a copy".into(),
            "point --data at another directory".into(),
        ] {
            assert!(message.contains(&expected), "{command:?}: {run:?}");
        }
        assert!(
            !message.contains("while"),
            "reads like a passing fault: {run:?}"
        );
        assert_eq!(run.stdout, "", "{command:?}: {run:?}");
        assert_eq!(snapshot(&data), before, "{command:?} changed the data dir");
    }
    let run = sb.run([
        "admin",
        "--data",
        data.to_str().unwrap(),
        "account",
        "list",
        "--json",
    ]);
    let error: serde_json::Value = serde_json::from_str(run.stderr.trim()).unwrap();
    assert_eq!(error["error"], "store_corrupt", "{run:?}");
}

#[test]
fn a_store_from_a_newer_version_says_which_and_is_left_unchanged() {
    let sb = Sandbox::new();
    let data = sb.data();
    let created = run_with_data(
        &sb,
        &["admin", "account", "create", "--name", "acme"],
        &data,
    );
    assert_eq!(created.code, Some(0), "{created:?}");
    let store = data.join("rcauth.sqlite3");
    {
        let conn = rusqlite::Connection::open(&store).unwrap();
        let known: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        conn.pragma_update(None, "user_version", known + 7).unwrap();
    }
    let version: i64 = rusqlite::Connection::open(&store)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let before = snapshot(&data);
    for command in COMMANDS {
        let run = run_with_data(&sb, command, &data);
        assert_eq!(run.code, Some(1), "{command:?}: {run:?}");
        for expected in [
            format!(
                "{} was written by a newer version of rcauth",
                store.display()
            ),
            format!("store schema version {version}"),
            format!("reads up to version {}", version - 7),
            "nothing was changed".into(),
            "restore the file from a copy".into(),
            "use a newer rcauth".into(),
        ] {
            assert!(run.stderr.contains(&expected), "{command:?}: {run:?}");
        }
        assert_eq!(run.stdout, "", "{command:?}: {run:?}");
        assert_eq!(snapshot(&data), before, "{command:?} changed the data dir");
    }
}

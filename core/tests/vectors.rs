//! Runs the shared conformance vectors in `tests/vectors/` against the core.

use std::path::PathBuf;

use redis_cloud_auth::credentials::{CredentialChain, Environment};
use redis_cloud_auth::{ApiKeys, KeyKind};
use serde_json::Value;

fn vectors(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn str_of(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {v}"))
        .to_string()
}

#[test]
fn header_building() {
    let cases = vectors("headers.json");
    let cases = cases["build"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = str_of(case, "name");
        let result = ApiKeys::new(str_of(case, "account_key"), str_of(case, "user_key"));
        match case.get("error") {
            Some(code) => {
                let err = result.expect_err(&name);
                assert_eq!(err.code(), code, "{name}");
                let kind = match err.kind() {
                    KeyKind::Account => "account",
                    KeyKind::User => "user",
                };
                assert_eq!(kind, case["key"], "{name}");
            }
            None => {
                let keys = result.expect(&name);
                let got: Vec<Value> = keys
                    .expose_header_pairs()
                    .iter()
                    .map(|(n, v)| serde_json::json!([n, v]))
                    .collect();
                assert_eq!(Value::Array(got), case["headers"], "{name}");
            }
        }
    }
}

#[test]
fn header_parsing() {
    let cases = vectors("headers.json");
    let cases = cases["parse"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = str_of(case, "name");
        let pairs: Vec<(String, String)> = case["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_str().unwrap().into(), p[1].as_str().unwrap().into()))
            .collect();
        let result =
            ApiKeys::from_header_pairs(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        match case.get("error") {
            Some(code) => {
                let err = result.expect_err(&name);
                assert_eq!(err.code(), code, "{name}");
                assert_eq!(err.header(), case["header"], "{name}");
            }
            None => {
                let keys = result.expect(&name);
                assert_eq!(keys.account_key().expose(), case["account_key"], "{name}");
                assert_eq!(keys.user_key().expose(), case["user_key"], "{name}");
            }
        }
    }
}

#[test]
fn credential_resolution() {
    let cases = vectors("credentials.json");
    let cases = cases["cases"].as_array().unwrap();
    assert!(cases.len() >= 15);
    for case in cases {
        let name = str_of(case, "name");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials.toml");
        if let Some(file) = case.get("file") {
            std::fs::write(&path, str_of(file, "content")).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = u32::from_str_radix(&str_of(file, "mode"), 8).unwrap();
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            }
        }
        let env = case["env"].as_object().unwrap();
        let env = Environment::from_pairs(
            env.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())),
        );
        let mut chain = CredentialChain::new()
            .environment(env)
            .keychain(None)
            .profile_file(Some(path));
        if let Some(profile) = case.get("profile") {
            chain = chain.profile(profile.as_str().unwrap());
        }
        let result = chain.resolve();
        if let Some(code) = case.get("error") {
            let err = result.expect_err(&name);
            assert_eq!(err.code(), code, "{name}: {err}");
            let text = err.to_string();
            let parts = case.get("message_contains").and_then(Value::as_array);
            for part in parts.into_iter().flatten() {
                assert!(text.contains(part.as_str().unwrap()), "{name}: {text}");
            }
            for value in case["env"].as_object().unwrap().values() {
                let value = value.as_str().unwrap();
                if value.len() >= 8 && !value.starts_with("http") {
                    assert!(!text.contains(value), "{name}: secret in {text}");
                }
            }
        } else {
            let found = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            let expect = &case["expect"];
            let creds = &found.credentials;
            assert_eq!(found.source.as_str(), expect["source"], "{name}");
            assert_eq!(
                creds.keys.account_key().expose(),
                expect["account_key"],
                "{name}"
            );
            assert_eq!(creds.keys.user_key().expose(), expect["user_key"], "{name}");
            let base_url = creds.base_url.as_deref().map(Value::from);
            assert_eq!(
                base_url.unwrap_or(Value::Null),
                expect["base_url"],
                "{name}"
            );
        }
    }
}

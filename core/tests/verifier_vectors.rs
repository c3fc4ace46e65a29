//! Runs the authentication conformance vectors in
//! `tests/vectors/authenticate.json` (format in the file's `description`).

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;
use std::path::PathBuf;

use redis_cloud_auth::verify::{AdminError, AuthRequest, Role, Verifier};
use redis_cloud_auth::Secret;
use serde_json::Value;

fn vectors() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/authenticate.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// What the setup steps of one case created, by symbol.
#[derive(Default)]
struct Symbols {
    accounts: HashMap<String, u64>,
    users: HashMap<String, u64>,
    secrets: HashMap<String, Secret>,
}

impl Symbols {
    fn account(&self, v: &Value) -> u64 {
        match v {
            Value::Number(n) => n.as_u64().unwrap(),
            Value::String(s) => self.accounts[s],
            other => panic!("account {other}"),
        }
    }

    fn user(&self, v: &Value) -> u64 {
        match v {
            Value::Number(n) => n.as_u64().unwrap(),
            Value::String(s) => self.users[s],
            other => panic!("user {other}"),
        }
    }
}

fn text(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
}

fn list(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| text(e).to_string())
        .collect()
}

/// Runs one step; `Ok(())` or the admin error it produced.
fn step(v: &Verifier, s: &mut Symbols, st: &Value) -> Result<(), AdminError> {
    match text(&st["op"]) {
        "create_account" => {
            let id = v.create_account(text(&st["name"]))?;
            s.accounts.insert(text(&st["account"]).into(), id);
        }
        "add_user" => {
            let role: Role = text(&st["role"]).parse().unwrap();
            let id = v.add_user(
                s.account(&st["account"]),
                text(&st["name"]),
                text(&st["email"]),
                role,
            )?;
            s.users.insert(text(&st["user"]).into(), id);
        }
        "enable_api" => {
            let key = v.enable_api(s.account(&st["account"]))?;
            match (&st["account_key"], key) {
                (Value::String(sym), Some(key)) => {
                    s.secrets.insert(sym.clone(), key);
                }
                (Value::Null, None) => {}
                (want, got) => panic!("enable_api: wanted {want}, got a key: {}", got.is_some()),
            }
        }
        "disable_api" => v.disable_api(s.account(&st["account"]))?,
        "rotate_account_key" => {
            let key = v.rotate_account_key(s.account(&st["account"]))?;
            s.secrets.insert(text(&st["account_key"]).into(), key);
        }
        "create_user_key" => {
            let key = v.create_user_key(
                s.account(&st["account"]),
                s.user(&st["acting_user"]),
                s.user(&st["owner"]),
                text(&st["name"]),
                &list(&st["allow_list"]),
            )?;
            s.secrets.insert(text(&st["user_key"]).into(), key);
        }
        "set_user_role" => v.set_user_role(
            s.account(&st["account"]),
            s.user(&st["user"]),
            text(&st["role"]).parse().unwrap(),
        )?,
        "set_allow_list" => v.set_allow_list(
            s.account(&st["account"]),
            s.user(&st["acting_user"]),
            text(&st["name"]),
            &list(&st["allow_list"]),
        )?,
        "delete_user_key" => v.delete_user_key(
            s.account(&st["account"]),
            s.user(&st["acting_user"]),
            text(&st["name"]),
        )?,
        "set_trusted_proxies" => v.set_trusted_proxies(
            list(&st["nets"])
                .iter()
                .map(|n| n.parse().unwrap())
                .collect(),
        ),
        other => panic!("unknown op {other}"),
    }
    Ok(())
}

fn header_value(s: &Symbols, v: &Value) -> String {
    match v {
        Value::String(literal) => literal.clone(),
        Value::Object(o) => {
            let sym = o
                .get("account_key")
                .or_else(|| o.get("user_key"))
                .map(text)
                .unwrap();
            let pad = o.get("pad").map(text).unwrap_or("");
            format!("{pad}{}{pad}", s.secrets[sym].expose())
        }
        other => panic!("header value {other}"),
    }
}

fn log_lengths(v: &Verifier, s: &Symbols) -> HashMap<String, usize> {
    s.accounts
        .iter()
        .map(|(sym, id)| (sym.clone(), v.system_log(*id, 0, 1000).unwrap().len()))
        .collect()
}

fn run_case(case: &Value) {
    let name = text(&case["name"]);
    let v = Verifier::in_memory();
    let mut s = Symbols::default();
    for st in case["setup"].as_array().unwrap() {
        let result = step(&v, &mut s, st);
        match st.get("error") {
            Some(code) => {
                let err = result.expect_err(&format!("{name}: step {st} should fail"));
                assert_eq!(err.code(), text(code), "{name}: {st}: {err}");
            }
            None => result.unwrap_or_else(|e| panic!("{name}: step {st} failed: {e}")),
        }
    }
    let Some(request) = case.get("request") else {
        return;
    };
    let expect = &case["expect"];
    let owned: Vec<(String, String)> = request["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (text(&p[0]).to_string(), header_value(&s, &p[1])))
        .collect();
    let pairs: Vec<(&str, &[u8])> = owned
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    let peer: IpAddr = text(&request["peer"]).parse().unwrap();
    let before = log_lengths(&v, &s);
    let result = v.authenticate(&AuthRequest::from_pairs(
        text(&request["method"]),
        text(&request["path"]),
        &pairs,
        peer,
    ));
    match expect["status"].as_u64().unwrap() {
        200 => {
            let p = result.unwrap_or_else(|f| panic!("{name}: failed with {}", f.code()));
            let want = &expect["principal"];
            assert_eq!(p.account_id, s.account(&want["account"]), "{name}");
            assert_eq!(p.user_id, s.user(&want["user"]), "{name}");
            assert_eq!(p.account_name, text(&want["account_name"]), "{name}");
            assert_eq!(p.owner_name, text(&want["owner_name"]), "{name}");
            assert_eq!(p.owner_email, text(&want["owner_email"]), "{name}");
            assert_eq!(p.key_name, text(&want["key_name"]), "{name}");
            assert_eq!(p.source_ip.to_string(), text(&want["source_ip"]), "{name}");
        }
        status => {
            let f = result.expect_err(name);
            assert_eq!(f.code(), text(&expect["failure"]), "{name}");
            assert_eq!(u64::from(f.http_status()), status, "{name}");
            assert_eq!(f.public_code(), text(&expect["public_code"]), "{name}");
            if let Some(message) = expect.get("message") {
                assert_eq!(f.public_message(), text(message), "{name}");
            }
        }
    }
    let after = log_lengths(&v, &s);
    let logged_to = expect["logged_to"].as_str();
    for (sym, n) in &after {
        let grew = n - before[sym];
        let want = usize::from(logged_to == Some(sym.as_str()));
        assert_eq!(grew, want, "{name}: entries added to {sym}'s log");
    }
}

#[test]
fn authentication_vectors() {
    let doc = vectors();
    assert!(doc["description"].as_str().unwrap().len() > 200);
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let names: BTreeSet<&str> = cases.iter().map(|c| text(&c["name"])).collect();
    assert_eq!(names.len(), cases.len(), "case names are unique");
    let mut failures = BTreeSet::new();
    for case in cases {
        run_case(case);
        if let Some(code) = case.get("expect").and_then(|e| e.get("failure")) {
            failures.insert(text(code));
        }
    }
    // Every failure but a broken store has a vector.
    for code in [
        "api_disabled",
        "missing_credentials",
        "malformed_credentials",
        "invalid_account_key",
        "invalid_user_key",
        "account_mismatch",
        "owner_role_revoked",
        "source_ip_not_allowed",
    ] {
        assert!(failures.contains(code), "no vector for {code}");
    }
}

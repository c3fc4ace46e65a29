//! The fuzz checks see what they claim to: seeds reach the outcomes they
//! are named for, so a check that silently skips everything would fail here.

use hardening::invariants::request::answer;

fn status(data: &str) -> u16 {
    answer(data.as_bytes()).expect("a request").0
}

#[test]
fn request_seeds_reach_every_outcome() {
    let keys = "x-api-key:$A\nx-api-secret-key:$U\n";
    assert_eq!(status(&format!("GET /v1/\n{keys}")), 200);
    assert_eq!(status(&format!("GET /v1/logs?limit=5\n{keys}")), 200);
    assert_eq!(status(&format!("GET /v1/logs?limit=5000\n{keys}")), 400);
    assert_eq!(status(&format!("GET /v1/nothing\n{keys}")), 404);
    assert_eq!(status("GET /v1/\n"), 401);
    assert_eq!(
        status("GET /v1/\nx-api-key:$A\nx-api-secret-key:$U2\n"),
        401
    );
    assert_eq!(
        status("GET /v1/\nx-api-key:$A3\nx-api-secret-key:$U3\n"),
        401
    );
    let restricted = "x-api-key:$A\nx-api-secret-key:$UD\n";
    assert_eq!(status(&format!("GET /v1/\n{restricted}")), 403);
    assert_eq!(
        status(&format!(
            "GET /v1/\nx-forwarded-for:203.0.113.9\n{restricted}"
        )),
        200
    );
    assert_eq!(
        status(&format!(
            "GET /v1/\n@198.51.100.7\nx-forwarded-for:203.0.113.9\n{restricted}"
        )),
        403
    );
    // A malformed chain from the trusted proxy: the source is unknown, so
    // the key with an allow list is refused and the key without one is not.
    let malformed = "x-forwarded-for:203.0.113.9, not-an-ip\n";
    assert_eq!(status(&format!("GET /v1/\n{malformed}{restricted}")), 403);
    assert_eq!(status(&format!("GET /v1/\n{malformed}{keys}")), 200);
    assert!(answer(b"GET not a uri\n").is_none());
}

#[test]
#[should_panic(expected = "a secret leaked")]
fn the_canary_check_fires() {
    hardening::invariants::assert_no_canary("a test", hardening::invariants::CANARY);
}

//! [`find_keys`] and [`ApiKeys::from_header_map`] on arbitrary headers.
//!
//! Input: one header per line, `name:value` (split at the first colon;
//! a line without one is a name with an empty value). `$S` becomes the
//! canary.

use http::header::{HeaderMap, HeaderName, HeaderValue};
use redis_cloud_auth::headers::{find_keys, HeaderError, KeyRefs};
use redis_cloud_auth::keys::{validate_key, KeyKind};
use redis_cloud_auth::{ApiKeys, ACCOUNT_KEY_HEADER, USER_KEY_HEADER};

use super::{assert_no_canary, with_canary};

/// Decodes `data` into header pairs.
fn pairs(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let text = String::from_utf8_lossy(data);
    let text = with_canary(&text);
    // Values that are not UTF-8 are written with the `\xNN` escape.
    text.split('\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            (name.to_string(), unescape(value))
        })
        .collect()
}

/// `\xNN` in a value becomes that byte, so inputs can hold any byte.
fn unescape(value: &str) -> Vec<u8> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'x') && i + 3 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 2..i + 4])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 4;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

fn count(pairs: &[(String, Vec<u8>)], header: &str) -> usize {
    pairs
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(header))
        .count()
}

/// The check: no panic, missing and duplicate headers reported in rule
/// order, accepted keys valid and taken verbatim (after trimming) from the
/// right header, the header-map path agreeing with the pairs path, and no
/// secret in any error or `Debug` text.
pub fn check(data: &[u8]) {
    let pairs = pairs(data);
    let borrowed: Vec<(&str, &[u8])> = pairs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_slice()))
        .collect();
    let result = find_keys(borrowed.iter().copied());
    let (accounts, users) = (
        count(&pairs, ACCOUNT_KEY_HEADER),
        count(&pairs, USER_KEY_HEADER),
    );
    match &result {
        Ok(found) => {
            assert_eq!(
                (accounts, users),
                (1, 1),
                "accepted without exactly one of each"
            );
            validate_key(KeyKind::Account, found.account_key).expect("accepted account key");
            validate_key(KeyKind::User, found.user_key).expect("accepted user key");
            let value_of = |h: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(h))
                    .map(|(_, v)| v.as_slice())
                    .unwrap()
            };
            let trimmed = |v: &[u8]| {
                String::from_utf8_lossy(v)
                    .trim_matches(|c| c == ' ' || c == '\t')
                    .to_string()
            };
            assert_eq!(found.account_key, trimmed(value_of(ACCOUNT_KEY_HEADER)));
            assert_eq!(found.user_key, trimmed(value_of(USER_KEY_HEADER)));
            assert_no_canary("KeyRefs Debug", &format!("{found:?}"));
            let owned = KeyRefs::to_owned(*found);
            assert_no_canary("ApiKeys Debug", &format!("{owned:?}"));
            assert_no_canary("ApiKeys Display", &owned.to_string());
        }
        Err(err) => {
            let expected_first = if accounts == 0 {
                Some(HeaderError::Missing(ACCOUNT_KEY_HEADER))
            } else if accounts > 1 {
                Some(HeaderError::Duplicate(ACCOUNT_KEY_HEADER))
            } else {
                None
            };
            if let Some(expected) = expected_first {
                assert_eq!(err, &expected);
            }
            if err.header() == USER_KEY_HEADER && users == 0 {
                assert_eq!(err, &HeaderError::Missing(USER_KEY_HEADER));
            }
            assert_no_canary("HeaderError Display", &err.to_string());
            assert_no_canary("HeaderError Debug", &format!("{err:?}"));
        }
    }

    // The same headers as an http::HeaderMap (pairs http accepts) must give
    // the same answer as the pairs they came from.
    let valid: Vec<(HeaderName, HeaderValue)> = pairs
        .iter()
        .filter_map(|(n, v)| {
            Some((
                HeaderName::from_bytes(n.as_bytes()).ok()?,
                HeaderValue::from_bytes(v).ok()?,
            ))
        })
        .collect();
    let mut map = HeaderMap::new();
    for (n, v) in &valid {
        map.append(n.clone(), v.clone());
    }
    let from_map = ApiKeys::from_header_map(&map);
    let from_pairs =
        ApiKeys::from_header_pairs(valid.iter().map(|(n, v)| (n.as_str(), v.as_bytes())));
    assert_eq!(from_map, from_pairs, "header map and pairs disagree");
    if let Ok(keys) = &from_map {
        assert!(keys.user_key().len() >= 8);
        assert_no_canary("ApiKeys Debug", &format!("{keys:?}"));
    }
}

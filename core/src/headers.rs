//! The two authentication headers: building them for a request and finding
//! them in a received request.

use std::fmt;

use http::header::{HeaderMap, HeaderName, HeaderValue};

use crate::keys::{validate_key, ApiKeys, KeyError, KeyKind, MAX_KEY_LEN, MIN_KEY_LEN};
pub use crate::keys::{ACCOUNT_KEY_HEADER, USER_KEY_HEADER};
use crate::secret::Secret;

/// Why the authentication headers of a request could not be read.
/// Never carries a header value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// The header is absent.
    #[error("missing header {0}")]
    Missing(&'static str),
    /// The header is present but empty or only whitespace.
    #[error("empty header {0}")]
    Empty(&'static str),
    /// The header appears more than once.
    #[error("header {0} appears more than once")]
    Duplicate(&'static str),
    /// The header value is not a well-formed key (bad characters or length).
    #[error("malformed header {0}")]
    Malformed(&'static str),
}

impl HeaderError {
    /// Stable snake_case code, the same in every language.
    pub fn code(&self) -> &'static str {
        match self {
            HeaderError::Missing(_) => "missing_header",
            HeaderError::Empty(_) => "empty_header",
            HeaderError::Duplicate(_) => "duplicate_header",
            HeaderError::Malformed(_) => "malformed_header",
        }
    }

    /// The header the error is about.
    pub fn header(&self) -> &'static str {
        match self {
            HeaderError::Missing(h)
            | HeaderError::Empty(h)
            | HeaderError::Duplicate(h)
            | HeaderError::Malformed(h) => h,
        }
    }
}

impl ApiKeys {
    /// The two headers as an [`HeaderMap`], values marked sensitive so that
    /// HTTP libraries never log them.
    ///
    /// ```
    /// use redis_cloud_auth::ApiKeys;
    ///
    /// let keys = ApiKeys::new("AccountKey0123", "UserKey0123456").unwrap();
    /// let map = keys.header_map();
    /// assert!(map["x-api-key"].is_sensitive());
    /// assert_eq!(map["x-api-secret-key"], "UserKey0123456");
    /// ```
    pub fn header_map(&self) -> HeaderMap {
        let mut map = HeaderMap::with_capacity(2);
        for (name, value) in self.expose_header_pairs() {
            // A validated key is visible ASCII, always a valid header value.
            let mut value = HeaderValue::from_str(value).expect("validated key");
            value.set_sensitive(true);
            map.insert(HeaderName::from_static(name), value);
        }
        map
    }

    /// The two headers as plain `(name, value)` pairs, for HTTP clients of
    /// other languages. The values are the secrets themselves.
    pub fn expose_header_pairs(&self) -> [(&'static str, &str); 2] {
        [
            (ACCOUNT_KEY_HEADER, self.account_key().expose()),
            (USER_KEY_HEADER, self.user_key().expose()),
        ]
    }

    /// Reads the keys from a request's headers. See [`find_keys`].
    pub fn from_header_map(headers: &HeaderMap) -> Result<ApiKeys, HeaderError> {
        find_keys(headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes()))).map(KeyRefs::to_owned)
    }

    /// Reads the keys from `(name, value)` pairs. See [`find_keys`].
    pub fn from_header_pairs<'a, I, V>(headers: I) -> Result<ApiKeys, HeaderError>
    where
        I: IntoIterator<Item = (&'a str, &'a V)>,
        V: AsRef<[u8]> + ?Sized + 'a,
    {
        find_keys(headers.into_iter().map(|(n, v)| (n, v.as_ref()))).map(KeyRefs::to_owned)
    }
}

/// The two keys borrowed from a request, already validated. Used on the
/// verifier's hot path to avoid copying secrets.
#[derive(Clone, Copy)]
pub struct KeyRefs<'a> {
    /// The `x-api-key` value.
    pub account_key: &'a str,
    /// The `x-api-secret-key` value.
    pub user_key: &'a str,
}

impl KeyRefs<'_> {
    /// Copies the keys into an owned [`ApiKeys`].
    pub fn to_owned(self) -> ApiKeys {
        ApiKeys::new(Secret::new(self.account_key), Secret::new(self.user_key))
            .expect("KeyRefs are validated")
    }
}

impl fmt::Debug for KeyRefs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyRefs(** redacted **)")
    }
}

/// Finds the two keys among a request's headers.
///
/// Names match case-insensitively; surrounding spaces and tabs of a value
/// are ignored (HTTP optional whitespace). Each header must appear exactly
/// once with a non-empty, well-formed value; the account key's header is
/// checked first.
///
/// ```
/// use redis_cloud_auth::headers::{find_keys, HeaderError};
///
/// let found = find_keys([
///     ("X-Api-Key", b"AccountKey0123".as_slice()),
///     ("x-api-secret-key", b"UserKey0123456".as_slice()),
/// ])
/// .unwrap();
/// assert_eq!(found.user_key, "UserKey0123456");
///
/// let err = find_keys([("x-api-key", b"AccountKey0123".as_slice())]).unwrap_err();
/// assert_eq!(err, HeaderError::Missing("x-api-secret-key"));
/// ```
pub fn find_keys<'a, I>(headers: I) -> Result<KeyRefs<'a>, HeaderError>
where
    I: IntoIterator<Item = (&'a str, &'a [u8])>,
{
    let mut account: Option<&'a [u8]> = None;
    let mut user: Option<&'a [u8]> = None;
    let mut account_dup = false;
    let mut user_dup = false;
    for (name, value) in headers {
        let slot = if name.eq_ignore_ascii_case(ACCOUNT_KEY_HEADER) {
            (&mut account, &mut account_dup)
        } else if name.eq_ignore_ascii_case(USER_KEY_HEADER) {
            (&mut user, &mut user_dup)
        } else {
            continue;
        };
        if slot.0.is_some() {
            *slot.1 = true;
        }
        *slot.0 = Some(value);
    }
    let account_key = checked(KeyKind::Account, account, account_dup)?;
    let user_key = checked(KeyKind::User, user, user_dup)?;
    Ok(KeyRefs {
        account_key,
        user_key,
    })
}

fn checked(kind: KeyKind, value: Option<&[u8]>, duplicate: bool) -> Result<&str, HeaderError> {
    let header = kind.header();
    let value = value.ok_or(HeaderError::Missing(header))?;
    if duplicate {
        return Err(HeaderError::Duplicate(header));
    }
    if let Some(key) = well_formed_key(value) {
        return Ok(key);
    }
    let value = trim_ows(value);
    if value.is_empty() {
        return Err(HeaderError::Empty(header));
    }
    let value = std::str::from_utf8(value).map_err(|_| HeaderError::Malformed(header))?;
    validate_key(kind, value).map_err(|err| match err {
        KeyError::Empty(_) => HeaderError::Empty(header),
        KeyError::Length { .. } | KeyError::Character { .. } => HeaderError::Malformed(header),
    })?;
    Ok(value)
}

/// `value` as a key when it is one as received, untrimmed: visible ASCII
/// of a valid length. One pass instead of trimming, a UTF-8 check and
/// [`validate_key`]'s scans; `None` sends the value down that longer path,
/// which trims it or says what is wrong.
fn well_formed_key(value: &[u8]) -> Option<&str> {
    if !(MIN_KEY_LEN..=MAX_KEY_LEN).contains(&value.len()) {
        return None;
    }
    // No early exit, so the loop vectorises; `!` (0x21) to `~` (0x7e).
    let graphic = value
        .iter()
        .fold(true, |all, &b| all & (b.wrapping_sub(0x21) < 0x5e));
    if !graphic {
        return None;
    }
    // SAFETY: every byte is in 0x21..=0x7e (checked just above): ASCII,
    // hence UTF-8. The checked conversion would scan the bytes again.
    Some(unsafe { std::str::from_utf8_unchecked(value) })
}

fn trim_ows(mut value: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = value {
        value = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = value {
        value = rest;
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "AccountKey0123";
    const U: &str = "UserKey0123456";

    fn pairs(list: &[(&'static str, &'static str)]) -> Result<ApiKeys, HeaderError> {
        ApiKeys::from_header_pairs(list.iter().map(|(n, v)| (*n, *v)))
    }

    #[test]
    fn round_trip_through_header_map() {
        let keys = ApiKeys::new(A, U).unwrap();
        let map = keys.header_map();
        assert!(map[USER_KEY_HEADER].is_sensitive());
        assert_eq!(ApiKeys::from_header_map(&map).unwrap(), keys);
        assert!(!format!("{map:?}").contains(U));
    }

    #[test]
    fn names_are_case_insensitive_and_values_trimmed() {
        let keys = pairs(&[("X-API-KEY", " AccountKey0123\t"), ("X-Api-Secret-Key", U)]).unwrap();
        assert_eq!(keys.account_key().expose(), A);
    }

    #[test]
    fn each_problem_has_its_error() {
        assert_eq!(
            pairs(&[("x-api-secret-key", U)]),
            Err(HeaderError::Missing(ACCOUNT_KEY_HEADER))
        );
        assert_eq!(
            pairs(&[("x-api-key", "  "), ("x-api-secret-key", U)]),
            Err(HeaderError::Empty(ACCOUNT_KEY_HEADER))
        );
        assert_eq!(
            pairs(&[
                ("x-api-key", A),
                ("x-api-secret-key", U),
                ("X-Api-Secret-Key", U)
            ]),
            Err(HeaderError::Duplicate(USER_KEY_HEADER))
        );
        assert_eq!(
            pairs(&[("x-api-key", A), ("x-api-secret-key", "short")]),
            Err(HeaderError::Malformed(USER_KEY_HEADER))
        );
        let bad_utf8 = find_keys([
            ("x-api-key", A.as_bytes()),
            ("x-api-secret-key", b"UserKey\xff0123456".as_slice()),
        ]);
        assert_eq!(bad_utf8.unwrap_err().code(), "malformed_header");
    }

    #[test]
    fn the_one_pass_check_accepts_exactly_the_keys_validate_key_accepts() {
        for len in 0..=MAX_KEY_LEN + 2 {
            for byte in 0..=u8::MAX {
                for at in [0, len / 2, len.saturating_sub(1)] {
                    let mut value = vec![b'k'; len];
                    if let Some(slot) = value.get_mut(at) {
                        *slot = byte;
                    }
                    let slow = std::str::from_utf8(&value)
                        .ok()
                        .filter(|v| validate_key(KeyKind::User, v).is_ok());
                    let fast = well_formed_key(&value);
                    // The fast check never accepts what the rules refuse;
                    // what it leaves (padding) goes down the longer path.
                    assert!(fast.is_none() || fast == slow, "{value:?}");
                    if slow.is_some() && value.first() != Some(&b' ') {
                        assert_eq!(fast, slow, "{value:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn debug_of_borrowed_keys_is_redacted() {
        let found = find_keys([
            ("x-api-key", A.as_bytes()),
            ("x-api-secret-key", U.as_bytes()),
        ])
        .unwrap();
        assert!(!format!("{found:?}").contains(A));
    }
}

//! [`Verifier::authenticate`]: the four rules, in order, on a request's
//! headers and source IP.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use http::HeaderMap;

use super::index::KeyEntry;
use super::key_material::KeyHash;
use super::model::{AccountId, Role, UserId, KEY_NAME_MAX};
use super::source_ip::{UnknownSourceIp, FORWARDED_FOR_HEADER};
use super::system_log::{InlineText, LogRecord, Outcome, RESOURCE_MAX};
use super::{AuthFailure, Verifier};
use crate::headers::{find_keys, KeyRefs};

/// Who a request authenticated as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The account.
    pub account_id: AccountId,
    /// The account's name.
    pub account_name: String,
    /// The key owner's user id.
    pub user_id: UserId,
    /// The key owner's name.
    pub owner_name: String,
    /// The key owner's email.
    pub owner_email: String,
    /// The user key's name.
    pub key_name: String,
    /// The source IP the verifier saw (after trusted proxies); `0.0.0.0`
    /// or `::` when unknown (see [`TrustedProxies`](super::TrustedProxies)).
    pub source_ip: IpAddr,
}

/// Who a request authenticated as, borrowed from the verifier's index: a
/// [`Principal`] without its copies, for callers that keep their own
/// (bindings that cache the objects they hand out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrincipalRef<'a> {
    /// The account.
    pub account_id: AccountId,
    /// The account's name.
    pub account_name: &'a str,
    /// The key owner's user id.
    pub user_id: UserId,
    /// The key owner's name.
    pub owner_name: &'a str,
    /// The key owner's email.
    pub owner_email: &'a str,
    /// The user key's name.
    pub key_name: &'a str,
    /// The source IP the verifier saw (after trusted proxies); `0.0.0.0`
    /// or `::` when unknown (see [`TrustedProxies`](super::TrustedProxies)).
    pub source_ip: IpAddr,
    /// Names this key's account, owner and key fields (all but the source
    /// IP) in this verifier: two of its principals with the same serial
    /// hold the same fields, so a binding may keep what it built from them
    /// by serial. Serials count up from 1 in each verifier, one per key it
    /// indexes (a key reloaded from the store with the same account,
    /// owner, name and principal fields keeps its serial),
    /// and none is reused; two verifiers' serials are not comparable.
    pub key_serial: u64,
}

impl PrincipalRef<'_> {
    /// The owned [`Principal`].
    pub fn to_principal(&self) -> Principal {
        Principal {
            account_id: self.account_id,
            account_name: self.account_name.to_string(),
            user_id: self.user_id,
            owner_name: self.owner_name.to_string(),
            owner_email: self.owner_email.to_string(),
            key_name: self.key_name.to_string(),
            source_ip: self.source_ip,
        }
    }
}

/// A request's headers, borrowed. `Debug` shows names only, never values.
#[derive(Clone, Copy)]
pub enum RequestHeaders<'a> {
    /// `(name, value)` pairs; names match case-insensitively.
    Pairs(&'a [(&'a str, &'a [u8])]),
    /// An `http` header map.
    Map(&'a HeaderMap),
}

impl std::fmt::Debug for RequestHeaders<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = match self {
            RequestHeaders::Pairs(pairs) => pairs.iter().map(|(n, _)| *n).collect(),
            RequestHeaders::Map(map) => map.keys().map(|n| n.as_str()).collect(),
        };
        f.debug_tuple("RequestHeaders").field(&names).finish()
    }
}

/// What [`Verifier::authenticate`] looks at: method and path (for the
/// system log), headers, and the peer address.
#[derive(Debug, Clone, Copy)]
pub struct AuthRequest<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Request path.
    pub path: &'a str,
    /// Every header of the request (keys and `X-Forwarded-For` are read).
    pub headers: RequestHeaders<'a>,
    /// The address the connection came from.
    pub peer: IpAddr,
}

impl<'a> AuthRequest<'a> {
    /// A request whose headers are `(name, value)` pairs.
    pub fn from_pairs(
        method: &'a str,
        path: &'a str,
        headers: &'a [(&'a str, &'a [u8])],
        peer: IpAddr,
    ) -> Self {
        AuthRequest {
            method,
            path,
            headers: RequestHeaders::Pairs(headers),
            peer,
        }
    }

    /// A request whose headers are an `http::HeaderMap`.
    pub fn from_header_map(
        method: &'a str,
        path: &'a str,
        headers: &'a HeaderMap,
        peer: IpAddr,
    ) -> Self {
        AuthRequest {
            method,
            path,
            headers: RequestHeaders::Map(headers),
            peer,
        }
    }

    fn header_pairs(&self) -> HeaderPairs<'a> {
        match self.headers {
            RequestHeaders::Pairs(pairs) => HeaderPairs::Pairs(pairs.iter()),
            RequestHeaders::Map(map) => HeaderPairs::Map(map.iter()),
        }
    }

    /// Every `X-Forwarded-For` value, in order. Bytes that are not UTF-8
    /// text become U+FFFD, so such an entry is never read as an address.
    pub fn forwarded_for(&self) -> Vec<Cow<'a, str>> {
        match self.headers {
            RequestHeaders::Pairs(pairs) => pairs
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(FORWARDED_FOR_HEADER))
                .map(|(_, v)| String::from_utf8_lossy(v))
                .collect(),
            RequestHeaders::Map(map) => map
                .get_all(FORWARDED_FOR_HEADER)
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()))
                .collect(),
        }
    }

    /// `METHOD path` for the system log, with either key replaced should
    /// the caller have put it in the method or the path (before the cut to
    /// `RESOURCE_MAX`, so no part of a key survives): the log never holds
    /// a secret.
    fn resource(&self, keys: &KeyRefs<'_>) -> InlineText<RESOURCE_MAX> {
        // A text shorter than a key cannot hold it (keys are at least 8
        // bytes, a path like `/v1/` is shorter): skip building a searcher.
        let within = |text: &str, key: &str| text.len() >= key.len() && text.contains(key);
        let holds = |key: &str| within(self.method, key) || within(self.path, key);
        if !holds(keys.account_key) && !holds(keys.user_key) {
            return InlineText::new(&[self.method, " ", self.path]);
        }
        let redact = |text: &str| {
            text.replace(keys.account_key, crate::secret::REDACTED)
                .replace(keys.user_key, crate::secret::REDACTED)
        };
        InlineText::new(&[&redact(self.method), " ", &redact(self.path)])
    }
}

/// The headers of either kind of request as `(name, value)` pairs.
enum HeaderPairs<'a> {
    Pairs(std::slice::Iter<'a, (&'a str, &'a [u8])>),
    Map(http::header::Iter<'a, http::HeaderValue>),
}

impl<'a> Iterator for HeaderPairs<'a> {
    type Item = (&'a str, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            HeaderPairs::Pairs(pairs) => pairs.next().copied(),
            HeaderPairs::Map(map) => map.next().map(|(n, v)| (n.as_str(), v.as_bytes())),
        }
    }
}

impl Verifier {
    /// Decides whether `request` authenticates. The rules, in order:
    ///
    /// 1. both key headers are present and well formed, and the account key
    ///    is an account's;
    /// 2. the account has the API enabled;
    /// 3. the user key exists, belongs to the same account, and its owner
    ///    still has the owner role;
    /// 4. the source IP is in the key's allow list (when it has one).
    ///
    /// Every attempt that can be tied to an account (a valid account key)
    /// is queued for the account's system log, success or failure.
    pub fn authenticate(&self, request: &AuthRequest<'_>) -> Result<Principal, AuthFailure> {
        self.authenticate_with(request, |principal| principal.to_principal())
    }

    /// [`Verifier::authenticate`], handing the principal to `read` borrowed
    /// instead of copied; returns what `read` returns. `read` runs while
    /// the verifier's index is locked for reading: it must not call the
    /// verifier.
    ///
    /// ```
    /// use std::net::IpAddr;
    /// use redis_cloud_auth::verify::{AuthRequest, Role, Verifier};
    ///
    /// let verifier = Verifier::in_memory();
    /// let account = verifier.create_account("acme")?;
    /// let ada = verifier.add_user(account, "Ada", "ada@example.com", Role::Owner)?;
    /// let account_key = verifier.enable_api(account)?.expect("first enable returns the key");
    /// let user_key = verifier.create_user_key::<&str>(account, ada, ada, "ci-deploy-key", &[])?;
    /// let headers = [
    ///     ("x-api-key", account_key.expose().as_bytes()),
    ///     ("x-api-secret-key", user_key.expose().as_bytes()),
    /// ];
    /// let peer: IpAddr = "10.1.2.3".parse()?;
    /// let request = AuthRequest::from_pairs("GET", "/v1/", &headers, peer);
    /// let user = verifier.authenticate_with(&request, |principal| principal.user_id)?;
    /// assert_eq!(user, ada);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authenticate_with<R>(
        &self,
        request: &AuthRequest<'_>,
        read: impl FnOnce(PrincipalRef<'_>) -> R,
    ) -> Result<R, AuthFailure> {
        let keys = find_keys(request.header_pairs())?;
        let (account_hash, user_hash) = KeyHash::of_pair(keys.account_key, keys.user_key);
        let index = self.current_index()?;
        let Some(&account_id) = index.account_keys.get(&account_hash) else {
            return Err(AuthFailure::InvalidAccountKey);
        };
        // Looked up now, so its cache misses overlap the work below.
        let key = index.user_keys.get(&user_hash);
        let account = &index.accounts[&account_id];
        prefetch(&account.name);
        let source = if index.proxies.nets().is_empty() {
            Ok(super::allow_list::canonical(request.peer))
        } else {
            index
                .proxies
                .source_ip(request.peer, request.forwarded_for())
        };
        // An unknown source is never the proxy's address: the principal
        // gets the unspecified address, the log names the proxy.
        let (source_ip, logged_ip, source) = match source {
            Ok(ip) => (ip, ip, Source::Known(ip)),
            Err(unknown) => (
                unspecified(unknown.proxy),
                unknown.proxy,
                Source::Unknown(unknown),
            ),
        };
        let mut facts = LogFacts {
            outcome: Outcome::Authenticated,
            owner_id: None,
            key_name: None,
        };
        let result = check(
            &index,
            account_id,
            account.api_enabled,
            key,
            source,
            &mut facts,
        )
        .map(|(user_id, owner_name, owner_email, key_name, key_serial)| {
            read(PrincipalRef {
                account_id,
                account_name: &account.name,
                user_id,
                owner_name,
                owner_email,
                key_name,
                source_ip,
                key_serial,
            })
        });
        let (outcome, owner_id, key_name) =
            (facts.outcome, facts.owner_id, facts.key_name.copied());
        drop(index);
        if let Err(failure) = &result {
            tracing::info!(account = account_id, source_ip = %logged_ip, reason = %failure, "authentication rejected");
        } else if let Source::Unknown(unknown) = source {
            tracing::info!(account = account_id, reason = %unknown, "authenticated a key without an allow list from an unknown source IP");
        }
        // Built once, where it is queued: the record is a few hundred bytes.
        self.log.record(LogRecord {
            account_id,
            at: super::model::now_coarse(),
            outcome,
            owner_id,
            key_name,
            source_ip: logged_ip,
            resource: request.resource(&keys),
        });
        result
    }
}

type Found<'i> = (UserId, &'i Arc<str>, &'i Arc<str>, &'i str, u64);

/// What [`check`] learns for the system log.
struct LogFacts<'i> {
    outcome: Outcome,
    owner_id: Option<UserId>,
    key_name: Option<&'i InlineText<KEY_NAME_MAX>>,
}

/// Where a request came from, as far as the verifier can tell.
#[derive(Clone, Copy)]
enum Source {
    /// The source IP.
    Known(IpAddr),
    /// A trusted proxy forwarded an entry that is not an address.
    Unknown(UnknownSourceIp),
}

/// The unspecified address of `ip`'s family: the source IP a principal
/// reports when it cannot be determined.
fn unspecified(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    }
}

/// Starts loading the first bytes of `text`, a principal's text that
/// `read` may copy (a binding's out-struct, the authorizer's identity
/// headers), so that its cache miss overlaps the lookups before it. A hint:
/// it reads nothing into the program, and does nothing off x86-64.
#[inline(always)]
fn prefetch(text: &str) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint that never faults, whatever the address.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(text.as_ptr().cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = text;
}

/// Rules 2 to 4 for an identified account; fills in what the log records.
fn check<'i>(
    index: &'i super::index::Index,
    account_id: AccountId,
    api_enabled: bool,
    key: Option<&'i KeyEntry>,
    source: Source,
    record: &mut LogFacts<'i>,
) -> Result<Found<'i>, AuthFailure> {
    let fail = |record: &mut LogFacts<'i>, outcome, failure| {
        record.outcome = outcome;
        Err(failure)
    };
    if !api_enabled {
        return fail(record, Outcome::ApiDisabled, AuthFailure::ApiDisabled);
    }
    let Some(key) = key else {
        return fail(record, Outcome::InvalidUserKey, AuthFailure::InvalidUserKey);
    };
    if key.account_id != account_id {
        return fail(
            record,
            Outcome::AccountMismatch,
            AuthFailure::AccountMismatch,
        );
    }
    let owner = index.users.get(&key.owner_id);
    if let Some(owner) = owner {
        prefetch(&owner.name);
        prefetch(&owner.email);
    }
    record.key_name = Some(&key.hot_name);
    record.owner_id = owner.map(|_| key.owner_id);
    let Some(owner) = owner.filter(|o| o.role == Role::Owner && o.account_id == account_id) else {
        return fail(
            record,
            Outcome::OwnerRoleRevoked,
            AuthFailure::OwnerRoleRevoked,
        );
    };
    match source {
        Source::Known(source_ip) if !key.allow_list.allows(source_ip) => {
            return fail(
                record,
                Outcome::SourceIpNotAllowed,
                AuthFailure::SourceIpNotAllowed { source_ip },
            );
        }
        Source::Unknown(unknown) if !key.allow_list.is_empty() => {
            return fail(
                record,
                Outcome::SourceIpUnknown,
                AuthFailure::SourceIpUnknown(unknown),
            );
        }
        Source::Unknown(_) => record.outcome = Outcome::AuthenticatedSourceUnknown,
        Source::Known(_) => {}
    }
    Ok((
        key.owner_id,
        &owner.name,
        &owner.email,
        key.hot_name.as_str(),
        key.serial,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn serial_of(
        v: &Verifier,
        account_key: &Secret,
        user_key: &Secret,
    ) -> Result<u64, AuthFailure> {
        principal_of(v, account_key, user_key).map(|(_, serial)| serial)
    }

    /// The principal and key serial, checked against `authenticate`.
    fn principal_of(
        v: &Verifier,
        account_key: &Secret,
        user_key: &Secret,
    ) -> Result<(Principal, u64), AuthFailure> {
        let headers = [
            ("x-api-key", account_key.expose().as_bytes()),
            ("x-api-secret-key", user_key.expose().as_bytes()),
        ];
        let peer: IpAddr = "10.1.2.3".parse().unwrap();
        let request = AuthRequest::from_pairs("GET", "/", &headers, peer);
        let owned = v.authenticate(&request);
        let borrowed = v.authenticate_with(&request, |p| (p.to_principal(), p.key_serial));
        match (owned, borrowed) {
            (Ok(owned), Ok((from_ref, serial))) => {
                assert_eq!(owned, from_ref);
                Ok((owned, serial))
            }
            (Err(a), Err(b)) => {
                assert_eq!(a.code(), b.code());
                Err(a)
            }
            (a, b) => panic!("authenticate and authenticate_with disagree: {a:?} / {b:?}"),
        }
    }

    #[test]
    fn key_serials_name_one_set_of_principal_fields() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auth.db");
        let v = Verifier::open_sqlite(&path).unwrap();
        let account = v.create_account("acme").unwrap();
        let ada = v
            .add_user(account, "Ada", "ada@example.com", Role::Owner)
            .unwrap();
        let account_key = v.enable_api(account).unwrap().unwrap();
        let key = v
            .create_user_key(account, ada, ada, "serial-test-key", &[] as &[&str])
            .unwrap();
        let other = v
            .create_user_key(account, ada, ada, "serial-other-key", &[] as &[&str])
            .unwrap();

        // Stable across calls and role changes; counting up from 1.
        let first = serial_of(&v, &account_key, &key).unwrap();
        assert_eq!(serial_of(&v, &account_key, &key).unwrap(), first);
        assert_eq!(
            (first, serial_of(&v, &account_key, &other).unwrap()),
            (1, 2)
        );
        v.set_user_role(account, ada, Role::Member).unwrap();
        assert_eq!(
            serial_of(&v, &account_key, &key).unwrap_err().code(),
            "owner_role_revoked"
        );
        v.set_user_role(account, ada, Role::Owner).unwrap();
        assert_eq!(serial_of(&v, &account_key, &key).unwrap(), first);

        // A key deleted and created again under its name is a new key.
        v.delete_user_key(account, ada, "serial-test-key").unwrap();
        assert!(serial_of(&v, &account_key, &key).is_err());
        let again = v
            .create_user_key(account, ada, ada, "serial-test-key", &[] as &[&str])
            .unwrap();
        let recreated = serial_of(&v, &account_key, &again).unwrap();
        assert_eq!(recreated, 3);

        // Another process deletes the key and creates it again for Bob:
        // this verifier sees a new serial with the new owner.
        let bob = v
            .add_user(account, "Bob", "bob@example.com", Role::Owner)
            .unwrap();
        let elsewhere = Verifier::open_sqlite(&path).unwrap();
        elsewhere
            .delete_user_key(account, ada, "serial-test-key")
            .unwrap();
        let bobs = elsewhere
            .create_user_key(account, ada, bob, "serial-test-key", &[] as &[&str])
            .unwrap();
        assert!(serial_of(&v, &account_key, &again).is_err());
        let (principal, serial) = principal_of(&v, &account_key, &bobs).unwrap();
        assert_eq!(
            (principal.owner_name.as_str(), principal.user_id),
            ("Bob", bob)
        );
        assert_eq!(serial, 4);
        // The other verifier counts its own: its three keys so far.
        assert_eq!(serial_of(&elsewhere, &account_key, &bobs).unwrap(), 3);
    }
}

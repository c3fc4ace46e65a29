//! [`AuthFailure`]: why a request did not authenticate, with the HTTP status
//! and the message the caller is shown.

use std::net::IpAddr;

use super::source_ip::UnknownSourceIp;
use crate::api::ErrorBody;
use crate::headers::HeaderError;

/// Why a request did not authenticate.
///
/// `Display` gives the precise reason, for logs and tracing. Callers are
/// shown only [`AuthFailure::http_status`] and
/// [`AuthFailure::public_message`] (or [`AuthFailure::error_body`]), in
/// which an account mismatch is indistinguishable from an invalid user key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthFailure {
    /// The account has not enabled the API (or disabled it).
    #[error("the API is disabled for this account")]
    ApiDisabled,
    /// A key header is absent or empty.
    #[error("missing credentials: {0}")]
    MissingCredentials(HeaderError),
    /// A key header is duplicated or not a well-formed key.
    #[error("malformed credentials: {0}")]
    MalformedCredentials(HeaderError),
    /// No account has this account key.
    #[error("no account has this account key")]
    InvalidAccountKey,
    /// No user key has this value.
    #[error("no user key has this value")]
    InvalidUserKey,
    /// The user key belongs to another account than the account key.
    #[error("the user key belongs to another account")]
    AccountMismatch,
    /// The user key's owner no longer has the owner role.
    #[error("the user key's owner no longer has the owner role")]
    OwnerRoleRevoked,
    /// The source IP is outside the user key's allow list.
    #[error("source IP {source_ip} is not in the user key's allow list")]
    SourceIpNotAllowed {
        /// The source IP the verifier saw.
        source_ip: IpAddr,
    },
    /// The user key has an allow list, and the source IP cannot be
    /// determined: a trusted proxy forwarded an `X-Forwarded-For` entry
    /// that is not an address.
    #[error("{0}, and the user key has an allow list")]
    SourceIpUnknown(UnknownSourceIp),
    /// The store could not be read; the request may succeed later.
    #[error("the verifier's store is unavailable")]
    StoreUnavailable,
    /// The peer address the server passed is not an IP address: no allow
    /// list can be applied, so the request fails closed. A mistake of the
    /// calling server, not of the request (status 500).
    #[error("the peer address is not an IPv4 or IPv6 address")]
    InvalidPeerAddress,
}

/// What every failure of one kind shares: its stable code, HTTP status and
/// public code. [`AuthFailure::ALL`] lists them by ordinal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureKind {
    /// Stable snake_case code ([`AuthFailure::code`]).
    pub code: &'static str,
    /// HTTP status ([`AuthFailure::http_status`]).
    pub http_status: u16,
    /// What the caller is shown ([`AuthFailure::public_code`]).
    pub public_code: &'static str,
}

const fn kind(code: &'static str, http_status: u16, public_code: &'static str) -> FailureKind {
    FailureKind {
        code,
        http_status,
        public_code,
    }
}

/// Parses the address a connection came from, as a server passes it
/// (surrounding whitespace ignored). Anything else is
/// [`AuthFailure::InvalidPeerAddress`]: the one rule for every binding.
///
/// ```
/// use redis_cloud_auth::verify::{parse_peer, AuthFailure};
/// assert_eq!(parse_peer(" 10.0.0.1 ")?.to_string(), "10.0.0.1");
/// assert_eq!(parse_peer("localhost"), Err(AuthFailure::InvalidPeerAddress));
/// # Ok::<(), AuthFailure>(())
/// ```
pub fn parse_peer(text: &str) -> Result<IpAddr, AuthFailure> {
    text.trim()
        .parse()
        .map_err(|_| AuthFailure::InvalidPeerAddress)
}

impl AuthFailure {
    /// Every kind of failure, indexed by [`AuthFailure::ordinal`]. The order
    /// is stable: a new failure is appended, never inserted. Encoded
    /// outcomes ([`Outcome`](super::Outcome)) carry the ordinal.
    pub const ALL: [FailureKind; 11] = [
        kind("api_disabled", 401, "unauthorized"),
        kind("missing_credentials", 401, "unauthorized"),
        kind("malformed_credentials", 401, "unauthorized"),
        kind("invalid_account_key", 401, "unauthorized"),
        kind("invalid_user_key", 401, "unauthorized"),
        kind("account_mismatch", 401, "unauthorized"),
        kind("owner_role_revoked", 401, "unauthorized"),
        kind("source_ip_not_allowed", 403, "forbidden"),
        kind("store_unavailable", 503, "service_unavailable"),
        kind("invalid_peer_address", 500, "internal_error"),
        kind("source_ip_unknown", 403, "forbidden"),
    ];

    /// This failure's index in [`AuthFailure::ALL`].
    pub fn ordinal(&self) -> u8 {
        match self {
            AuthFailure::ApiDisabled => 0,
            AuthFailure::MissingCredentials(_) => 1,
            AuthFailure::MalformedCredentials(_) => 2,
            AuthFailure::InvalidAccountKey => 3,
            AuthFailure::InvalidUserKey => 4,
            AuthFailure::AccountMismatch => 5,
            AuthFailure::OwnerRoleRevoked => 6,
            AuthFailure::SourceIpNotAllowed { .. } => 7,
            AuthFailure::StoreUnavailable => 8,
            AuthFailure::InvalidPeerAddress => 9,
            AuthFailure::SourceIpUnknown(_) => 10,
        }
    }

    /// What every failure of this kind shares.
    pub fn kind(&self) -> FailureKind {
        AuthFailure::ALL[usize::from(self.ordinal())]
    }

    /// Stable snake_case code of the precise reason, the same in every
    /// language. For logs and tests; not for the caller (see
    /// [`AuthFailure::public_code`]).
    pub fn code(&self) -> &'static str {
        self.kind().code
    }

    /// The HTTP status to answer with: 401 for credential failures, 403 for
    /// a source IP outside the allow list or unknown, 503 when the store is
    /// unavailable, 500 for a peer address that is not an IP address.
    pub fn http_status(&self) -> u16 {
        self.kind().http_status
    }

    /// The error code a caller is shown: `unauthorized`, `forbidden`,
    /// `service_unavailable` or `internal_error`, following the status.
    pub fn public_code(&self) -> &'static str {
        self.kind().public_code
    }

    /// The message a caller is shown. Never holds a secret; an account
    /// mismatch reads exactly like an invalid user key.
    pub fn public_message(&self) -> String {
        match self {
            AuthFailure::ApiDisabled => "API access is not enabled for this account".into(),
            AuthFailure::MissingCredentials(e) => format!(
                "authentication required: the {} header is missing or empty",
                e.header()
            ),
            AuthFailure::MalformedCredentials(e) => {
                format!("the {} header is malformed or repeated", e.header())
            }
            AuthFailure::InvalidAccountKey => "the account key (x-api-key) is not valid".into(),
            AuthFailure::InvalidUserKey | AuthFailure::AccountMismatch => {
                "the user key (x-api-secret-key) is not valid for this account".into()
            }
            AuthFailure::OwnerRoleRevoked => {
                "the user key's owner no longer has the owner role".into()
            }
            AuthFailure::SourceIpNotAllowed { source_ip } => {
                format!("source IP {source_ip} is not allowed to use this key")
            }
            AuthFailure::SourceIpUnknown(_) => {
                "the source IP cannot be determined (malformed X-Forwarded-For), \
                 and this key has an allow list"
                    .into()
            }
            AuthFailure::StoreUnavailable => {
                "authentication is temporarily unavailable; retry later".into()
            }
            AuthFailure::InvalidPeerAddress => "internal error".into(),
        }
    }

    /// The JSON error body to answer with (`{"error","message","status"}`).
    pub fn error_body(&self) -> ErrorBody {
        ErrorBody {
            error: self.public_code().into(),
            message: self.public_message(),
            status: self.http_status(),
        }
    }

    /// [`AuthFailure::error_body`] as the compact JSON text `rcauth serve`
    /// answers with, byte for byte: what every server adapter sends.
    ///
    /// ```
    /// use redis_cloud_auth::verify::AuthFailure;
    /// assert_eq!(
    ///     AuthFailure::StoreUnavailable.error_json(),
    ///     r#"{"error":"service_unavailable","message":"authentication is temporarily unavailable; retry later","status":503}"#
    /// );
    /// ```
    pub fn error_json(&self) -> String {
        serde_json::to_string(&self.error_body()).expect("an ErrorBody is always JSON")
    }

    /// The header concerned, for `missing_credentials` and `malformed_credentials`.
    pub fn header(&self) -> Option<&'static str> {
        match self {
            AuthFailure::MissingCredentials(e) | AuthFailure::MalformedCredentials(e) => {
                Some(e.header())
            }
            _ => None,
        }
    }

    /// The source IP the verifier saw, for `source_ip_not_allowed`.
    pub fn source_ip(&self) -> Option<IpAddr> {
        match self {
            AuthFailure::SourceIpNotAllowed { source_ip } => Some(*source_ip),
            _ => None,
        }
    }
}

impl From<HeaderError> for AuthFailure {
    fn from(error: HeaderError) -> Self {
        match error {
            HeaderError::Missing(_) | HeaderError::Empty(_) => {
                AuthFailure::MissingCredentials(error)
            }
            HeaderError::Duplicate(_) | HeaderError::Malformed(_) => {
                AuthFailure::MalformedCredentials(error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_rules() {
        assert_eq!(AuthFailure::InvalidUserKey.http_status(), 401);
        assert_eq!(AuthFailure::ApiDisabled.http_status(), 401);
        let ip = "192.0.2.1".parse().unwrap();
        let denied = AuthFailure::SourceIpNotAllowed { source_ip: ip };
        assert_eq!(denied.http_status(), 403);
        assert_eq!(denied.error_body().error, "forbidden");
        assert_eq!(AuthFailure::StoreUnavailable.http_status(), 503);
        let unknown = AuthFailure::SourceIpUnknown(UnknownSourceIp {
            proxy: ip,
            position: 2,
            problem: super::super::source_ip::HopProblem::Empty,
        });
        assert_eq!(
            (unknown.http_status(), unknown.code(), unknown.public_code()),
            (403, "source_ip_unknown", "forbidden")
        );
        assert_eq!(
            unknown.to_string(),
            "the source IP cannot be determined: X-Forwarded-For entry 2 from the right, \
             appended by trusted proxy 192.0.2.1, is empty, and the user key has an allow list"
        );
    }

    #[test]
    fn ordinals_index_the_table() {
        let ip = "192.0.2.1".parse().unwrap();
        let every = [
            AuthFailure::ApiDisabled,
            AuthFailure::MissingCredentials(HeaderError::Missing("x-api-key")),
            AuthFailure::MalformedCredentials(HeaderError::Duplicate("x-api-key")),
            AuthFailure::InvalidAccountKey,
            AuthFailure::InvalidUserKey,
            AuthFailure::AccountMismatch,
            AuthFailure::OwnerRoleRevoked,
            AuthFailure::SourceIpNotAllowed { source_ip: ip },
            AuthFailure::StoreUnavailable,
            AuthFailure::InvalidPeerAddress,
            AuthFailure::SourceIpUnknown(UnknownSourceIp {
                proxy: ip,
                position: 1,
                problem: super::super::source_ip::HopProblem::Empty,
            }),
        ];
        assert_eq!(every.len(), AuthFailure::ALL.len());
        for (i, failure) in every.iter().enumerate() {
            assert_eq!(usize::from(failure.ordinal()), i);
            assert_eq!(failure.error_body().error, failure.public_code());
        }
        let codes: std::collections::HashSet<_> = AuthFailure::ALL.iter().map(|k| k.code).collect();
        assert_eq!(codes.len(), AuthFailure::ALL.len(), "codes are unique");
    }

    #[test]
    fn a_peer_that_is_not_an_address_fails_closed() {
        assert_eq!(parse_peer("::1").unwrap().to_string(), "::1");
        for bad in ["", "10.0.0", "10.0.0.1:8080", "[::1]", "example.com"] {
            let failure = parse_peer(bad).unwrap_err();
            assert_eq!(
                (failure.code(), failure.http_status()),
                ("invalid_peer_address", 500)
            );
        }
    }

    #[test]
    fn a_mismatch_looks_like_an_invalid_user_key() {
        let a = AuthFailure::AccountMismatch;
        let b = AuthFailure::InvalidUserKey;
        assert_eq!(a.error_body(), b.error_body());
        assert_ne!(a.code(), b.code());
        assert_ne!(a.to_string(), b.to_string());
    }

    #[test]
    fn header_errors_split_into_missing_and_malformed() {
        let missing = AuthFailure::from(HeaderError::Empty("x-api-key"));
        assert_eq!(missing.code(), "missing_credentials");
        assert!(missing.public_message().contains("x-api-key"));
        let bad = AuthFailure::from(HeaderError::Duplicate("x-api-secret-key"));
        assert_eq!(bad.code(), "malformed_credentials");
    }
}

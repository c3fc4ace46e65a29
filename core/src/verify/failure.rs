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
}

impl AuthFailure {
    /// Stable snake_case code of the precise reason, the same in every
    /// language. For logs and tests; not for the caller (see
    /// [`AuthFailure::public_code`]).
    pub fn code(&self) -> &'static str {
        match self {
            AuthFailure::ApiDisabled => "api_disabled",
            AuthFailure::MissingCredentials(_) => "missing_credentials",
            AuthFailure::MalformedCredentials(_) => "malformed_credentials",
            AuthFailure::InvalidAccountKey => "invalid_account_key",
            AuthFailure::InvalidUserKey => "invalid_user_key",
            AuthFailure::AccountMismatch => "account_mismatch",
            AuthFailure::OwnerRoleRevoked => "owner_role_revoked",
            AuthFailure::SourceIpNotAllowed { .. } => "source_ip_not_allowed",
            AuthFailure::SourceIpUnknown(_) => "source_ip_unknown",
            AuthFailure::StoreUnavailable => "store_unavailable",
        }
    }

    /// The HTTP status to answer with: 401 for credential failures, 403 for
    /// a source IP outside the allow list or unknown, 503 when the store is
    /// unavailable.
    pub fn http_status(&self) -> u16 {
        match self {
            AuthFailure::SourceIpNotAllowed { .. } | AuthFailure::SourceIpUnknown(_) => 403,
            AuthFailure::StoreUnavailable => 503,
            _ => 401,
        }
    }

    /// The error code a caller is shown: `unauthorized`, `forbidden` or
    /// `service_unavailable`, following the status.
    pub fn public_code(&self) -> &'static str {
        match self.http_status() {
            403 => "forbidden",
            503 => "service_unavailable",
            _ => "unauthorized",
        }
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

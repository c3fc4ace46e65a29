//! The public errors of the bindings: one variant per core variant, each
//! with the core's stable `code` and its message as `detail`. No variant
//! ever carries a secret.
//!
//! The key error is `ApiKeyError` here (the core's `KeyError`): `KeyError`
//! is a Python builtin that the generated Python code itself relies on.

use redis_cloud_auth as core;

use crate::keys::KeyKind;

/// A key value was rejected (the core's `KeyError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum ApiKeyError {
    /// The key is empty or only whitespace.
    #[error("{detail}")]
    Empty {
        /// `empty_key`.
        code: String,
        /// Which key.
        key: KeyKind,
        /// What is wrong, without the value.
        detail: String,
    },
    /// The key is too short or too long.
    #[error("{detail}")]
    Length {
        /// `key_length`.
        code: String,
        /// Which key.
        key: KeyKind,
        /// Its length in bytes.
        length: u64,
        /// What is wrong, without the value.
        detail: String,
    },
    /// The key holds a character outside visible ASCII.
    #[error("{detail}")]
    Character {
        /// `key_character`.
        code: String,
        /// Which key.
        key: KeyKind,
        /// Zero-based byte position of the first bad character.
        position: u64,
        /// What is wrong, without the value.
        detail: String,
    },
}

impl From<core::KeyError> for ApiKeyError {
    fn from(err: core::KeyError) -> Self {
        let code = err.code().to_string();
        let detail = err.to_string();
        let key = err.kind().into();
        match err {
            core::KeyError::Empty(_) => ApiKeyError::Empty { code, key, detail },
            core::KeyError::Length { len, .. } => ApiKeyError::Length {
                code,
                key,
                length: len as u64,
                detail,
            },
            core::KeyError::Character { position, .. } => ApiKeyError::Character {
                code,
                key,
                position: position as u64,
                detail,
            },
        }
    }
}

/// The authentication headers of a request could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum HeaderError {
    /// The header is absent.
    #[error("{detail}")]
    Missing {
        /// `missing_header`.
        code: String,
        /// The header's name.
        header: String,
        /// What is wrong, without the value.
        detail: String,
    },
    /// The header is present but empty.
    #[error("{detail}")]
    Empty {
        /// `empty_header`.
        code: String,
        /// The header's name.
        header: String,
        /// What is wrong, without the value.
        detail: String,
    },
    /// The header appears more than once.
    #[error("{detail}")]
    Duplicate {
        /// `duplicate_header`.
        code: String,
        /// The header's name.
        header: String,
        /// What is wrong, without the value.
        detail: String,
    },
    /// The header's value is not a well-formed key.
    #[error("{detail}")]
    Malformed {
        /// `malformed_header`.
        code: String,
        /// The header's name.
        header: String,
        /// What is wrong, without the value.
        detail: String,
    },
}

impl From<core::HeaderError> for HeaderError {
    fn from(err: core::HeaderError) -> Self {
        let code = err.code().to_string();
        let header = err.header().to_string();
        let detail = err.to_string();
        match err {
            core::HeaderError::Missing(_) => HeaderError::Missing {
                code,
                header,
                detail,
            },
            core::HeaderError::Empty(_) => HeaderError::Empty {
                code,
                header,
                detail,
            },
            core::HeaderError::Duplicate(_) => HeaderError::Duplicate {
                code,
                header,
                detail,
            },
            core::HeaderError::Malformed(_) => HeaderError::Malformed {
                code,
                header,
                detail,
            },
        }
    }
}

/// Credentials could not be loaded, saved or resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum CredentialError {
    /// No source had credentials for the profile.
    #[error("{detail}")]
    NotFound {
        /// `not_found`.
        code: String,
        /// The profile looked for.
        profile: String,
        /// Every place searched, in order.
        searched: Vec<String>,
        /// The full message.
        detail: String,
    },
    /// A key failed validation.
    #[error("{detail}")]
    InvalidKey {
        /// `invalid_key`.
        code: String,
        /// Where the key came from (a variable name, a file and profile).
        origin: String,
        /// Which key.
        key: KeyKind,
        /// The full message.
        detail: String,
    },
    /// Only one of the two keys is set.
    #[error("{detail}")]
    Incomplete {
        /// `incomplete`.
        code: String,
        /// The full message.
        detail: String,
    },
    /// Two environment variables for the same value disagree.
    #[error("{detail}")]
    Conflict {
        /// `conflict`.
        code: String,
        /// The disagreeing variables.
        variables: Vec<String>,
        /// The full message.
        detail: String,
    },
    /// A base URL is not an http(s) URL.
    #[error("{detail}")]
    InvalidBaseUrl {
        /// `invalid_base_url`.
        code: String,
        /// The full message.
        detail: String,
    },
    /// A profile name has characters outside letters, digits, `-`, `_`, `.`.
    #[error("{detail}")]
    InvalidProfileName {
        /// `invalid_profile_name`.
        code: String,
        /// The full message.
        detail: String,
    },
    /// The credentials file can be read by group or others.
    #[error("{detail}")]
    InsecurePermissions {
        /// `insecure_permissions`.
        code: String,
        /// The file.
        path: String,
        /// The full message.
        detail: String,
    },
    /// The credentials file is not valid TOML of the expected shape.
    #[error("{detail}")]
    FileFormat {
        /// `file_format`.
        code: String,
        /// The file.
        path: String,
        /// The full message.
        detail: String,
    },
    /// Reading or writing a file failed.
    #[error("{detail}")]
    Io {
        /// `io`.
        code: String,
        /// The file.
        path: String,
        /// The full message.
        detail: String,
    },
    /// The OS keychain failed; nothing falls back to plaintext.
    #[error("{detail}")]
    Keychain {
        /// `keychain`.
        code: String,
        /// The full message.
        detail: String,
    },
    /// A store implemented by the application reported an error.
    #[error("{detail}")]
    Store {
        /// `store`.
        code: String,
        /// The full message.
        detail: String,
    },
}

impl CredentialError {
    /// A `store` error with `detail`, for stores implemented in other languages.
    pub fn store(detail: impl Into<String>) -> Self {
        CredentialError::Store {
            code: "store".to_string(),
            detail: detail.into(),
        }
    }
}

impl From<core::CredentialError> for CredentialError {
    fn from(err: core::CredentialError) -> Self {
        use core::CredentialError as E;
        let code = err.code().to_string();
        let detail = err.to_string();
        match err {
            E::NotFound { profile, searched } => CredentialError::NotFound {
                code,
                profile,
                searched,
                detail,
            },
            E::InvalidKey { origin, reason } => CredentialError::InvalidKey {
                code,
                origin,
                key: reason.kind().into(),
                detail,
            },
            E::Incomplete { .. } => CredentialError::Incomplete { code, detail },
            E::Conflict { variables } => CredentialError::Conflict {
                code,
                variables,
                detail,
            },
            E::InvalidBaseUrl { .. } => CredentialError::InvalidBaseUrl { code, detail },
            E::InvalidProfileName { .. } => CredentialError::InvalidProfileName { code, detail },
            E::InsecurePermissions { path, .. } => {
                CredentialError::InsecurePermissions { code, path, detail }
            }
            E::FileFormat { path, .. } => CredentialError::FileFormat { code, path, detail },
            E::Io { path, .. } => CredentialError::Io { code, path, detail },
            E::Keychain(_) => CredentialError::Keychain { code, detail },
            E::Store(_) => CredentialError::Store { code, detail },
        }
    }
}

/// Back to the core error, for stores implemented in other languages whose
/// errors travel through the core's credential chain.
impl From<CredentialError> for core::CredentialError {
    fn from(err: CredentialError) -> Self {
        match err {
            CredentialError::Store { detail, .. } => core::CredentialError::Store(detail),
            other => core::CredentialError::Store(other.to_string()),
        }
    }
}

/// A foreign store's method failed in a way its language did not declare.
impl From<uniffi::UnexpectedUniFFICallbackError> for CredentialError {
    fn from(err: uniffi::UnexpectedUniFFICallbackError) -> Self {
        CredentialError::store(format!("unexpected error in the store: {}", err.reason))
    }
}

/// An admin operation of the verifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum AdminError {
    /// The account, user or key does not exist.
    #[error("{detail}")]
    NotFound {
        /// `not_found`.
        code: String,
        /// What was looked for (`account`, `user`, `user key`, `account key`).
        what: String,
        /// The full message.
        detail: String,
    },
    /// The acting user or the key's owner is not an owner of the account.
    #[error("{detail}")]
    NotAllowed {
        /// `not_allowed`.
        code: String,
        /// The full message.
        detail: String,
    },
    /// A name, email or key name breaks its rule.
    #[error("{detail}")]
    InvalidName {
        /// `invalid_name`.
        code: String,
        /// Which value (`key name`, `account name`, `user name`, `email`).
        what: String,
        /// The full message.
        detail: String,
    },
    /// A key with this name already exists in the account.
    #[error("{detail}")]
    NameTaken {
        /// `name_taken`.
        code: String,
        /// The full message.
        detail: String,
    },
    /// An allow-list entry is not a valid CIDR.
    #[error("{detail}")]
    InvalidCidr {
        /// `invalid_cidr`.
        code: String,
        /// The entry as written.
        entry: String,
        /// The full message.
        detail: String,
    },
    /// The allow list has too many entries.
    #[error("{detail}")]
    AllowListTooLong {
        /// `allow_list_too_long`.
        code: String,
        /// The full message.
        detail: String,
    },
    /// The OS random generator failed.
    #[error("{detail}")]
    Randomness {
        /// `randomness`.
        code: String,
        /// The full message.
        detail: String,
    },
    /// The store failed (`store_conflict`, `store_duplicate`,
    /// `store_unavailable`, `store_newer_schema`).
    #[error("{detail}")]
    Store {
        /// The store error's code.
        code: String,
        /// The full message.
        detail: String,
    },
}

impl From<redis_cloud_auth::verify::AdminError> for AdminError {
    fn from(err: redis_cloud_auth::verify::AdminError) -> Self {
        use redis_cloud_auth::verify::AdminError as E;
        let code = err.code().to_string();
        let detail = err.to_string();
        match err {
            E::NotFound { what } => AdminError::NotFound {
                code,
                what: what.to_string(),
                detail,
            },
            E::NotAllowed { .. } => AdminError::NotAllowed { code, detail },
            E::InvalidName { what, .. } => AdminError::InvalidName {
                code,
                what: what.to_string(),
                detail,
            },
            E::NameTaken { .. } => AdminError::NameTaken { code, detail },
            E::InvalidCidr { entry, .. } => AdminError::InvalidCidr {
                code,
                entry,
                detail,
            },
            E::AllowListTooLong { .. } => AdminError::AllowListTooLong { code, detail },
            E::Randomness => AdminError::Randomness { code, detail },
            E::Store(_) => AdminError::Store { code, detail },
        }
    }
}

/// Why a request did not authenticate. `detail` is the precise reason, for
/// logs; a caller is shown only `http_status` and `public_message`, in
/// which an account mismatch reads like an invalid user key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum AuthFailure {
    /// The account has not enabled the API.
    #[error("{detail}")]
    ApiDisabled {
        /// `api_disabled`.
        code: String,
        /// 401.
        http_status: u16,
        /// What the caller is shown.
        public_message: String,
        /// The code the caller is shown (`unauthorized`, `forbidden`,
        /// `service_unavailable`, `internal_error`).
        public_code: String,
        /// The precise reason.
        detail: String,
    },
    /// A key header is absent or empty.
    #[error("{detail}")]
    MissingCredentials {
        /// `missing_credentials`.
        code: String,
        /// 401.
        http_status: u16,
        /// What the caller is shown.
        public_message: String,
        /// The code the caller is shown (`unauthorized`, `forbidden`,
        /// `service_unavailable`, `internal_error`).
        public_code: String,
        /// The precise reason.
        detail: String,
        /// The header.
        header: String,
    },
    /// A key header is repeated or not a well-formed key.
    #[error("{detail}")]
    MalformedCredentials {
        /// `malformed_credentials`.
        code: String,
        /// 401.
        http_status: u16,
        /// What the caller is shown.
        public_message: String,
        /// The code the caller is shown (`unauthorized`, `forbidden`,
        /// `service_unavailable`, `internal_error`).
        public_code: String,
        /// The precise reason.
        detail: String,
        /// The header.
        header: String,
    },
    /// No account has this account key.
    #[error("{detail}")]
    InvalidAccountKey {
        /// `invalid_account_key`.
        code: String,
        /// 401.
        http_status: u16,
        /// What the caller is shown.
        public_message: String,
        /// The code the caller is shown (`unauthorized`, `forbidden`,
        /// `service_unavailable`, `internal_error`).
        public_code: String,
        /// The precise reason.
        detail: String,
    },
    /// No user key has this value.
    #[error("{detail}")]
    InvalidUserKey {
        /// `invalid_user_key`.
        code: String,
        /// 401.
        http_status: u16,
        /// What the caller is shown.
        public_message: String,
        /// The code the caller is shown (`unauthorized`, `forbidden`,
        /// `service_unavailable`, `internal_error`).
        public_code: String,
        /// The precise reason.
        detail: String,
    },
    /// The user key belongs to another account.
    #[error("{detail}")]
    AccountMismatch {
        /// `account_mismatch`.
        code: String,
        /// 401.
        http_status: u16,
        /// What the caller is shown.
        public_message: String,
        /// The code the caller is shown (`unauthorized`, `forbidden`,
        /// `service_unavailable`, `internal_error`).
        public_code: String,
        /// The precise reason.
        detail: String,
    },
    /// The key's owner no longer has the owner role.
    #[error("{detail}")]
    OwnerRoleRevoked {
        /// `owner_role_revoked`.
        code: String,
        /// 401.
        http_status: u16,
        /// What the caller is shown.
        public_message: String,
        /// The code the caller is shown (`unauthorized`, `forbidden`,
        /// `service_unavailable`, `internal_error`).
        public_code: String,
        /// The precise reason.
        detail: String,
    },
    /// The source IP is outside the key's allow list.
    #[error("{detail}")]
    SourceIpNotAllowed {
        /// `source_ip_not_allowed`.
        code: String,
        /// 403.
        http_status: u16,
        /// What the caller is shown.
        public_message: String,
        /// The code the caller is shown (`unauthorized`, `forbidden`,
        /// `service_unavailable`, `internal_error`).
        public_code: String,
        /// The precise reason.
        detail: String,
        /// The source IP the verifier saw.
        source_ip: String,
    },
    /// The verifier's store could not be read; retry later.
    #[error("{detail}")]
    StoreUnavailable {
        /// `store_unavailable`.
        code: String,
        /// 503.
        http_status: u16,
        /// What the caller is shown.
        public_message: String,
        /// The code the caller is shown (`unauthorized`, `forbidden`,
        /// `service_unavailable`, `internal_error`).
        public_code: String,
        /// The precise reason.
        detail: String,
    },
    /// The peer address given to `authenticate` is not an IP address (a
    /// mistake of the calling code, not of the request).
    #[error("{detail}")]
    InvalidPeerAddress {
        /// `invalid_peer_address`.
        code: String,
        /// 500.
        http_status: u16,
        /// What the caller is shown.
        public_message: String,
        /// The code the caller is shown (`unauthorized`, `forbidden`,
        /// `service_unavailable`, `internal_error`).
        public_code: String,
        /// The precise reason.
        detail: String,
    },
}

impl From<redis_cloud_auth::AuthFailure> for AuthFailure {
    fn from(failure: redis_cloud_auth::AuthFailure) -> Self {
        use redis_cloud_auth::AuthFailure as F;
        let code = failure.code().to_string();
        let http_status = failure.http_status();
        let public_message = failure.public_message();
        let public_code = failure.public_code().to_string();
        let detail = failure.to_string();
        match failure {
            F::ApiDisabled => AuthFailure::ApiDisabled {
                code,
                http_status,
                public_message,
                public_code,
                detail,
            },
            F::MissingCredentials(e) => AuthFailure::MissingCredentials {
                code,
                http_status,
                public_message,
                public_code,
                detail,
                header: e.header().to_string(),
            },
            F::MalformedCredentials(e) => AuthFailure::MalformedCredentials {
                code,
                http_status,
                public_message,
                public_code,
                detail,
                header: e.header().to_string(),
            },
            F::InvalidAccountKey => AuthFailure::InvalidAccountKey {
                code,
                http_status,
                public_message,
                public_code,
                detail,
            },
            F::InvalidUserKey => AuthFailure::InvalidUserKey {
                code,
                http_status,
                public_message,
                public_code,
                detail,
            },
            F::AccountMismatch => AuthFailure::AccountMismatch {
                code,
                http_status,
                public_message,
                public_code,
                detail,
            },
            F::OwnerRoleRevoked => AuthFailure::OwnerRoleRevoked {
                code,
                http_status,
                public_message,
                public_code,
                detail,
            },
            F::SourceIpNotAllowed { source_ip } => AuthFailure::SourceIpNotAllowed {
                code,
                http_status,
                public_message,
                public_code,
                detail,
                source_ip: source_ip.to_string(),
            },
            F::StoreUnavailable => AuthFailure::StoreUnavailable {
                code,
                http_status,
                public_message,
                public_code,
                detail,
            },
            F::InvalidPeerAddress => AuthFailure::InvalidPeerAddress {
                code,
                http_status,
                public_message,
                public_code,
                detail,
            },
        }
    }
}

/// A call to the API did not succeed. No message holds a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum ClientError {
    /// 401: the server did not accept the keys.
    #[error("{detail}")]
    Unauthorized {
        /// `unauthorized`.
        code: String,
        /// 401.
        status: u16,
        /// The full message.
        detail: String,
    },
    /// 403: the request is not allowed (chiefly: source IP outside the
    /// key's allow list).
    #[error("{detail}")]
    Forbidden {
        /// `forbidden`.
        code: String,
        /// 403.
        status: u16,
        /// The full message.
        detail: String,
    },
    /// 429: over the rate limit after every allowed retry.
    #[error("{detail}")]
    RateLimited {
        /// `rate_limited`.
        code: String,
        /// 429.
        status: u16,
        /// How long the server asked to wait, when it said.
        retry_after: Option<std::time::Duration>,
        /// The full message.
        detail: String,
    },
    /// 404: no such resource.
    #[error("{detail}")]
    NotFound {
        /// `not_found`.
        code: String,
        /// 404.
        status: u16,
        /// The full message.
        detail: String,
    },
    /// Any other unsuccessful answer, or a body that is not the expected JSON.
    #[error("{detail}")]
    Api {
        /// `api_error`.
        code: String,
        /// The HTTP status.
        status: u16,
        /// The full message.
        detail: String,
    },
    /// The request did not complete within the timeout.
    #[error("{detail}")]
    Timeout {
        /// `timeout`.
        code: String,
        /// The full message.
        detail: String,
    },
    /// The connection failed (refused, reset, DNS, TLS).
    #[error("{detail}")]
    Transport {
        /// `transport`.
        code: String,
        /// The full message.
        detail: String,
    },
    /// The call was rejected before sending: bad path, method, body or option.
    #[error("{detail}")]
    InvalidRequest {
        /// `invalid_request`.
        code: String,
        /// The full message.
        detail: String,
    },
    /// Credentials could not be found or were invalid.
    #[error("{detail}")]
    Credentials {
        /// `credentials`.
        code: String,
        /// The credential error's own code (`not_found`, `invalid_key`, ...).
        credential_code: String,
        /// The full message.
        detail: String,
    },
}

impl From<redis_cloud_auth::ClientError> for ClientError {
    fn from(err: redis_cloud_auth::ClientError) -> Self {
        use redis_cloud_auth::ClientError as E;
        let code = err.code().to_string();
        let detail = err.to_string();
        let status = err.status().unwrap_or_default();
        match err {
            E::Unauthorized => ClientError::Unauthorized {
                code,
                status,
                detail,
            },
            E::Forbidden => ClientError::Forbidden {
                code,
                status,
                detail,
            },
            E::RateLimited { retry_after } => ClientError::RateLimited {
                code,
                status,
                retry_after,
                detail,
            },
            E::NotFound { .. } => ClientError::NotFound {
                code,
                status,
                detail,
            },
            E::Api { .. } => ClientError::Api {
                code,
                status,
                detail,
            },
            E::Timeout => ClientError::Timeout { code, detail },
            E::Transport { .. } => ClientError::Transport { code, detail },
            E::InvalidRequest { .. } => ClientError::InvalidRequest { code, detail },
            E::Credentials(inner) => ClientError::Credentials {
                code,
                credential_code: inner.code().to_string(),
                detail,
            },
        }
    }
}

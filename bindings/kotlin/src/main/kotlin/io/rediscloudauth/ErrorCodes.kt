// The stable `code` and secret-free `detail` of every exception, readable
// on the sealed base class without a `when` over its variants.
package io.rediscloudauth

/** The stable code of this error (`empty_key`, `key_length`, `key_character`). */
val ApiKeyException.code: String
    get() = when (this) {
        is ApiKeyException.Empty -> code
        is ApiKeyException.Length -> code
        is ApiKeyException.Character -> code
    }

/** Which key was rejected. */
val ApiKeyException.key: KeyKind
    get() = when (this) {
        is ApiKeyException.Empty -> key
        is ApiKeyException.Length -> key
        is ApiKeyException.Character -> key
    }

/** What is wrong, without the key's value. */
val ApiKeyException.detail: String
    get() = when (this) {
        is ApiKeyException.Empty -> detail
        is ApiKeyException.Length -> detail
        is ApiKeyException.Character -> detail
    }

/** The stable code of this error (`missing_header`, `empty_header`, ...). */
val HeaderException.code: String
    get() = when (this) {
        is HeaderException.Missing -> code
        is HeaderException.Empty -> code
        is HeaderException.Duplicate -> code
        is HeaderException.Malformed -> code
    }

/** The name of the header the error is about. */
val HeaderException.header: String
    get() = when (this) {
        is HeaderException.Missing -> header
        is HeaderException.Empty -> header
        is HeaderException.Duplicate -> header
        is HeaderException.Malformed -> header
    }

/** What is wrong, without the header's value. */
val HeaderException.detail: String
    get() = when (this) {
        is HeaderException.Missing -> detail
        is HeaderException.Empty -> detail
        is HeaderException.Duplicate -> detail
        is HeaderException.Malformed -> detail
    }

/** The stable code of this error (`not_found`, `invalid_key`, `store`, ...). */
val CredentialException.code: String
    get() = when (this) {
        is CredentialException.NotFound -> code
        is CredentialException.InvalidKey -> code
        is CredentialException.Incomplete -> code
        is CredentialException.Conflict -> code
        is CredentialException.InvalidBaseUrl -> code
        is CredentialException.InvalidProfileName -> code
        is CredentialException.InsecurePermissions -> code
        is CredentialException.FileFormat -> code
        is CredentialException.Io -> code
        is CredentialException.Keychain -> code
        is CredentialException.Store -> code
    }

/** The full message, without any key. */
val CredentialException.detail: String
    get() = when (this) {
        is CredentialException.NotFound -> detail
        is CredentialException.InvalidKey -> detail
        is CredentialException.Incomplete -> detail
        is CredentialException.Conflict -> detail
        is CredentialException.InvalidBaseUrl -> detail
        is CredentialException.InvalidProfileName -> detail
        is CredentialException.InsecurePermissions -> detail
        is CredentialException.FileFormat -> detail
        is CredentialException.Io -> detail
        is CredentialException.Keychain -> detail
        is CredentialException.Store -> detail
    }

/**
 * The error a [CredentialStore] written in Kotlin throws when it fails:
 * `throw storeError("keystore locked")`. Never put a key in [detail].
 */
fun storeError(detail: String): CredentialException.Store = CredentialException.Store("store", detail)

/** The stable code of this error (`not_found`, `not_allowed`, `invalid_cidr`, `store_*`...). */
val AdminException.code: String
    get() = when (this) {
        is AdminException.NotFound -> code
        is AdminException.NotAllowed -> code
        is AdminException.InvalidName -> code
        is AdminException.NameTaken -> code
        is AdminException.InvalidCidr -> code
        is AdminException.AllowListTooLong -> code
        is AdminException.Randomness -> code
        is AdminException.Store -> code
    }

/** What went wrong, without any key. */
val AdminException.detail: String
    get() = when (this) {
        is AdminException.NotFound -> detail
        is AdminException.NotAllowed -> detail
        is AdminException.InvalidName -> detail
        is AdminException.NameTaken -> detail
        is AdminException.InvalidCidr -> detail
        is AdminException.AllowListTooLong -> detail
        is AdminException.Randomness -> detail
        is AdminException.Store -> detail
    }

/** The stable code of this failure (`invalid_user_key`, `source_ip_not_allowed`, ...). */
val AuthFailure.code: String
    get() = when (this) {
        is AuthFailure.ApiDisabled -> code
        is AuthFailure.MissingCredentials -> code
        is AuthFailure.MalformedCredentials -> code
        is AuthFailure.InvalidAccountKey -> code
        is AuthFailure.InvalidUserKey -> code
        is AuthFailure.AccountMismatch -> code
        is AuthFailure.OwnerRoleRevoked -> code
        is AuthFailure.SourceIpNotAllowed -> code
        is AuthFailure.SourceIpUnknown -> code
        is AuthFailure.StoreUnavailable -> code
        is AuthFailure.InvalidPeerAddress -> code
    }

/** The HTTP status to answer with (401, 403, 500...). */
val AuthFailure.httpStatus: UShort
    get() = when (this) {
        is AuthFailure.ApiDisabled -> httpStatus
        is AuthFailure.MissingCredentials -> httpStatus
        is AuthFailure.MalformedCredentials -> httpStatus
        is AuthFailure.InvalidAccountKey -> httpStatus
        is AuthFailure.InvalidUserKey -> httpStatus
        is AuthFailure.AccountMismatch -> httpStatus
        is AuthFailure.OwnerRoleRevoked -> httpStatus
        is AuthFailure.SourceIpNotAllowed -> httpStatus
        is AuthFailure.SourceIpUnknown -> httpStatus
        is AuthFailure.StoreUnavailable -> httpStatus
        is AuthFailure.InvalidPeerAddress -> httpStatus
    }

/** The message safe to send to the caller: it never tells which rule failed. */
val AuthFailure.publicMessage: String
    get() = when (this) {
        is AuthFailure.ApiDisabled -> publicMessage
        is AuthFailure.MissingCredentials -> publicMessage
        is AuthFailure.MalformedCredentials -> publicMessage
        is AuthFailure.InvalidAccountKey -> publicMessage
        is AuthFailure.InvalidUserKey -> publicMessage
        is AuthFailure.AccountMismatch -> publicMessage
        is AuthFailure.OwnerRoleRevoked -> publicMessage
        is AuthFailure.SourceIpNotAllowed -> publicMessage
        is AuthFailure.SourceIpUnknown -> publicMessage
        is AuthFailure.StoreUnavailable -> publicMessage
        is AuthFailure.InvalidPeerAddress -> publicMessage
    }

/** The code the caller is shown (`unauthorized`, `forbidden`, `service_unavailable`). */
val AuthFailure.publicCode: String
    get() = when (this) {
        is AuthFailure.ApiDisabled -> publicCode
        is AuthFailure.MissingCredentials -> publicCode
        is AuthFailure.MalformedCredentials -> publicCode
        is AuthFailure.InvalidAccountKey -> publicCode
        is AuthFailure.InvalidUserKey -> publicCode
        is AuthFailure.AccountMismatch -> publicCode
        is AuthFailure.OwnerRoleRevoked -> publicCode
        is AuthFailure.SourceIpNotAllowed -> publicCode
        is AuthFailure.SourceIpUnknown -> publicCode
        is AuthFailure.StoreUnavailable -> publicCode
        is AuthFailure.InvalidPeerAddress -> publicCode
    }

/** The precise reason, for the server's own logs; never a key. */
val AuthFailure.detail: String
    get() = when (this) {
        is AuthFailure.ApiDisabled -> detail
        is AuthFailure.MissingCredentials -> detail
        is AuthFailure.MalformedCredentials -> detail
        is AuthFailure.InvalidAccountKey -> detail
        is AuthFailure.InvalidUserKey -> detail
        is AuthFailure.AccountMismatch -> detail
        is AuthFailure.OwnerRoleRevoked -> detail
        is AuthFailure.SourceIpNotAllowed -> detail
        is AuthFailure.SourceIpUnknown -> detail
        is AuthFailure.StoreUnavailable -> detail
        is AuthFailure.InvalidPeerAddress -> detail
    }

/** The stable code of this error (`unauthorized`, `rate_limited`, `timeout`, ...). */
val ClientException.code: String
    get() = when (this) {
        is ClientException.Unauthorized -> code
        is ClientException.Forbidden -> code
        is ClientException.RateLimited -> code
        is ClientException.NotFound -> code
        is ClientException.Api -> code
        is ClientException.Timeout -> code
        is ClientException.Transport -> code
        is ClientException.InvalidRequest -> code
        is ClientException.Credentials -> code
    }

/** The HTTP status the server answered, or null when there was no answer. */
val ClientException.status: UShort?
    get() = when (this) {
        is ClientException.Unauthorized -> status
        is ClientException.Forbidden -> status
        is ClientException.RateLimited -> status
        is ClientException.NotFound -> status
        is ClientException.Api -> status
        is ClientException.Timeout, is ClientException.Transport,
        is ClientException.InvalidRequest, is ClientException.Credentials -> null
    }

/** What went wrong, without any key. */
val ClientException.detail: String
    get() = when (this) {
        is ClientException.Unauthorized -> detail
        is ClientException.Forbidden -> detail
        is ClientException.RateLimited -> detail
        is ClientException.NotFound -> detail
        is ClientException.Api -> detail
        is ClientException.Timeout -> detail
        is ClientException.Transport -> detail
        is ClientException.InvalidRequest -> detail
        is ClientException.Credentials -> detail
    }

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

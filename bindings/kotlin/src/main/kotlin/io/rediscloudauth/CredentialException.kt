// `code` and `detail` of a CredentialException, the one error that is an
// enum (a store written in Kotlin throws it); every other error of this
// library is an error object whose generated methods (`code()`, `detail()`,
// ...) read the core's error.
package io.rediscloudauth

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

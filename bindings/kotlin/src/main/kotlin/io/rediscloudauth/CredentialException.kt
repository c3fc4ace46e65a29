// `code` and `detail` of CredentialException, the one error that is an enum (a Kotlin store throws it).
package io.rediscloudauth

/** The `code` and `detail` every case declares. */
private val CredentialException.parts: Pair<String, String>
    get() = when (this) {
        is CredentialException.NotFound -> code to detail
        is CredentialException.InvalidKey -> code to detail
        is CredentialException.Incomplete -> code to detail
        is CredentialException.Conflict -> code to detail
        is CredentialException.InvalidBaseUrl -> code to detail
        is CredentialException.InvalidProfileName -> code to detail
        is CredentialException.InsecurePermissions -> code to detail
        is CredentialException.FileFormat -> code to detail
        is CredentialException.Io -> code to detail
        is CredentialException.Keychain -> code to detail
        is CredentialException.Store -> code to detail
    }

/** The stable code of this error (`not_found`, `invalid_key`, `store`, ...). */
val CredentialException.code: String get() = parts.first

/** The full message, without any key. */
val CredentialException.detail: String get() = parts.second

/**
 * The error a [CredentialStore] written in Kotlin throws when it fails:
 * `throw storeError("keystore locked")`. Never put a key in [detail].
 */
fun storeError(detail: String): CredentialException.Store = CredentialException.Store("store", detail)

package io.rediscloudauth

/** The `String` property every case declares, read by its getter (as Swift reads it with `Mirror`). */
private fun CredentialException.field(getter: String): String = javaClass.getMethod(getter).invoke(this) as String

/** The stable code of this error (`not_found`, `invalid_key`, `store`, ...). */
val CredentialException.code: String get() = field("getCode")

/** The full message, without any key. */
val CredentialException.detail: String get() = field("getDetail")

/**
 * The error a [CredentialStore] written in Kotlin throws when it fails:
 * `throw storeError("keystore locked")`. Never put a key in [detail].
 */
fun storeError(detail: String): CredentialException.Store = CredentialException.Store("store", detail)

// No key in toString, exception messages or the text forms of any object.
package io.rediscloudauth

import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

private const val ACCOUNT = "AccountKeySecret0123"
private const val USER = "UserKeySecret0123456"

class SecretsTest {
    private val keys = ApiKeys(ACCOUNT, USER)

    @Test
    fun `ApiKeys shows a fingerprint, never a key`() {
        val text = keys.toString()
        assertNoSecret(text, ACCOUNT, USER)
        assertTrue(keys.fingerprint() in text, text)
        assertTrue(keys.fingerprint().isNotEmpty())
        assertEquals(keyFingerprint(ACCOUNT), keys.accountFingerprint())
        assertEquals(keyFingerprint(USER), keys.userFingerprint())
        assertNotEquals(keys.accountFingerprint(), keys.userFingerprint())
        assertNoSecret(keys.accountFingerprint() + keys.userFingerprint(), ACCOUNT, USER)
    }

    @Test
    fun `Credentials and Resolved show no key`() {
        val credentials = Credentials(keys, "http://127.0.0.1:9/v1")
        assertNoSecret(credentials.toString(), ACCOUNT, USER)
        assertTrue("127.0.0.1:9" in credentials.toString(), credentials.toString())
        val resolved = CredentialChain().environment(emptyMap()).profileFile(null).keychain(null)
            .explicit(credentials).resolve()
        assertEquals(CredentialSource.EXPLICIT, resolved.source)
        assertNoSecret(resolved.toString(), ACCOUNT, USER)
    }

    @Test
    fun `equality compares the keys without showing them`() {
        assertEquals(ApiKeys(ACCOUNT, USER), keys)
        assertNotEquals(ApiKeys(ACCOUNT, "UserKeySecret0123457"), keys)
    }

    @Test
    fun `equal keys hash alike, so they work as map keys`() {
        assertEquals(keys.hashCode(), ApiKeys(ACCOUNT, USER).hashCode())
        val seen = hashSetOf(keys, ApiKeys(ACCOUNT, USER), ApiKeys(ACCOUNT, "UserKeySecret0123457"))
        assertEquals(2, seen.size)
        assertTrue(ApiKeys(" $ACCOUNT ", USER) in seen)
    }

    @Test
    fun `key errors never hold the value`() {
        val bad = "UserKey with spaces inside"
        val caught = assertFailsWith<ApiKeyException> { ApiKeys(ACCOUNT, bad) }
        assertEquals("key_character", caught.code())
        assertEquals(KeyKind.USER, caught.key())
        assertEquals(7UL, caught.position())
        assertNoSecret("${caught.message} $caught ${caught.stackTraceToString()}", bad, ACCOUNT)
    }

    @Test
    fun `credential errors from the environment never hold the value`() {
        val env = mapOf("REDIS_CLOUD_ACCOUNT_KEY" to ACCOUNT, "REDIS_CLOUD_USER_KEY" to "User\u00e9Secret0123456")
        val caught = assertFailsWith<CredentialException.InvalidKey> {
            CredentialChain().environment(env).profileFile(null).keychain(null).resolve()
        }
        assertEquals(KeyKind.USER, caught.key)
        assertTrue("REDIS_CLOUD_USER_KEY" in caught.origin, caught.origin)
        assertNoSecret("${caught.message} $caught", ACCOUNT, "User\u00e9Secret0123456")
    }

    @Test
    fun `header errors never hold the value`() {
        val value = "Account Key Secret 0123"
        val caught = assertFailsWith<HeaderException> {
            parseAuthHeaders(listOf(HeaderPair("x-api-key", value), HeaderPair("x-api-secret-key", USER)))
        }
        assertEquals("malformed_header", caught.code())
        assertEquals("x-api-key", caught.header())
        assertNoSecret("${caught.message} $caught", value, USER)
    }
}

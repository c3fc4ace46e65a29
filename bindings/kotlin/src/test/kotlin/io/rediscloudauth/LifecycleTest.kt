// Native objects: closing them, using them after close, and leaving them to
// the cleaner; none of it may crash the JVM or leak a key.
package io.rediscloudauth

import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

class LifecycleTest {
    @Test
    fun `a closed object refuses calls with an exception`() {
        val keys = ApiKeys("AccountKey0123", "UserKeyClosed0123")
        keys.use { assertEquals("AccountKey0123", it.exposeAccountKey()) }
        val caught = assertFailsWith<IllegalStateException> { keys.exposeUserKey() }
        assertTrue("destroyed" in caught.message.orEmpty(), caught.message)
        assertNoSecret("${caught.message}", "UserKeyClosed0123")
        keys.close() // a second close is harmless
    }

    @Test
    fun `objects given to other objects outlive the caller's close`() {
        val keys = ApiKeys("AccountKey0123", "UserKeyShared01234")
        val credentials = Credentials(keys, null)
        val chain = CredentialChain().environment(emptyMap()).profileFile(null).keychain(null).explicit(credentials)
        keys.close()
        credentials.close()
        assertEquals("UserKeyShared01234", chain.resolve().credentials.keys().exposeUserKey())
        chain.close()
    }

    @Test
    fun `objects left to the cleaner are freed without a crash`() {
        repeat(5_000) { i -> ApiKeys("AccountKey0123", "UserKeyGarbage$i-x") }
        repeat(3) {
            System.gc()
            Thread.sleep(50)
        }
        // The library still works after the cleaner freed the others.
        assertEquals("x-api-key", accountKeyHeader())
        assertEquals(keyFingerprint("AccountKey0123"), ApiKeys("AccountKey0123", "UserKeyAfter01234").accountFingerprint())
    }
}

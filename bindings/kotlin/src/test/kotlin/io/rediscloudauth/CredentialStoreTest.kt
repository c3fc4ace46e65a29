// Credential stores: the library's own, and one written in Kotlin behind the
// foreign `CredentialStore` trait (as an Android Keystore-backed store would be).
package io.rediscloudauth

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermission
import java.nio.file.attribute.PosixFilePermissions
import java.util.UUID
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.io.path.readText
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

private const val ACCOUNT = "AccountKey0123"
private const val USER = "UserKeyStore0123456"

private fun credentials(user: String = USER, baseUrl: String? = null) =
    Credentials(ApiKeys(ACCOUNT, user), baseUrl)

/**
 * What an application's own secure storage looks like: plain strings in a
 * map, as a platform keystore would hold them once decrypted.
 */
class MapStore : CredentialStore {
    private data class Entry(val account: String, val user: String, val baseUrl: String?) {
        override fun toString() = "Entry(<redacted>)"
    }

    private val saved = ConcurrentHashMap<String, Entry>()

    /** Every call the library made, in order. */
    val calls = CopyOnWriteArrayList<String>()

    override fun save(profile: String, credentials: Credentials) {
        calls += "save $profile"
        val keys = credentials.keys()
        saved[profile] = Entry(keys.exposeAccountKey(), keys.exposeUserKey(), credentials.baseUrl())
    }

    override fun load(profile: String): Credentials? {
        calls += "load $profile"
        val entry = saved[profile] ?: return null
        return Credentials(ApiKeys(entry.account, entry.user), entry.baseUrl)
    }

    override fun delete(profile: String): Boolean {
        calls += "delete $profile"
        return saved.remove(profile) != null
    }

    override fun describe() = "map store"
}

/** A store whose backend fails, the way a locked keystore does. */
private class FailingStore(private val failure: () -> Exception) : CredentialStore {
    override fun save(profile: String, credentials: Credentials) = throw failure()
    override fun load(profile: String): Credentials? = throw failure()
    override fun delete(profile: String): Boolean = throw failure()
    override fun describe() = "failing store"
}

class CredentialStoreTest {
    @TempDir
    lateinit var dir: Path

    private fun roundTrip(store: CredentialStore, profile: String) {
        assertNull(store.load(profile))
        assertFalse(store.delete(profile))
        val saved = credentials(baseUrl = "http://127.0.0.1:1/v1")
        store.save(profile, saved)
        val loaded = assertNotNullValue(store.load(profile))
        assertEquals(saved, loaded)
        assertEquals(USER, loaded.keys().exposeUserKey())
        assertEquals("http://127.0.0.1:1/v1", loaded.baseUrl())
        store.save(profile, credentials(user = "UserKeyReplaced01"))
        assertEquals("UserKeyReplaced01", store.load(profile)?.keys()?.exposeUserKey())
        assertTrue(store.delete(profile))
        assertNull(store.load(profile))
    }

    private fun <T : Any> assertNotNullValue(value: T?): T {
        kotlin.test.assertNotNull(value)
        return value
    }

    @Test
    fun `every CredentialException case gives its code and detail`() {
        // `code` and `detail` are read by each case's getters.
        val cases = CredentialException::class.java.declaredClasses
            .filter { CredentialException::class.java.isAssignableFrom(it) }
        assertTrue(cases.size > 10, cases.toString())
        for (case in cases) {
            // Every case's fields: `code` first, `detail` last, others between.
            val constructor = case.constructors.single()
            val types = constructor.parameterTypes
            val args = types.mapIndexed { i, type ->
                when {
                    i == 0 -> "a_code"
                    i == types.lastIndex -> "a detail"
                    type == String::class.java -> "other"
                    type.isEnum -> type.enumConstants.first()
                    else -> emptyList<String>()
                }
            }
            val error = constructor.newInstance(*args.toTypedArray()) as CredentialException
            assertEquals("a_code", error.code, case.simpleName)
            assertEquals("a detail", error.detail, case.simpleName)
        }
    }

    @Test
    fun `memory store round trip`() {
        roundTrip(memoryStore(), "memory-profile")
        assertEquals("memory", memoryStore().describe())
    }

    @Test
    fun `file store round trip, mode 0600`() {
        val path = dir.resolve("nested/credentials.toml")
        val store = fileStore(path.toString())
        roundTrip(store, "file-profile")
        store.save("kept", credentials())
        assertEquals(
            setOf(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
            Files.getPosixFilePermissions(path),
        )
        assertTrue(USER in path.readText())
        assertTrue(path.toString() in store.describe())
    }

    @Test
    fun `file store refuses a file others can read`() {
        val path = dir.resolve("credentials.toml")
        fileStore(path.toString()).save("default", credentials())
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"))
        val caught = assertFailsWith<CredentialException.InsecurePermissions> {
            fileStore(path.toString()).load("default")
        }
        assertEquals("insecure_permissions", caught.code)
        assertEquals(path.toString(), caught.path)
        assertNoSecret("${caught.message} $caught", USER)
    }

    @Test
    fun `keychain store round trip`() {
        val service = "rca-kotlin-test-${UUID.randomUUID().toString().take(8)}"
        val store = keychainStore(service)
        roundTrip(store, "keychain-profile")
        assertTrue(service in store.describe())
    }

    @Test
    fun `keychain store found by the chain`() {
        val service = "rca-kotlin-chain-${UUID.randomUUID().toString().take(8)}"
        val store = keychainStore(service)
        store.save("ci", credentials(user = "UserKeyKeychain01"))
        try {
            val found = CredentialChain().environment(emptyMap()).profile("ci").profileFile(null).keychain(service).resolve()
            assertEquals(CredentialSource.KEYCHAIN, found.source)
            assertEquals("UserKeyKeychain01", found.credentials.keys().exposeUserKey())
        } finally {
            assertTrue(store.delete("ci"))
        }
    }

    @Test
    fun `store errors are typed`() {
        val badName = assertFailsWith<CredentialException.InvalidProfileName> {
            memoryStore().save("bad name", credentials())
        }
        assertEquals("invalid_profile_name", badName.code)
        val badUrl = assertFailsWith<CredentialException.InvalidBaseUrl> {
            Credentials(ApiKeys(ACCOUNT, USER), "ftp://example.test")
        }
        assertEquals("invalid_base_url", badUrl.code)
    }

    @Test
    fun `a Kotlin store round trips through its own interface`() {
        roundTrip(MapStore(), "kotlin-profile")
    }

    @Test
    fun `the chain finds credentials in a Kotlin store`() {
        val store = MapStore()
        store.save("app", credentials(user = "UserKeyFromKotlin1", baseUrl = "http://127.0.0.1:2/v1"))
        store.calls.clear()
        val chain = CredentialChain()
            .environment(emptyMap())
            .profileFile(null)
            .keychain(null)
            .profile("app")
            .store(store)
        val found = chain.resolve()
        assertEquals(CredentialSource.CUSTOM, found.source)
        assertEquals("app", found.profile)
        assertEquals("UserKeyFromKotlin1", found.credentials.keys().exposeUserKey())
        assertEquals("http://127.0.0.1:2/v1", found.credentials.baseUrl())
        assertEquals(listOf("load app"), store.calls.toList())
    }

    @Test
    fun `the chain says it searched a Kotlin store that had nothing`() {
        val store = MapStore()
        val chain = CredentialChain().environment(emptyMap()).profileFile(null).keychain(null).store(store)
        val caught = assertFailsWith<CredentialException.NotFound> { chain.resolve() }
        assertEquals("not_found", caught.code)
        assertEquals("default", caught.profile)
        assertTrue(caught.searched.any { "map store" in it }, caught.searched.toString())
        assertEquals(listOf("load default"), store.calls.toList())
    }

    @Test
    fun `a Kotlin store's typed error reaches the caller`() {
        val chain = CredentialChain().environment(emptyMap()).profileFile(null).keychain(null)
            .store(FailingStore { storeError("keystore is locked") })
        val caught = assertFailsWith<CredentialException.Store> { chain.resolve() }
        assertEquals("store", caught.code)
        assertTrue("keystore is locked" in caught.detail, caught.detail)
    }

    @Test
    fun `any other exception from a Kotlin store becomes a store error`() {
        val chain = CredentialChain().environment(emptyMap()).profileFile(null).keychain(null)
            .store(FailingStore { IllegalStateException("disk on fire") })
        val caught = assertFailsWith<CredentialException> { chain.resolve() }
        assertIs<CredentialException.Store>(caught)
        assertEquals("store", caught.code)
    }

    @Test
    fun `a Kotlin store serves many threads at once`() {
        val store = MapStore()
        store.save("default", credentials())
        val chain = CredentialChain().environment(emptyMap()).profileFile(null).keychain(null).store(store)
        val pool = Executors.newFixedThreadPool(8)
        try {
            val results = (1..64).map { pool.submit<String> { chain.resolve().credentials.keys().exposeUserKey() } }
            assertEquals(List(64) { USER }, results.map { it.get(30, TimeUnit.SECONDS) })
        } finally {
            pool.shutdown()
        }
        assertEquals(64, store.calls.count { it == "load default" })
    }
}

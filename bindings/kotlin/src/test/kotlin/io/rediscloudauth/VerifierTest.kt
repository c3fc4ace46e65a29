// The verifier on a temporary SQLite file and in memory: admin operations,
// every authentication outcome, the system log, trusted proxies, threads.
package io.rediscloudauth

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermission
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.io.TempDir
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.ValueSource
import org.junit.jupiter.api.Test

private const val OK_IP = "10.1.2.3"
private const val OUTSIDE_IP = "192.0.2.1"

/** One account with an owner, a member, an enabled API and a key; and a second account. */
class World(val verifier: Verifier) {
    val account = verifier.createAccount("acme")
    val owner = verifier.addUser(account, "Ada", "ada@example.com", Role.OWNER)
    val member = verifier.addUser(account, "Bob", "bob@example.com", Role.MEMBER)
    val accountKey = requireNotNull(verifier.enableApi(account)).expose()
    val userKey = verifier.createUserKey(account, owner, owner, "ci-deploy-key", listOf("10.0.0.0/8")).expose()
    val other = verifier.createAccount("globex")
    val otherOwner = verifier.addUser(other, "Eve", "eve@example.com", Role.OWNER)
    val otherAccountKey = requireNotNull(verifier.enableApi(other)).expose()
    val otherUserKey = verifier.createUserKey(other, otherOwner, otherOwner, "globex-app-key", emptyList()).expose()
}

/** The request headers carrying these keys (a null key is left out). */
fun authHeaders(accountKey: String?, userKey: String?, vararg extra: Pair<String, String>): List<HeaderPair> =
    listOfNotNull(
        accountKey?.let { HeaderPair("x-api-key", it) },
        userKey?.let { HeaderPair("x-api-secret-key", it) },
    ) + extra.map { HeaderPair(it.first, it.second) }

/** "ok" or the failure's code. */
fun Verifier.outcome(accountKey: String?, userKey: String?, peer: String, method: String = "GET", path: String = "/v1/"): String =
    try {
        authenticate(method, path, authHeaders(accountKey, userKey), peer)
        "ok"
    } catch (failure: AuthFailure) {
        failure.code()
    }

class VerifierTest {
    @TempDir
    lateinit var dir: Path

    private fun world(kind: String) = World(
        when (kind) {
            "sqlite" -> Verifier.openSqlite(dir.resolve("verifier.db").toString())
            else -> Verifier.inMemory()
        },
    )

    @ParameterizedTest
    @ValueSource(strings = ["sqlite", "memory"])
    fun `success gives the principal`(kind: String) {
        val w = world(kind)
        val principal = w.verifier.authenticate("POST", "/v1/subscriptions", authHeaders(w.accountKey, w.userKey), OK_IP)
        assertEquals(
            Principal(w.account, "acme", w.owner, "Ada", "ada@example.com", "ci-deploy-key", OK_IP),
            principal,
        )
        assertNoSecret(principal.toString(), w.accountKey, w.userKey)
    }

    @ParameterizedTest
    @ValueSource(strings = ["sqlite", "memory"])
    fun `every failure has its code, status and public message`(kind: String) {
        val w = world(kind)
        val v = w.verifier
        val cases = mapOf(
            "source_ip_not_allowed" to Triple(w.accountKey, w.userKey, OUTSIDE_IP),
            "missing_credentials" to Triple(w.accountKey, null, OK_IP),
            "malformed_credentials" to Triple(w.accountKey, "has spaces in it", OK_IP),
            "invalid_account_key" to Triple("NoSuchAccountKey0123", w.userKey, OK_IP),
            "invalid_user_key" to Triple(w.accountKey, "NoSuchUserKey0123456", OK_IP),
            "account_mismatch" to Triple(w.accountKey, w.otherUserKey, OK_IP),
            "invalid_peer_address" to Triple(w.accountKey, w.userKey, "not-an-ip"),
        )
        for ((code, args) in cases) {
            assertEquals(code, v.outcome(args.first, args.second, args.third), code)
        }
        val outside = assertFailsWith<AuthFailure> {
            v.authenticate("GET", "/v1/", authHeaders(w.accountKey, w.userKey), OUTSIDE_IP)
        }
        assertEquals("source_ip_not_allowed", outside.code())
        assertEquals(403.toUShort(), outside.httpStatus())
        assertEquals("forbidden", outside.publicCode())
        assertEquals(OUTSIDE_IP, outside.sourceIp())
        assertNull(outside.header())
        assertTrue("allow list" in outside.detail(), outside.detail())
        // The body rcauth serve answers with, rendered by the core.
        assertEquals(
            """{"error":"forbidden","message":"${outside.publicMessage()}","status":403}""",
            outside.errorBody(),
        )
        val mismatch = assertFailsWith<AuthFailure> {
            v.authenticate("GET", "/v1/", authHeaders(w.accountKey, w.otherUserKey), OK_IP)
        }
        val unknown = assertFailsWith<AuthFailure> {
            v.authenticate("GET", "/v1/", authHeaders(w.accountKey, "NoSuchUserKey0123456"), OK_IP)
        }
        assertEquals(listOf("account_mismatch", "invalid_user_key"), listOf(mismatch.code(), unknown.code()))
        // A caller cannot tell a key of another account from an unknown one.
        assertEquals(unknown.publicMessage(), mismatch.publicMessage())
        assertEquals(unknown.errorBody(), mismatch.errorBody())
        assertEquals(401.toUShort(), mismatch.httpStatus())
        assertEquals(401.toUShort(), unknown.httpStatus())
        val missing = assertFailsWith<AuthFailure> {
            v.authenticate("GET", "/v1/", authHeaders(null, w.userKey), OK_IP)
        }
        assertEquals("missing_credentials", missing.code())
        assertEquals("x-api-key", missing.header())
        assertNull(missing.sourceIp())
        for (failure in listOf(outside, mismatch, unknown, missing)) {
            assertNoSecret("${failure.detail()} $failure ${failure.publicMessage()} ${failure.errorBody()}", w.accountKey, w.userKey, w.otherUserKey)
        }
    }

    @Test
    fun `a disabled API and a revoked owner`() {
        val w = world("sqlite")
        val v = w.verifier
        v.disableApi(w.account)
        assertFalse(v.apiEnabled(w.account))
        assertEquals("api_disabled", v.outcome(w.accountKey, w.userKey, OK_IP))
        assertNull(v.enableApi(w.account)) // the key is kept, not shown again
        assertEquals("ok", v.outcome(w.accountKey, w.userKey, OK_IP))
        v.setUserRole(w.account, w.owner, Role.VIEWER)
        assertEquals("owner_role_revoked", v.outcome(w.accountKey, w.userKey, OK_IP))
        assertEquals(listOf(false), v.listUserKeys(w.account).map { it.active })
        v.setUserRole(w.account, w.owner, Role.OWNER)
        assertEquals("ok", v.outcome(w.accountKey, w.userKey, OK_IP))
    }

    @Test
    fun `a key's life with allow lists, a second key, deletion and rotation`() {
        val w = world("sqlite")
        val (v, a, owner) = Triple(w.verifier, w.account, w.owner)
        v.setAllowList(a, owner, "ci-deploy-key", listOf("192.0.2.0/24"))
        assertEquals("ok", v.outcome(w.accountKey, w.userKey, OUTSIDE_IP))
        assertEquals("source_ip_not_allowed", v.outcome(w.accountKey, w.userKey, OK_IP))
        v.setAllowList(a, owner, "ci-deploy-key", emptyList())
        assertEquals("ok", v.outcome(w.accountKey, w.userKey, OK_IP))
        val second = v.createUserKey(a, owner, owner, "second-app-key", emptyList()).expose()
        assertNotEquals(w.userKey, second)
        val keys = v.listUserKeys(a)
        assertEquals(listOf("ci-deploy-key", "second-app-key"), keys.map { it.name })
        assertNoSecret(keys.toString(), w.userKey, second, w.accountKey)
        v.deleteUserKey(a, owner, "ci-deploy-key")
        assertEquals("invalid_user_key", v.outcome(w.accountKey, w.userKey, OK_IP))
        val rotated = v.rotateAccountKey(a).expose()
        assertEquals("invalid_account_key", v.outcome(w.accountKey, second, OK_IP))
        assertEquals("ok", v.outcome(rotated, second, OK_IP))
        assertEquals(
            listOf("Ada" to Role.OWNER, "Bob" to Role.MEMBER),
            v.listUsers(a).map { it.name to it.role },
        )
    }

    @Test
    fun `admin errors are typed`() {
        val w = world("memory")
        val (v, a) = w.verifier to w.account
        val expect: Map<String, () -> Unit> = mapOf(
            "not_found" to { v.createUserKey(999UL, w.owner, w.owner, "some-key-name", emptyList()) },
            "not_allowed" to { v.createUserKey(a, w.member, w.member, "member-key-name", emptyList()) },
            "invalid_name" to { v.createUserKey(a, w.owner, w.owner, "short", emptyList()) },
            "name_taken" to { v.createUserKey(a, w.owner, w.owner, "ci-deploy-key", emptyList()) },
            "invalid_cidr" to { v.setAllowList(a, w.owner, "ci-deploy-key", listOf("10.0.0.0/33")) },
            "allow_list_too_long" to {
                v.setAllowList(a, w.owner, "ci-deploy-key", (0 until 5000).map { "10.0.${it / 256}.${it % 256}/32" })
            },
        )
        for ((code, call) in expect) {
            val caught = assertFailsWith<AdminException>(code) { call() }
            assertEquals(code, caught.code())
        }
        val email = assertFailsWith<AdminException> { v.addUser(a, "Mallory", "not an email", Role.MEMBER) }
        assertEquals("invalid_name" to "email", email.code() to email.what())
        val proxies = assertFailsWith<AdminException> { v.setTrustedProxies(listOf("10.0.0.0/8", "nonsense")) }
        assertEquals("invalid_cidr" to "nonsense", proxies.code() to proxies.entry())
        // Trusted proxies are CIDRs or bare addresses, as rcauth takes them.
        v.setTrustedProxies(listOf("192.0.2.7", " 10.0.0.0/8"))
        assertEquals(listOf("192.0.2.7/32", "10.0.0.0/8"), v.trustedProxies())
    }

    @Test
    fun `new keys come back redacted`() {
        val v = Verifier.inMemory()
        val a = v.createAccount("acme")
        val owner = v.addUser(a, "Ada", "ada@example.com", Role.OWNER)
        val keys = listOf(requireNotNull(v.enableApi(a)), v.rotateAccountKey(a), v.createUserKey(a, owner, owner, "ci-deploy-key", emptyList()))
        for (key in keys) {
            assertTrue("redacted" in key.toString())
            assertNoSecret(key.toString(), key.expose())
        }
    }

    @Test
    fun `the system log records each attempt`() {
        val w = world("sqlite")
        val v = w.verifier
        v.authenticate("POST", "/v1/subscriptions", authHeaders(w.accountKey, w.userKey), OK_IP)
        assertFailsWith<AuthFailure> { v.authenticate("GET", "/v1/logs", authHeaders(w.accountKey, w.userKey), OUTSIDE_IP) }
        v.flushSystemLog()
        val entries = v.systemLog(w.account, 0UL, 10U)
        assertEquals(listOf("GET /v1/logs", "POST /v1/subscriptions"), entries.take(2).map { it.resource })
        assertTrue(entries.take(2).all { it.apiKeyName == "ci-deploy-key" })
        assertTrue(OUTSIDE_IP in entries[0].description && OK_IP in entries[1].description)
        assertTrue(entries[0].id > entries[1].id)
        assertNoSecret(entries.toString(), w.userKey, w.accountKey)
        assertEquals(1, v.systemLog(w.account, 1UL, 1U).size)
    }

    @Test
    fun `trusted proxies apply to X-Forwarded-For`() {
        val w = world("memory")
        val v = w.verifier
        v.setTrustedProxies(listOf("127.0.0.0/8"))
        assertEquals(listOf("127.0.0.0/8"), v.trustedProxies())
        val forwarded = authHeaders(w.accountKey, w.userKey, "X-Forwarded-For" to "10.9.8.7")
        assertEquals("10.9.8.7", v.authenticate("GET", "/v1/", forwarded, "127.0.0.1").sourceIp)
        val outside = authHeaders(w.accountKey, w.userKey, "X-Forwarded-For" to OUTSIDE_IP)
        assertEquals("source_ip_not_allowed", assertFailsWith<AuthFailure> { v.authenticate("GET", "/v1/", outside, "127.0.0.1") }.code())
    }

    @Test
    fun `the SQLite file is shared, kept and private`() {
        val path = dir.resolve("shared.db")
        val first = Verifier.openSqlite(path.toString())
        val a = first.createAccount("shared")
        val owner = first.addUser(a, "Ada", "ada@example.com", Role.OWNER)
        val ak = requireNotNull(first.enableApi(a)).expose()
        val uk = first.createUserKey(a, owner, owner, "shared-key-name", emptyList()).expose()
        val second = Verifier.openSqlite(path.toString())
        assertEquals("shared-key-name", second.authenticate("GET", "/v1/", authHeaders(ak, uk), OK_IP).keyName)
        first.deleteUserKey(a, owner, "shared-key-name")
        assertEquals("invalid_user_key", second.outcome(ak, uk, OK_IP))
        assertEquals(
            setOf(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
            Files.getPosixFilePermissions(path),
        )
        val bad = assertFailsWith<AdminException> { Verifier.openSqlite(dir.resolve("no-such-dir/x/v.db").toString()) }
        assertTrue(bad.code().startsWith("store_"), bad.code())
    }

    @Test
    fun `the verifier serves many threads at once`() {
        val w = world("sqlite")
        val pool = Executors.newFixedThreadPool(4)
        try {
            val jobs = (0 until 4).map {
                pool.submit<List<String>> {
                    (0 until 500).map { i -> w.verifier.outcome(w.accountKey, w.userKey, if (i % 2 == 0) OK_IP else OUTSIDE_IP) }
                }
            }
            for (job in jobs) {
                val codes = job.get(120, TimeUnit.SECONDS)
                assertEquals(List(500) { if (it % 2 == 0) "ok" else "source_ip_not_allowed" }, codes)
            }
        } finally {
            pool.shutdown()
        }
    }
}

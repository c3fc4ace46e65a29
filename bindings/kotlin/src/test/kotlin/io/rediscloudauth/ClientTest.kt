// The client against a real `rcauth serve`: every outcome, through the
// suspend client and the blocking one.
package io.rediscloudauth

import java.time.Duration
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.TimeSource
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import org.junit.jupiter.api.Test
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.EnumSource

/** The same calls on the suspend client and on the blocking one. */
enum class Mode {
    SUSPEND, BLOCKING;

    /** A client of this mode; both throw ClientException from their constructors. */
    fun client(keys: ApiKeys, options: ClientOptions): Calls = when (this) {
        SUSPEND -> Calls.Suspending(Client(keys, options))
        BLOCKING -> Calls.Blocking(BlockingClient(keys, options))
    }
}

sealed interface Calls {
    fun account(): AccountInfo
    fun systemLog(offset: UInt, limit: UInt): SystemLogPage
    fun request(method: String, path: String, json: String? = null): ApiResponse
    val baseUrl: String
    val fingerprint: String
    val text: String

    class Suspending(private val client: Client) : Calls {
        override fun account() = runBlocking { client.account() }
        override fun systemLog(offset: UInt, limit: UInt) = runBlocking { client.systemLog(offset, limit) }
        override fun request(method: String, path: String, json: String?) = runBlocking { client.request(method, path, json) }
        override val baseUrl get() = client.baseUrl()
        override val fingerprint get() = client.fingerprint()
        override val text get() = client.toString()
    }

    class Blocking(private val client: BlockingClient) : Calls {
        override fun account() = client.account()
        override fun systemLog(offset: UInt, limit: UInt) = client.systemLog(offset, limit)
        override fun request(method: String, path: String, json: String?) = client.request(method, path, json)
        override val baseUrl get() = client.baseUrl()
        override val fingerprint get() = client.fingerprint()
        override val text get() = client.toString()
    }
}

private fun secretsOf(keys: ApiKeys) = arrayOf(keys.exposeAccountKey(), keys.exposeUserKey())

class ClientTest {
    private val emulator = Emulator.shared

    @ParameterizedTest
    @EnumSource(Mode::class)
    fun `account and system log`(mode: Mode) {
        val client = mode.client(emulator.keys, ClientOptions(baseUrl = emulator.baseUrl))
        val account = client.account()
        assertEquals(emulator.account to "acme", account.id to account.name)
        assertEquals("loopback-key", account.key.name)
        assertEquals(Owner("Ada", "ada@example.com"), account.key.owner)
        assertEquals(listOf("127.0.0.0/8", "::1/128"), account.key.allowedSourceIps)
        assertEquals("127.0.0.1", account.key.httpSourceIp)
        val page = client.systemLog(0U, 5U)
        assertTrue(page.entries.size in 1..5, page.entries.size.toString())
        val newest = page.entries.first()
        assertEquals("loopback-key", newest.apiKeyName)
        assertEquals("authentication", newest.kind)
        assertTrue("127.0.0.1" in newest.description, newest.description)
        assertEquals(emptyList(), page.links)
        assertNoSecret("$account $page", *secretsOf(emulator.keys))
    }

    @ParameterizedTest
    @EnumSource(Mode::class)
    fun `a generic request`(mode: Mode) {
        val client = mode.client(emulator.keys, ClientOptions(baseUrl = emulator.baseUrl))
        val response = client.request("GET", "/")
        assertEquals(200.toUShort(), response.status)
        val json = Json.parseToJsonElement(response.json).jsonObject
        val key = json.getValue("account").jsonObject.getValue("key").jsonObject
        assertEquals("loopback-key", key.getValue("name").jsonPrimitive.content)
        val names = response.headers.map { it.name.lowercase() }
        assertTrue("x-api-key" !in names && "x-api-secret-key" !in names, names.toString())
        assertTrue(response.headers.first { it.name.equals("content-type", true) }.value.startsWith("application/json"))
    }

    @ParameterizedTest
    @EnumSource(Mode::class)
    fun `refusals with 401, 403, 404 and other statuses`(mode: Mode) {
        val noRetry = ClientOptions(baseUrl = emulator.baseUrl, maxRetries = 0U)
        val wrong = ApiKeys(emulator.keys.exposeAccountKey(), "WrongUserKey0123456789")
        val cases = listOf(
            Triple(wrong, "unauthorized", 401),
            Triple(emulator.disabledKeys, "unauthorized", 401),
            Triple(emulator.outsideKeys, "forbidden", 403),
        )
        for ((keys, code, status) in cases) {
            val error = assertFailsWith<ClientException> { mode.client(keys, noRetry).account() }
            assertEquals(code to status.toUShort(), error.code() to error.status())
            assertNoSecret("${error.message} $error ${error.stackTraceToString()}", *secretsOf(keys))
        }
        val client = mode.client(emulator.keys, noRetry)
        val missing = assertFailsWith<ClientException> { client.request("GET", "/no-such-thing") }
        assertEquals("not_found" to 404.toUShort(), missing.code() to missing.status())
        val method = assertFailsWith<ClientException> { client.request("DELETE", "/logs") }
        assertEquals("api_error" to 405.toUShort(), method.code() to method.status())
    }

    @ParameterizedTest
    @EnumSource(Mode::class)
    fun `rate limited, with the server's wait`(mode: Mode) {
        val client = mode.client(
            emulator.keys,
            ClientOptions(baseUrl = emulator.limitedBaseUrl, maxRetries = 1U, maxRetryAfter = Duration.ofMillis(200)),
        )
        var error: ClientException? = null
        for (attempt in 1..3) {
            try {
                client.account()
            } catch (caught: ClientException) {
                error = caught
                break
            }
        }
        val limited = assertNotNull(error, "the limited emulator never answered 429")
        assertEquals("rate_limited" to 429.toUShort(), limited.code() to limited.status())
        assertTrue(assertNotNull(limited.retryAfter()) > Duration.ofMillis(200), limited.retryAfter().toString())
        assertTrue("retry after" in limited.detail(), limited.detail())
    }

    @ParameterizedTest
    @EnumSource(Mode::class)
    fun `timeout, transport and invalid requests`(mode: Mode) {
        withSilentPort { port ->
            val slow = mode.client(
                emulator.keys,
                ClientOptions(baseUrl = "http://127.0.0.1:$port/v1", timeout = Duration.ofMillis(300), maxRetries = 0U),
            )
            assertEquals("timeout", assertFailsWith<ClientException> { slow.account() }.code())
        }
        val refused = mode.client(emulator.keys, ClientOptions(baseUrl = "http://127.0.0.1:${closedPort()}/v1", maxRetries = 0U))
        val transport = assertFailsWith<ClientException> { refused.account() }
        assertEquals("transport", transport.code())
        assertNull(transport.status())
        val client = mode.client(emulator.keys, ClientOptions(baseUrl = emulator.baseUrl))
        assertEquals("invalid_request", assertFailsWith<ClientException> { client.systemLog(0U, 0U) }.code())
        assertEquals("invalid_request", assertFailsWith<ClientException> { client.request("GET", "/", """{"a":1}""") }.code())
        assertEquals("invalid_request", assertFailsWith<ClientException> { client.request("POST", "/", "not json") }.code())
        assertEquals("invalid_request", assertFailsWith<ClientException> { client.request("BREW", "/") }.code())
        val tooMany = assertFailsWith<ClientException> { mode.client(emulator.keys, ClientOptions(maxRetries = 99U)) }
        assertEquals("invalid_request", tooMany.code())
    }

    @Test
    fun `clients from a chain and from credentials`() {
        val keys = emulator.keys
        val chain = CredentialChain()
            .environment(
                mapOf(
                    "REDIS_CLOUD_ACCOUNT_KEY" to keys.exposeAccountKey(),
                    "REDIS_CLOUD_USER_KEY" to keys.exposeUserKey(),
                    "REDIS_CLOUD_BASE_URL" to emulator.baseUrl,
                ),
            )
            .profileFile(null)
            .keychain(null)
        val fromChain = Client.fromChain(chain)
        assertEquals(emulator.baseUrl, fromChain.baseUrl())
        assertEquals("loopback-key", runBlocking { fromChain.account() }.key.name)
        val blocking = BlockingClient.fromChain(chain)
        assertEquals("loopback-key", blocking.account().key.name)
        val credentials = Credentials(keys, emulator.baseUrl)
        assertEquals(emulator.account, runBlocking { Client.fromCredentials(credentials).account() }.id)
        assertEquals(emulator.account, BlockingClient.fromCredentials(credentials).account().id)
        val empty = CredentialChain().environment(emptyMap()).profileFile(null).keychain(null)
        val caught = assertFailsWith<ClientException> { Client.fromChain(empty) }
        assertEquals("credentials" to "not_found", caught.code() to caught.credentialCode())
    }

    @ParameterizedTest
    @EnumSource(Mode::class)
    fun `a client's text forms hold no secret`(mode: Mode) {
        val client = mode.client(emulator.keys, ClientOptions(baseUrl = emulator.baseUrl))
        assertEquals(emulator.keys.fingerprint(), client.fingerprint)
        assertNoSecret(client.text, *secretsOf(emulator.keys))
    }

    @Test
    fun `suspend calls run concurrently without blocking the caller's thread`() {
        val client = Client(emulator.keys, ClientOptions(baseUrl = emulator.baseUrl))
        HeldProxy(emulator.baseUrl).use { held ->
            val slow = Client(emulator.keys, ClientOptions(baseUrl = held.baseUrl, maxRetries = 0U))
            // runBlocking is one thread: the other calls only run while the held one is suspended.
            val (names, stillHeld, answer) = runBlocking {
                val inFlight = async { slow.account().key.name }
                withContext(Dispatchers.IO) { held.awaitRequest() }
                val names = (1..20).map { async { client.account().key.name } }.awaitAll().toSet()
                val stillHeld = held.holding
                held.release()
                Triple(names, stillHeld, inFlight.await())
            }
            assertEquals(setOf("loopback-key"), names)
            // Had the held call blocked the thread, nothing would have run
            // until the proxy gave up on the test.
            assertTrue(stillHeld && !held.gaveUp, "the thread was blocked by the held call")
            assertEquals("loopback-key", answer)
        }
    }

    @Test
    fun `cancelling a suspend call stops it at once and leaves the client usable`() {
        withSilentPort { port ->
            val slow = Client(
                emulator.keys,
                ClientOptions(baseUrl = "http://127.0.0.1:$port/v1", timeout = Duration.ofSeconds(60), maxRetries = 0U),
            )
            val started = TimeSource.Monotonic.markNow()
            assertFailsWith<TimeoutCancellationException> {
                runBlocking { withTimeout(200.milliseconds) { slow.account() } }
            }
            assertTrue(started.elapsedNow().inWholeSeconds < 30, "cancellation waited for the request")
        }
        HeldProxy(emulator.baseUrl).use { held ->
            val client = Client(emulator.keys, ClientOptions(baseUrl = held.baseUrl, maxRetries = 0U))
            runBlocking {
                val call = launch { client.account() }
                withContext(Dispatchers.IO) { held.awaitRequest() }
                call.cancelAndJoin()
                assertTrue(call.isCancelled)
                // Cancelled while the answer was still held: it did not wait for it.
                assertTrue(held.holding && !held.gaveUp, "cancellation waited for the answer")
                held.release()
                assertEquals("loopback-key", client.account().key.name)
            }
        }
    }
}

// ApiKeysAuth on a real OkHttp client against the emulator.
package io.rediscloudauth

import com.sun.net.httpserver.HttpServer
import java.net.InetSocketAddress
import java.util.concurrent.CopyOnWriteArrayList
import java.util.logging.Handler
import java.util.logging.Level
import java.util.logging.LogRecord
import java.util.logging.Logger
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import okhttp3.OkHttpClient
import okhttp3.Request

class OkHttpAuthTest {
    private val emulator = Emulator.shared

    private fun client(auth: ApiKeysAuth) = OkHttpClient.Builder().addNetworkInterceptor(auth).build()

    private fun status(auth: ApiKeysAuth, url: String): Pair<Int, String> =
        client(auth).newCall(Request.Builder().url(url).build()).execute().use { it.code to it.body!!.string() }

    private val secrets get() = listOf(emulator.keys.exposeAccountKey(), emulator.keys.exposeUserKey())

    @Test
    fun `a request through the user's OkHttp client gets 200, wrong keys 401`() {
        val logged = CopyOnWriteArrayList<String>()
        val handler = object : Handler() {
            override fun publish(record: LogRecord) { logged += record.message ?: "" }
            override fun flush() {}
            override fun close() {}
        }
        val okhttpLogger = Logger.getLogger("okhttp3").apply { level = Level.ALL; addHandler(handler) }
        try {
            val (ok, body) = status(ApiKeysAuth(emulator.keys), "${emulator.baseUrl}/")
            assertEquals(200, ok)
            assertTrue("\"loopback-key\"" in body)
            val wrong = ApiKeys(emulator.keys.exposeAccountKey(), "NotTheUserKey0123456")
            val (refused, refusedBody) = status(ApiKeysAuth(wrong), "${emulator.baseUrl}/")
            assertEquals(401, refused)
            assertTrue("\"unauthorized\"" in refusedBody)
            assertEquals(403, status(ApiKeysAuth(emulator.outsideKeys), "${emulator.baseUrl}/").first)
            for (secret in secrets) assertFalse(logged.any { secret in it } || secret in refusedBody)
        } finally {
            okhttpLogger.removeHandler(handler)
        }
    }

    @Test
    fun `the credential chain variant reads the environment it is given`() {
        val chain = CredentialChain()
            .environment(
                mapOf(
                    "REDIS_CLOUD_ACCOUNT_KEY" to emulator.keys.exposeAccountKey(),
                    "REDIS_CLOUD_USER_KEY" to emulator.keys.exposeUserKey(),
                    "REDIS_CLOUD_BASE_URL" to emulator.baseUrl,
                ),
            )
            .profileFile(null)
            .keychain(null)
        val auth = ApiKeysAuth.fromChain(chain)
        assertEquals(emulator.baseUrl, auth.baseUrl)
        assertEquals(emulator.keys.fingerprint(), auth.fingerprint)
        assertEquals(200, status(auth, "${auth.baseUrl}/logs?limit=1").first)
        val empty = CredentialChain().environment(emptyMap()).profileFile(null).keychain(null)
        assertFailsWith<CredentialException> { ApiKeysAuth.fromChain(empty) }
    }

    @Test
    fun `toString shows a fingerprint, never a key`() {
        val auth = ApiKeysAuth(Credentials(emulator.keys, emulator.baseUrl))
        assertTrue(emulator.keys.fingerprint() in auth.toString())
        for (secret in secrets) assertFalse(secret in auth.toString() || secret in "$auth")
    }

    @Test
    fun `a redirect to another origin does not carry the keys`() {
        val seen = CopyOnWriteArrayList<Pair<Int, Boolean>>()
        val servers = List(2) { HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0) }
        val second = "http://127.0.0.1:${servers[1].address.port}"
        for ((index, server) in servers.withIndex()) {
            server.createContext("/") { exchange ->
                seen += index to (exchange.requestHeaders.getFirst("x-api-key") != null)
                val path = exchange.requestURI.path
                when {
                    path == "/same" -> exchange.responseHeaders.add("Location", "/landed")
                    path == "/away" -> exchange.responseHeaders.add("Location", "$second/landed")
                }
                exchange.sendResponseHeaders(if (path == "/same" || path == "/away") 302 else 200, -1)
                exchange.close()
            }
            server.start()
        }
        try {
            val first = "http://127.0.0.1:${servers[0].address.port}"
            assertEquals(200, status(ApiKeysAuth(emulator.keys), "$first/same").first)
            assertEquals(listOf(0 to true, 0 to true), seen.toList())
            seen.clear()
            assertEquals(200, status(ApiKeysAuth(emulator.keys), "$first/away").first)
            assertEquals(listOf(0 to true, 1 to false), seen.toList())
        } finally {
            servers.forEach { it.stop(0) }
        }
    }
}

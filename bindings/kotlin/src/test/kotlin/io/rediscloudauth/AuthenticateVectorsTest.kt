// tests/vectors/authenticate.json: each case's setup on a new in-memory
// verifier, then one request and its principal or failure, and the system log.
package io.rediscloudauth

import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.fail
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.int
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.DynamicTest.dynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory

/** One case: a fresh verifier and what its setup steps created, by symbol. */
private class Case(private val case: JsonObject) {
    private val verifier = Verifier.inMemory()
    private val ids = mutableMapOf<String, ULong>()
    private val secrets = mutableMapOf<String, String>()
    private val accounts = mutableListOf<ULong>()

    /** A symbol's id, or a literal id given as a number. */
    private fun id(value: JsonElement?): ULong {
        val primitive = requireNotNull(value).jsonPrimitive
        return if (primitive.isString) ids.getValue(primitive.content) else primitive.int.toULong()
    }

    private fun JsonObject.strings(key: String): List<String> = getValue(key).jsonArray.map { it.jsonPrimitive.content }

    private fun role(name: String): Role = Role.valueOf(name.uppercase().replace('-', '_'))

    /** Remembers `value` under the symbol at `key`, when the step names one (failing steps do not). */
    private fun <T> MutableMap<String, T>.remember(s: JsonObject, key: String, value: T) {
        s.str(key)?.let { this[it] = value }
    }

    /** Runs one setup step. */
    private fun step(s: JsonObject) {
        when (val op = s.string("op")) {
            "create_account" -> verifier.createAccount(s.string("name")).also {
                ids.remember(s, "account", it)
                accounts += it
            }
            "add_user" -> ids.remember(s, "user", verifier.addUser(id(s["account"]), s.string("name"), s.string("email"), role(s.string("role"))))
            "enable_api" -> {
                val key = verifier.enableApi(id(s["account"]))
                val symbol = s.str("account_key")
                if (symbol != null) secrets[symbol] = assertNotNull(key, "enable_api returned no key").expose() else assertNull(key)
            }
            "disable_api" -> verifier.disableApi(id(s["account"]))
            "rotate_account_key" -> secrets.remember(s, "account_key", verifier.rotateAccountKey(id(s["account"])).expose())
            "create_user_key" -> secrets.remember(
                s, "user_key",
                verifier.createUserKey(id(s["account"]), id(s["acting_user"]), id(s["owner"]), s.string("name"), s.strings("allow_list")).expose(),
            )
            "set_user_role" -> verifier.setUserRole(id(s["account"]), id(s["user"]), role(s.string("role")))
            "set_allow_list" -> verifier.setAllowList(id(s["account"]), id(s["acting_user"]), s.string("name"), s.strings("allow_list"))
            "delete_user_key" -> verifier.deleteUserKey(id(s["account"]), id(s["acting_user"]), s.string("name"))
            "set_trusted_proxies" -> verifier.setTrustedProxies(s.strings("nets"))
            else -> fail("unknown setup op $op")
        }
    }

    /** A header value: a literal, or a remembered secret with optional padding. */
    private fun headerValue(value: JsonElement): String = when (value) {
        is JsonPrimitive -> value.content
        is JsonObject -> {
            val pad = value.str("pad") ?: ""
            val symbol = value.str("account_key") ?: value.string("user_key")
            pad + secrets.getValue(symbol) + pad
        }
        else -> fail("bad header value $value")
    }

    private fun logSizes(): List<Int> = accounts.map { verifier.systemLog(it, 0UL, 1000U).size }

    fun run() {
        for (s in case.cases("setup")) {
            val error = s.str("error")
            if (error == null) {
                step(s)
            } else {
                val caught = assertFailsWith<AdminException>("${s.string("op")} should fail") { step(s) }
                assertEquals(error, caught.code(), caught.detail())
            }
        }
        val request = case["request"]?.jsonObject ?: return
        val expect = case.getValue("expect").jsonObject
        val headers = request.getValue("headers").jsonArray.map { pair ->
            val (name, value) = pair.jsonArray
            HeaderPair(name.jsonPrimitive.content, headerValue(value))
        }
        verifier.flushSystemLog()
        val before = logSizes()
        val status = expect.getValue("status").jsonPrimitive.int
        val method = request.string("method")
        val path = request.string("path")
        val peer = request.string("peer")
        if (status == 200) {
            val principal = verifier.authenticate(method, path, headers, peer)
            val want = expect.getValue("principal").jsonObject
            assertEquals(
                Principal(
                    ids.getValue(want.string("account")), want.string("account_name"),
                    ids.getValue(want.string("user")), want.string("owner_name"), want.string("owner_email"),
                    want.string("key_name"), want.string("source_ip"),
                ),
                principal,
            )
        } else {
            val failure = assertFailsWith<AuthFailure> { verifier.authenticate(method, path, headers, peer) }
            assertEquals(expect.string("failure"), failure.code(), failure.detail())
            assertEquals(status.toUShort(), failure.httpStatus())
            assertEquals(expect.string("public_code"), failure.publicCode())
            expect.str("message")?.let { assertEquals(it, failure.publicMessage()) }
            assertEquals(status, Json.parseToJsonElement(failure.errorBody()).jsonObject.getValue("status").jsonPrimitive.int)
            assertNoSecret("${failure.detail()} $failure ${failure.publicMessage()} ${failure.errorBody()}", *secrets.values.toTypedArray())
        }
        verifier.flushSystemLog()
        val after = logSizes()
        val loggedTo = expect["logged_to"]?.takeUnless { it is JsonNull }?.jsonPrimitive?.content
        val expected = accounts.mapIndexed { i, account ->
            before[i] + if (loggedTo != null && ids.getValue(loggedTo) == account) 1 else 0
        }
        assertEquals(expected, after, "system log sizes per account")
    }
}

class AuthenticateVectorsTest {
    private val vectors = loadVectors("authenticate.json")

    @TestFactory
    fun authenticate(): List<DynamicTest> = vectors.cases("cases").map { case ->
        dynamicTest(case.string("name")) { Case(case).run() }
    }

    private val failures = loadVectors("auth_failures.json")

    /** Every failure the public API can cause, with the same code and status as in every language. */
    @TestFactory
    fun everyFailure(): List<DynamicTest> = failures.cases("cases").map { case ->
        dynamicTest(case.string("name")) { Case(case).run() }
    }

    @Test
    fun `the failure table is the vectors'`() {
        val table = failures.cases("failures").map { Triple(it.string("code"), it.getValue("http_status").jsonPrimitive.int.toUShort(), it.string("public_code")) }
        assertEquals(table, authFailureKinds().map { Triple(it.code, it.httpStatus, it.publicCode) })
    }
}

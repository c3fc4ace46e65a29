// tests/vectors/headers.json: building the two headers and finding them in a request.
package io.rediscloudauth

import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.DynamicTest.dynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory

class HeaderVectorsTest {
    private val vectors = loadVectors("headers.json")

    @TestFactory
    fun build(): List<DynamicTest> = vectors.cases("build").map { case ->
        dynamicTest(case.string("name")) {
            val account = case.string("account_key")
            val user = case.string("user_key")
            val error = case.str("error")
            if (error != null) {
                val caught = assertFailsWith<ApiKeyException> { ApiKeys(account, user) }
                assertEquals(error, caught.code())
                assertEquals(case.string("key"), caught.key().name.lowercase())
                val text = "${caught.message} $caught ${caught.detail()}"
                assertNoSecret(text, *listOf(account, user).map { it.trim() }.filter { it.length >= 8 }.toTypedArray())
            } else {
                val keys = ApiKeys(account, user)
                val expected = case.getValue("headers").headerPairs()
                assertEquals(expected, keys.exposeHeaderPairs())
                assertEquals(expected[0].value, keys.exposeAccountKey())
                assertEquals(expected[1].value, keys.exposeUserKey())
            }
        }
    }

    @TestFactory
    fun parse(): List<DynamicTest> = vectors.cases("parse").map { case ->
        dynamicTest(case.string("name")) {
            val pairs = case.getValue("headers").headerPairs()
            val error = case.str("error")
            if (error != null) {
                val caught = assertFailsWith<HeaderException> { parseAuthHeaders(pairs) }
                assertEquals(error, caught.code())
                assertEquals(case.string("header"), caught.header())
                val values = pairs.map { it.value.trim() }.filter { it.length >= 8 }
                assertNoSecret("${caught.message} $caught", *values.toTypedArray())
            } else {
                val keys = parseAuthHeaders(pairs)
                assertEquals(case.string("account_key"), keys.exposeAccountKey())
                assertEquals(case.string("user_key"), keys.exposeUserKey())
                assertEquals(ApiKeys(case.string("account_key"), case.string("user_key")), keys)
            }
        }
    }

    @Test
    fun `header names are the API's`() {
        assertEquals("x-api-key", accountKeyHeader())
        assertEquals("x-api-secret-key", userKeyHeader())
    }
}

// tests/vectors/credentials.json: resolving credentials with the chain.
package io.rediscloudauth

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import kotlin.io.path.writeText
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.DynamicTest.dynamicTest
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.io.TempDir
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive

class CredentialVectorsTest {
    private val vectors = loadVectors("credentials.json")

    @TempDir
    lateinit var dir: Path

    @TestFactory
    fun resolve(): List<DynamicTest> = vectors.cases("cases").mapIndexed { index, case ->
        dynamicTest(case.string("name")) {
            val env = case.getValue("env").stringMap()
            val path = dir.resolve("case-$index/credentials.toml")
            Files.createDirectories(path.parent)
            case["file"]?.jsonObject?.let { file ->
                path.writeText(file.string("content"))
                Files.setPosixFilePermissions(path, permissions(file.string("mode")))
            }
            var chain = CredentialChain()
                .environment(env)
                .profileFile(path.toString())
                .keychain(null)
            case.str("profile")?.let { chain = chain.profile(it) }

            val error = case.str("error")
            if (error != null) {
                val caught = assertFailsWith<CredentialException> { chain.resolve() }
                assertEquals(error, caught.code, caught.detail)
                val text = caught.message.orEmpty()
                case["message_contains"]?.jsonArray?.forEach { part ->
                    assertTrue(part.jsonPrimitive.content in text, "'${part.jsonPrimitive.content}' not in: $text")
                }
                val secrets = env.values.filter { it.length >= 8 && !it.startsWith("http") }
                assertNoSecret("$text $caught", *secrets.toTypedArray())
            } else {
                val found = chain.resolve()
                val expect = case.getValue("expect").jsonObject
                assertEquals(expect.string("source"), found.source.wireName())
                assertEquals(expect.string("account_key"), found.credentials.keys().exposeAccountKey())
                assertEquals(expect.string("user_key"), found.credentials.keys().exposeUserKey())
                assertEquals(expect.str("base_url"), found.credentials.baseUrl())
                val profile = case.str("profile") ?: env["REDIS_CLOUD_PROFILE"] ?: "default"
                assertEquals(profile, found.profile)
                assertEquals(profile, chain.profileName())
            }
        }
    }

    private fun permissions(octal: String) =
        PosixFilePermissions.fromString(
            octal.map { digit ->
                val bits = digit.digitToInt(8)
                (if (bits and 4 != 0) "r" else "-") + (if (bits and 2 != 0) "w" else "-") + (if (bits and 1 != 0) "x" else "-")
            }.joinToString(""),
        )

    /** The vectors' name of a source (`profile_file` for PROFILE_FILE). */
    private fun CredentialSource.wireName(): String = name.lowercase()
}

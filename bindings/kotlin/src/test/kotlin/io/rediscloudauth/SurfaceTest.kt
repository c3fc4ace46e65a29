// The package's real public surface, read by reflection, against
// tests/api/surface.json (the twin of docs/api.md): every class, method and
// parameter order, record field, enum value, function and error field the
// spec gives Kotlin.
package io.rediscloudauth

import kotlin.io.path.readText
import kotlin.reflect.KClass
import kotlin.reflect.KFunction
import kotlin.reflect.KParameter
import kotlin.reflect.full.companionObject
import kotlin.reflect.full.memberFunctions
import kotlin.reflect.full.memberProperties
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import kotlin.test.fail
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory

private const val LANG = "kotlin"

private val surface: JsonObject =
    Json.parseToJsonElement(repoRoot.resolve("tests/api/surface.json").readText()).jsonObject

/** `snake_case` as Kotlin spells it. */
fun camel(name: String): String =
    name.split("_").mapIndexed { i, part -> if (i == 0) part else part.replaceFirstChar(Char::uppercase) }.joinToString("")

private fun JsonObject.forKotlin(): Boolean =
    get("only")?.jsonArray?.any { it.jsonPrimitive.content == LANG } ?: true

private fun JsonObject.names(key: String): List<String> = getValue(key).jsonArray.map { it.jsonPrimitive.content }

private fun kotlinClass(name: String): KClass<*> = Class.forName("io.rediscloudauth.$name").kotlin

/** The names of a function's value parameters, in order (no receiver). */
private fun KFunction<*>.parameterNames(): List<String> =
    parameters.filter { it.kind == KParameter.Kind.VALUE }.map { requireNotNull(it.name) }

class SurfaceTest {
    @TestFactory
    fun methods(): List<DynamicTest> = surface.getValue("classes").jsonObject.entries
        .filter { it.value.jsonObject.forKotlin() }
        .flatMap { (type, spec) ->
            val cls = kotlinClass(type)
            val members = listOf("constructors", "methods").flatMap { kind ->
                (spec.jsonObject[kind] as JsonArray?).orEmpty().map { kind to it.jsonObject }
            }
            members.filter { it.second.forKotlin() }.map { (kind, member) ->
                val name = member.getValue("name").jsonPrimitive.content
                val params = member.names("params").map(::camel)
                DynamicTest.dynamicTest("$type.$name") {
                    val candidates: List<KFunction<*>> = when {
                        kind == "constructors" && name == "new" -> cls.constructors.toList()
                        kind == "constructors" -> cls.companionObject?.memberFunctions.orEmpty().filter { it.name == camel(name) }
                        else -> cls.memberFunctions.filter { it.name == camel(name) }
                    }
                    assertTrue(candidates.isNotEmpty(), "$type.${camel(name)} is missing")
                    assertTrue(
                        candidates.any { it.parameterNames() == params },
                        "$type.${camel(name)}: expected ($params), found ${candidates.map { it.parameterNames() }}",
                    )
                }
            }
        }

    @TestFactory
    fun properties(): List<DynamicTest> = surface.getValue("classes").jsonObject.entries
        .filter { it.value.jsonObject.forKotlin() }
        .flatMap { (type, spec) ->
            (spec.jsonObject["properties"] as JsonArray?).orEmpty().map { it.jsonObject }.filter { it.forKotlin() }.map { prop ->
                val name = camel(prop.getValue("name").jsonPrimitive.content)
                DynamicTest.dynamicTest("$type.$name") {
                    // UniFFI exports methods: a property is a method without arguments.
                    val cls = kotlinClass(type)
                    val found = cls.memberProperties.any { it.name == name } ||
                        cls.memberFunctions.any { it.name == name && it.parameterNames().isEmpty() }
                    assertTrue(found, "$type.$name is missing")
                }
            }
        }

    @TestFactory
    fun records(): List<DynamicTest> = surface.getValue("records").jsonObject.entries.mapNotNull { (name, spec) ->
        val fields = if (spec is JsonObject) {
            if (!spec.forKotlin()) return@mapNotNull null
            spec.names("fields")
        } else {
            spec.jsonArray.map { it.jsonPrimitive.content }
        }
        DynamicTest.dynamicTest(name) {
            val primary = assertNotNull(kotlinClass(name).constructors.maxByOrNull { it.parameters.size })
            assertEquals(fields.map(::camel), primary.parameterNames(), name)
        }
    }

    @TestFactory
    fun enums(): List<DynamicTest> = surface.getValue("enums").jsonObject.entries.map { (name, values) ->
        DynamicTest.dynamicTest(name) {
            val constants = kotlinClass(name).java.enumConstants.map { (it as Enum<*>).name.lowercase() }
            assertEquals(values.jsonArray.map { it.jsonPrimitive.content }, constants)
        }
    }

    @TestFactory
    fun functions(): List<DynamicTest> {
        // Top-level functions, by reference: a missing one does not compile.
        val functions: Map<String, KFunction<*>> = mapOf(
            "parseAuthHeaders" to ::parseAuthHeaders,
            "keyFingerprint" to ::keyFingerprint,
        )
        return surface.getValue("functions").jsonArray.map { it.jsonObject }.filter { it.forKotlin() }.map { f ->
            val name = camel(f.getValue("name").jsonPrimitive.content)
            DynamicTest.dynamicTest(name) {
                val function = functions[name] ?: fail("$name is not in this test's table")
                assertEquals(f.names("params").map(::camel), function.parameterNames())
            }
        }
    }

    @TestFactory
    fun errors(): List<DynamicTest> {
        val verifier = Verifier.inMemory()
        val examples: Map<String, () -> Unit> = mapOf(
            "ApiKeyError" to { ApiKeys("", "UserKey0123456") },
            "HeaderError" to { parseAuthHeaders(emptyList()) },
            "CredentialError" to { CredentialChain().environment(emptyMap()).profileFile(null).keychain(null).resolve() },
            "AdminError" to { verifier.createAccount("") },
            "AuthFailure" to { verifier.authenticate("GET", "/", emptyList(), "10.0.0.1") },
            "ClientError" to {
                val options = ClientOptions(baseUrl = "http://127.0.0.1:9/v1", maxRetries = 0u)
                BlockingClient(ApiKeys("AccountKey0123", "UserKey0123456"), options).account()
            },
        )
        return surface.getValue("errors").jsonObject.entries.map { (name, spec) ->
            DynamicTest.dynamicTest(name) {
                val kotlinName = spec.jsonObject["names"]?.jsonObject?.get(LANG)?.jsonPrimitive?.content ?: name
                val thrown = try {
                    examples.getValue(name)()
                    fail("$name: nothing thrown")
                } catch (e: Exception) {
                    e
                }
                assertTrue(kotlinClass(kotlinName).isInstance(thrown), "$name: threw ${thrown::class}")
                // A field is a property, or a method without arguments on an error object.
                val fields = thrown::class.memberProperties.map { it.name } +
                    thrown::class.memberFunctions.filter { it.parameterNames().isEmpty() }.map { it.name }
                // A field marked `?` is only there where the error has one.
                for (field in spec.jsonObject.names("fields").filterNot { it.endsWith("?") }.map(::camel)) {
                    assertTrue(field in fields, "$kotlinName lacks $field (has $fields)")
                }
            }
        }
    }
}

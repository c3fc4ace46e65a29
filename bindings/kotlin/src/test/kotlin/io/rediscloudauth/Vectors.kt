// Test support: the shared conformance vectors and secret-free text checks.
package io.rediscloudauth

import java.nio.file.Path
import java.nio.file.Paths
import kotlin.io.path.readText
import kotlin.test.assertFalse
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive

/** The repository root (set by Surefire, else found from the working directory). */
val repoRoot: Path =
    System.getProperty("rcauth.repoRoot")?.let { Paths.get(it).toAbsolutePath().normalize() }
        ?: Paths.get("../..").toAbsolutePath().normalize()

/** One file of tests/vectors/, parsed. */
fun loadVectors(name: String): JsonObject =
    Json.parseToJsonElement(repoRoot.resolve("tests/vectors/$name").readText()).jsonObject

/** The cases under `key` of a vectors file. */
fun JsonObject.cases(key: String): List<JsonObject> = getValue(key).jsonArray.map { it.jsonObject }

/** The string at `key`, or null when absent or JSON null. */
fun JsonObject.str(key: String): String? =
    get(key)?.takeUnless { it is JsonNull }?.jsonPrimitive?.content

/** The string at `key`, which must be there. */
fun JsonObject.string(key: String): String = requireNotNull(str(key)) { "vector lacks $key" }

/** A JSON object of strings as a map. */
fun JsonElement.stringMap(): Map<String, String> =
    jsonObject.mapValues { it.value.jsonPrimitive.content }

/** A JSON array of `[name, value]` pairs as header pairs. */
fun JsonElement.headerPairs(): List<HeaderPair> =
    (this as JsonArray).map { pair ->
        val (name, value) = pair.jsonArray.map { it.jsonPrimitive.content }
        HeaderPair(name, value)
    }

/** Fails when any of `secrets` appears in `text`. */
fun assertNoSecret(text: String, vararg secrets: String) {
    for (secret in secrets) {
        assertFalse(secret in text, "a secret leaked into: $text".replace(secret, "<the secret>"))
    }
}

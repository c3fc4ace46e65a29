// The README's examples, compiled into the tests by readme-examples.awk,
// each run as a program of its own against the emulator.
package io.rediscloudauth

import io.rediscloudauth.readme.readmeExamples
import java.io.File
import java.net.URLClassLoader
import java.nio.file.Files
import java.nio.file.Paths
import java.util.concurrent.TimeUnit
import kotlin.io.path.readLines
import kotlin.io.path.readText
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory

class ReadmeTest {
    private val emulator = Emulator.shared

    @Test
    fun `every kotlin block of the README is compiled`() {
        val blocks = repoRoot.resolve("bindings/kotlin/README.md").readLines().count { it.trim() == "```kotlin" }
        assertEquals(blocks, readmeExamples.size)
        assertTrue(blocks >= 5)
    }

    /**
     * Each example runs in a new JVM, in an empty folder and home, with the
     * emulator account's keys and base URL in `REDIS_CLOUD_*` and no other
     * credential variable: as a user's program would. It must exit 0 within
     * a minute, print something, and print no key.
     */
    @TestFactory
    fun `every README example runs`() = readmeExamples.indices.map { index ->
        DynamicTest.dynamicTest("example ${index + 1}") { run(index + 1) }
    }

    private fun run(number: Int) {
        val folder = Files.createTempDirectory("readme-example")
        val log = folder.resolve("output.txt")
        val java = Paths.get(System.getProperty("java.home"), "bin", "java").toString()
        val process = ProcessBuilder(java, "-cp", classPath(), "io.rediscloudauth.readme.ExamplesKt", "$number")
            .directory(folder.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .apply {
                val env = environment()
                env.keys.removeIf { it.startsWith("REDIS_CLOUD") || it.startsWith("REDISCLOUD") }
                env["HOME"] = folder.toString()
                env["XDG_CONFIG_HOME"] = folder.resolve(".config").toString()
                env["REDIS_CLOUD_ACCOUNT_KEY"] = emulator.keys.exposeAccountKey()
                env["REDIS_CLOUD_USER_KEY"] = emulator.keys.exposeUserKey()
                env["REDIS_CLOUD_BASE_URL"] = emulator.baseUrl
            }
            .start()
        try {
            val ended = process.waitFor(60, TimeUnit.SECONDS)
            if (!ended) process.destroyForcibly().waitFor()
            val output = log.readText()
            // Checked first, so no failure message below can carry a key.
            val keys = listOf(emulator.keys.exposeAccountKey(), emulator.keys.exposeUserKey(), "AccountKey0123", "UserKey0123456")
            for (key in keys) assertFalse(key in output, "example $number printed a key")
            assertTrue(ended, "example $number did not end within a minute:\n$output")
            assertEquals(0, process.exitValue(), "example $number failed:\n$output")
            assertTrue(output.isNotBlank(), "example $number printed nothing")
        } finally {
            process.destroyForcibly()
            folder.toFile().deleteRecursively()
        }
    }

    /** The test's own class path: the launcher's class loaders, then the JVM's. */
    private fun classPath(): String {
        val entries = mutableListOf<String>()
        var loader: ClassLoader? = javaClass.classLoader
        while (loader != null) {
            if (loader is URLClassLoader) loader.urLs.mapTo(entries) { Paths.get(it.toURI()).toString() }
            loader = loader.parent
        }
        entries += System.getProperty("java.class.path").split(File.pathSeparator)
        return entries.filter { it.isNotEmpty() }.joinToString(File.pathSeparator)
    }
}

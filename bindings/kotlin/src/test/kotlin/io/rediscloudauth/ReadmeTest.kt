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
     * emulator account's keys and base URL in `REDIS_CLOUD_*`: as a user's
     * program would. It must exit 0, print something, and print no key.
     */
    @TestFactory
    fun `every README example runs`() = readmeExamples.indices.map { index ->
        DynamicTest.dynamicTest("example ${index + 1}") { run(index + 1) }
    }

    private fun run(number: Int) {
        val folder = Files.createTempDirectory("readme-example")
        try {
            val java = Paths.get(System.getProperty("java.home"), "bin", "java").toString()
            val process = ProcessBuilder(java, "-cp", classPath(), "io.rediscloudauth.readme.ReadmeExamplesKt", "$number")
                .directory(folder.toFile())
                .redirectErrorStream(true)
                .apply {
                    val env = environment()
                    env.keys.removeIf { it.startsWith("REDIS_CLOUD_") }
                    env["HOME"] = folder.toString()
                    env["XDG_CONFIG_HOME"] = folder.resolve(".config").toString()
                    env["REDIS_CLOUD_ACCOUNT_KEY"] = emulator.keys.exposeAccountKey()
                    env["REDIS_CLOUD_USER_KEY"] = emulator.keys.exposeUserKey()
                    env["REDIS_CLOUD_BASE_URL"] = emulator.baseUrl
                }
                .start()
            val output = process.inputStream.bufferedReader().readText()
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "example $number did not end")
            assertEquals(0, process.exitValue(), "example $number failed:\n$output")
            assertTrue(output.isNotBlank(), "example $number printed nothing")
            val keys = listOf(emulator.keys.exposeAccountKey(), emulator.keys.exposeUserKey(), "AccountKey0123", "UserKey0123456")
            for (key in keys) assertFalse(key in output, "example $number printed a key")
        } finally {
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

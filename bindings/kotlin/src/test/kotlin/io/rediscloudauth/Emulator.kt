// Test support: real `rcauth serve` processes on loopback ports, set up
// through a Verifier on the same SQLite file they serve.
package io.rediscloudauth

import java.io.File
import java.io.InputStream
import java.io.OutputStream
import java.net.InetAddress
import java.net.ServerSocket
import java.net.Socket
import java.net.URI
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive

/** The `rcauth` binary: $RCAUTH_BIN, else the workspace's debug build. */
fun rcauthBinary(): Path {
    System.getenv("RCAUTH_BIN")?.takeIf { it.isNotBlank() }?.let { return Paths.get(it) }
    val target = System.getenv("CARGO_TARGET_DIR")?.let { Paths.get(it) } ?: repoRoot.resolve("target")
    return target.resolve("debug/rcauth")
}

/** One `rcauth serve` on 127.0.0.1 and a port the system chose. */
class Server(data: Path, vararg flags: String) {
    private val process: Process
    val baseUrl: String

    init {
        val binary = rcauthBinary()
        check(Files.isExecutable(binary)) { "$binary is missing: run bindings/kotlin/build.sh" }
        process = ProcessBuilder(
            listOf(binary.toString(), "--json", "serve", "--listen", "127.0.0.1:0", "--data", data.toString()) + flags,
        )
            .redirectError(File.createTempFile("rcauth-serve", ".log").apply { deleteOnExit() })
            .start()
        val reader = process.inputStream.bufferedReader()
        val line = reader.readLine() ?: error("rcauth serve did not start")
        baseUrl = Json.parseToJsonElement(line).jsonObject.getValue("baseUrl").jsonPrimitive.content
        // Keep draining stdout so the server never blocks on a full pipe.
        Thread { reader.readText() }.apply { isDaemon = true }.start()
    }

    fun stop() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly()
    }
}

/** The running emulators and the keys of their accounts, shared by every test class. */
class Emulator private constructor() {
    private val data: Path = Files.createTempDirectory("rcauth-data")
    val verifier: Verifier = Verifier.openSqlite(data.resolve("rcauth.sqlite3").toString())
    val account = verifier.createAccount("acme")
    val owner = verifier.addUser(account, "Ada", "ada@example.com", Role.OWNER)
    private val accountKey = requireNotNull(verifier.enableApi(account)).expose()

    /** Allowed from loopback. */
    val keys = ApiKeys(
        accountKey,
        verifier.createUserKey(account, owner, owner, "loopback-key", listOf("127.0.0.0/8", "::1/128")).expose(),
    )

    /** Allowed only from 192.0.2.0/24: forbidden here. */
    val outsideKeys = ApiKeys(
        accountKey,
        verifier.createUserKey(account, owner, owner, "outside-only-key", listOf("192.0.2.0/24")).expose(),
    )

    /** Of an account whose API is disabled. */
    val disabledKeys: ApiKeys = run {
        val off = verifier.createAccount("dormant")
        val offOwner = verifier.addUser(off, "Dee", "dee@example.com", Role.OWNER)
        val offAccountKey = requireNotNull(verifier.enableApi(off)).expose()
        val offUserKey = verifier.createUserKey(off, offOwner, offOwner, "dormant-app-key", emptyList()).expose()
        verifier.disableApi(off)
        ApiKeys(offAccountKey, offUserKey)
    }

    private val server = Server(data)
    private val limited = Server(data, "--rate-limit", "1")

    /** The emulator's API base URL. */
    val baseUrl = server.baseUrl

    /** An emulator that answers 429 after one request a minute per key. */
    val limitedBaseUrl = limited.baseUrl

    private fun stop() {
        server.stop()
        limited.stop()
        data.toFile().deleteRecursively()
    }

    companion object {
        /** Started on first use, stopped when the test JVM exits. */
        val shared: Emulator by lazy {
            Emulator().also { emulator -> Runtime.getRuntime().addShutdownHook(Thread { emulator.stop() }) }
        }
    }
}

/** A loopback port that accepts connections and never answers. */
fun <T> withSilentPort(block: (Int) -> T): T =
    ServerSocket(0, 16, InetAddress.getByName("127.0.0.1")).use { block(it.localPort) }

/** A loopback port nothing listens on. */
fun closedPort(): Int = ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")).use { it.localPort }

/**
 * A loopback proxy to `upstreamUrl` that holds every connection, without
 * reading an answer, until the test calls [release]: a request that is
 * provably in flight for as long as the test needs, with no clock. If the
 * test never releases (a call that blocked the thread it should have left
 * free), the proxy lets go after `giveUpAfterSeconds` and [gaveUp] says so,
 * so the test fails instead of hanging.
 */
class HeldProxy(upstreamUrl: String, private val giveUpAfterSeconds: Long = 30) : AutoCloseable {
    private val upstream = URI(upstreamUrl)
    private val listener = ServerSocket(0, 16, InetAddress.getByName("127.0.0.1"))
    private val arrived = CountDownLatch(1)
    private val released = CountDownLatch(1)

    /** True when the proxy let go on its own, not because the test released it. */
    @Volatile
    var gaveUp = false
        private set

    /** The proxy's base URL, with the upstream's path. */
    val baseUrl = "http://127.0.0.1:${listener.localPort}${upstream.path}"

    init {
        Thread({ accept() }, "held-proxy-accept").apply { isDaemon = true }.start()
    }

    private fun accept() {
        while (true) {
            val client = try {
                listener.accept()
            } catch (ignored: Exception) {
                return
            }
            Thread({ serve(client) }, "held-proxy").apply { isDaemon = true }.start()
        }
    }

    private fun serve(client: Socket) {
        client.use {
            val buffer = ByteArray(65536)
            val first = client.getInputStream().read(buffer)
            if (first <= 0) return
            arrived.countDown()
            if (!released.await(giveUpAfterSeconds, TimeUnit.SECONDS)) {
                gaveUp = true
                released.countDown()
            }
            val server = try {
                Socket(upstream.host, upstream.port)
            } catch (ignored: Exception) {
                return
            }
            server.use {
                server.getOutputStream().apply { write(buffer, 0, first); flush() }
                val back = Thread { pump(server.getInputStream(), client.getOutputStream(), client) }
                back.isDaemon = true
                back.start()
                pump(client.getInputStream(), server.getOutputStream(), server)
                back.join()
            }
        }
    }

    private fun pump(from: InputStream, to: OutputStream, sink: Socket) {
        try {
            from.copyTo(to)
        } catch (ignored: Exception) {
        } finally {
            try {
                sink.shutdownOutput()
            } catch (ignored: Exception) {
            }
        }
    }

    /** Blocks until a request has reached the proxy (and is held). */
    fun awaitRequest() {
        check(arrived.await(30, TimeUnit.SECONDS)) { "no request reached the proxy" }
    }

    /** True until released (by the test or by giving up). */
    val holding: Boolean get() = released.count > 0

    /** Lets every held and later connection through to the upstream. */
    fun release() = released.countDown()

    override fun close() {
        release()
        listener.close()
    }
}

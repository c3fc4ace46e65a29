// The library loads from the jar's resources: no library path is set.
package io.rediscloudauth

import com.sun.jna.Platform
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import org.junit.jupiter.api.Test

class NativeLibraryTest {
    @Test
    fun `the native library is a classpath resource under JNA's prefix`() {
        val name = System.mapLibraryName("redis_cloud_auth_ffi")
        val resource = javaClass.classLoader.getResource("${Platform.RESOURCE_PREFIX}/$name")
        assertNotNull(resource, "${Platform.RESOURCE_PREFIX}/$name is not on the classpath")
        assertNull(System.getProperty("jna.library.path"))
        assertNull(System.getProperty("uniffi.component.redis_cloud_auth_ffi.libraryOverride"))
        // A call into the library works from that resource alone.
        assertEquals("x-api-key", accountKeyHeader())
    }
}

package io.rediscloudauth

import okhttp3.HttpUrl
import okhttp3.Interceptor
import okhttp3.Response

/**
 * Adds the `x-api-key` and `x-api-secret-key` headers to the requests of
 * an OkHttp client: `OkHttpClient.Builder().addNetworkInterceptor(ApiKeysAuth(keys))`.
 *
 * As a network interceptor it sends the keys only to the origin the call
 * was made to, never to a redirect elsewhere (OkHttp itself strips only
 * `Authorization`). `toString` shows a fingerprint, never a key.
 */
class ApiKeysAuth private constructor(
    private val keys: ApiKeys,
    /** The API base URL the credentials carry, or null. */
    val baseUrl: String?,
) : Interceptor {
    /** Auth for [keys]. */
    constructor(keys: ApiKeys) : this(keys, null)

    /** Auth for [credentials], offering their base URL. */
    constructor(credentials: Credentials) : this(credentials.keys(), credentials.baseUrl())

    /** Fingerprint of the keys: safe to log. */
    val fingerprint: String get() = keys.fingerprint()

    override fun intercept(chain: Interceptor.Chain): Response {
        val request = chain.request()
        if (!sameOrigin(request.url, chain.call().request().url)) return chain.proceed(request)
        val builder = request.newBuilder()
        for (pair in keys.exposeHeaderPairs()) builder.header(pair.name, pair.value)
        return chain.proceed(builder.build())
    }

    override fun toString(): String = "ApiKeysAuth(${keys.fingerprint()})"

    companion object {
        /** Auth for what [chain] finds (the default chain: environment, profile file, keychain); throws [CredentialException]. */
        @JvmStatic
        @JvmOverloads
        fun fromChain(chain: CredentialChain = CredentialChain()): ApiKeysAuth = ApiKeysAuth(chain.resolve().credentials)

        private fun sameOrigin(a: HttpUrl, b: HttpUrl): Boolean = a.scheme == b.scheme && a.host == b.host && a.port == b.port
    }
}

// A typed use of redis-cloud-auth/adapters, checked by `tsc --noEmit` (never run).
import { ApiKeys, Credentials, Verifier, type AuthHeaders, type Principal } from 'redis-cloud-auth'
import { ApiKeysAuth, authMiddleware, fastifyAuth, type FetchLike } from 'redis-cloud-auth/adapters'

const keys = new ApiKeys('AccountKey0123', 'UserKey0123456')
const auth = new ApiKeysAuth(new Credentials(keys, 'http://127.0.0.1:8080/v1'))
const base: string | null = auth.baseUrl
const headers: AuthHeaders = auth.headers()
const fingerprint: string = auth.fingerprint
const given: FetchLike = async (input: string) => ({ status: 200, input })
const wrapped: FetchLike = auth.wrapFetch(given)
const fromChain: Promise<ApiKeysAuth> = ApiKeysAuth.fromChain({ env: {}, profileFile: false, keychain: false })
const text: string = `${new ApiKeysAuth(keys)}`

const verifier = Verifier.inMemory()
const middleware = authMiddleware(verifier)
const req = { method: 'GET', url: '/v1/', rawHeaders: ['x-api-key', 'a'], socket: { remoteAddress: '127.0.0.1' } } as {
  method: string
  url: string
  rawHeaders: string[]
  socket: { remoteAddress: string }
  principal?: Principal
}
middleware(req, { statusCode: 200, setHeader: () => undefined, end: () => undefined }, () => {
  const who: Principal | undefined = req.principal
  return who
})
const hook = fastifyAuth(verifier)

export { base, headers, fingerprint, wrapped, fromChain, text, hook }

// A typed use of the package, checked by `tsc --noEmit` (never run).
import {
  ApiKeys,
  Client,
  Credentials,
  Verifier,
  type AccountResponse,
  type AuthFailure,
  type AuthRequest,
  type ClientError,
  type Principal,
  type Secret,
  type SystemLogEntry,
  type UserKeyInfo,
  FileStore,
  KeychainStore,
  MemoryStore,
  parseAuthHeaders,
  resolveCredentials,
  type AuthHeaders,
  type CredentialError,
  type CredentialStore,
  type HeaderError,
  type ApiKeyError,
  type ResolvedCredentials,
  type StoredCredentials,
} from 'redis-cloud-auth'

const keys = new ApiKeys('AccountKey0123', 'UserKey0123456')
const headers: AuthHeaders = keys.authHeaders()
const accountHeader: string = headers['x-api-key']
const fingerprint: string = keys.fingerprint
const parsed: ApiKeys = parseAuthHeaders([['x-api-key', accountHeader], ['x-api-secret-key', 'UserKey0123456']])
const same: boolean = parsed.equals(keys) && parseAuthHeaders({ 'x-api-key': 'a' }).equals(keys)

/** A store over an app's own storage, with async methods. */
class VaultStore implements CredentialStore {
  private readonly entries = new Map<string, StoredCredentials>()
  async save(profile: string, credentials: Credentials): Promise<void> {
    const k = credentials.keys
    this.entries.set(profile, { accountKey: k.exposeAccountKey(), userKey: k.exposeUserKey(), baseUrl: credentials.baseUrl })
  }
  async load(profile: string): Promise<StoredCredentials | null> {
    return this.entries.get(profile) ?? null
  }
  delete(profile: string): boolean {
    return this.entries.delete(profile)
  }
  describe(): string {
    return 'vault'
  }
}

async function main(): Promise<void> {
  const stores: CredentialStore[] = [new MemoryStore(), new FileStore('/tmp/x.toml'), new KeychainStore('svc'), new VaultStore()]
  const found: ResolvedCredentials = await resolveCredentials({
    env: { REDIS_CLOUD_PROFILE: 'ci' },
    profile: 'ci',
    profileFile: false,
    keychain: new KeychainStore(),
    stores,
  })
  const base: string | null = found.credentials.baseUrl
  await new MemoryStore().save('default', new Credentials(keys, base ?? undefined))
  const loaded: Credentials | null = await new MemoryStore().load('default')
  try {
    new ApiKeys('', '')
  } catch (e) {
    const err = e as ApiKeyError | HeaderError | CredentialError
    if (err.name === 'ApiKeyError') {
      const which: 'account' | 'user' = err.key
      console.log(which, err.code satisfies string)
    } else if (err.code === 'not_found') {
      console.log(err.message)
    }
  }
  console.log(fingerprint, same, loaded?.toJSON().fingerprint)
}

/** The verifier side: a gateway's check, and admin calls. */
async function gateway(path: string): Promise<void> {
  const verifier = path ? await Verifier.openSqlite(path) : Verifier.inMemory()
  const account: number = await verifier.createAccount('acme')
  const owner: number = await verifier.addUser(account, 'Ada', 'ada@example.com', 'owner')
  const accountKey: Secret | null = await verifier.enableApi(account)
  const userKey: Secret = await verifier.createUserKey(account, owner, owner, 'ci-deploy-key', ['10.0.0.0/8'])
  const keys: UserKeyInfo[] = await verifier.listUserKeys(account)
  const log: SystemLogEntry[] = await verifier.systemLog(account, 0, 10)
  try {
    const headers = { 'x-api-key': accountKey?.expose() ?? '', 'x-api-secret-key': userKey.expose() }
    const who: Principal = verifier.authenticateSync('GET', '/v1/', headers, '10.1.2.3')
    const later: Promise<Principal> = verifier.authenticate('GET', '/v1/', headers, '10.1.2.3')
    console.log(who.keyName, keys.length, log[0]?.kind, (await later).sourceIp)
    const requests: AuthRequest[] = [{ method: 'GET', path: '/', headers: [['x-api-key', 'AccountKey0123']], peer: '10.1.2.3' }]
    const codes = verifier.authenticateMany(requests)
    if (codes[0] !== 'ok' && codes[0] !== 'missing_credentials') console.log(codes[0])
  } catch (e) {
    const failure = e as AuthFailure
    const status: 401 | 403 | 500 | 503 = failure.httpStatus
    console.log(status, failure.publicMessage)
  }
}

/** The client side. */
async function call(keys: ApiKeys): Promise<void> {
  const client = new Client(keys, { baseUrl: 'http://127.0.0.1:8080/v1', timeout: 5000, maxRetries: 1 })
  try {
    const me: AccountResponse = await client.account()
    const page = await client.systemLog(0, 10)
    const raw = await client.request('GET', '/logs?limit=1')
    console.log(me.account.key.name, page.entries.length, raw.status, raw.headers['content-type'])
    const chained: Client = await Client.fromChain({ profileFile: false, keychain: false }, { maxRetries: 0 })
    const byDefault: Client = await Client.fromChain()
    console.log(chained.baseUrl, byDefault.fingerprint)
  } catch (e) {
    const err = e as ClientError
    if (err.code === 'rate_limited') console.log(err.retryAfter)
  }
}

void main()
void gateway('')
void call(keys)

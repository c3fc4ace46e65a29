// A typed use of the package, checked by `tsc --noEmit` (never run).
import {
  ApiKeys,
  Credentials,
  FileStore,
  KeychainStore,
  MemoryStore,
  parseAuthHeaders,
  resolveCredentials,
  type AuthHeaders,
  type CredentialError,
  type CredentialStore,
  type HeaderError,
  type KeyError,
  type ResolvedCredentials,
  type StoredCredentials,
} from 'redis-cloud-auth'

const keys = new ApiKeys('AccountKey0123', 'UserKey0123456')
const headers: AuthHeaders = keys.authHeaders()
const accountHeader: string = headers['x-api-key']
const fingerprint: string = keys.fingerprint
const parsed: ApiKeys = parseAuthHeaders([['x-api-key', accountHeader], ['x-api-secret-key', 'UserKey0123456']])
const same: boolean = parsed.equals(keys) && ApiKeys.fromHeaders({ 'x-api-key': 'a' }).equals(keys)

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
    const err = e as KeyError | HeaderError | CredentialError
    if (err.name === 'KeyError') {
      const which: 'account' | 'user' = err.key
      console.log(which, err.code satisfies string)
    } else if (err.code === 'not_found') {
      console.log(err.message)
    }
  }
  console.log(fingerprint, same, loaded?.toJSON().fingerprint)
}

void main()

// The package's public surface held against tests/api/surface.json, the
// machine-readable twin of docs/api.md: every class, member, record, enum,
// function and error the spec gives Node.js, with its parameters in order,
// in index.d.ts (read with the TypeScript compiler) and in the package's
// real exports and objects.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const here = dirname(fileURLToPath(import.meta.url))
const spec = JSON.parse(readFileSync(join(here, '..', '..', 'tests', 'api', 'surface.json'), 'utf8'))
const require = createRequire(import.meta.url)
const pkg = require('redis-cloud-auth')

/** Whether a spec entry exists in Node.js. */
const inNode = (entry) => !entry.only || entry.only.includes('node')
/** The spec's snake_case name in Node.js's camelCase. */
const camel = (name) => name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())
const nameOf = (entry) => entry.names?.node ?? camel(entry.name)
/** The parameters Node.js takes for a spec entry, in order. */
const paramsOf = (entry) => (entry.request_object?.includes('node') ? ['request'] : entry.params.map(camel))
const required = (field) => field.replace(/\?$/, '')
const fieldsOfRecord = (record) => (Array.isArray(record) ? record : record.fields)

// index.d.ts as TypeScript sees it, class and interface declarations merged.
const dts = join(dirname(require.resolve('redis-cloud-auth/package.json')), 'index.d.ts')
const program = ts.createProgram([dts], { noEmit: true, strict: true, types: [] })
const checker = program.getTypeChecker()
const declared = new Map(
  checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(dts))).map((s) => [s.name, s]),
)

function symbolOf(name) {
  const symbol = declared.get(name)
  assert.ok(symbol, `index.d.ts does not export ${name}`)
  return symbol
}

/** The parameter names of each call (or construct) signature of `type`. */
function signatures(type, kind = ts.SignatureKind.Call) {
  return checker.getSignaturesOfType(type, kind).map((s) => s.parameters.map((p) => p.name))
}

/** A member of `type` and its parameter lists. */
function memberOf(type, name, what) {
  const symbol = type.getProperty(name)
  assert.ok(symbol, `index.d.ts: ${what} has no ${name}`)
  return { symbol, params: signatures(checker.getTypeOfSymbol(symbol)) }
}

/** The property names of an interface, in declaration order. */
function fieldsOf(name) {
  return checker.getDeclaredTypeOfSymbol(symbolOf(name)).getProperties().map((p) => p.name)
}

/** The string literals of a union type. */
function literals(type) {
  const parts = type.isUnion() ? type.types : [type]
  return parts.map((t) => t.value).sort()
}

test('index.d.ts type-checks on its own', () => {
  const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
  assert.deepEqual(problems, [])
})

test('the exports of the package are the ones index.d.ts declares', () => {
  const values = [...declared.values()]
    .filter((s) => s.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Function))
    .map((s) => s.name)
    .filter((name) => !name.startsWith('__'))
  assert.deepEqual(Object.keys(pkg).sort(), values.sort())
})

for (const [className, cls] of Object.entries(spec.classes)) {
  const members = [...(cls.constructors ?? []), ...(cls.methods ?? []), ...(cls.properties ?? [])]
  if (!inNode(cls) || !members.some(inNode)) continue
  test(`class ${className}: every member, parameters in order`, () => {
    const symbol = symbolOf(className)
    const instance = checker.getDeclaredTypeOfSymbol(symbol)
    const statics = checker.getTypeOfSymbol(symbol)
    const runtime = pkg[className]
    assert.equal(typeof runtime, 'function', `${className} is not exported`)
    for (const ctor of (cls.constructors ?? []).filter(inNode)) {
      const params = ctor.params.map(camel)
      if (ctor.name === 'new') {
        assert.deepEqual(signatures(statics, ts.SignatureKind.Construct), [params], `new ${className}`)
      } else {
        const name = nameOf(ctor)
        assert.deepEqual(memberOf(statics, name, className).params, [params], `${className}.${name}`)
        assert.equal(typeof runtime[name], 'function', `${className}.${name} at run time`)
      }
    }
    for (const method of (cls.methods ?? []).filter(inNode)) {
      const name = nameOf(method)
      assert.deepEqual(memberOf(instance, name, className).params, [paramsOf(method)], `${className}.${name}`)
      assert.equal(typeof runtime.prototype[name], 'function', `${className}.prototype.${name} at run time`)
    }
    for (const property of (cls.properties ?? []).filter(inNode)) {
      const name = nameOf(property)
      const { symbol: member } = memberOf(instance, name, className)
      const settable = member.declarations.some((d) => ts.isSetAccessor(d))
      assert.equal(settable, property.settable === true, `${className}.${name} settable`)
      const descriptor = Object.getOwnPropertyDescriptor(runtime.prototype, name)
      assert.equal(typeof descriptor?.get, 'function', `${className}.${name} at run time`)
      assert.equal(typeof descriptor.set === 'function', property.settable === true, `${className}.${name} setter at run time`)
    }
  })
}

test('functions, parameters in order', () => {
  for (const fn of spec.functions.filter(inNode)) {
    const name = nameOf(fn)
    assert.deepEqual(signatures(checker.getTypeOfSymbol(symbolOf(name))), [fn.params.map(camel)], name)
    assert.equal(typeof pkg[name], 'function', `${name} at run time`)
  }
})

test('records: the fields, in order', () => {
  for (const [name, record] of Object.entries(spec.records)) {
    if (record.only && !record.only.includes('node')) continue
    const ours = fieldsOf(name)
    const wanted = fieldsOfRecord(record).map(camel)
    assert.deepEqual(ours.filter((f) => wanted.includes(f)), wanted, name)
  }
})

test('enums: the values', () => {
  for (const [name, values] of Object.entries(spec.enums)) {
    const ours = literals(checker.getDeclaredTypeOfSymbol(symbolOf(name))).map((v) => v.replaceAll('-', '_'))
    assert.deepEqual(ours, [...values].sort(), name)
  }
})

test('errors: the fields and codes', () => {
  for (const [name, error] of Object.entries(spec.errors)) {
    const type = checker.getDeclaredTypeOfSymbol(symbolOf(name))
    for (const field of error.fields.map(required)) assert.ok(type.getProperty(camel(field)), `${name}.${camel(field)}`)
    assert.deepEqual([checker.getTypeOfSymbol(type.getProperty('name')).value], [name], `${name}.name`)
    const codes = literals(checker.getTypeOfSymbol(type.getProperty('code')))
    assert.deepEqual(codes, Object.keys(error.codes).sort(), `${name} codes`)
  }
})

test('real objects and errors carry the fields the spec gives them', async () => {
  const { ApiKeys, Client, Credentials, Verifier, parseAuthHeaders } = pkg
  const verifier = Verifier.inMemory()
  const account = await verifier.createAccount('acme')
  const ada = await verifier.addUser(account, 'Ada', 'ada@example.com', 'owner')
  const accountKey = (await verifier.enableApi(account)).expose()
  const userKey = (await verifier.createUserKey(account, ada, ada, 'ci-deploy-key', ['10.0.0.0/8'])).expose()
  const headers = { 'x-api-key': accountKey, 'x-api-secret-key': userKey }
  const objects = {
    Principal: verifier.authenticateSync('GET', '/v1/', headers, '10.1.2.3'),
    UserInfo: (await verifier.listUsers(account))[0],
    UserKeyInfo: (await verifier.listUserKeys(account))[0],
  }
  await verifier.flushSystemLog()
  objects.SystemLogEntry = (await verifier.systemLog(account, 0, 1))[0]
  // napi sets optional fields last: the order is held in index.d.ts above.
  for (const [name, object] of Object.entries(objects)) {
    assert.deepEqual(Object.keys(object).sort(), fieldsOfRecord(spec.records[name]).map(camel).sort(), name)
  }

  const thrown = (call) => {
    try {
      call()
    } catch (error) {
      return error
    }
    assert.fail(`did not throw: ${call}`)
  }
  const keys = new ApiKeys(accountKey, userKey)
  const errors = {
    ApiKeyError: thrown(() => new ApiKeys('', userKey)),
    HeaderError: thrown(() => parseAuthHeaders({})),
    CredentialError: thrown(() => new Credentials(keys, 'ftp://example.com')),
    AdminError: await verifier.addUser(account + 1000, 'Eve', 'eve@example.com', 'owner').catch((e) => e),
    AuthFailure: thrown(() => verifier.authenticateSync('GET', '/', {}, '10.1.2.3')),
    ClientError: thrown(() => new Client(keys, { baseUrl: 'not a url' })),
  }
  for (const [name, error] of Object.entries(errors)) {
    assert.ok(error instanceof Error, name)
    assert.equal(error.name, name)
    assert.ok(error.code in spec.errors[name].codes, `${name} ${error.code}`)
    const status = spec.errors[name].codes[error.code]
    for (const field of spec.errors[name].fields) {
      if (field.endsWith('?') || (field === 'http_status' && status === null)) continue
      assert.ok(error[camel(field)] !== undefined, `${name}.${camel(field)}`)
    }
    if (status !== null) assert.equal(error.httpStatus ?? error.status, status, `${name} ${error.code}`)
  }
})

// The package entry: the native addon (index.js, generated) plus what
// JavaScript needs and napi classes cannot declare themselves.
'use strict'

const { inspect } = require('node:util')
const native = require('./index.js')
const { authenticate, authenticateMany, authenticateSync, parseAuthHeaders } = require('./auth-request.js')

// util.inspect shows the same redacted text as toString().
for (const name of ['ApiKeys', 'Client', 'Credentials', 'FileStore', 'KeychainStore', 'MemoryStore', 'Secret', 'Verifier']) {
  Object.defineProperty(native[name].prototype, inspect.custom, {
    value: function redacted() {
      return this.toString()
    },
  })
}

// The request is read in JavaScript (auth-request.js): cheaper than across napi.
for (const [name, value] of Object.entries({ authenticate, authenticateSync, authenticateMany })) {
  Object.defineProperty(native.Verifier.prototype, name, { value, writable: true, configurable: true })
}

// Named one by one so that ESM `import { ApiKeys } from 'redis-cloud-auth'`
// sees them (a test checks that every native export is here).
exports.ApiKeys = native.ApiKeys
exports.Client = native.Client
exports.Credentials = native.Credentials
exports.FileStore = native.FileStore
exports.KeychainStore = native.KeychainStore
exports.MemoryStore = native.MemoryStore
exports.parseAuthHeaders = parseAuthHeaders
exports.resolveCredentials = native.resolveCredentials
exports.Secret = native.Secret
exports.Verifier = native.Verifier

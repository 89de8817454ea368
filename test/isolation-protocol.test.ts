// The isolation worker's first check on every message: parseRequest() lets through only requests
// of the protocol's shape, whatever a page script posts on the port.
import { describe, expect, it } from 'vitest'
import { hasFields, maxTextLength, operations, parseRequest, wireConfigFields, type Operation } from '../src/features/isolation/protocol.js'

/** A valid argument for each declared type. */
const sample: Record<string, unknown> = { string: 'x', number: 1, boolean: true, object: {}, any: [1] }

/** A request for `op` with every argument it declares, valid. */
function validArgs(op: Operation): Record<string, unknown> {
  return Object.fromEntries(Object.entries(operations[op] as Record<string, string>).map(([key, type]) => [key, sample[type.replace('?', '')]]))
}

const request = (op: string, args: unknown = {}, more: Record<string, unknown> = {}) => ({ v: 1, id: 7, op, args, ...more })
const ops = Object.keys(operations) as Operation[]

describe('parseRequest', () => {
  it.each(ops)('accepts %s with its arguments, and with its optional ones left out', (op) => {
    expect(parseRequest(request(op, validArgs(op)))).toEqual({ v: 1, id: 7, op, args: validArgs(op) })
    const required = Object.fromEntries(Object.entries(validArgs(op)).filter(([key]) => !(operations[op] as Record<string, string>)[key]!.endsWith('?')))
    expect(parseRequest(request(op, required))).toBeDefined()
  })

  it('accepts a request without args only for ops that need none', () => {
    expect(parseRequest({ v: 1, id: 1, op: 'state' })).toEqual({ v: 1, id: 1, op: 'state', args: {} })
    expect(parseRequest({ v: 1, id: 1, op: 'complete' })).toBeUndefined()
  })

  it.each(ops.flatMap((op) => Object.keys(operations[op]).map((key) => [op, key] as const)))(
    '%s refuses a wrong type for %s',
    (op, key) => {
      const type = (operations[op] as Record<string, string>)[key]!.replace('?', '')
      if (type === 'any') return
      // A value of another type than the declared one: a string for non-strings, else a number.
      const wrong = type === 'string' ? 1 : 'x'
      expect(parseRequest(request(op, { ...validArgs(op), [key]: wrong }))).toBeUndefined()
      expect(parseRequest(request(op, { ...validArgs(op), [key]: null }))).toBeUndefined()
    },
  )

  it.each(ops)('%s refuses a missing required argument and any extra key', (op) => {
    for (const [key, type] of Object.entries(operations[op] as Record<string, string>)) {
      if (type.endsWith('?')) continue
      const { [key]: _left, ...rest } = validArgs(op)
      expect(parseRequest(request(op, rest)), `without ${key}`).toBeUndefined()
    }
    expect(parseRequest(request(op, { ...validArgs(op), extra: 1 }))).toBeUndefined()
  })

  it('refuses unknown ops, inherited names, bad versions and ids, extra top-level keys being harmless', () => {
    for (const op of ['nope', 'toString', 'constructor', '__proto__', 'hasOwnProperty', '']) expect(parseRequest(request(op))).toBeUndefined()
    expect(parseRequest({ ...request('state'), v: 2 })).toBeUndefined()
    expect(parseRequest({ ...request('state'), v: '1' })).toBeUndefined()
    for (const id of [1.5, '1', NaN, Infinity, 2 ** 53, undefined, null]) expect(parseRequest({ ...request('state'), id })).toBeUndefined()
    expect(parseRequest({ v: 1, id: 1, op: 'state', args: {}, other: 'ignored' })).toEqual({ v: 1, id: 1, op: 'state', args: {} })
  })

  it('refuses __proto__ keys, as own keys (JSON, structured clone) of the request or of args', () => {
    expect(parseRequest(JSON.parse('{"v":1,"id":1,"op":"state","args":{"__proto__":{"url":"x"}}}'))).toBeUndefined()
    expect(parseRequest(JSON.parse('{"v":1,"id":1,"op":"complete","args":{"url":"x","__proto__":{}}}'))).toBeUndefined()
    // Through the prototype: not a plain object any more.
    expect(parseRequest({ __proto__: { v: 1, id: 1, op: 'state', args: {} } })).toBeUndefined()
    expect(parseRequest(request('complete', Object.create({ url: 'x' })))).toBeUndefined()
  })

  it('refuses strings longer than maxTextLength, accepts maxTextLength', () => {
    expect(parseRequest(request('complete', { url: 'x'.repeat(maxTextLength) }))).toBeDefined()
    expect(parseRequest(request('complete', { url: 'x'.repeat(maxTextLength + 1) }))).toBeUndefined()
    expect(parseRequest(request('token', { scope: 'x'.repeat(10_000_000) }))).toBeUndefined()
  })

  it('refuses non-plain objects, arrays and sparse arrays where objects go', () => {
    const sparse: unknown[] = []
    sparse[5] = 'x'
    const notPlain = [[], sparse, new Map(), new Date(), Object.create(null), new (class Args {})(), new Uint8Array(1)]
    notPlain.forEach((args, i) => expect(parseRequest(request('state', args)), `args ${i}`).toBeUndefined())
    notPlain.forEach((config, i) => expect(parseRequest(request('hello', { protocol: 1, config })), `config ${i}`).toBeUndefined())
    notPlain.forEach((headers, i) => expect(parseRequest(request('fetch', { ...validArgs('fetch'), headers })), `headers ${i}`).toBeUndefined())
    for (const args of ['args', 1, null]) expect(parseRequest(request('state', args))).toBeUndefined()
    for (const data of [null, undefined, 'state', 1, [request('state')], sparse, new Map(Object.entries(request('state')))]) {
      expect(parseRequest(data)).toBeUndefined()
    }
  })
})

describe('hasFields (the worker checks hello’s configuration with it)', () => {
  const config = { issuer: 'https://op.example/', clientId: 'c', redirectUri: '/cb', scope: 'openid', allowInsecureRequests: false,
    authorizationParams: {}, refreshLeewaySeconds: 30, refreshRetries: 1, timeoutSeconds: 10, lockWaitSeconds: 10,
    clockToleranceSeconds: 300, dpop: false, par: false, resources: [], accessTokenInWorker: false, allowedOrigins: [], serviceWorkers: [] }

  it('accepts a configuration, and refuses sparse, long or mixed arrays where strings go', () => {
    expect(hasFields(config, wireConfigFields)).toBe(true)
    expect(hasFields({ ...config, resources: ['https://api.example/'] }, wireConfigFields)).toBe(true)
    const sparse: string[] = []
    sparse[2] = 'https://api.example/'
    expect(hasFields({ ...config, resources: sparse }, wireConfigFields)).toBe(false)
    expect(hasFields({ ...config, allowedOrigins: Array(17).fill('https://a.example') }, wireConfigFields)).toBe(false)
    expect(hasFields({ ...config, allowedOrigins: ['https://a.example', 1] }, wireConfigFields)).toBe(false)
    expect(hasFields({ ...config, refreshLeewaySeconds: Infinity }, wireConfigFields)).toBe(false)
    expect(hasFields({ ...config, refreshRetries: 1.5 }, wireConfigFields)).toBe(false)
    expect(hasFields({ ...config, metadata: [] }, wireConfigFields)).toBe(false)
  })
})

import 'fake-indexeddb/auto'
import * as oauth from 'oauth4webapi'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { bindAuthorizationCode, dpopKeys } from '../src/features/dpop.js'
import { dpop } from '../src/dpop.js'
import { resolveOptions } from '../src/core/options.js'
import { refreshSession } from '../src/core/refresh-request.js'
import type { Session } from '../src/core/session.js'
import { browserStore, memoryStore } from '../src/core/storage.js'

afterEach(() => vi.unstubAllGlobals())

let namespaces = 0
/** A namespace of its own per test: the fake IndexedDB outlives each test. */
const freshNamespace = () => `https://as.example/#spa-${++namespaces}`
const thumbprintOf = async (keys: ReturnType<typeof dpopKeys>) => (await keys.handle()).calculateThumbprint()

describe('dpopKeys', () => {
  it('creates a non-extractable ES256 key once, persists it in IndexedDB and reuses it after a reload', async () => {
    const namespace = freshNamespace()
    const first = dpopKeys(browserStore(), namespace)
    const thumbprint = await thumbprintOf(first)
    const stored = await browserStore().get<{ keyPair: CryptoKeyPair }>(`dpop:${namespace}`)
    expect(stored?.keyPair.privateKey.extractable).toBe(false)
    expect(stored?.keyPair.privateKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' })

    // A new store and client, as after a reload: same key.
    expect(await thumbprintOf(dpopKeys(browserStore(), namespace))).toBe(thumbprint)
    // One handle per key, so the nonces it learnt are kept between requests.
    expect(await first.handle()).toBe(await first.handle())
  })

  it('makes a new key after discard(), and other clients of the origin follow', async () => {
    const namespace = freshNamespace()
    const store = memoryStore()
    const tab1 = dpopKeys(store, namespace)
    const tab2 = dpopKeys(store, namespace)
    const before = await thumbprintOf(tab1)
    expect(await thumbprintOf(tab2)).toBe(before)

    await tab2.discard()
    expect(await store.get(`dpop:${namespace}`)).toBeUndefined()
    const after = await thumbprintOf(tab1)
    expect(after).not.toBe(before)
    expect(await thumbprintOf(tab2)).toBe(after)
  })

  it('gives two tabs that start at once the same key (created under a lock, re-read inside it)', async () => {
    // A minimal Web Locks stand-in: one holder per name at a time, in request order.
    const queues = new Map<string, Promise<unknown>>()
    vi.stubGlobal('navigator', {
      locks: {
        request(name: string, ...rest: [() => Promise<unknown>] | [object, () => Promise<unknown>]) {
          const task = rest.length === 1 ? rest[0] : rest[1]
          const run = (queues.get(name) ?? Promise.resolve()).then(task)
          queues.set(name, run.catch(() => undefined))
          return run
        },
      },
    })
    const namespace = freshNamespace()
    const [a, b] = await Promise.all([
      thumbprintOf(dpopKeys(browserStore(), namespace)),
      thumbprintOf(dpopKeys(browserStore(), namespace)),
    ])
    expect(a).toBe(b)
  })
})

describe('bindAuthorizationCode', () => {
  it('puts the key thumbprint in dpop_jkt (RFC 9449 §10)', async () => {
    const keys = dpopKeys(memoryStore(), freshNamespace())
    const url = new URL('https://as.example/authorize?client_id=spa')
    await bindAuthorizationCode(url, { issuer: 'https://as.example', dpop_signing_alg_values_supported: ['ES256'] }, keys)
    expect(url.searchParams.get('dpop_jkt')).toBe(await thumbprintOf(keys))
    expect(url.searchParams.get('dpop_jkt')).toMatch(/^[\w-]{43}$/)
  })

  it('rejects a server whose DPoP algorithms leave out ES256 with config_error', async () => {
    const url = new URL('https://as.example/authorize')
    const metadata = { issuer: 'https://as.example', dpop_signing_alg_values_supported: ['EdDSA'] }
    await expect(bindAuthorizationCode(url, metadata, dpopKeys(memoryStore(), freshNamespace()))).rejects.toMatchObject({
      code: 'config_error',
    })
    expect(url.searchParams.has('dpop_jkt')).toBe(false)
  })
})

describe('DPoP token requests', () => {
  const metadata: oauth.AuthorizationServer = { issuer: 'https://as.example', token_endpoint: 'https://as.example/token' }
  const session: Session = { accessToken: 'a1', tokenType: 'dpop', receivedAt: 0, refreshToken: 'r1' }
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
  const proofPayload = (init: RequestInit) => {
    const proof = new Headers(init.headers).get('dpop')
    return proof ? JSON.parse(Buffer.from(proof.split('.')[1], 'base64url').toString()) : undefined
  }

  /** The token request sender of `dpop()`, as a client sets it up. */
  const dpopSender = (fetch: typeof globalThis.fetch) => {
    const options = resolveOptions({ issuer: 'https://as.example', clientId: 'spa', redirectUri: 'https://app.example/cb', fetch, dpop: dpop() })
    return { options, send: options.dpop!.setup({ config: options, store: memoryStore() }).sender() }
  }

  it('sends a proof, retries once with the nonce the server asked for, and keeps token_type dpop', async () => {
    const proofs: Record<string, unknown>[] = []
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      proofs.push(proofPayload(init!))
      return proofs.length === 1
        ? json(400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': 'n-1' })
        : json(200, { access_token: 'a2', token_type: 'DPoP', expires_in: 60, refresh_token: 'r2' })
    })
    const { options, send } = dpopSender(fetch)

    const next = await refreshSession(options, metadata, session, send, {})
    expect(fetch).toHaveBeenCalledTimes(2)
    expect(proofs[0]).toMatchObject({ htm: 'POST', htu: 'https://as.example/token' })
    expect(proofs[0].nonce).toBeUndefined()
    expect(proofs[1]).toMatchObject({ nonce: 'n-1' })
    expect(next).toMatchObject({ accessToken: 'a2', tokenType: 'dpop', refreshToken: 'r2' })
  })

  it('does not retry a second use_dpop_nonce, nor any other error', async () => {
    const fetch = vi.fn(async () => json(400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': 'n-2' }))
    const { options, send } = dpopSender(fetch)
    await expect(refreshSession(options, metadata, session, send, {})).rejects.toMatchObject({ error: 'use_dpop_nonce' })
    expect(fetch).toHaveBeenCalledTimes(2)

    fetch.mockImplementation(async () => json(400, { error: 'invalid_grant' }))
    fetch.mockClear()
    await expect(refreshSession(options, metadata, session, send, {})).rejects.toMatchObject({ error: 'invalid_grant' })
    expect(fetch).toHaveBeenCalledTimes(1)
  })
})

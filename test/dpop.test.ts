import 'fake-indexeddb/auto'
import { createHash } from 'node:crypto'
import * as oauth from 'oauth4webapi'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { bindAuthorizationCode, dpopKeys } from '../src/features/dpop.js'
import { dpop } from '../src/dpop.js'
import { resolveOptions } from '../src/core/options.js'
import { redeemCallback } from '../src/core/callback.js'
import { refreshSession } from '../src/core/refresh-request.js'
import type { Session } from '../src/core/session.js'
import { browserStore, memoryStore } from '../src/core/storage.js'
import { createTransaction, transactionLifetimeMs } from '../src/core/transaction.js'

afterEach(() => vi.unstubAllGlobals())

let namespaces = 0
/** A namespace of its own per test: the fake IndexedDB outlives each test. */
const freshNamespace = () => `https://as.example/#spa-${++namespaces}`
const thumbprintOf = async (keys: ReturnType<typeof dpopKeys>) => (await keys.handle()).calculateThumbprint()
const jktOf = (keyPair: CryptoKeyPair) => oauth.DPoP({}, keyPair).calculateThumbprint()
/** What a script stores under the client's key: a pair it made, extractable or not. */
const plantedKey = async (extractable: boolean) => ({ keyPair: await oauth.generateKeyPair('ES256', { extractable }), id: 'planted' })
/** A login through `keys`: a key for `state`, redeemed by an exchange that succeeds. */
async function logIn(keys: ReturnType<typeof dpopKeys>, state = oauth.generateRandomState()) {
  const jkt = await keys.create(state)
  await keys.redeem(state, async () => undefined)
  return jkt
}

describe('dpopKeys', () => {
  it('makes a new non-extractable ES256 key for every login, never the stored one, and keeps it in IndexedDB after a reload', async () => {
    const namespace = freshNamespace()
    const store = browserStore()
    // What a script that ran once left there: a non-extractable key whose private JWK it knows.
    const planted = await plantedKey(false)
    await store.set(`dpop:${namespace}`, planted)
    const keys = dpopKeys(store, namespace)

    const jkt = await keys.create('state-1')
    expect(jkt).not.toBe(await jktOf(planted.keyPair))
    expect(await keys.create('state-2')).not.toBe(jkt)
    const pending = await store.get<{ keyPair: CryptoKeyPair }>(`dpop-login:${namespace} state-1`)
    expect(pending?.keyPair.privateKey.extractable).toBe(false)
    expect(pending?.keyPair.privateKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' })
    expect(await jktOf(pending!.keyPair)).toBe(jkt)

    await keys.redeem('state-1', async () => undefined)
    // A new store and client, as after a reload: the login's key.
    expect(await thumbprintOf(dpopKeys(browserStore(), namespace))).toBe(jkt)
    // One handle per key, so the nonces it learnt are kept between requests.
    expect(await keys.handle()).toBe(await keys.handle())
  })

  it("redeems a login's code with that login's key, which becomes the key of every tab only once the exchange succeeded", async () => {
    const namespace = freshNamespace()
    const store = memoryStore()
    const tab1 = dpopKeys(store, namespace)
    const tab2 = dpopKeys(store, namespace)
    const before = await logIn(tab1)

    const jkt = await tab2.create('s')
    let signedWith: string | undefined
    let currentDuringExchange: string | undefined
    await tab2.redeem('s', async (handle) => {
      signedWith = await handle.calculateThumbprint()
      currentDuringExchange = await thumbprintOf(tab1)
    })
    expect(signedWith).toBe(jkt)
    expect(currentDuringExchange).toBe(before)
    expect(await thumbprintOf(tab1)).toBe(jkt)
    expect(await thumbprintOf(tab2)).toBe(jkt)
    // Used once: a second exchange of the same login finds no key.
    await expect(tab2.redeem('s', async () => undefined)).rejects.toMatchObject({ code: 'invalid_state' })

    // A failed exchange: the login's key is gone, the current key stays.
    await tab2.create('failing')
    await expect(tab2.redeem('failing', async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused')
    expect(await thumbprintOf(tab1)).toBe(jkt)
    expect(await store.get(`dpop-login:${namespace} failing`)).toBeUndefined()
  })

  it('completes two logins pending at once each with its own key; the last to complete wins', async () => {
    const namespace = freshNamespace()
    const store = memoryStore()
    const [tab1, tab2] = [dpopKeys(store, namespace), dpopKeys(store, namespace)]
    const [jkt1, jkt2] = await Promise.all([tab1.create('s1'), tab2.create('s2')])
    const signers: string[] = []
    const sign = async (handle: oauth.DPoPHandle) => void signers.push(await handle.calculateThumbprint())
    await tab2.redeem('s2', sign)
    await tab1.redeem('s1', sign)
    expect(signers).toEqual([jkt2, jkt1])
    expect(await thumbprintOf(tab2)).toBe(jkt1)
  })

  it('refuses a stored key that is extractable or not an ECDSA P-256 signing key: login_required, never a proof', async () => {
    const namespace = freshNamespace()
    const store = memoryStore()
    const keys = dpopKeys(store, namespace)
    const ecdsa = (namedCurve: string) => ({ name: 'ECDSA', namedCurve })
    const p384 = await crypto.subtle.generateKey(ecdsa('P-384'), false, ['sign', 'verify'])
    const p256 = await crypto.subtle.generateKey(ecdsa('P-256'), true, ['sign', 'verify'])
    const signAndVerify = await crypto.subtle.importKey('jwk', await crypto.subtle.exportKey('jwk', p256.privateKey), ecdsa('P-256'), false, ['sign'])
    const refused = [
      undefined,
      await plantedKey(true),
      { keyPair: p384, id: 'p384' },
      { keyPair: { privateKey: 'not a key', publicKey: p256.publicKey }, id: 'junk' },
      { keyPair: { privateKey: signAndVerify, publicKey: p256.publicKey } },
    ]
    for (const stored of refused) {
      await store.set(`dpop:${namespace}`, stored)
      await expect(keys.handle(), JSON.stringify(stored)).rejects.toMatchObject({ name: 'AuthError', code: 'login_required' })
    }
    // A login's own key, replaced by an extractable one before the code comes back, is not used either.
    await keys.create('s')
    await store.set(`dpop-login:${namespace} s`, { ...(await plantedKey(true)), createdAt: Date.now() })
    const exchange = vi.fn(async () => undefined)
    await expect(keys.redeem('s', exchange)).rejects.toMatchObject({ code: 'invalid_state' })
    expect(exchange).not.toHaveBeenCalled()
  })

  it('deletes the keys of logins older than the login lifetime, any client\'s, when a login starts', async () => {
    const store = memoryStore()
    const keys = dpopKeys(store, freshNamespace())
    const old = { ...(await plantedKey(false)), createdAt: Date.now() - transactionLifetimeMs - 1 }
    await store.set('dpop-login:other-client old', old)
    await store.set('dpop-login:other-client future', { ...old, createdAt: Date.now() + transactionLifetimeMs + 1 })
    await keys.create('recent')
    await keys.create('new')
    expect((await store.entries()).map(([key]) => key.split(' ')[1]).sort()).toEqual(['new', 'recent'])
  })

  it('forgets the key after discard(): every tab gets login_required until the next login', async () => {
    const namespace = freshNamespace()
    const store = memoryStore()
    const tab1 = dpopKeys(store, namespace)
    const tab2 = dpopKeys(store, namespace)
    const before = await logIn(tab1)
    expect(await thumbprintOf(tab2)).toBe(before)

    await tab2.discard()
    expect(await store.get(`dpop:${namespace}`)).toBeUndefined()
    await expect(tab1.handle()).rejects.toMatchObject({ code: 'login_required' })
    const after = await logIn(tab1)
    expect(after).not.toBe(before)
    expect(await thumbprintOf(tab2)).toBe(after)
  })
})

describe('bindAuthorizationCode', () => {
  it("puts the thumbprint of the login's new key in dpop_jkt (RFC 9449 §10)", async () => {
    const store = memoryStore()
    const namespace = freshNamespace()
    const keys = dpopKeys(store, namespace)
    const current = await logIn(keys)
    const url = new URL('https://as.example/authorize?client_id=spa&state=login-1')
    await bindAuthorizationCode(url, { issuer: 'https://as.example', dpop_signing_alg_values_supported: ['ES256'] }, keys)
    const pending = await store.get<{ keyPair: CryptoKeyPair }>(`dpop-login:${namespace} login-1`)
    expect(url.searchParams.get('dpop_jkt')).toBe(await jktOf(pending!.keyPair))
    expect(url.searchParams.get('dpop_jkt')).not.toBe(current)
    expect(url.searchParams.get('dpop_jkt')).toMatch(/^[\w-]{43}$/)
  })

  it('rejects a server whose DPoP algorithms leave out ES256 with config_error, making no key', async () => {
    const store = memoryStore()
    const url = new URL('https://as.example/authorize?state=s')
    const metadata = { issuer: 'https://as.example', dpop_signing_alg_values_supported: ['EdDSA'] }
    await expect(bindAuthorizationCode(url, metadata, dpopKeys(store, freshNamespace()))).rejects.toMatchObject({
      code: 'config_error',
    })
    expect(url.searchParams.has('dpop_jkt')).toBe(false)
    expect(await store.entries()).toEqual([])
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

  /** `dpop()` as a client sets it up, logged in once: its refresh sender, over a store holding the login's key. */
  const dpopClient = async (fetch: typeof globalThis.fetch) => {
    const options = resolveOptions({ issuer: 'https://as.example', clientId: 'spa', redirectUri: 'https://app.example/cb', fetch, dpop: dpop() })
    const store = memoryStore()
    const feature = options.dpop!.setup({ config: options, store })
    await logIn(dpopKeys(store, options.namespace))
    return { options, feature, send: feature.sender() }
  }

  it("signs the code exchange with the login's own key, nonce retry included, and makes it current once the response is accepted", async () => {
    const proofs: { jwk: Record<string, string>; nonce?: string }[] = []
    let answer = () => json(400, { error: 'invalid_grant' })
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      const proof = new Headers(init!.headers).get('dpop')!
      proofs.push({ jwk: JSON.parse(Buffer.from(proof.split('.')[0], 'base64url').toString()).jwk, nonce: proofPayload(init!).nonce })
      return proofs.length === 1 ? json(400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': 'n-1' }) : answer()
    })
    const { options, feature } = await dpopClient(fetch)
    const before = await (await feature.handle()).calculateThumbprint()
    const owner = { namespace: options.namespace, issuer: 'https://as.example', clientId: 'spa' }
    const redeem = async () => {
      const transaction = createTransaction(owner, { redirectUri: 'https://app.example/cb', scope: 'api' })
      const url = new URL(`https://as.example/authorize?state=${transaction.state}`)
      await feature.bindCode(url, { ...metadata, dpop_signing_alg_values_supported: ['ES256'] })
      const callbackUrl = new URL(`https://app.example/cb?code=c&state=${transaction.state}`)
      const outcome = redeemCallback(options, metadata, transaction, callbackUrl, feature.sender(0, transaction.state), {})
      return { jkt: url.searchParams.get('dpop_jkt')!, outcome }
    }
    // RFC 7638: the members of an EC key, in order.
    const thumbprints = async () =>
      proofs.map(({ jwk: { crv, kty, x, y } }) => createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url'))

    // Refused: the login's key was used for nothing else and the current key stays.
    const refused = await redeem()
    await expect(refused.outcome).rejects.toMatchObject({ code: 'oauth_error', error: 'invalid_grant' })
    expect(new Set(await thumbprints())).toEqual(new Set([refused.jkt]))
    expect(await (await feature.handle()).calculateThumbprint()).toBe(before)

    proofs.length = 0
    answer = () => json(200, { access_token: 'a2', token_type: 'DPoP', expires_in: 60, refresh_token: 'r2' })
    const accepted = await redeem()
    await expect(accepted.outcome).resolves.toMatchObject({ accessToken: 'a2', tokenType: 'dpop' })
    expect(await thumbprints()).toEqual([accepted.jkt, accepted.jkt])
    expect(proofs.map(({ nonce }) => nonce)).toEqual([undefined, 'n-1'])
    expect([before, refused.jkt]).not.toContain(accepted.jkt)
    expect(await (await feature.handle()).calculateThumbprint()).toBe(accepted.jkt)
  })

  it('sends a proof, retries once with the nonce the server asked for, and keeps token_type dpop', async () => {
    const proofs: Record<string, unknown>[] = []
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      proofs.push(proofPayload(init!))
      return proofs.length === 1
        ? json(400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': 'n-1' })
        : json(200, { access_token: 'a2', token_type: 'DPoP', expires_in: 60, refresh_token: 'r2' })
    })
    const { options, send } = await dpopClient(fetch)

    const next = await refreshSession(options, metadata, session, send, {})
    expect(fetch).toHaveBeenCalledTimes(2)
    expect(proofs[0]).toMatchObject({ htm: 'POST', htu: 'https://as.example/token' })
    expect(proofs[0].nonce).toBeUndefined()
    expect(proofs[1]).toMatchObject({ nonce: 'n-1' })
    expect(next).toMatchObject({ accessToken: 'a2', tokenType: 'dpop', refreshToken: 'r2' })
  })

  it('does not retry a second use_dpop_nonce, nor any other error', async () => {
    const fetch = vi.fn(async () => json(400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': 'n-2' }))
    const { options, send } = await dpopClient(fetch)
    await expect(refreshSession(options, metadata, session, send, {})).rejects.toMatchObject({ error: 'use_dpop_nonce' })
    expect(fetch).toHaveBeenCalledTimes(2)

    fetch.mockImplementation(async () => json(400, { error: 'invalid_grant' }))
    fetch.mockClear()
    await expect(refreshSession(options, metadata, session, send, {})).rejects.toMatchObject({ error: 'invalid_grant' })
    expect(fetch).toHaveBeenCalledTimes(1)
  })
})

/**
 * `dpop: dpop()` fails closed (RFC 9449), through the client against the real mock provider, which
 * knows nothing of DPoP: its metadata lists no DPoP algorithms and it issues Bearer tokens.
 */
import { IDBFactory } from 'fake-indexeddb'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { startMockProvider } from '../e2e/provider/mock-provider.mjs'
import { createAuthClient, type AuthClientOptions } from '../src/index.js'
import { browserStore } from '../src/core/storage.js'
import { dpop } from '../src/dpop.js'

const redirectUri = 'http://localhost:5173/callback.html'
let provider: Awaited<ReturnType<typeof startMockProvider>>
const storedEntries = async (prefix: string) => (await browserStore().entries()).filter(([key]) => key.startsWith(prefix))
const fault = (body: unknown) =>
  fetch(`${provider.url}/__control/faults`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })

const dpopClient = (options: Partial<AuthClientOptions> = {}) =>
  createAuthClient({ issuer: provider.url, clientId: 'pixie-e2e', redirectUri, dpop: dpop(), ...options })

/** Runs `loginWithRedirect()` and returns where it navigated, or the error it rejected with. */
async function startLogin(auth: ReturnType<typeof dpopClient>) {
  const navigations: string[] = []
  vi.stubGlobal('location', { assign: (url: URL) => void navigations.push(String(url)) })
  try {
    await auth.loginWithRedirect()
    return { navigations }
  } catch (error) {
    return { navigations, error }
  } finally {
    vi.unstubAllGlobals()
  }
}

/** Logs in with `auth` and returns the callback URL the provider redirected to. */
async function approvedCallbackUrl(auth: ReturnType<typeof dpopClient>) {
  const { navigations, error } = await startLogin(auth)
  expect(error).toBeUndefined()
  const response = await fetch(navigations[0]!, { redirect: 'manual' })
  return response.headers.get('location')!
}

/** The provider's metadata as if it accepted ES256 proofs (it still ignores them and issues Bearer). */
async function metadataClaimingDPoP() {
  const metadata = await (await fetch(`${provider.url}/.well-known/openid-configuration`)).json()
  return { ...metadata, dpop_signing_alg_values_supported: ['ES256'] }
}

beforeAll(async () => {
  provider = await startMockProvider({ port: 0, config: { autoApprove: true } })
})
afterAll(() => provider?.close())
beforeEach(() => {
  globalThis.indexedDB = new IDBFactory()
})

describe('dpop() fails closed', () => {
  it('refuses to log in at a server whose metadata has no dpop_signing_alg_values_supported: config_error, no navigation', async () => {
    const auth = dpopClient()
    const { navigations, error } = await startLogin(auth)
    expect(error).toMatchObject({ name: 'AuthError', code: 'config_error' })
    expect(navigations).toEqual([])
    expect(await storedEntries('tx:')).toEqual([])
  })

  it('holds for options an app builds with a class, whose dpop comes from a getter on its prototype', async () => {
    const plugin = dpop()
    class Options implements AuthClientOptions {
      issuer = provider.url
      clientId = 'pixie-e2e'
      redirectUri = redirectUri
      // Not an own property: createAuthClient() reads it as it checks it, not only what a spread copies.
      get dpop() {
        return plugin
      }
    }
    const auth = createAuthClient(new Options())
    const { navigations, error } = await startLogin(auth)
    expect(error).toMatchObject({ name: 'AuthError', code: 'config_error', message: expect.stringContaining('dpop is on') })
    expect(navigations).toEqual([])
    // Let go of at once (the last dispose() closes on the next task): its options key, own
    // properties only, is that of the plain client of a test below.
    auth.dispose()
    await new Promise((resolve) => setTimeout(resolve))
  })

  it('refuses a Bearer token from the code exchange: invalid_response, nothing stored', async () => {
    const auth = dpopClient({ metadata: await metadataClaimingDPoP() })
    const callbackUrl = await approvedCallbackUrl(auth)
    await expect(auth.handleRedirectCallback(callbackUrl)).rejects.toMatchObject({ code: 'invalid_response' })
    expect(await storedEntries('session:')).toEqual([])
    expect(auth.getState().status).toBe('unauthenticated')
  })

  it('refuses a Bearer token from a refresh: invalid_response, the DPoP session stays as it was', async () => {
    // Without openid, no ID token is needed, so the mock's answer can be replaced by a DPoP one.
    const auth = dpopClient({ metadata: await metadataClaimingDPoP(), scope: 'offline_access' })
    const callbackUrl = await approvedCallbackUrl(auth)
    await fault({
      endpoint: 'token',
      grantType: 'authorization_code',
      type: 'body',
      body: { access_token: 'dpop-at', token_type: 'DPoP', expires_in: 60, refresh_token: 'dpop-rt' },
    })
    await auth.handleRedirectCallback(callbackUrl)
    const before = await storedEntries('session:')
    expect(before).toHaveLength(1)
    expect(before[0]![1]).toMatchObject({ session: { tokenType: 'dpop', refreshToken: 'dpop-rt' } })

    await fault({
      endpoint: 'token',
      grantType: 'refresh_token',
      type: 'body',
      body: { access_token: 'bearer-at', token_type: 'Bearer', expires_in: 60, refresh_token: 'bearer-rt' },
    })
    await expect(auth.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({ code: 'invalid_response' })
    expect(await storedEntries('session:')).toEqual(before)
    expect(await auth.getAccessToken()).toBe('dpop-at')
  })

  it('does not use a Bearer session stored before dpop was switched on: login_required, no Bearer token handed out', async () => {
    // The app ran without DPoP and its user logged in; the next deploy switches dpop on.
    const before = createAuthClient({ issuer: provider.url, clientId: 'pixie-e2e', redirectUri })
    const { navigations } = await startLogin(before as ReturnType<typeof dpopClient>)
    const callbackUrl = (await fetch(navigations[0]!, { redirect: 'manual' })).headers.get('location')!
    await before.handleRedirectCallback(callbackUrl)
    expect(await storedEntries('session:')).toMatchObject([[expect.any(String), { session: { tokenType: 'bearer' } }]])
    before.dispose()

    // (Its own scope: the clients of the tests above, made with equal options, are still in use.)
    const auth = dpopClient({ metadata: await metadataClaimingDPoP(), scope: 'openid offline_access' })
    const tokenRequests = async () => (await (await fetch(`${provider.url}/__control/stats`)).json()).tokenRequests.total
    const requestsBefore = await tokenRequests()
    expect(await auth.isAuthenticated()).toBe(false)
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'login_required' })
    await expect(auth.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({ code: 'login_required' })
    expect(await tokenRequests()).toBe(requestsBefore)
    auth.dispose()
  })
})

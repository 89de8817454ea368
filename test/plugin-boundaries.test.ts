// @vitest-environment happy-dom
// Outside review of issue 12 (the modular core): attacks on what the split may have opened, through
// the public entries, against the real mock provider.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createAuthClient, type AuthClient, type AuthClientOptions } from '../src/index.js'
import { readSession } from '../src/core/session.js'
import { browserStore } from '../src/core/storage.js'
import { dpop } from '../src/dpop.js'
import { createFetch } from '../src/fetch.js'
import { par } from '../src/par.js'
import { resourceIndicators } from '../src/resource.js'
import { silentLogin } from '../src/silent-login.js'
import { approvedCallbackUrl, useApprovingProvider, visit } from './mock-provider-login.js'
import { nextTask } from './open-channels.js'

const appOrigin = 'http://localhost:5173'
const provider = useApprovingProvider()
const clients: AuthClient[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose()
  await nextTask()
})
const track = <T extends AuthClient>(client: T) => (clients.push(client), client)

/** The mock's metadata, as if it accepted ES256 proofs (it still issues Bearer tokens). */
async function metadataClaimingDPoP() {
  const metadata = await (await fetch(`${provider().url}/.well-known/openid-configuration`)).json()
  return { ...metadata, dpop_signing_alg_values_supported: ['ES256'] }
}

const options = (): AuthClientOptions => ({
  issuer: provider().url,
  clientId: 'pixie-demo',
  redirectUri: `${appOrigin}/`,
  scope: 'openid offline_access',
})

/** Logs `client` in at the mock (which issues Bearer tokens). */
async function logIn(client: AuthClient) {
  visit(`${appOrigin}/`)
  visit(await approvedCallbackUrl(client))
  await client.handleRedirectCallback()
}

/** The login rejects with config_error and the page goes nowhere: a DPoP client at a server without DPoP. */
async function expectLoginRefused(client: AuthClient) {
  const assign = vi.spyOn(location, 'assign').mockImplementation(() => {})
  try {
    await expect(client.loginWithRedirect()).rejects.toMatchObject({ code: 'config_error' })
    expect(assign).not.toHaveBeenCalled()
  } finally {
    assign.mockRestore()
  }
}

describe('dpop(): a Bearer session counts as none, also when another tab shares it', () => {
  /** A dpop() client with no session, and another tab's client without dpop() that logged in. */
  async function dpopTabBesideBearerLogin() {
    const withDPoP = track(createAuthClient({ ...options(), metadata: await metadataClaimingDPoP(), dpop: dpop() }))
    expect(await withDPoP.isAuthenticated()).toBe(false)
    // The other tab: same issuer and client ID, so same lock, channel and stored session; no DPoP.
    const oldBuild = track(createAuthClient(options()))
    await logIn(oldBuild)
    return { withDPoP, bearer: await oldBuild.getAccessToken() }
  }

  it('a tab without dpop() (an old build, open across the deploy that switched DPoP on) logs in: the dpop() tab hands out no Bearer token', async () => {
    const { withDPoP, bearer } = await dpopTabBesideBearerLogin()
    await new Promise((resolve) => setTimeout(resolve, 50))

    const answer = await withDPoP.getAccessToken().then(
      (token) => (token === bearer ? 'the Bearer token' : 'another token'),
      (error: unknown) => error,
    )
    expect(answer).toMatchObject({ name: 'AuthError', code: 'login_required' })
    expect(withDPoP.getState().status).not.toBe('authenticated')
    expect(await withDPoP.isAuthenticated()).toBe(false)
  })

  it('the same from a tab whose SDK predates versions (its messages carry none)', async () => {
    const { withDPoP, bearer } = await dpopTabBesideBearerLogin()
    const namespace = `${new URL(provider().url).href}#pixie-demo`
    const { session } = await readSession(browserStore(), namespace)
    expect(session?.accessToken).toBe(bearer)
    const channel = new BroadcastChannel(`pixie-auth:${namespace}`)
    channel.postMessage({ type: 'session', session })
    channel.close()
    await new Promise((resolve) => setTimeout(resolve, 50))

    expect(withDPoP.getState().status).not.toBe('authenticated')
    await expect(withDPoP.getAccessToken()).rejects.toMatchObject({ code: 'login_required' })
  })
})

describe('what createAuthClient() was given, changed afterwards, changes nothing', () => {
  const base = () => ({ ...options(), redirectUri: `${appOrigin}/callback.html` })

  it('a resource pushed onto the resourceIndicators() plug-in: createFetch() still refuses its origin, the login does not ask for it', async () => {
    const resource = resourceIndicators('https://api.example/')
    const client = track(createAuthClient({ ...base(), resource }))
    const pushLater = () => {
      try {
        ;(resource.resources as string[]).push('https://evil.example/')
      } catch {
        // A frozen list is the defence.
      }
    }
    pushLater()
    const authFetch = createFetch(client)
    await expect(authFetch('https://evil.example/steal')).rejects.toMatchObject({
      code: 'config_error',
      message: expect.stringContaining('https://evil.example'),
    })
    const assign = vi.spyOn(location, 'assign').mockImplementation(() => {})
    try {
      await client.loginWithRedirect()
      expect(new URL(String(assign.mock.calls[0]![0])).searchParams.getAll('resource')).toEqual(['https://api.example/'])
    } finally {
      assign.mockRestore()
    }
  })

  it('the same after the client is in use', async () => {
    const resource = resourceIndicators('https://api.example/')
    const client = track(createAuthClient({ ...base(), resource }))
    expect(await client.isAuthenticated()).toBe(false)
    try {
      ;(resource.resources as string[]).push('https://evil.example/')
    } catch {
      // A frozen list is the defence.
    }
    await expect(createFetch(client)('https://evil.example/steal')).rejects.toMatchObject({ code: 'config_error' })
  })

  it('dpop removed from the options object after createAuthClient(): the client still fails closed', async () => {
    // The mock's metadata lists no DPoP algorithm: a DPoP login must refuse, never fall back to Bearer.
    const given: AuthClientOptions = { ...base(), dpop: dpop() }
    const client = track(createAuthClient(given))
    delete given.dpop
    await expectLoginRefused(client)
  })

  it('plug-ins cannot be rewired after they are made: setup, and their settings', () => {
    for (const plugin of [dpop(), par(), resourceIndicators('https://api.example/'), silentLogin()]) {
      expect(Object.isFrozen(plugin)).toBe(true)
    }
    expect(Object.isFrozen(resourceIndicators('https://api.example/').resources)).toBe(true)
  })
})

describe('clients of one origin with different plug-in settings share nothing they should not', () => {
  const base = () => ({ ...options(), redirectUri: `${appOrigin}/callback.html` })

  it("each client's createFetch() follows its own resourceIndicators(): no origin of the other's", async () => {
    const a = track(createAuthClient({ ...base(), resource: resourceIndicators('https://a.example/') }))
    const b = track(createAuthClient({ ...base(), resource: resourceIndicators('https://b.example/') }))
    await expect(createFetch(b)('https://a.example/x')).rejects.toMatchObject({ code: 'config_error' })
    await expect(createFetch(a)('https://b.example/x')).rejects.toMatchObject({ code: 'config_error' })
    // Its own resource is allowed: only the missing session stops it.
    await expect(createFetch(a)('https://a.example/x')).rejects.toMatchObject({ code: 'login_required' })
  })

  it('allowedOrigins changed after createFetch() changes nothing', async () => {
    const client = track(createAuthClient(base()))
    const allowedOrigins = ['https://api.example']
    const authFetch = createFetch(client, { allowedOrigins })
    allowedOrigins.push('https://evil.example')
    await expect(authFetch('https://evil.example/x')).rejects.toMatchObject({ code: 'config_error' })
  })

  it('a client without dpop() made next to one with it: the DPoP one still fails closed at a server without DPoP', async () => {
    const plain = track(createAuthClient(base()))
    const withDPoP = track(createAuthClient({ ...base(), dpop: dpop() }))
    expect(await plain.isAuthenticated()).toBe(false)
    await expectLoginRefused(withDPoP)
  })
})

describe('resourceIndicators() through the client', () => {
  const API = 'https://api.example/'
  const REPORTS = 'https://reports.example/'

  // (One resource configured: the mock refuses an authorization request with a repeated parameter.)
  it('the first resource goes with the code exchange and the own refreshes, another with its own refresh', async () => {
    const tokenRequests: URLSearchParams[] = []
    const recording: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/token')) tokenRequests.push(new URLSearchParams(String(init?.body)))
      return fetch(input, init)
    }
    const client = track(
      createAuthClient({ ...options(), fetch: recording, resource: resourceIndicators(API) }),
    )
    await client.handleRedirectCallback(await approvedCallbackUrl(client))
    await client.getAccessToken({ forceRefresh: true })
    await client.getAccessToken({ resource: REPORTS })
    expect(tokenRequests.map((body) => [body.get('grant_type'), body.getAll('resource')])).toEqual([
      ['authorization_code', [API]],
      ['refresh_token', [API]],
      ['refresh_token', [REPORTS]],
    ])

    // invalid_target keeping the session: test/refresh-outcome.test.ts (Node's fetch; happy-dom's loses 4xx bodies).
  })
})

describe("a session whose own token was asked for another resource (the first resource changed: a deploy, or another client of the origin)", () => {
  it("createFetch() does not send the old API's token to the new first resource: the own token is refreshed for it first", async () => {
    const before = track(createAuthClient({ ...options(), resource: resourceIndicators('https://orders.example/') }))
    await before.handleRedirectCallback(await approvedCallbackUrl(before))
    const ordersToken = await before.getAccessToken()

    const sent: string[] = []
    const refreshResources: string[][] = []
    const recording: typeof fetch = async (input, init) => {
      if (String(input).startsWith('https://reports.example/')) {
        sent.push(new Headers(init?.headers).get('authorization') ?? '')
        return new Response('ok')
      }
      if (String(input).endsWith('/token')) refreshResources.push(new URLSearchParams(String(init?.body)).getAll('resource'))
      return fetch(input, init)
    }
    const after = track(createAuthClient({ ...options(), fetch: recording, resource: resourceIndicators('https://reports.example/') }))
    await createFetch(after)('https://reports.example/q')

    expect(sent).toHaveLength(1)
    expect(sent[0]).not.toBe(`Bearer ${ordersToken}`)
    expect(refreshResources).toEqual([['https://reports.example/']])
    // The new token is the session's own from now on: no refresh on the next call.
    await createFetch(after)('https://reports.example/q')
    expect(sent[1]).toBe(sent[0])
    expect(refreshResources).toHaveLength(1)
  })
})

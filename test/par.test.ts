import { IDBFactory } from 'fake-indexeddb'
import type * as oauth from 'oauth4webapi'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { toAuthError } from '../src/core/errors.js'
import { resolveOptions } from '../src/core/options.js'
import { browserStore, memoryStore } from '../src/core/storage.js'
import { createAuthClient, type AuthClient, type AuthClientOptions } from '../src/index.js'
import { dpop } from '../src/dpop.js'
import { par } from '../src/par.js'

const metadata: oauth.AuthorizationServer = {
  issuer: 'https://as.example',
  authorization_endpoint: 'https://as.example/authorize',
  pushed_authorization_request_endpoint: 'https://as.example/par',
  token_endpoint: 'https://as.example/token',
  code_challenge_methods_supported: ['S256'],
}
const authorizationUrl = () =>
  new URL('https://as.example/authorize?client_id=spa&response_type=code&state=s1&code_challenge=c&resource=https%3A%2F%2Fapi.example%2F')

function server(status = 201, body: unknown = { request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 }) {
  const requests: { url: string; body: URLSearchParams }[] = []
  const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    requests.push({ url: String(url), body: new URLSearchParams(String(init?.body)) })
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
  })
  return { fetch, requests }
}

/** The PAR feature as a client sets it up. */
const pushing = (fetch: typeof globalThis.fetch) => {
  const config = resolveOptions({ issuer: 'https://as.example', clientId: 'spa', redirectUri: 'https://app.example/cb', fetch, par: par() })
  return config.par!.setup({ config, store: memoryStore() })
}

describe('par()', () => {
  it('pushes every parameter and sends the browser with client_id and request_uri only (RFC 9126 §4)', async () => {
    const { fetch, requests } = server()
    const url = await pushing(fetch).push(authorizationUrl(), metadata)

    expect(requests).toHaveLength(1)
    expect(requests[0].url).toBe('https://as.example/par')
    expect(Object.fromEntries(requests[0].body)).toEqual({ ...Object.fromEntries(authorizationUrl().searchParams) })
    expect(url.origin + url.pathname).toBe('https://as.example/authorize')
    expect([...url.searchParams]).toEqual([
      ['client_id', 'spa'],
      ['request_uri', 'urn:ietf:params:oauth:request_uri:abc'],
    ])
  })

  it('is a config_error when the server has no PAR endpoint', async () => {
    const { fetch } = server()
    const { pushed_authorization_request_endpoint: _, ...withoutPar } = metadata
    await expect(pushing(fetch).push(authorizationUrl(), withoutPar)).rejects.toMatchObject({ code: 'config_error' })
    expect(fetch).not.toHaveBeenCalled()
  })

  it("maps the server's refusal to an oauth_error", async () => {
    const { fetch } = server(400, { error: 'invalid_target', error_description: 'unknown API' })
    const failure = await pushing(fetch).push(authorizationUrl(), metadata).catch(toAuthError)
    expect(failure).toMatchObject({ code: 'oauth_error', error: 'invalid_target', errorDescription: 'unknown API' })
  })
})

describe('loginWithRedirect and PAR', () => {
  const clients: AuthClient[] = []
  let navigations: string[]
  beforeEach(() => {
    globalThis.indexedDB = new IDBFactory()
    navigations = []
    vi.stubGlobal('location', { href: 'https://app.example/', origin: 'https://app.example', assign: (url: URL) => void navigations.push(String(url)) })
  })
  afterEach(() => {
    for (const client of clients.splice(0)) client.dispose()
    vi.unstubAllGlobals()
  })

  const login = async (pars: ReturnType<typeof server>, options: Partial<AuthClientOptions>) => {
    const client = createAuthClient({
      issuer: 'https://as.example',
      clientId: 'spa',
      redirectUri: 'https://app.example/cb',
      metadata,
      fetch: pars.fetch,
      ...options,
    })
    clients.push(client)
    const error = await client.loginWithRedirect().then(
      () => undefined,
      (e: unknown) => e,
    )
    return { error, transactions: (await browserStore().entries()).filter(([key]) => key.startsWith('tx:')) }
  }

  it('leaves the authorization URL alone when neither the client nor the server wants PAR', async () => {
    const pars = server()
    const { error, transactions } = await login(pars, {})
    expect(error).toBeUndefined()
    expect(pars.fetch).not.toHaveBeenCalled()
    expect(navigations).toHaveLength(1)
    const url = new URL(navigations[0]!)
    expect(url.origin + url.pathname).toBe('https://as.example/authorize')
    expect(url.searchParams.get('code_challenge_method')).toBe('S256')
    expect(url.searchParams.has('request_uri')).toBe(false)
    expect(transactions).toHaveLength(1)
  })

  it('with par(), pushes the request and sends the browser with the request_uri', async () => {
    const pars = server()
    const { error, transactions } = await login(pars, { par: par() })
    expect(error).toBeUndefined()
    expect(pars.requests).toHaveLength(1)
    expect(pars.requests[0].body.get('code_challenge_method')).toBe('S256')
    const url = new URL(navigations[0]!)
    expect([...url.searchParams]).toEqual([
      ['client_id', 'spa'],
      ['request_uri', 'urn:ietf:params:oauth:request_uri:abc'],
    ])
    expect(transactions).toHaveLength(1)
    // The pushed state is the stored transaction's.
    expect(transactions[0]![0]).toContain(pars.requests[0].body.get('state'))
  })

  it('at a server that requires PAR, without par(): config_error naming par(), no request, no navigation, no transaction', async () => {
    const pars = server()
    const { error, transactions } = await login(pars, { metadata: { ...metadata, require_pushed_authorization_requests: true } })
    expect(error).toMatchObject({ name: 'AuthError', code: 'config_error', message: expect.stringContaining('par()') })
    expect(pars.fetch).not.toHaveBeenCalled()
    expect(navigations).toEqual([])
    expect(transactions).toEqual([])
  })

  it('at a server that requires PAR, without par() but with dpop(): config_error before anything is stored, not even a DPoP key', async () => {
    const pars = server()
    const required = { ...metadata, require_pushed_authorization_requests: true, dpop_signing_alg_values_supported: ['ES256'] }
    const { error } = await login(pars, { metadata: required, dpop: dpop() })
    expect(error).toMatchObject({ name: 'AuthError', code: 'config_error', message: expect.stringContaining('par()') })
    expect(navigations).toEqual([])
    expect((await browserStore().entries()).map(([key]) => key)).toEqual([])
  })

  it('at a server that requires PAR, with par(): pushes', async () => {
    const pars = server()
    const { error, transactions } = await login(pars, { metadata: { ...metadata, require_pushed_authorization_requests: true }, par: par() })
    expect(error).toBeUndefined()
    expect(pars.requests.map(({ url }) => url)).toEqual(['https://as.example/par'])
    expect(new URL(navigations[0]!).searchParams.get('request_uri')).toBe('urn:ietf:params:oauth:request_uri:abc')
    expect(transactions).toHaveLength(1)
  })
})

// What a failed token request means for the session, against the mock provider over real HTTP:
// each rule of isRefreshTokenDead() and the retry policy, seen through the public client.
// Node's environment, not happy-dom's: happy-dom's fetch loses the body of a 4xx response.
import { describe, expect, it } from 'vitest'
import type { Fault } from '../e2e/provider/mock-provider.mjs'
import { AuthError, createAuthClient, type AuthClient, type AuthClientOptions } from '../src/index.js'
import { dpop } from '../src/dpop.js'
import { resourceIndicators } from '../src/resource.js'
import { approvedCallbackUrl, controlProvider, useApprovingProvider, usePage, type MockProvider } from './mock-provider-login.js'

const appOrigin = 'http://localhost:5173'
const provider = useApprovingProvider()
const track = usePage(appOrigin)
const newClient = (options: Partial<AuthClientOptions> = {}) =>
  track(createAuthClient({ issuer: provider().url, clientId: 'pixie-e2e', redirectUri: `${appOrigin}/callback.html`, ...options }))

const control = (path: string, body?: unknown) => controlProvider(provider(), path, body)

const queue = (...faults: Fault[]) => control('faults', faults)
const refreshRequests = async () => (await control('stats')).tokenRequests.refresh_token as number
const tokenState = async (token: string) => (await control(`refresh-token-status?token=${encodeURIComponent(token)}`)).state

/** A client with a session from a real login, and the session's refresh token as the provider knows it. */
async function loggedIn(options: Pick<AuthClientOptions, 'refreshRetries' | 'resource' | 'timeoutSeconds'> = {}) {
  await control('reset', { config: { autoApprove: true } })
  const client = newClient(options)
  await client.handleRedirectCallback(await approvedCallbackUrl(client))
  const issued = await refreshTokenOf(provider())
  return { client, refreshToken: issued }
}

/**
 * A client with a DPoP session. The mock knows nothing of DPoP: its metadata is said to accept ES256
 * proofs, and the code exchange answers with a DPoP token (no openid, so no ID token is needed).
 */
async function loggedInWithDPoP() {
  await control('reset', { config: { autoApprove: true } })
  const discovered = await (await fetch(`${provider().url}/.well-known/openid-configuration`)).json()
  const metadata = { ...discovered, dpop_signing_alg_values_supported: ['ES256'] }
  const client = newClient({ dpop: dpop(), scope: 'offline_access', metadata })
  const callbackUrl = await approvedCallbackUrl(client)
  const body = { access_token: 'dpop-at', token_type: 'DPoP', expires_in: 3600, refresh_token: 'dpop-rt' }
  await queue({ endpoint: 'token', grantType: 'authorization_code', type: 'body', body })
  await client.handleRedirectCallback(callbackUrl)
  return client
}

/** The one refresh token the provider issued so far (the mock keeps them in issue order). */
async function refreshTokenOf(mock: MockProvider) {
  const tokens = [...(mock.state as unknown as { refreshTokens: Map<string, unknown> }).refreshTokens.keys()]
  expect(tokens).toHaveLength(1)
  return tokens[0]!
}

async function failure(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AuthError)
  return error as AuthError
}

async function expectSessionEnded(client: AuthClient, cause: { status: number; error?: string }) {
  const error = await failure(client.getAccessToken({ forceRefresh: true }))
  expect(error.code).toBe('login_required')
  expect(error.cause).toBeInstanceOf(AuthError)
  expect(error.cause).toMatchObject({ status: cause.status, error: cause.error })
  expect(client.getState()).toMatchObject({ status: 'unauthenticated', error: { code: 'login_required' } })
  expect(await client.isAuthenticated()).toBe(false)
  // The dead token is never sent again.
  const sent = await refreshRequests()
  expect((await failure(client.getAccessToken())).code).toBe('login_required')
  expect(await refreshRequests()).toBe(sent)
}

const refreshFault = (fault: Partial<Fault> & { type: Fault['type'] }) =>
  ({ endpoint: 'token', grantType: 'refresh_token', ...fault }) as Fault

describe('a refresh the server refuses with a 4xx ends the session, whatever the body', () => {
  const refusals: [string, Fault, { status: number; error?: string }][] = [
    ['400 invalid_grant (RFC 6749 §5.2)', refreshFault({ type: 'invalid_grant' }), { status: 400, error: 'invalid_grant' }],
    ['400 with an empty body and no content-type', refreshFault({ type: 'status', status: 400, contentType: null }), { status: 400 }],
    ['401 with an HTML page', refreshFault({ type: 'status', status: 401, body: '<h1>Unauthorized</h1>', contentType: 'text/html' }), { status: 401 }],
    ['400 with an OAuth body sent as text/plain', refreshFault({ type: 'status', status: 400, body: '{"error":"invalid_grant"}' }), { status: 400 }],
    ['403 with a JSON body that is no OAuth error', refreshFault({ type: 'body', status: 403, body: { message: 'forbidden' } }), { status: 403 }],
    ['401 invalid_client', refreshFault({ type: 'body', status: 401, body: { error: 'invalid_client' } }), { status: 401, error: 'invalid_client' }],
    // RFC 6749 §5.2 allows 401 with a challenge for a failed client authentication; no error is named,
    // so the cause names none either.
    ['401 with only a WWW-Authenticate challenge, no error named, no body', refreshFault({ type: 'status', status: 401, contentType: null, headers: { 'WWW-Authenticate': 'Basic realm="token"' } }), { status: 401, error: undefined }],
    // The endpoint the session was made with is gone (a server that moved it: the session keeps its
    // metadata). A new login discovers the new one; keeping the session would fail forever.
    ['404 from an endpoint that is no longer there', refreshFault({ type: 'status', status: 404, body: 'Not Found' }), { status: 404 }],
  ]
  for (const [name, fault, cause] of refusals) {
    it(name, async () => {
      const { client } = await loggedIn()
      await queue(fault)
      await expectSessionEnded(client, cause)
      expect(await refreshRequests()).toBe(1)
    })
  }

  it('also for a resource token (RFC 8707), except invalid_target, which refuses only that resource', async () => {
    const { client, refreshToken } = await loggedIn({ resource: resourceIndicators('https://api.example/') })
    await queue(refreshFault({ type: 'body', status: 400, body: { error: 'invalid_target' } }))
    const refused = await failure(client.getAccessToken({ resource: 'https://other.example/' }))
    expect(refused).toMatchObject({ code: 'oauth_error', error: 'invalid_target', status: 400 })
    expect(await client.isAuthenticated()).toBe(true)
    expect(await tokenState(refreshToken)).toBe('active')

    await queue(refreshFault({ type: 'status', status: 400, contentType: null }))
    const ended = await failure(client.getAccessToken({ resource: 'https://other.example/' }))
    expect(ended).toMatchObject({ code: 'login_required', cause: { status: 400 } })
    expect(await client.isAuthenticated()).toBe(false)
  })
})

describe('a transient failure keeps the refresh token', () => {
  it('408 is retried like a 5xx, and the refresh token is kept', async () => {
    const { client, refreshToken } = await loggedIn({ refreshRetries: 1 })
    await queue(refreshFault({ type: 'status', status: 408, times: 2 }))
    const error = await failure(client.getAccessToken({ forceRefresh: true }))
    expect(error).toMatchObject({ code: 'network_error', status: 408 })
    expect(await refreshRequests()).toBe(2)
    expect(await client.isAuthenticated()).toBe(true)
    expect(await tokenState(refreshToken)).toBe('active')
    expect(typeof (await client.getAccessToken({ forceRefresh: true }))).toBe('string')
  })

  it('429 waits for Retry-After before the retry', async () => {
    const { client } = await loggedIn({ refreshRetries: 1 })
    await queue(refreshFault({ type: 'status', status: 429, headers: { 'Retry-After': '1' } }))
    const started = Date.now()
    expect(typeof (await client.getAccessToken({ forceRefresh: true }))).toBe('string')
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    expect(await refreshRequests()).toBe(2)
  })

  it('429 asking for longer than timeoutSeconds is not retried at once; the next call tries again', async () => {
    const { client, refreshToken } = await loggedIn({ refreshRetries: 2, timeoutSeconds: 5 })
    await queue(refreshFault({ type: 'body', status: 429, body: { error: 'slow_down' }, times: 1 }))
    const limited = refreshFault({ type: 'status', status: 429, headers: { 'Retry-After': '3600' } })
    await queue(limited)
    // The first 429 has no Retry-After: retried after the backoff; the second asks for an hour.
    const error = await failure(client.getAccessToken({ forceRefresh: true }))
    expect(error).toMatchObject({ code: 'network_error', status: 429 })
    expect(await refreshRequests()).toBe(2)
    expect(await tokenState(refreshToken)).toBe('active')
    expect(await client.isAuthenticated()).toBe(true)
    expect(typeof (await client.getAccessToken({ forceRefresh: true }))).toBe('string')
  })

  // The same network failure, a moment later: the answer started, then never finished arriving.
  // Nothing in it failed validation; it is the network (or our own timeout) that failed.
  it('a connection dropped mid-body is a network_error, retried like one dropped before the headers', async () => {
    const { client, refreshToken } = await loggedIn({ refreshRetries: 1 })
    await queue(refreshFault({ type: 'truncate', stallMs: 300, times: 2 }))
    const error = await failure(client.getAccessToken({ forceRefresh: true }))
    expect(error.code).toBe('network_error')
    expect(await refreshRequests()).toBe(2)
    expect(await tokenState(refreshToken)).toBe('active')
    expect(await client.isAuthenticated()).toBe(true)
    expect(typeof (await client.getAccessToken({ forceRefresh: true }))).toBe('string')
  })

  it('a body still arriving after timeoutSeconds is a timeout, retried, and the token kept', async () => {
    const { client, refreshToken } = await loggedIn({ refreshRetries: 1, timeoutSeconds: 1 })
    await queue(refreshFault({ type: 'truncate', stallMs: 1500 }))
    expect(typeof (await client.getAccessToken({ forceRefresh: true }))).toBe('string')
    expect(await refreshRequests()).toBe(2)
    expect(await tokenState(refreshToken)).toBe('rotated')

    await queue(refreshFault({ type: 'truncate', stallMs: 1500, times: 2 }))
    const error = await failure(client.getAccessToken({ forceRefresh: true }))
    expect(error.code).toBe('timeout')
    expect(await client.isAuthenticated()).toBe(true)
  })

  it('use_dpop_nonce asked twice is refused for the proof, not the token: the session is kept', async () => {
    const client = await loggedInWithDPoP()
    await queue(refreshFault({ type: 'body', status: 400, body: { error: 'use_dpop_nonce' }, times: 2 }))
    const error = await failure(client.getAccessToken({ forceRefresh: true }))
    expect(error).toMatchObject({ code: 'oauth_error', error: 'use_dpop_nonce' })
    // Sent once more with the nonce, then no more.
    expect(await refreshRequests()).toBe(2)
    expect(await client.isAuthenticated()).toBe(true)
    expect(await client.getAccessToken()).toBe('dpop-at')
  })

  it('use_dpop_nonce to a client without dpop(): it sent no proof, so it does not send again; the session is kept', async () => {
    const { client, refreshToken } = await loggedIn()
    await queue(refreshFault({ type: 'body', status: 400, body: { error: 'use_dpop_nonce' } }))
    const error = await failure(client.getAccessToken({ forceRefresh: true }))
    expect(error).toMatchObject({ code: 'oauth_error', error: 'use_dpop_nonce' })
    expect(await refreshRequests()).toBe(1)
    expect(await tokenState(refreshToken)).toBe('active')
    expect(await client.isAuthenticated()).toBe(true)
  })

  it('invalid_dpop_proof is refused for the proof, not the token: the session is kept, and the next call tries again', async () => {
    const { client, refreshToken } = await loggedIn()
    await queue(refreshFault({ type: 'body', status: 400, body: { error: 'invalid_dpop_proof' } }))
    const error = await failure(client.getAccessToken({ forceRefresh: true }))
    expect(error).toMatchObject({ code: 'oauth_error', error: 'invalid_dpop_proof' })
    expect(await tokenState(refreshToken)).toBe('active')
    expect(await client.isAuthenticated()).toBe(true)
    expect(typeof (await client.getAccessToken({ forceRefresh: true }))).toBe('string')
    expect(await tokenState(refreshToken)).toBe('rotated')
  })
})

describe('a 200 that fails validation', () => {
  it('is invalid_response: nothing stored, the token kept, the next call tries again', async () => {
    const { client, refreshToken } = await loggedIn()
    const before = await client.getAccessToken()
    await queue(refreshFault({ type: 'body', status: 200, body: '{"access_token": "trunc', contentType: 'application/json' }))
    const error = await failure(client.getAccessToken({ forceRefresh: true }))
    expect(error.code).toBe('invalid_response')
    expect(await refreshRequests()).toBe(1)
    expect(await client.getAccessToken()).toBe(before)
    expect(await tokenState(refreshToken)).toBe('active')
    const after = await client.getAccessToken({ forceRefresh: true })
    expect(after).not.toBe(before)
    expect(await tokenState(refreshToken)).toBe('rotated')
  })
})

describe('the code exchange', () => {
  it('429 is a transient network_error, not retried (a code is one-time), and stores nothing', async () => {
    await control('reset', { config: { autoApprove: true } })
    const client = newClient()
    const callbackUrl = await approvedCallbackUrl(client)
    await queue({ endpoint: 'token', grantType: 'authorization_code', type: 'status', status: 429, headers: { 'Retry-After': '1' } })
    const error = await failure(client.handleRedirectCallback(callbackUrl))
    expect(error).toMatchObject({ code: 'network_error', status: 429 })
    expect((await control('stats')).tokenRequests.authorization_code).toBe(1)
    expect(await client.isAuthenticated()).toBe(false)
  })
})

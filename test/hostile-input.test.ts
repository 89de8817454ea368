/**
 * Hostile and broken input, table-driven: hundreds of callback URLs and token responses, each
 * against a client that already has a session. Every case must fail with the right AuthError code,
 * make only the token requests it must, and leave the stored session exactly as it was.
 * Runs in Node against the real mock provider over HTTP, with fake-indexeddb for storage; the
 * browser-only parts (address bar, Web Locks) are covered by the Playwright suite.
 */
import 'fake-indexeddb/auto'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { startMockProvider } from '../e2e/provider/mock-provider.mjs'
import { createAuthClient, type AuthClient, type AuthErrorCode } from '../src/index.js'
import { browserStore } from '../src/core/storage.js'
import { fetchUser } from '../src/userinfo.js'

const redirectUri = 'http://localhost:5173/callback.html'
let provider: { url: string; close(): Promise<void> }
let auth: AuthClient
const store = browserStore()

/**
 * Every secret the client sent to or got from the token endpoint: codes, verifiers and refresh
 * tokens from the requests, tokens from the responses (hostile ones included, see `secret`).
 */
const secrets = new Set<string>()
const secret = (name: string) => `${name}-SECRET-7f3a9c`
const remember = (value: unknown) => typeof value === 'string' && value.length >= 8 && secrets.add(value)
/** A hostile server's answer to the request the client sent (its form parameters and headers), instead of the mock's. */
type EchoingServer = (url: string, form: URLSearchParams, headers: Headers) => Response | undefined
let hostileServer: EchoingServer | undefined
const recordingFetch: typeof fetch = async (input, init) => {
  const url = String(input instanceof Request ? input.url : input)
  const form = new URLSearchParams(typeof init?.body === 'string' || init?.body instanceof URLSearchParams ? init.body : '')
  const response = hostileServer?.(url, form, new Headers(init?.headers)) ?? (await fetch(input, init))
  if (url.endsWith('/token')) {
    const request = form
    for (const name of ['code', 'code_verifier', 'refresh_token']) remember(request.get(name))
    try {
      const json = (await response.clone().json()) as Record<string, unknown>
      for (const name of ['access_token', 'refresh_token', 'id_token']) remember(json?.[name])
    } catch {
      // Not JSON: the hostile bodies mark their tokens with secret(), which is checked anyway.
    }
  }
  return response
}

/** Every string reachable from `root`: own keys and values, enumerable or not, `cause` chains included. */
function reachableStrings(root: unknown): string[] {
  const found: string[] = []
  const seen = new Set<unknown>()
  const visit = (value: unknown) => {
    if (typeof value === 'string') return void found.push(value)
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) return
    seen.add(value)
    for (const key of Reflect.ownKeys(value)) {
      if (typeof key === 'string') found.push(key)
      const descriptor = Object.getOwnPropertyDescriptor(value, key)!
      visit('value' in descriptor ? descriptor.value : descriptor.get?.call(value))
    }
  }
  visit(root)
  return found
}

/** Fails if any secret the client has handled appears anywhere in `error`. */
function expectNoSecrets(error: unknown) {
  const strings = reachableStrings(error)
  expect(strings.length).toBeGreaterThan(3)
  for (const value of secrets) {
    const forms = [value, encodeURIComponent(value), new URLSearchParams({ s: value }).toString().slice(2)]
    const leaks = strings.filter((text) => forms.some((form) => text.includes(form)) || text.includes('SECRET-7f3a9c'))
    expect(leaks, `a secret in the error: ${value.slice(0, 20)}...`).toEqual([])
  }
}

const control = async (path: string, body?: unknown) =>
  (await fetch(`${provider.url}/__control/${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })).json()
const tokenRequests = async () => (await control('stats')).tokenRequests.total as number
const storedSession = async () => (await store.entries()).filter(([key]) => key.startsWith('session:'))

/** Starts a login and lets the provider approve it; returns the callback URL it redirected to. */
async function approvedCallbackUrl(): Promise<URL> {
  let authorizationUrl = ''
  vi.stubGlobal('location', { assign: (url: URL) => void (authorizationUrl = String(url)) })
  await auth.loginWithRedirect()
  vi.unstubAllGlobals()
  const response = await fetch(authorizationUrl, { redirect: 'manual' })
  return new URL(response.headers.get('location')!)
}

/** Deterministic pseudo-random strings (mulberry32), so a failure can be replayed. */
function randomStrings(seed: number, count: number): string[] {
  const alphabet = Array.from('abcXYZ019-._~%&=?#/:;+ \u00e9\u{1F600}<>"\'\\')
  const next = () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + Math.floor(next() * 40) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''),
  )
}

async function expectRejected(promise: Promise<unknown>, code: AuthErrorCode) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, `expected AuthError ${code}`).toMatchObject({ name: 'AuthError', code })
  return error
}

beforeAll(async () => {
  provider = await startMockProvider({ port: 0, config: { autoApprove: true } })
  auth = createAuthClient({ issuer: provider.url, clientId: 'pixie-e2e', redirectUri, fetch: recordingFetch })
  await auth.handleRedirectCallback(String(await approvedCallbackUrl()))
  expect(auth.getState().status).toBe('authenticated')
})

afterAll(() => provider?.close())

describe('hostile callback URLs without a login in progress', () => {
  const urls = [
    ...['', 'not a url', '::::', 'http://', '%%%', 'javascript:alert(1)', '/callback.html?code=x&state=y'],
    `${redirectUri}`,
    `${redirectUri}?code=abc`,
    `${redirectUri}?state=`,
    `${redirectUri}?error=access_denied`,
    `${redirectUri}#code=abc&state=def`,
    ...randomStrings(1, 120).map((state) => `${redirectUri}?code=abc&state=${encodeURIComponent(state)}`),
    ...randomStrings(2, 60).map((junk) => `${redirectUri}?${junk}`),
    ...randomStrings(3, 40).map((junk) => `https://evil.example/${encodeURIComponent(junk)}?code=c&state=${encodeURIComponent(junk)}`),
  ]

  it(`rejects ${urls.length} URLs with invalid_state, no token request, session unchanged`, async () => {
    const before = await storedSession()
    const requests = await tokenRequests()
    for (const url of urls) {
      await expectRejected(auth.handleRedirectCallback(url), 'invalid_state')
    }
    expect(await tokenRequests()).toBe(requests)
    expect(await storedSession()).toEqual(before)
    // None is a response to a login of this client: the state is left as it was, no error.
    expect(auth.getState()).toEqual({ status: 'authenticated', user: expect.objectContaining({ sub: 'user-ada' }), error: undefined })
    expect(await auth.getAccessToken()).toBe((before[0][1] as { session: { accessToken: string } }).session.accessToken)
  })
})

type CallbackCase = [name: string, mutate: (url: URL) => void, code: AuthErrorCode, tokenRequests: number]
const set = (name: string, value: string) => (url: URL) => url.searchParams.set(name, value)
const callbackCases: CallbackCase[] = [
  ['a wrong iss', set('iss', 'https://evil.example'), 'invalid_response', 0],
  ['an iss with a trailing slash', (url) => url.searchParams.set('iss', `${url.searchParams.get('iss')}/`), 'invalid_response', 0],
  ['an iss in other case', (url) => url.searchParams.set('iss', url.searchParams.get('iss')!.toUpperCase()), 'invalid_response', 0],
  ['no iss, though the server promises one', (url) => url.searchParams.delete('iss'), 'invalid_response', 0],
  ['two iss values', (url) => url.searchParams.append('iss', 'https://evil.example'), 'invalid_response', 0],
  ['two state values', (url) => url.searchParams.append('state', 'other'), 'invalid_response', 0],
  ['an error response', set('error', 'access_denied'), 'oauth_error', 0],
  ['an implicit-flow id_token', set('id_token', 'eyJ.x.y'), 'invalid_response', 0],
  ['an implicit-flow access token', set('token', 'at'), 'invalid_response', 0],
  ['a JARM response parameter', set('response', 'eyJ.x.y'), 'invalid_response', 0],
  ['a forged code', set('code', 'forged'), 'oauth_error', 1],
  ['an empty code', set('code', ''), 'invalid_response', 0],
  ['a second code', (url) => url.searchParams.append('code', 'forged'), 'invalid_response', 0],
]

describe('hostile callback URLs for a login in progress', () => {
  it.each(callbackCases)('rejects %s, consumes the login, keeps the session', async (_, mutate, code, requests) => {
    const before = await storedSession()
    const callbackUrl = await approvedCallbackUrl()
    mutate(callbackUrl)
    const requestsBefore = await tokenRequests()
    await expectRejected(auth.handleRedirectCallback(String(callbackUrl)), code)
    expect(await tokenRequests()).toBe(requestsBefore + requests)
    expect(await storedSession()).toEqual(before)
    // One-time state: the same callback never works again, even unmodified.
    await expectRejected(auth.handleRedirectCallback(String(callbackUrl)), 'invalid_state')
    expect(auth.getState().status).toBe('authenticated')
  })
})

type Fault = Record<string, unknown>
const body = (value: unknown, extra: Fault = {}): Fault => ({ type: 'body', body: value, ...extra })
const claims = (value: Record<string, unknown>): Fault => ({ type: 'id_token_claims', claims: value })
const tokenResponseCases: [string, Fault, AuthErrorCode][] = [
  ['an HTML page', body('<html>oops</html>', { contentType: 'text/html' }), 'invalid_response'],
  ['an empty body', body('', { contentType: 'application/json' }), 'invalid_response'],
  ['truncated JSON', body(`{"access_token": "${secret('at')}`, { contentType: 'application/json' }), 'invalid_response'],
  ['a JSON array', body([1, 2]), 'invalid_response'],
  ['JSON null', body(null), 'invalid_response'],
  ['no access_token', body({ token_type: 'Bearer', expires_in: 60 }), 'invalid_response'],
  ['an empty access_token', body({ access_token: '', token_type: 'Bearer' }), 'invalid_response'],
  ['a numeric access_token', body({ access_token: 42, token_type: 'Bearer' }), 'invalid_response'],
  ['no token_type', body({ access_token: secret('at') }), 'invalid_response'],
  ['an unknown token_type', body({ access_token: secret('at'), token_type: 'mac' }), 'invalid_response'],
  ['a string expires_in', body({ access_token: secret('at'), token_type: 'Bearer', expires_in: '60' }), 'invalid_response'],
  ['a negative expires_in', body({ access_token: secret('at'), token_type: 'Bearer', expires_in: -1 }), 'invalid_response'],
  ['a numeric refresh_token', body({ access_token: secret('at'), token_type: 'Bearer', refresh_token: 1 }), 'invalid_response'],
  ['no id_token for an openid login', body({ access_token: secret('at'), token_type: 'Bearer', expires_in: 60 }), 'invalid_response'],
  ['an id_token that is no JWT', body({ access_token: secret('at'), token_type: 'Bearer', id_token: secret('garbage') }), 'invalid_response'],
  ['an unsigned id_token', body({ access_token: secret('at'), token_type: 'Bearer', id_token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' }), 'invalid_response'],
  ['JSON with a wrong content type', body(`{"access_token":"${secret('at')}","token_type":"Bearer"}`, { contentType: 'text/plain' }), 'invalid_response'],
  ['a 400 OAuth error', body({ error: 'invalid_request', access_token: secret('at'), refresh_token: secret('rt') }, { status: 400 }), 'oauth_error'],
  ['a 401 invalid_client', body({ error: 'invalid_client' }, { status: 401 }), 'oauth_error'],
  ['a 400 that is not an OAuth error', body('bad', { status: 400, contentType: 'text/plain' }), 'invalid_response'],
  ['a 302', body('', { status: 302 }), 'invalid_response'],
  ['a 500', { type: 'status', status: 500 }, 'network_error'],
  ['a 503 with an OAuth body', body({ error: 'temporarily_unavailable', access_token: secret('at') }, { status: 503 }), 'network_error'],
  ['a dropped connection', { type: 'drop' }, 'network_error'],
  ['an ID token from another issuer', claims({ iss: 'https://evil.example' }), 'invalid_response'],
  ['an ID token for another client', claims({ aud: 'someone-else' }), 'invalid_response'],
  ['an ID token for several audiences without azp', claims({ aud: ['pixie-e2e', 'other'], azp: null }), 'invalid_response'],
  ['an ID token with a wrong nonce', claims({ nonce: 'wrong' }), 'invalid_response'],
  ['an ID token without nonce', claims({ nonce: null }), 'invalid_response'],
  ['an expired ID token', claims({ exp: 1000 }), 'invalid_response'],
  ['an ID token without sub', claims({ sub: null }), 'invalid_response'],
  ['an ID token with a string iat', claims({ iat: 'yesterday' }), 'invalid_response'],
  ['an ID token not valid before next year', claims({ nbf: Math.floor(Date.now() / 1000) + 365 * 86400 }), 'invalid_response'],
]

describe('hostile token responses to the code exchange', () => {
  it.each(tokenResponseCases)('rejects %s and stores nothing', async (_, fault, code) => {
    const before = await storedSession()
    const callbackUrl = await approvedCallbackUrl()
    await control('faults', { endpoint: 'token', grantType: 'authorization_code', ...fault })
    const error = await expectRejected(auth.handleRedirectCallback(String(callbackUrl)), code)
    expect(await storedSession()).toEqual(before)
    expect((await control('stats')).pendingFaults).toBe(0)
    expect(auth.getState().status).toBe('authenticated')
    remember(callbackUrl.searchParams.get('code'))
    expectNoSecrets(error)
  })
})

describe('hostile token responses to a refresh', () => {
  // The 200 answers that fail validation on a refresh too (an error status may end the session,
  // tested elsewhere): a refresh needs no ID token, and oauth4webapi accepts these two.
  const validOnRefresh = ['no id_token for an openid login', 'a string expires_in', 'JSON with a wrong content type']
  const cases = tokenResponseCases.filter(
    ([name, fault]) => fault.type === 'body' && fault.status === undefined && !validOnRefresh.includes(name),
  )

  it.each(cases)('rejects %s, stores nothing and leaks nothing', async (_, fault) => {
    const before = await storedSession()
    await control('faults', { endpoint: 'token', grantType: 'refresh_token', ...fault })
    const error = await expectRejected(auth.getAccessToken({ forceRefresh: true }), 'invalid_response')
    expect(await storedSession()).toEqual(before)
    expect(auth.getState().status).toBe('authenticated')
    expectNoSecrets(error)
  })
})

describe('servers that echo what they were sent into their errors', () => {
  const json = (status: number, value: unknown) =>
    new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } })
  const challenge = (value: string) =>
    new Response(null, { status: 401, headers: { 'www-authenticate': `Bearer ${value}` } })
  const at = (path: string, answer: (form: URLSearchParams, headers: Headers) => Response): EchoingServer =>
    (url, form, headers) => (url.endsWith(path) ? answer(form, headers) : undefined)
  const sentSecrets = (form: URLSearchParams, headers: Headers) =>
    [form.get('code'), form.get('code_verifier'), form.get('refresh_token'), headers.get('authorization')?.split(' ')[1]]
      .filter(Boolean)
      .join(' ')

  afterEach(() => {
    hostileServer = undefined
  })

  const signIn = async () => {
    if (auth.getState().status !== 'authenticated') await auth.handleRedirectCallback(String(await approvedCallbackUrl()))
  }

  const tokenEchoes: [string, (form: URLSearchParams, headers: Headers) => Response][] = [
    ['error_description', (form, headers) => json(400, { error: 'invalid_grant', error_description: `not ${sentSecrets(form, headers)}` })],
    ['error', (form, headers) => json(400, { error: sentSecrets(form, headers) })],
    ['a WWW-Authenticate challenge', (form, headers) => challenge(`error="${sentSecrets(form, headers)}", error_description="${sentSecrets(form, headers)}"`)],
    // As a proxy quotes the request it got: the form body as sent, then percent- and JSON-encoded.
    ['error_description quoting the form body', (form) => json(400, { error: 'invalid_grant', error_description: `body: ${form}` })],
    ['error_description percent-encoding it', (form, headers) => json(400, { error: 'invalid_grant', error_description: encodeURIComponent(sentSecrets(form, headers)) })],
    ['error_description JSON-escaping it', (form, headers) => json(400, { error: 'invalid_grant', error_description: JSON.stringify(sentSecrets(form, headers)) })],
  ]

  it.each(tokenEchoes)('the code and verifier echoed in the token endpoint’s %s are not in the AuthError', async (_, answer) => {
    await signIn()
    const callbackUrl = await approvedCallbackUrl()
    remember(callbackUrl.searchParams.get('code'))
    hostileServer = at('/token', answer)
    const error = await auth.handleRedirectCallback(String(callbackUrl)).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'AuthError', code: 'oauth_error' })
    expectNoSecrets(error)
  })

  it.each(tokenEchoes)('the refresh token echoed in the token endpoint’s %s is not in the AuthError', async (_, answer) => {
    await signIn()
    hostileServer = at('/token', answer)
    const error = await auth.getAccessToken({ forceRefresh: true }).catch((e: unknown) => e)
    // A refused refresh token ends the session; the server's own words stay in the cause.
    expect(error).toMatchObject({ name: 'AuthError', code: 'login_required', cause: { code: 'oauth_error' } })
    expectNoSecrets(error)
  })

  it.each([
    ['a WWW-Authenticate challenge', (form: URLSearchParams, headers: Headers) => challenge(`error="${sentSecrets(form, headers)}"`)],
    ['an error body', (form: URLSearchParams, headers: Headers) => json(403, { error: 'insufficient_scope', error_description: sentSecrets(form, headers) })],
  ])('the access token echoed in the UserInfo endpoint’s %s is not in the AuthError', async (_, answer) => {
    await signIn()
    hostileServer = at('/userinfo', answer)
    const error = await fetchUser(auth).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'AuthError' })
    expectNoSecrets(error)
  })
})

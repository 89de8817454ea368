// createFetch(): the access token on API calls, one refresh-and-resend after a 401 invalid_token,
// nothing else retried, request bodies sent again intact.
import type { Page, Request } from '@playwright/test'
import {
  APP,
  CLIENT_ID,
  PROVIDER,
  USER_SUB,
  expect,
  getStats,
  injectFault,
  login,
  openApp,
  requireSession,
  test,
  waitUntilExpired,
  type TryResult,
} from './helpers'

const API_ME = `${PROVIDER}/api/me`
const API_ECHO = `${PROVIDER}/api/echo`

interface ApiAnswer {
  status: number
  body: string
  wwwAuthenticate: string | null
}

/** How the page builds the request it hands to the createFetch() fetch. */
type Call =
  | { kind: 'get'; url: string; headers?: Record<string, string> }
  | { kind: 'post-string' | 'post-request' | 'post-stream'; url: string; body: string; contentType: string }

/** Runs the page's createFetch(auth, { allowedOrigins }) fetch and reads the response there. */
function apiFetch(page: Page, call: Call): Promise<TryResult<ApiAnswer>> {
  return page.evaluate(
    (c) =>
      window.pixieTry(async () => {
        const authFetch = window.pixie.fetch
        let response: Response
        if (c.kind === 'get') response = await authFetch(c.url, { headers: c.headers })
        else {
          const init = { method: 'POST', headers: { 'content-type': c.contentType } }
          if (c.kind === 'post-string') response = await authFetch(c.url, { ...init, body: c.body })
          else if (c.kind === 'post-request') response = await authFetch(new Request(c.url, { ...init, body: c.body }))
          // A stream can be read once only: the SDK must read it into memory before the first attempt.
          else response = await authFetch(c.url, { ...init, body: new Blob([c.body]).stream(), duplex: 'half' } as RequestInit)
        }
        return { status: response.status, body: await response.text(), wwwAuthenticate: response.headers.get('www-authenticate') }
      }),
    call,
  )
}

/** Records the requests the page sends to the provider's API endpoints. */
function recordApiRequests(page: Page): Request[] {
  const requests: Request[] = []
  page.on('request', (request) => {
    if (request.url().startsWith(`${PROVIDER}/api/`) && request.method() !== 'OPTIONS') requests.push(request)
  })
  return requests
}

/** RFC 7009 revocation of an access token, from outside the browser: the server stops accepting it. */
async function revokeAtServer(accessToken: string) {
  const response = await fetch(`${PROVIDER}/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: accessToken, token_type_hint: 'access_token', client_id: CLIENT_ID }),
    signal: AbortSignal.timeout(5_000),
  })
  expect(response.status).toBe(200)
}

const invalidToken = (times = 1) => ({
  endpoint: 'api' as const,
  type: 'status' as const,
  status: 401,
  times,
  headers: { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="injected"' },
  body: '{"error":"invalid_token"}',
  contentType: 'application/json',
})

test.describe('createFetch', () => {
  // The mock provider serves the test APIs too: an origin the app must allow.
  test.use({ appConfig: { allowedOrigins: [PROVIDER] } })

  test('sends the access token as a Bearer header, never in the URL, and returns the API response as it is', async ({ page }) => {
    await login(page)
    const session = await requireSession(page)
    const requests = recordApiRequests(page)

    const result = await apiFetch(page, { kind: 'get', url: API_ME })
    expect(result).toMatchObject({ ok: true, value: { status: 200 } })
    if (!result.ok) return
    expect(JSON.parse(result.value.body)).toMatchObject({ sub: USER_SUB, tokenSuffix: session.accessToken.slice(-6) })

    expect(requests).toHaveLength(1)
    expect(requests[0].headers().authorization).toBe(`Bearer ${session.accessToken}`)
    expect(requests[0].url()).toBe(API_ME)
    expect(requests[0].url()).not.toContain(session.accessToken)
    const stats = await getStats()
    expect(stats.apiRequests).toBe(1)
    expect(stats.tokenRequests.refresh_token).toBe(0)
  })

  test('a token the server revoked (401 invalid_token): refreshed once, the request sent again with the new token', async ({ page }) => {
    await login(page)
    const before = await requireSession(page)
    await revokeAtServer(before.accessToken)
    const requests = recordApiRequests(page)

    const result = await apiFetch(page, { kind: 'get', url: API_ME })
    expect(result).toMatchObject({ ok: true, value: { status: 200 } })
    if (!result.ok) return
    const after = await requireSession(page)
    expect(after.accessToken).not.toBe(before.accessToken)
    expect(JSON.parse(result.value.body).tokenSuffix).toBe(after.accessToken.slice(-6))
    expect(requests.map((r) => r.headers().authorization)).toEqual([
      `Bearer ${before.accessToken}`,
      `Bearer ${after.accessToken}`,
    ])
    const stats = await getStats()
    expect(stats.tokenRequests.refresh_token).toBe(1)
    expect(stats.apiRequests).toBe(2)
  })

  test('retries once only: a second 401 invalid_token is handed to the caller, challenge readable', async ({ page }) => {
    await login(page)
    await injectFault(invalidToken(2))

    const result = await apiFetch(page, { kind: 'get', url: API_ME })
    expect(result).toMatchObject({ ok: true, value: { status: 401, body: '{"error":"invalid_token"}' } })
    if (!result.ok) return
    expect(result.value.wwwAuthenticate).toContain('error="invalid_token"')
    const stats = await getStats()
    expect(stats.tokenRequests.refresh_token).toBe(1)
    expect(stats.apiRequests).toBe(2)
    // Still logged in: an API's 401 is no reason to end the session.
    expect(await page.evaluate(() => window.pixie.auth.isAuthenticated())).toBe(true)
  })

  const notRetried: [string, number, Record<string, string>][] = [
    ['403 insufficient_scope', 403, { 'WWW-Authenticate': 'Bearer error="insufficient_scope", scope="admin"' }],
    ['401 without an error code', 401, { 'WWW-Authenticate': 'Bearer realm="api"' }],
    ['401 invalid_request', 401, { 'WWW-Authenticate': 'Bearer error="invalid_request"' }],
    ['500 without a challenge', 500, {}],
  ]
  for (const [name, status, headers] of notRetried) {
    test(`${name}: returned at once, no refresh, no second request`, async ({ page }) => {
      await login(page)
      await injectFault({ endpoint: 'api', type: 'status', status, headers, body: 'nope' })

      const result = await apiFetch(page, { kind: 'get', url: API_ME })
      expect(result).toMatchObject({ ok: true, value: { status, body: 'nope', wwwAuthenticate: headers['WWW-Authenticate'] ?? null } })
      const stats = await getStats()
      expect(stats.apiRequests).toBe(1)
      expect(stats.tokenRequests.refresh_token).toBe(0)
    })
  }

  for (const kind of ['post-string', 'post-request', 'post-stream'] as const) {
    test(`${kind.replace('post-', '')} body: sent again, byte for byte, on the retry after invalid_token`, async ({ page }) => {
      await login(page)
      await injectFault(invalidToken())
      const requests = recordApiRequests(page)
      const body = JSON.stringify({ order: 42, note: 'héllo ✓' })

      const result = await apiFetch(page, { kind, url: API_ECHO, body, contentType: 'application/json' })
      expect(result).toMatchObject({ ok: true, value: { status: 200 } })
      if (!result.ok) return
      expect(JSON.parse(result.value.body)).toMatchObject({ method: 'POST', contentType: 'application/json', body })
      expect(requests).toHaveLength(2)
      for (const request of requests) expect(request.postData()).toBe(body)
      expect((await getStats()).tokenRequests.refresh_token).toBe(1)
    })
  }

  test.describe('with short-lived tokens', () => {
    test.use({ providerConfig: { autoApprove: true, accessTokenTtl: 3 } })

    test('an expired access token is refreshed before the request, with no 401 round trip', async ({ page }) => {
      await login(page)
      await waitUntilExpired(await requireSession(page))

      const result = await apiFetch(page, { kind: 'get', url: API_ME })
      expect(result).toMatchObject({ ok: true, value: { status: 200 } })
      const stats = await getStats()
      expect(stats.apiRequests).toBe(1)
      expect(stats.tokenRequests.refresh_token).toBe(1)
      const paths = stats.log.map((entry) => entry.path)
      expect(paths.lastIndexOf('/token')).toBeLessThan(paths.indexOf('/api/me'))
    })
  })

  test('without a session: rejects with login_required and sends nothing', async ({ page }) => {
    await openApp(page)
    const result = await apiFetch(page, { kind: 'get', url: API_ME })
    expect(result).toMatchObject({ ok: false, error: { isAuthError: true, code: 'login_required' } })
    expect((await getStats()).apiRequests).toBe(0)
  })

  test("an Authorization header of the caller's: config_error, nothing sent", async ({ page }) => {
    await login(page)
    const result = await apiFetch(page, { kind: 'get', url: API_ME, headers: { Authorization: 'Bearer mine' } })
    expect(result).toMatchObject({ ok: false, error: { isAuthError: true, code: 'config_error' } })
    expect((await getStats()).apiRequests).toBe(0)
  })

  test('a dropped connection rejects with network_error; the session is kept', async ({ page }) => {
    await login(page)
    const before = await requireSession(page)
    await injectFault({ endpoint: 'api', type: 'drop' })

    const result = await apiFetch(page, { kind: 'get', url: API_ME })
    expect(result).toMatchObject({ ok: false, error: { isAuthError: true, code: 'network_error' } })
    expect((await requireSession(page)).refreshToken).toBe(before.refreshToken)
    expect((await getStats()).tokenRequests.refresh_token).toBe(0)
  })
})

/** An origin nothing is allowed to send tokens to; nothing listens there either. */
const ELSEWHERE = 'http://127.0.0.1:4011'

/** Every request the page sends that carries an Authorization header. */
function recordAuthorizedRequests(page: Page): Request[] {
  const requests: Request[] = []
  page.on('request', (request) => {
    if (request.headers().authorization) requests.push(request)
  })
  return requests
}

/** Every request the page sends to `origin`, preflights included. */
function recordRequestsTo(page: Page, origin: string): string[] {
  const urls: string[] = []
  page.on('request', (request) => {
    if (new URL(request.url()).origin === origin) urls.push(`${request.method()} ${request.url()}`)
  })
  return urls
}

/** Logs in, then records every request that carries a token and every request to ELSEWHERE. */
async function logInAndWatch(page: Page) {
  await login(page)
  const { accessToken } = await requireSession(page)
  return { accessToken, authorized: recordAuthorizedRequests(page), elsewhere: recordRequestsTo(page, ELSEWHERE) }
}

test.describe('createFetch sends the token only to allowed origins', () => {
  test('an injected <base href> does not move a relative URL: it goes to location.origin', async ({ page }) => {
    const { accessToken, authorized, elsewhere } = await logInAndWatch(page)
    // Plain HTML injection, which a script-src CSP does not stop.
    await page.evaluate((href) => document.head.insertAdjacentHTML('afterbegin', `<base href="${href}/">`), ELSEWHERE)
    expect(await page.evaluate(() => document.baseURI)).toBe(`${ELSEWHERE}/`)

    const result = await page.evaluate(() =>
      window.pixieTry(async () => (await window.pixie.fetch('/api/orders?page=2')).url),
    )
    expect(result).toEqual({ ok: true, value: `${APP}/api/orders?page=2` })
    expect(elsewhere).toEqual([])
    expect(authorized.map((r) => [r.url(), r.headers().authorization])).toEqual([
      [`${APP}/api/orders?page=2`, `Bearer ${accessToken}`],
    ])
  })

  test('another origin as a string, //host, URL or Request is config_error naming it; nothing is sent', async ({ page }) => {
    await login(page)
    const elsewhere = recordRequestsTo(page, ELSEWHERE)
    const results = await page.evaluate(
      (origin) =>
        Promise.all(
          [
            () => window.pixie.fetch(`${origin}/api/me`),
            () => window.pixie.fetch(`//${new URL(origin).host}/api/me`),
            () => window.pixie.fetch(new URL('/api/me', origin)),
            () => window.pixie.fetch(new Request(`${origin}/api/me`, { method: 'POST', body: 'x' })),
            () => window.pixie.fetch('data:text/plain,hello'),
          ].map((call) => window.pixieTry(call)),
        ),
      ELSEWHERE,
    )
    for (const [index, result] of results.entries()) {
      expect(result, `call ${index}`).toMatchObject({ ok: false, error: { isAuthError: true, code: 'config_error' } })
      if (!result.ok) expect(result.error.message).toContain(index === 4 ? 'data:' : ELSEWHERE)
    }
    expect(elsewhere).toEqual([])
    expect((await getStats()).tokenRequests.refresh_token, 'no token was even refreshed for them').toBe(0)
  })

  test.describe('with the default configuration', () => {
    test("the provider's API, another origin, needs allowedOrigins", async ({ page }) => {
      await login(page)
      const result = await apiFetch(page, { kind: 'get', url: API_ME })
      expect(result).toMatchObject({ ok: false, error: { code: 'config_error' } })
      if (!result.ok) expect(result.error.message).toContain(PROVIDER)
      expect((await getStats()).apiRequests).toBe(0)
    })
  })
})

test.describe('createFetch and a Request from another realm', () => {
  test("an iframe's Request is checked and sent by its own URL: another origin is config_error, its own origin gets it as made", async ({
    page,
  }) => {
    const { accessToken, authorized, elsewhere } = await logInAndWatch(page)
    const results = await page.evaluate(async (origin) => {
      // A same-origin iframe is another realm: its Request is not an instance of this window's.
      const frame = document.body.appendChild(document.createElement('iframe'))
      const { Request: FrameRequest } = frame.contentWindow as unknown as { Request: typeof Request }
      const away = window.pixieTry(() => window.pixie.fetch(new FrameRequest(`${origin}/api/me`)))
      const home = window.pixieTry(async () => {
        const response = await window.pixie.fetch(new FrameRequest('/api/orders?from=frame', { method: 'PUT', body: 'x' }))
        return response.url
      })
      return Promise.all([away, home])
    }, ELSEWHERE)
    expect(results[0]).toMatchObject({ ok: false, error: { isAuthError: true, code: 'config_error' } })
    if (!results[0].ok) expect(results[0].error.message).toContain(ELSEWHERE)
    expect(results[1]).toEqual({ ok: true, value: `${APP}/api/orders?from=frame` })
    expect(elsewhere).toEqual([])
    expect(authorized.map((r) => [r.method(), r.url(), r.headers().authorization])).toEqual([
      ['PUT', `${APP}/api/orders?from=frame`, `Bearer ${accessToken}`],
    ])
  })
})

test.describe('createFetch under URL tricks', () => {
  test('backslashes, tabs, newlines, credentials, blob:, a trailing dot and uppercase never carry the token off the origin', async ({
    page,
  }) => {
    const { accessToken, authorized, elsewhere } = await logInAndWatch(page)
    const host = new URL(ELSEWHERE).host
    const results = await page.evaluate(
      ([host, app]) => {
        const blob = URL.createObjectURL(new Blob(['x']))
        const inputs = [
          `/\\${host}/api/me`,
          `\\\\${host}/api/me`,
          `/\t/${host}/api/me`,
          `\n//${host}/api/me`,
          `http:\\\\${host}/api/me`,
          `${app.replace('//', '//user:pass@')}/api/me`,
          blob,
          `${app.replace('localhost', 'localhost.')}/api/me`,
          `HTTP://LOCALHOST:${new URL(app).port}/api/upper`,
        ]
        return Promise.all(inputs.map((input) => window.pixieTry(async () => (await window.pixie.fetch(input)).url)))
      },
      [host, APP] as const,
    )
    for (const [index, result] of results.slice(0, 8).entries()) {
      expect(result, `call ${index}`).toMatchObject({ ok: false, error: { isAuthError: true, code: 'config_error' } })
    }
    if (!results[6].ok) expect(results[6].error.message).toContain('a blob: URL')
    expect(results[8]).toEqual({ ok: true, value: `${APP}/api/upper` })
    expect(elsewhere).toEqual([])
    expect(authorized.map((r) => [r.url(), r.headers().authorization])).toEqual([[`${APP}/api/upper`, `Bearer ${accessToken}`]])
  })
})

test.describe('createFetch and an injected <base href>', () => {
  test('a Request the app built after the injection points elsewhere: config_error naming that origin, nothing sent', async ({ page }) => {
    await login(page)
    const elsewhere = recordRequestsTo(page, ELSEWHERE)
    await page.evaluate((href) => document.head.insertAdjacentHTML('afterbegin', `<base href="${href}/">`), ELSEWHERE)
    const result = await page.evaluate(() => window.pixieTry(() => window.pixie.fetch(new Request('/api/orders'))))
    expect(result).toMatchObject({ ok: false, error: { isAuthError: true, code: 'config_error' } })
    if (!result.ok) expect(result.error.message).toContain(ELSEWHERE)
    expect(elsewhere).toEqual([])
  })
})

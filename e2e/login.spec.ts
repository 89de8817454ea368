// Login with Authorization Code + PKCE, the callback, and restoring the session on reload.
import { createHash } from 'node:crypto'
import {
  APP,
  CALLBACK_URL,
  CLIENT_ID,
  OTHER_CALLBACK_URL,
  PROVIDER,
  USER_SUB,
  expect,
  getAccessToken,
  getState,
  getStats,
  goToCallback,
  injectFault,
  handleCallback,
  isAuthenticated,
  logAfterAuthorize,
  login,
  openApp,
  readIdb,
  readSession,
  refreshTokenStatus,
  requireSession,
  settledState,
  test,
  waitForHarness,
} from './helpers'

test.describe('login', () => {
  test('full login: PKCE S256 authorize request, callback returns user and appState, URL cleaned, one token request', async ({
    page,
    isolationMode,
  }) => {
    const appState = { returnTo: '/orders/42?tab=items', n: 7, nested: { list: [1, 'two'] } }
    const { authorizeUrl, callbackUrl } = await goToCallback(page, { appState })

    // The authorization request.
    const q = authorizeUrl.searchParams
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${PROVIDER}/authorize`)
    expect(q.get('response_type')).toBe('code')
    expect(q.get('client_id')).toBe(CLIENT_ID)
    expect(q.get('redirect_uri')).toBe(CALLBACK_URL)
    expect(q.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['openid', 'profile', 'offline_access']))
    expect(q.get('code_challenge_method')).toBe('S256')
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // The client's tag, then the random part.
    expect(q.get('state')).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{16,}$/)
    expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{16,}$/)
    expect(q.get('state')).not.toBe(q.get('nonce'))

    // The code challenge is S256 of the verifier the SDK keeps (in IndexedDB) for the callback.
    const pending = (await readIdb(page))
      .map((e) => e.value as { state?: string; codeVerifier?: string })
      .filter((v) => v && v.state === q.get('state'))
    expect(pending, 'one pending login transaction for this state in IndexedDB').toHaveLength(1)
    expect(pending[0].codeVerifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/)
    expect(createHash('sha256').update(pending[0].codeVerifier!).digest('base64url')).toBe(q.get('code_challenge'))

    // The redirect back carries code, the same state, and iss (RFC 9207).
    const cb = new URL(callbackUrl)
    expect(cb.searchParams.get('code')).toBeTruthy()
    expect(cb.searchParams.get('state')).toBe(q.get('state'))
    expect(cb.searchParams.get('iss')).toBe(PROVIDER)

    // The harness does not run the callback by itself.
    expect(await page.evaluate(() => window.pixie.auth.isRedirectCallback())).toBe(true)
    expect((await getStats()).tokenRequests.total).toBe(0)

    const result = await handleCallback(page)
    expect(result).toMatchObject({ ok: true })
    if (!result.ok) return
    expect(result.value.user.sub).toBe(USER_SUB)
    expect(result.value.appState).toEqual(appState)

    // The authorization response is gone from the address bar (history.replaceState), same page.
    const after = new URL(await page.evaluate(() => location.href))
    expect(`${after.origin}${after.pathname}`).toBe(CALLBACK_URL)
    for (const name of ['code', 'state', 'iss']) expect(after.searchParams.has(name), `URL param ${name}`).toBe(false)
    expect(await page.evaluate(() => window.pixie.auth.isRedirectCallback())).toBe(false)

    expect(await getState(page)).toMatchObject({ status: 'authenticated', user: { sub: USER_SUB } })
    expect(await isAuthenticated(page)).toBe(true)
    expect(await page.evaluate(() => window.pixie.auth.getUser())).toMatchObject({ sub: USER_SUB })

    // Exactly one token request after the redirect back, preceded by the discovery of the configured
    // issuer: no endpoint is ever taken from storage (issue 18, finding 1).
    const stats = await getStats()
    expect(stats.tokenRequests).toEqual({ authorization_code: 1, refresh_token: 0, total: 1 })
    const afterRedirect = logAfterAuthorize(stats)
    const exchange = { method: 'POST', grantType: 'authorization_code' }
    // With isolation the SharedWorker outlives the trip to the provider, and its memory (no storage
    // either) still has the metadata.
    if (isolationMode !== 'off') expect(afterRedirect.map((e) => ({ method: e.method, grantType: e.grantType }))).toEqual([exchange])
    else {
      expect(afterRedirect.map((e) => ({ method: e.method, grantType: e.grantType }))).toEqual([{ method: 'GET', grantType: undefined }, exchange])
      expect(afterRedirect[0]!.path).toBe('/.well-known/openid-configuration')
    }

    // The session is stored; the one-time transaction is consumed.
    const session = await requireSession(page)
    expect(typeof session.accessToken).toBe('string')
    expect(typeof session.idToken).toBe('string')
    expect(typeof session.expiresAt).toBe('number')
    expect(await refreshTokenStatus(session.refreshToken)).toBe('active')
    expect(await getAccessToken(page)).toEqual({ ok: true, value: session.accessToken })
    const leftovers = (await readIdb(page)).filter((e) => (e.value as { state?: string })?.state === q.get('state'))
    expect(leftovers, 'transaction left in IndexedDB after the callback').toEqual([])
  })

  test.describe('with the provider login page', () => {
    test.use({ providerConfig: { autoApprove: false } })

    test('clicking #approve on the provider page completes the login', async ({ page }) => {
      const { callbackUrl } = await goToCallback(page, { consent: 'approve', appState: 'from-login-page' })
      expect(new URL(callbackUrl).searchParams.get('code')).toBeTruthy()
      const result = await handleCallback(page)
      expect(result).toMatchObject({ ok: true, value: { user: { sub: USER_SUB }, appState: 'from-login-page' } })
      expect((await getState(page)).status).toBe('authenticated')
      const stats = await getStats()
      expect(stats.tokenRequests.authorization_code).toBe(1)
      await requireSession(page)
    })
  })

  test('loginWithRedirect({ redirectUri }) comes back to that page and completes there', async ({ page }) => {
    const { authorizeUrl, callbackUrl } = await goToCallback(page, { redirectUri: OTHER_CALLBACK_URL })
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(OTHER_CALLBACK_URL)
    expect(callbackUrl.startsWith(`${OTHER_CALLBACK_URL}?`)).toBe(true)
    const result = await handleCallback(page)
    expect(result).toMatchObject({ ok: true, value: { user: { sub: USER_SUB } } })
    expect((await getStats()).tokenRequests.authorization_code).toBe(1)
    expect(await isAuthenticated(page)).toBe(true)
  })

  test('reload restores the session from IndexedDB without any provider request', async ({ page }) => {
    await login(page)
    const token = await getAccessToken(page)
    expect(token.ok).toBe(true)
    const before = await getStats()

    await page.reload()
    await waitForHarness(page)
    expect(await isAuthenticated(page)).toBe(true)
    expect(await settledState(page)).toMatchObject({ status: 'authenticated', user: { sub: USER_SUB } })
    expect(await getAccessToken(page)).toEqual(token)

    // A fresh page on the app's start page restores it too.
    await openApp(page, '/')
    expect(await getAccessToken(page)).toEqual(token)

    const after = await getStats()
    expect(after.tokenRequests).toEqual(before.tokenRequests)
    const newRequests = after.log.slice(before.log.length).filter((e) => !e.path.startsWith('/__control'))
    expect(newRequests, 'provider requests after reload').toEqual([])
  })

  test('nothing secret in localStorage or sessionStorage after login', async ({ page }) => {
    await login(page)
    const token = await getAccessToken(page)
    expect(token.ok).toBe(true)
    const session = await requireSession(page)
    const secrets = { refreshToken: session.refreshToken, accessToken: session.accessToken, idToken: session.idToken }
    for (const [name, value] of Object.entries(secrets)) expect(value, name).toMatch(/.{16,}/)

    const dumpStorage = () =>
      page.evaluate(() => {
        const dump = (s: Storage) =>
          Array.from({ length: s.length }, (_, i) => s.key(i)!).map((k) => `${k}=${s.getItem(k) ?? ''}`)
        return { local: dump(localStorage), session: dump(sessionStorage), cookie: document.cookie }
      })

    for (const path of ['/callback.html', '/']) {
      if (path === '/') await openApp(page, '/')
      const storage = await dumpStorage()
      const text = JSON.stringify(storage)
      for (const [name, value] of Object.entries(secrets)) {
        expect(text.includes(value), `${name} found in web storage/cookies on ${path}`).toBe(false)
      }
    }
    // And the tokens are indeed where they should be: in the SDK's IndexedDB record.
    expect((await readSession(page))?.refreshToken).toBe(secrets.refreshToken)
    expect(new URL(page.url()).origin).toBe(APP)
  })

  test('discovery answered with redirects (Django OAuth Toolkit adds a slash): the error names each URL, says 3xx, and points to the metadata option', async ({
    page,
  }) => {
    await openApp(page, '/')
    // Both well-known URLs, OpenID Connect's and RFC 8414's.
    await injectFault({ endpoint: 'discovery', type: 'status', status: 301, headers: { location: '/elsewhere/' }, times: 2 })
    const result = await page.evaluate(() => window.pixieTry(() => window.pixie.auth.loginWithRedirect()))
    expect(result).toMatchObject({ ok: false, error: { isAuthError: true, code: 'invalid_response' } })
    const { message } = (result as { error: { message: string } }).error
    // The redirect is not followed, and Chromium hides its status and Location (opaqueredirect).
    expect(message).toBe(
      `Discovery: ${PROVIDER}/.well-known/openid-configuration: HTTP 3xx, ${PROVIDER}/.well-known/oauth-authorization-server: HTTP 3xx (check the issuer, or set the metadata option)`,
    )
    expect(page.url()).toBe(`${APP}/`)
  })
})

// Access token expiry and refresh: rotation, single-flight in a tab and across tabs, failures.
import type { Page } from '@playwright/test'
import {
  USER_SUB,
  drainRefreshFaults,
  expect,
  getAccessToken,
  getState,
  getStats,
  injectFault,
  isAuthenticated,
  login,
  openApp,
  readSession,
  refreshTokenStatus,
  requireSession,
  settledState,
  test,
  waitUntilExpired,
  type Fault,
} from './helpers'

const ACCESS_TOKEN_TTL = 3

test.use({
  providerConfig: { autoApprove: true, accessTokenTtl: ACCESS_TOKEN_TTL },
  appConfig: { refreshLeewaySeconds: 0 },
})

/** Opens a second tab of the app in `page`'s context and waits until it has the session. */
async function secondTab(page: Page) {
  const tab2 = await page.context().newPage()
  await openApp(tab2, '/')
  expect(await settledState(tab2)).toMatchObject({ status: 'authenticated' })
  return tab2
}

/** Logs in and returns the stored session, after checking its access token lives ACCESS_TOKEN_TTL seconds. */
async function loginWithShortLivedToken(page: Page) {
  await login(page)
  const session = await requireSession(page)
  expect(session.expiresAt - Date.now()).toBeLessThanOrEqual(ACCESS_TOKEN_TTL * 1000)
  return session
}

test.describe('refresh', () => {
  test('an expired access token is refreshed on getAccessToken(), and the refresh token rotates', async ({ page }) => {
    const s1 = await loginWithShortLivedToken(page)
    expect(await getAccessToken(page)).toEqual({ ok: true, value: s1.accessToken })
    expect((await getStats()).tokenRequests.refresh_token).toBe(0)

    await waitUntilExpired(s1)
    const fresh = await getAccessToken(page)
    expect(fresh.ok).toBe(true)
    if (!fresh.ok) return
    expect(fresh.value).not.toBe(s1.accessToken)

    const stats = await getStats()
    expect(stats.tokenRequests.refresh_token).toBe(1)
    expect(stats.reuseDetections).toBe(0)

    const s2 = await requireSession(page)
    expect(s2.accessToken).toBe(fresh.value)
    expect(s2.refreshToken).not.toBe(s1.refreshToken)
    expect(s2.expiresAt).toBeGreaterThan(s1.expiresAt)
    expect(await refreshTokenStatus(s1.refreshToken)).toBe('rotated')
    expect(await refreshTokenStatus(s2.refreshToken)).toBe('active')

    // The new token is served from memory until it expires: no second refresh.
    expect(await getAccessToken(page)).toEqual(fresh)
    expect((await getStats()).tokenRequests.refresh_token).toBe(1)
    expect(await getState(page)).toMatchObject({ status: 'authenticated', user: { sub: USER_SUB } })
  })

  test('two tabs refreshing at the same moment make one refresh request and get the same token', async ({ page }) => {
    const s1 = await loginWithShortLivedToken(page)
    const tab2 = await secondTab(page)
    expect(await getAccessToken(tab2)).toEqual({ ok: true, value: s1.accessToken })

    await waitUntilExpired(s1)
    // Both tabs call getAccessToken() at the same wall-clock instant.
    const at = Date.now() + 300
    const inTab = (p: Page) =>
      p.evaluate(async (startAt) => {
        await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())))
        return window.pixieTry(() => window.pixie.auth.getAccessToken())
      }, at)
    const [r1, r2] = await Promise.all([inTab(page), inTab(tab2)])

    expect(r1.ok).toBe(true)
    expect(r2).toEqual(r1)
    if (!r1.ok) return
    expect(r1.value).not.toBe(s1.accessToken)

    const stats = await getStats()
    expect(stats.tokenRequests.refresh_token).toBe(1)
    expect(stats.reuseDetections).toBe(0)
    const s2 = await requireSession(page)
    expect(s2.accessToken).toBe(r1.value)
    expect(await refreshTokenStatus(s2.refreshToken)).toBe('active')
    expect(await refreshTokenStatus(s1.refreshToken)).toBe('rotated')
  })

  test('20 concurrent getAccessToken() calls in one tab make one refresh request', async ({ page }) => {
    const s1 = await loginWithShortLivedToken(page)
    await waitUntilExpired(s1)
    const results = await page.evaluate(() =>
      Promise.all(Array.from({ length: 20 }, () => window.pixieTry(() => window.pixie.auth.getAccessToken()))),
    )
    expect(results).toHaveLength(20)
    expect(results[0].ok).toBe(true)
    for (const r of results) expect(r).toEqual(results[0])
    expect(results[0]).not.toEqual({ ok: true, value: s1.accessToken })

    const stats = await getStats()
    expect(stats.tokenRequests.refresh_token).toBe(1)
    expect(stats.reuseDetections).toBe(0)
  })

  test('invalid_grant on refresh ends the session: login_required, unauthenticated, nothing in IndexedDB', async ({
    page,
  }) => {
    const s1 = await loginWithShortLivedToken(page)
    await waitUntilExpired(s1)
    await injectFault({ endpoint: 'token', grantType: 'refresh_token', type: 'invalid_grant' })

    const result = await getAccessToken(page)
    expect(result).toMatchObject({ ok: false, error: { isAuthError: true, code: 'login_required' } })
    expect((await getStats()).faultsServed).toBe(1)
    expect((await getState(page)).status).toBe('unauthenticated')
    expect(await isAuthenticated(page)).toBe(false)
    expect(await readSession(page)).toBeUndefined()

    // A later call does not try the dead refresh token again.
    const before = (await getStats()).tokenRequests.total
    expect(await getAccessToken(page)).toMatchObject({ ok: false, error: { code: 'login_required' } })
    expect((await getStats()).tokenRequests.total).toBe(before)
  })

  // The provider fails every refresh attempt for a while (times: 10): an outage that outlasts the
  // SDK's bounded retries (refreshRetries, default 2), so getAccessToken() must give up with a
  // transient error. (For 'drop', the provider also drops Chromium's own automatic resend of the
  // dropped request, so each fault is one failed request for the page.) Whatever the SDK did not
  // use up is drained from Node before the final call.
  const OUTAGE = 10
  const transientFaults: [string, Fault][] = [
    ['HTTP 500', { endpoint: 'token', grantType: 'refresh_token', type: 'status', status: 500, times: OUTAGE }],
    ['dropped connection', { endpoint: 'token', grantType: 'refresh_token', type: 'drop', times: OUTAGE }],
    ['HTTP 408', { endpoint: 'token', grantType: 'refresh_token', type: 'status', status: 408, times: OUTAGE }],
    ['HTTP 429', { endpoint: 'token', grantType: 'refresh_token', type: 'status', status: 429, times: OUTAGE }],
  ]
  for (const [name, fault] of transientFaults) {
    test(`${name} during refresh: network_error/timeout, refresh token kept and still active, a later call succeeds`, async ({
      page,
    }) => {
      const s1 = await loginWithShortLivedToken(page)
      await waitUntilExpired(s1)
      await injectFault(fault)

      const failed = await getAccessToken(page)
      expect(failed).toMatchObject({ ok: false, error: { isAuthError: true } })
      if (failed.ok) return
      expect(['network_error', 'timeout']).toContain(failed.error.code)
      const served = (await getStats()).faultsServed
      expect(served).toBeGreaterThanOrEqual(1)
      expect(served, 'the outage must outlast the SDK retries').toBeLessThan(OUTAGE)
      await drainRefreshFaults(OUTAGE)

      const kept = await requireSession(page)
      expect(kept.refreshToken).toBe(s1.refreshToken)
      expect(kept.accessToken).toBe(s1.accessToken)
      expect(await refreshTokenStatus(s1.refreshToken)).toBe('active')

      const retried = await getAccessToken(page)
      expect(retried.ok).toBe(true)
      expect(retried).not.toEqual({ ok: true, value: s1.accessToken })
      const s2 = await requireSession(page)
      expect(retried).toEqual({ ok: true, value: s2.accessToken })
      expect(s2.refreshToken).not.toBe(s1.refreshToken)
      expect(await refreshTokenStatus(s2.refreshToken)).toBe('active')
      expect((await getStats()).reuseDetections).toBe(0)
    })
  }

  // Real servers answer a dead refresh token in many ways besides RFC 6749 §5.2's JSON: each 4xx
  // ends the session in every tab, and `cause` says what the server answered.
  const refusals: [string, Fault, { status: number; error?: string }][] = [
    ['HTTP 400, empty body, no content-type', { endpoint: 'token', grantType: 'refresh_token', type: 'status', status: 400, contentType: null }, { status: 400 }],
    ['HTTP 401, an HTML page', { endpoint: 'token', grantType: 'refresh_token', type: 'status', status: 401, body: '<h1>Unauthorized</h1>', contentType: 'text/html' }, { status: 401 }],
    ['HTTP 400 invalid_grant', { endpoint: 'token', grantType: 'refresh_token', type: 'invalid_grant' }, { status: 400, error: 'invalid_grant' }],
    ['HTTP 401, only a Basic challenge', { endpoint: 'token', grantType: 'refresh_token', type: 'status', status: 401, contentType: null, headers: { 'WWW-Authenticate': 'Basic realm="token"' } }, { status: 401, error: undefined }],
    ['HTTP 404 (the endpoint moved)', { endpoint: 'token', grantType: 'refresh_token', type: 'status', status: 404, body: 'Not Found' }, { status: 404 }],
  ]
  for (const [name, fault, cause] of refusals) {
    test(`${name} on refresh: the session ends in every tab with login_required, and the dead token is not sent again`, async ({
      page,
      isolationMode,
    }) => {
      const s1 = await loginWithShortLivedToken(page)
      const tab2 = await secondTab(page)
      await waitUntilExpired(s1)
      await injectFault(fault)

      const result = await getAccessToken(page)
      // An error from the isolation worker carries no cause chain (ISOLATION.md).
      const expectedCause = isolationMode === 'off' ? { ...cause, isAuthError: true } : undefined
      expect(result).toMatchObject({ ok: false, error: { isAuthError: true, code: 'login_required', cause: expectedCause } })
      expect((await getStats()).faultsServed).toBe(1)
      expect(await readSession(page)).toBeUndefined()
      for (const tab of [page, tab2]) {
        await expect.poll(async () => (await getState(tab)).status).toBe('unauthenticated')
        expect(await getState(tab)).toMatchObject({ error: { code: 'login_required' } })
        expect(await getAccessToken(tab)).toMatchObject({ ok: false, error: { code: 'login_required' } })
      }
      expect((await getStats()).tokenRequests.refresh_token).toBe(1)
    })
  }

  test('HTTP 429 with Retry-After: the retry waits that long, then the refresh succeeds', async ({ page }) => {
    const s1 = await loginWithShortLivedToken(page)
    await waitUntilExpired(s1)
    await injectFault({ endpoint: 'token', grantType: 'refresh_token', type: 'status', status: 429, headers: { 'Retry-After': '2' } })

    const fresh = await getAccessToken(page)
    expect(fresh.ok).toBe(true)
    const refreshes = (await getStats()).log.filter((e) => e.grantType === 'refresh_token')
    expect(refreshes.map((e) => e.status)).toEqual([429, 200])
    // The log records when each answer was sent; the default backoff alone would wait under 0.5 s.
    expect(refreshes[1]!.t - refreshes[0]!.t).toBeGreaterThanOrEqual(1900)
    expect((await requireSession(page)).accessToken).toBe(fresh.ok && fresh.value)
  })

  test('a 200 whose body is not a token response: invalid_response, nothing stored, the next call refreshes', async ({ page }) => {
    const s1 = await loginWithShortLivedToken(page)
    await waitUntilExpired(s1)
    await injectFault({ endpoint: 'token', grantType: 'refresh_token', type: 'body', status: 200, body: '<html>maintenance</html>', contentType: 'text/html' })

    expect(await getAccessToken(page)).toMatchObject({ ok: false, error: { code: 'invalid_response' } })
    expect(await readSession(page)).toEqual(s1)
    expect(await refreshTokenStatus(s1.refreshToken)).toBe('active')
    expect((await getState(page)).status).toBe('authenticated')

    const retried = await getAccessToken(page)
    expect(retried.ok).toBe(true)
    expect((await requireSession(page)).refreshToken).not.toBe(s1.refreshToken)
    expect((await getStats()).tokenRequests.refresh_token).toBe(2)
  })

  // A gateway in front of the server sending the request to a login page says nothing about the
  // token. The redirect is not followed (oauth4webapi's redirect: 'manual'), nothing is stored.
  test('a 302 to a login page: not followed, invalid_response, the session and its token kept', async ({ page }) => {
    const s1 = await loginWithShortLivedToken(page)
    await waitUntilExpired(s1)
    await injectFault({ endpoint: 'token', grantType: 'refresh_token', type: 'status', status: 302, headers: { Location: '/authorize' } })

    expect(await getAccessToken(page)).toMatchObject({ ok: false, error: { code: 'invalid_response' } })
    expect(await readSession(page)).toEqual(s1)
    expect(await refreshTokenStatus(s1.refreshToken)).toBe('active')
    expect((await getStats()).authorizeRequests).toBe(1)
    expect(await getAccessToken(page)).toMatchObject({ ok: true })
  })

  test.describe('without refresh token rotation', () => {
    test.use({ providerConfig: { autoApprove: true, accessTokenTtl: ACCESS_TOKEN_TTL, rotateRefreshTokens: false } })

    test('a refresh response without refresh_token keeps the old refresh token', async ({ page, isolationMode }) => {
      const s1 = await loginWithShortLivedToken(page)
      await waitUntilExpired(s1)

      const fresh = await getAccessToken(page)
      expect(fresh.ok).toBe(true)
      expect(fresh).not.toEqual({ ok: true, value: s1.accessToken })
      expect((await getStats()).tokenRequests.refresh_token).toBe(1)

      // In Bearer isolation the session is in the worker's memory: that the next refresh works shows
      // it kept s1's refresh token, the only one the provider issued.
      if (isolationMode !== 'bearer') {
        const s2 = await requireSession(page)
        expect(s2.refreshToken).toBe(s1.refreshToken)
        expect(s2.accessToken).not.toBe(s1.accessToken)
        expect(s2.idToken).toEqual(expect.any(String))
      }
      expect(await refreshTokenStatus(s1.refreshToken)).toBe('active')

      // ...and it keeps working.
      const again = await getAccessToken(page, { forceRefresh: true })
      expect(again.ok).toBe(true)
      expect(again).not.toEqual(fresh)
      expect((await getStats()).tokenRequests.refresh_token).toBe(2)
      if (isolationMode !== 'bearer') expect((await requireSession(page)).refreshToken).toBe(s1.refreshToken)
    })
  })

  test('a refreshed ID token for a different sub is rejected (invalid_response) and nothing new is stored', async ({
    page,
  }) => {
    const s1 = await loginWithShortLivedToken(page)
    await waitUntilExpired(s1)
    await injectFault({ endpoint: 'token', grantType: 'refresh_token', type: 'id_token_claims', claims: { sub: 'mallory' } })

    const result = await getAccessToken(page)
    expect(result).toMatchObject({ ok: false, error: { isAuthError: true, code: 'invalid_response' } })
    expect((await getStats()).faultsServed).toBe(1)
    expect(await readSession(page)).toEqual(s1)
    expect(JSON.stringify(await readSession(page))).not.toContain('mallory')
    const state = await getState(page)
    expect(state.user?.sub).not.toBe('mallory')
  })
})

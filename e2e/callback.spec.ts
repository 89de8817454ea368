// The redirect callback under abuse: double calls, replays, tampering, errors, mix-up (iss).
import {
  APP,
  USER_SUB,
  expect,
  expectNothingStored,
  getAccessToken,
  getState,
  getStats,
  goToCallback,
  handleCallback,
  isAuthenticated,
  login,
  readSession,
  refreshTokenStatus,
  requireSession,
  test,
  waitForHarness,
} from './helpers'

function withParam(url: string, name: string, value: string | null): string {
  const u = new URL(url)
  if (value === null) u.searchParams.delete(name)
  else u.searchParams.set(name, value)
  return u.href
}

test.describe('redirect callback', () => {
  test('on the callback page the state stays loading until the callback settles, never unauthenticated', async ({
    page,
  }) => {
    await goToCallback(page)
    // The stored session has been read (there is none), yet the callback is still to come.
    expect(await isAuthenticated(page)).toBe(false)
    expect((await getState(page)).status).toBe('loading')

    expect((await handleCallback(page)).ok).toBe(true)
    const statuses = await page.evaluate(() => (window.pixieStates as { status: string }[]).map((s) => s.status))
    expect(statuses).toEqual(['authenticated'])
  })

  test('a failed callback on the callback page ends loading as unauthenticated with the error', async ({ page }) => {
    const { callbackUrl } = await goToCallback(page)
    // Forged, but in this client's name (its tag before the dot): another client's state is not its callback.
    const tag = new URL(callbackUrl).searchParams.get('state')!.split('.')[0]
    await page.goto(withParam(callbackUrl, 'state', `${tag}.forged`))
    await waitForHarness(page)
    expect(await isAuthenticated(page)).toBe(false)
    expect((await getState(page)).status).toBe('loading')

    expect(await handleCallback(page)).toMatchObject({ ok: false, error: { code: 'invalid_state' } })
    expect(await getState(page)).toMatchObject({ status: 'unauthenticated', error: { code: 'invalid_state' } })
  })

  test('StrictMode-style double call with the same URL: both resolve, one token request; a third call is invalid_state', async ({
    page,
  }) => {
    const { callbackUrl } = await goToCallback(page, { appState: { from: 'strict-mode' } })
    const results = await page.evaluate(
      (url) =>
        Promise.all([
          window.pixieTry(() => window.pixie.auth.handleRedirectCallback(url)),
          window.pixieTry(() => window.pixie.auth.handleRedirectCallback(url)),
        ]),
      callbackUrl,
    )
    expect(results[0]).toMatchObject({ ok: true, value: { user: { sub: USER_SUB }, appState: { from: 'strict-mode' } } })
    expect(results[1]).toEqual(results[0])
    expect((await getStats()).tokenRequests).toMatchObject({ authorization_code: 1, total: 1 })

    const third = await handleCallback(page, callbackUrl)
    expect(third).toMatchObject({ ok: false, error: { isAuthError: true, code: 'invalid_state' } })
    expect((await getStats()).tokenRequests).toMatchObject({ authorization_code: 1, total: 1 })
    expect(await isAuthenticated(page)).toBe(true)
    await requireSession(page)
  })

  test('reloading the callback page after success (replayed callback URL) is invalid_state and keeps the session', async ({
    page,
  }) => {
    const { callbackUrl } = await login(page)
    const session = await requireSession(page)

    await page.goto(callbackUrl)
    await waitForHarness(page)
    const replay = await handleCallback(page, callbackUrl)
    expect(replay).toMatchObject({ ok: false, error: { isAuthError: true, code: 'invalid_state' } })

    const stats = await getStats()
    expect(stats.tokenRequests).toMatchObject({ authorization_code: 1, total: 1 })
    expect(await isAuthenticated(page)).toBe(true)
    expect((await getState(page)).status).toBe('authenticated')
    expect(await readSession(page)).toEqual(session)
    expect(await refreshTokenStatus(session.refreshToken)).toBe('active')
  })

  test('tampered state is invalid_state: no token request, nothing stored', async ({ page }) => {
    const { callbackUrl } = await goToCallback(page)
    const tampered = withParam(callbackUrl, 'state', `${new URL(callbackUrl).searchParams.get('state')}x`)
    const result = await handleCallback(page, tampered)
    expect(result).toMatchObject({ ok: false, error: { isAuthError: true, code: 'invalid_state' } })
    expect((await getStats()).tokenRequests.total).toBe(0)
    await expectNothingStored(page)
    expect(await isAuthenticated(page)).toBe(false)
  })

  test.describe('with the provider login page', () => {
    test.use({ providerConfig: { autoApprove: false } })

    test('error=access_denied (#deny) is oauth_error access_denied, nothing stored', async ({ page }) => {
      const { callbackUrl } = await goToCallback(page, { consent: 'deny' })
      const params = new URL(callbackUrl).searchParams
      expect(params.get('error')).toBe('access_denied')
      expect(params.has('code')).toBe(false)

      const result = await handleCallback(page)
      expect(result).toMatchObject({
        ok: false,
        error: { isAuthError: true, code: 'oauth_error', error: 'access_denied' },
      })
      expect((await getStats()).tokenRequests.total).toBe(0)
      await expectNothingStored(page)
      expect(await isAuthenticated(page)).toBe(false)
      expect((await getState(page)).status).toBe('unauthenticated')
    })
  })

  test('wrong iss in the callback (mix-up) is invalid_response: no token request, nothing stored', async ({ page }) => {
    const { callbackUrl } = await goToCallback(page)
    const result = await handleCallback(page, withParam(callbackUrl, 'iss', 'https://evil.example'))
    expect(result).toMatchObject({ ok: false, error: { isAuthError: true, code: 'invalid_response' } })
    expect((await getStats()).tokenRequests.total).toBe(0)
    await expectNothingStored(page)
    expect(await isAuthenticated(page)).toBe(false)
  })

  test('missing iss when the provider advertises authorization_response_iss_parameter_supported is invalid_response', async ({
    page,
  }) => {
    const discovery = (await (await fetch('http://127.0.0.1:4010/.well-known/openid-configuration')).json()) as Record<
      string,
      unknown
    >
    expect(discovery.authorization_response_iss_parameter_supported).toBe(true)

    const { callbackUrl } = await goToCallback(page)
    const result = await handleCallback(page, withParam(callbackUrl, 'iss', null))
    expect(result).toMatchObject({ ok: false, error: { isAuthError: true, code: 'invalid_response' } })
    expect((await getStats()).tokenRequests.total).toBe(0)
    await expectNothingStored(page)
  })

  test('an existing session survives a hostile callback', async ({ page }) => {
    await login(page)
    const session = await requireSession(page)
    const token = await getAccessToken(page)
    expect(token).toEqual({ ok: true, value: session.accessToken })

    const result = await handleCallback(page, `${APP}/callback.html?code=x&state=forged`)
    expect(result).toMatchObject({ ok: false, error: { isAuthError: true, code: 'invalid_state' } })

    expect(await isAuthenticated(page)).toBe(true)
    expect(await getState(page)).toMatchObject({ status: 'authenticated', user: { sub: USER_SUB } })
    expect(await getAccessToken(page)).toEqual(token)
    expect(await readSession(page)).toEqual(session)
    expect((await getStats()).tokenRequests).toMatchObject({ authorization_code: 1, total: 1 })
    expect(await refreshTokenStatus(session.refreshToken)).toBe('active')
  })
})

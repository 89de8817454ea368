// The core scenarios against LemonLDAP::NG 2.16 (OpenID Certified; Debian's packages), logging in
// through its real portal form: e2e/lemonldap/server.pl, configured by e2e/lemonldap/lmConf.json.
//
// What 2.16 has, from its discovery document and its code (Portal/Issuer/OpenIDConnect.pm):
// PKCE, refresh tokens (not rotated: a refresh answers without a new one), UserInfo and RP-initiated
// logout. It has no revocation endpoint, no DPoP, no PAR, and sends no `iss` in the authorization
// response (RFC 9207). Its refresh tokens live as long as the portal session they came from
// (`offline_access` is not allowed to the client), so ending that session is what revokes them.
import { APP, CALLBACK_URL, LOGGED_OUT_URL, expectNothingStored, getAccessToken, openApp, readSession, requireSession, settledState, waitForHarness, waitUntilExpired } from './helpers'
import {
  CLIENT,
  LL,
  SHORT_CLIENT,
  USER,
  expect,
  llStats,
  login,
  purgeRefreshToken,
  refreshFromNode,
  refreshTokenState,
  startLogin,
  test,
} from './lemonldap/fixtures'
import { expectReloadWithoutServer, expectTwoTabsShareARefresh, tokenOf } from './real-provider'

test('the discovery document: no revocation, DPoP or PAR, so the SDK uses none of them', async () => {
  const metadata = (await (await fetch(`${LL}/.well-known/openid-configuration`)).json()) as Record<string, unknown>
  expect(metadata.issuer).toBe(LL)
  expect(metadata.code_challenge_methods_supported).toContain('S256')
  expect(metadata).not.toHaveProperty('revocation_endpoint')
  expect(metadata).not.toHaveProperty('pushed_authorization_request_endpoint')
  expect(metadata).not.toHaveProperty('dpop_signing_alg_values_supported')
  expect(metadata).not.toHaveProperty('authorization_response_iss_parameter_supported')
})

test('login through the portal form: PKCE S256, one token request, session stored', async ({ page, isolationMode }) => {
  const { authorizeUrl, callbackUrl, user } = await login(page)
  const q = authorizeUrl.searchParams
  expect(q.get('client_id')).toBe(CLIENT)
  expect(q.get('redirect_uri')).toBe(CALLBACK_URL)
  expect(q.get('code_challenge_method')).toBe('S256')
  expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/)
  // No RFC 9207 iss; LemonLDAP adds session_state (OIDC Session Management), which the SDK ignores.
  expect(callbackUrl.searchParams.has('iss')).toBe(false)
  expect(callbackUrl.searchParams.has('session_state')).toBe(true)
  expect(user).toMatchObject({ sub: USER.login, iss: LL, aud: [CLIENT] })

  if (isolationMode === 'bearer') {
    // Isolation: the session is in the worker's memory only, which hands the page its access token.
    await expectNothingStored(page)
    expect(await getAccessToken(page)).toMatchObject({ ok: true, value: expect.stringMatching(/.{16,}/) })
    expect((await llStats()).tokenRequests).toEqual({ authorization_code: 1, refresh_token: 0, total: 1 })
    return
  }
  const session = await requireSession(page)
  // LemonLDAP answers token_type "Bearer"; offline_access, which the client did not get, is dropped.
  expect(session.tokenType).toBe('bearer')
  expect(session.scope).toBe('openid profile')
  expect(await refreshTokenState(session.refreshToken)).toBe('active')
  expect(await getAccessToken(page)).toEqual({ ok: true, value: session.accessToken })
  expect((await llStats()).tokenRequests).toEqual({ authorization_code: 1, refresh_token: 0, total: 1 })
})

test('reload restores the session from IndexedDB without a request to the provider', async ({ page }) => {
  await login(page)
  await expectReloadWithoutServer(page, LL, USER.login)
  expect((await llStats()).tokenRequests.total).toBe(1)
})

test('fetchUser() reads UserInfo and keeps its claims', async ({ page }) => {
  await login(page)
  // The ID token carries no profile claims: LemonLDAP releases them from UserInfo.
  expect(await page.evaluate(() => window.pixieTry(() => window.pixie.auth.getUser()))).not.toMatchObject({ value: { name: USER.name } })
  const fresh = await page.evaluate(() => window.pixieTry(() => window.pixie.fetchUser()))
  expect(fresh).toMatchObject({ ok: true, value: { sub: USER.login, name: USER.name } })
  expect((await requireSession(page)).user).toMatchObject({ sub: USER.login, name: USER.name })
  expect((await llStats()).userinfoRequests).toBe(1)
})

test.describe('with 4-second access tokens', () => {
  test.use({ appConfig: { clientId: SHORT_CLIENT, refreshLeewaySeconds: 0 } })

  test('an expired access token is refreshed once; the refresh token, which LemonLDAP does not rotate, is kept', async ({ page }) => {
    await login(page)
    const s1 = await requireSession(page)
    expect(s1.expiresAt - Date.now()).toBeLessThanOrEqual(4_000)
    await waitUntilExpired(s1)
    const fresh = await getAccessToken(page)
    expect(tokenOf(fresh)).not.toBe(s1.accessToken)
    const s2 = await requireSession(page)
    expect(fresh).toEqual({ ok: true, value: s2.accessToken })
    expect(s2.refreshToken).toBe(s1.refreshToken)
    expect(s2.idToken, 'the new ID token from the refresh is kept').not.toBe(s1.idToken)
    expect(s2.user).toMatchObject({ sub: USER.login })
    // Served from the session until it expires.
    expect(await getAccessToken(page)).toEqual(fresh)
    expect((await llStats()).tokenRequests).toEqual({ authorization_code: 1, refresh_token: 1, total: 2 })
  })

  test('two tabs refreshing at the same moment make one refresh request', async ({ page, context }) => {
    await login(page)
    await expectTwoTabsShareARefresh(page, context)
    expect((await llStats()).tokenRequests.refresh_token).toBe(1)
  })

  test('a portal logout elsewhere kills the refresh token: the next refresh ends the session with login_required', async ({ page }) => {
    await login(page)
    const s1 = await requireSession(page)
    // The user signs out on the portal itself, outside the app.
    await page.goto(`${LL}/?logout=1`)
    await openApp(page, '/')
    await waitUntilExpired(s1)
    expect(await getAccessToken(page)).toMatchObject({ ok: false, error: { code: 'login_required' } })
    expect(await readSession(page)).toBeUndefined()
    expect(await settledState(page)).toMatchObject({ status: 'unauthenticated' })
    expect((await llStats()).tokenErrors).toEqual({ 'refresh_token:400': 1 })
  })

  test('an expired refresh token, which LemonLDAP answers with 400 invalid_request, ends the session with login_required', async ({
    page,
  }) => {
    await login(page)
    const s1 = await requireSession(page)
    await purgeRefreshToken(s1.refreshToken)
    await waitUntilExpired(s1)
    expect(await getAccessToken(page)).toMatchObject({ ok: false, error: { code: 'login_required' } })
    expect(await readSession(page)).toBeUndefined()
    expect(await settledState(page)).toMatchObject({ status: 'unauthenticated' })
    // Not tried again: the one refresh request was the last.
    expect(await getAccessToken(page)).toMatchObject({ ok: false, error: { code: 'login_required' } })
    expect((await llStats()).tokenErrors).toEqual({ 'refresh_token:400': 1 })
  })
})

test('logout ends the portal session through end-session, which also ends the refresh token', async ({ page }) => {
  await login(page)
  const session = await requireSession(page)
  const requests: string[] = []
  page.on('request', (request) => requests.push(`${request.method()} ${request.url()}`))
  const endSession = page.waitForRequest((r) => r.isNavigationRequest() && r.url().startsWith(`${LL}/oauth2/logout`))
  await page.evaluate(() => window.pixieStart(() => window.pixie.auth.logout()))
  const endSessionUrl = new URL((await endSession).url())
  expect(endSessionUrl.searchParams.get('id_token_hint')).toBe(session.idToken)
  expect(endSessionUrl.searchParams.get('post_logout_redirect_uri')).toBe(LOGGED_OUT_URL)
  // LemonLDAP asks the user to confirm the sign-out on its own page.
  await page.locator('#form button[type=submit]:not(#refuse)').click()
  await page.waitForURL((url) => url.href.startsWith(LOGGED_OUT_URL))
  await waitForHarness(page)

  // No revocation endpoint: nothing was sent but the end-session navigation.
  expect(requests.filter((r) => r.startsWith(`POST ${LL}/`)).map((r) => new URL(r.slice(5)).pathname)).toEqual(['/oauth2/logout'])
  expect(await readSession(page)).toBeUndefined()
  expect(await settledState(page)).toMatchObject({ status: 'unauthenticated' })
  expect((await llStats()).endSessions).toBe(1)
  // The refresh token ended with the portal session it belonged to.
  expect(await refreshFromNode(session.refreshToken)).toMatchObject({ error: 'invalid_grant' })

  // The next login shows the portal's form again.
  await openApp(page, '/')
  await startLogin(page)
  await expect(page.locator('#userfield')).toBeVisible()
})

for (const [option, appConfig] of [
  ['dpop', { dpop: true }],
  ['par', { par: true }],
] as const) {
  test.describe(`${option}()`, () => {
    test.use({ appConfig })

    test('LemonLDAP 2.16 cannot do it: loginWithRedirect() fails with config_error before leaving the app', async ({ page }) => {
      await openApp(page, '/')
      const providerRequests: string[] = []
      page.on('request', (request) => {
        if (request.isNavigationRequest() && request.url().startsWith(LL)) providerRequests.push(request.url())
      })
      const result = await page.evaluate(() => window.pixieTry(() => window.pixie.auth.loginWithRedirect()))
      expect(result).toMatchObject({ ok: false, error: { code: 'config_error' } })
      expect(page.url()).toBe(`${APP}/`)
      expect(providerRequests).toEqual([])
    })
  })
}

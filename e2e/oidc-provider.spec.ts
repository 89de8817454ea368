// The core scenarios, DPoP, PAR and resource indicators against oidc-provider, an OpenID Certified
// server (e2e/oidc-provider/server.mjs), logging in through its own pages.
import type { Page } from '@playwright/test'
import * as oauth from 'oauth4webapi'
import { APP, CALLBACK_URL, LOGGED_OUT_URL, getAccessToken, openApp, readSession, requireSession, settledState, waitForHarness, waitUntilExpired } from './helpers'
import {
  API,
  OP,
  REPORTS,
  expect,
  jwtClaims,
  login,
  opStats,
  refreshTokenState,
  startLogin,
  storedDPoPKey,
  test,
} from './oidc-provider/fixtures'
import {
  expectReloadWithoutServer,
  expectTwoTabsShareARefresh,
  getAccessTokenTogether,
  loginThrough,
  refreshFromNode as refreshFromNodeAt,
  tokenOf,
} from './real-provider'

const SHORT_TTL = 4

/** Presents `refreshToken` at the token endpoint from Node, as someone who copied it would. */
const refreshFromNode = (refreshToken: string, dpop?: oauth.DPoPHandle) => refreshFromNodeAt(OP, 'pixie-e2e', refreshToken, dpop)

test.describe('core scenarios', () => {
  test('login through the provider pages: PKCE S256, iss in the response, one token request, session stored', async ({ page }) => {
    const { authorizeUrl, callbackUrl, user } = await login(page, 'ada')
    const q = authorizeUrl.searchParams
    expect(q.get('client_id')).toBe('pixie-e2e')
    expect(q.get('redirect_uri')).toBe(CALLBACK_URL)
    expect(q.get('code_challenge_method')).toBe('S256')
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/)
    expect(q.has('dpop_jkt'), 'no DPoP unless asked for').toBe(false)
    // RFC 9207: oidc-provider sends iss, and the SDK checked it against the discovered issuer.
    expect(callbackUrl.searchParams.get('iss')).toBe(OP)
    expect(user.sub).toBe('ada')

    const session = await requireSession(page)
    expect(session.tokenType).toBe('bearer')
    expect(await refreshTokenState(session.refreshToken)).toBe('active')
    expect(await getAccessToken(page)).toEqual({ ok: true, value: session.accessToken })
    expect((await opStats()).tokenRequests).toEqual({ authorization_code: 1, refresh_token: 0, total: 1 })
  })

  test('reload restores the session from IndexedDB without a request to the provider', async ({ page }) => {
    await login(page)
    await expectReloadWithoutServer(page, OP, 'ada')
    expect((await opStats()).tokenRequests.total).toBe(1)
  })

  test.describe('with short-lived access tokens', () => {
    test.use({ accessTokenTtl: SHORT_TTL, appConfig: { refreshLeewaySeconds: 0 } })

    test('an expired access token is refreshed once and the refresh token rotates', async ({ page }) => {
      await login(page)
      const s1 = await requireSession(page)
      await waitUntilExpired(s1)
      const fresh = await getAccessToken(page)
      expect(tokenOf(fresh)).not.toBe(s1.accessToken)
      const s2 = await requireSession(page)
      expect(fresh).toEqual({ ok: true, value: s2.accessToken })
      expect(s2.refreshToken).not.toBe(s1.refreshToken)
      expect(await refreshTokenState(s1.refreshToken)).toBe('consumed')
      expect(await refreshTokenState(s2.refreshToken)).toBe('active')
      // Served from the session until it expires.
      expect(await getAccessToken(page)).toEqual(fresh)
      const stats = await opStats()
      expect(stats.tokenRequests.refresh_token).toBe(1)
      expect(stats.refreshTokensConsumed).toBe(1)
      expect(stats.grantsRevoked).toBe(0)
    })

    test('the provider revokes the grant when a rotated refresh token is replayed; the SDK then says login_required', async ({ page }) => {
      await login(page)
      const s1 = await requireSession(page)
      await waitUntilExpired(s1)
      expect((await getAccessToken(page)).ok).toBe(true)
      const replay = await refreshFromNode(s1.refreshToken)
      expect(replay).toMatchObject({ error: 'invalid_grant' })
      expect((await opStats()).grantsRevoked).toBe(1)

      const s2 = await requireSession(page)
      await waitUntilExpired(s2)
      expect(await getAccessToken(page)).toMatchObject({ ok: false, error: { code: 'login_required' } })
      expect(await readSession(page)).toBeUndefined()
    })

    test('two tabs refreshing at the same moment make one refresh request', async ({ page, context }) => {
      await login(page)
      await expectTwoTabsShareARefresh(page, context)
      const stats = await opStats()
      expect(stats.tokenRequests.refresh_token).toBe(1)
      expect(stats.grantsRevoked, 'no refresh token was used twice').toBe(0)
      expect(await refreshTokenState((await requireSession(page)).refreshToken)).toBe('active')
    })
  })

  test('logout revokes the refresh token, clears IndexedDB and ends the provider session', async ({ page }) => {
    await login(page)
    const session = await requireSession(page)
    const endSession = page.waitForRequest((r) => r.isNavigationRequest() && r.url().startsWith(`${OP}/session/end`))
    await page.evaluate(() => window.pixieStart(() => window.pixie.auth.logout()))
    const endSessionUrl = new URL((await endSession).url())
    expect(endSessionUrl.searchParams.get('id_token_hint')).toBe(session.idToken)
    expect(endSessionUrl.searchParams.get('post_logout_redirect_uri')).toBe(LOGGED_OUT_URL)
    // oidc-provider asks the user to confirm the sign-out on its own page.
    await page.locator('#logout').click()
    await page.waitForURL((url) => url.href.startsWith(LOGGED_OUT_URL))
    await waitForHarness(page)

    expect(await refreshTokenState(session.refreshToken)).toBe('unknown')
    expect(await readSession(page)).toBeUndefined()
    expect(await settledState(page)).toMatchObject({ status: 'unauthenticated' })
    expect((await opStats()).endSessions).toBe(1)

    // The provider session is over too: the next login shows its login page again.
    await openApp(page, '/')
    await startLogin(page)
    await expect(page.locator('#username')).toBeVisible()
  })
})

test.describe('DPoP', () => {
  test.use({ appConfig: { dpop: true } })

  test('the code is bound to the key (dpop_jkt), tokens are DPoP-bound, a copied refresh token is useless', async ({ page }) => {
    const { authorizeUrl } = await login(page)
    const key = await storedDPoPKey(page)
    expect(key?.privateKeyExtractable).toBe(false)
    expect(authorizeUrl.searchParams.get('dpop_jkt')).toBe(key?.thumbprint)

    const s1 = await requireSession(page)
    expect(s1.tokenType).toBe('dpop')
    const stats = await opStats()
    // The server requires nonces: the first proof was refused with use_dpop_nonce, the retry passed.
    expect(stats.tokenErrors.use_dpop_nonce).toBe(1)
    expect(stats.tokenRequests.authorization_code).toBe(1)

    // Copied out of IndexedDB and presented without the key, or with another key: refused.
    expect(await refreshFromNode(s1.refreshToken)).toMatchObject({ error: 'invalid_grant' })
    const otherKey = oauth.DPoP({}, await oauth.generateKeyPair('ES256'))
    expect(await refreshFromNode(s1.refreshToken, otherKey)).toMatchObject({ error: 'invalid_grant' })
    expect(await refreshTokenState(s1.refreshToken)).toBe('active')

    // The SDK, holding the key, refreshes with it.
    const fresh = await page.evaluate(() => window.pixieTry(() => window.pixie.auth.getAccessToken({ forceRefresh: true })))
    expect(tokenOf(fresh)).not.toBe(s1.accessToken)
    const s2 = await requireSession(page)
    expect(s2.tokenType).toBe('dpop')
    expect(s2.refreshToken).not.toBe(s1.refreshToken)
    expect((await opStats()).tokenRequests.refresh_token).toBe(1)
  })

  test('the key survives a reload and is replaced after logout, by the next login\'s own key', async ({ page }) => {
    await login(page)
    const first = await storedDPoPKey(page)
    await page.reload()
    await waitForHarness(page)
    expect(await page.evaluate(() => window.pixieTry(() => window.pixie.auth.getAccessToken({ forceRefresh: true })))).toMatchObject({ ok: true })
    expect(await storedDPoPKey(page)).toEqual(first)

    expect(await page.evaluate(() => window.pixieTry(() => window.pixie.auth.logout({ localOnly: true })))).toEqual({ ok: true })
    expect(await storedDPoPKey(page)).toBeUndefined()
    // The provider still has its session (localOnly), the grant was revoked: consent only. The
    // login's key becomes the client's once its tokens arrived.
    const { authorizeUrl: again } = await loginThrough(page, `${OP}/auth`, () => page.locator('#allow').click())
    const second = await storedDPoPKey(page)
    expect(second?.thumbprint).not.toBe(first?.thumbprint)
    expect(again.searchParams.get('dpop_jkt')).toBe(second?.thumbprint)
  })
})

/** Serves this page the server's metadata with `require_pushed_authorization_requests: true` (RFC 9126 §5). */
async function requirePushedRequestsInMetadata(page: Page) {
  await page.route(`${OP}/.well-known/openid-configuration`, async (route) => {
    const response = await route.fetch()
    await route.fulfill({ response, json: { ...(await response.json()), require_pushed_authorization_requests: true } })
  })
}

test.describe('PAR', () => {
  test.use({ appConfig: { clientId: 'pixie-e2e-par', par: true, dpop: true } })

  test('the browser carries only client_id and request_uri; the pushed request (with dpop_jkt) completes the login', async ({ page }) => {
    const { authorizeUrl, user } = await login(page)
    expect([...authorizeUrl.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri'])
    expect(authorizeUrl.searchParams.get('client_id')).toBe('pixie-e2e-par')
    expect(authorizeUrl.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/)
    expect(user.sub).toBe('ada')
    expect((await requireSession(page)).tokenType).toBe('dpop')
    expect((await opStats()).pushedAuthorizationRequests).toBe(1)
  })

  test('metadata that requires pushed requests: par() pushes them and the login completes', async ({ page }) => {
    await requirePushedRequestsInMetadata(page)
    const { authorizeUrl, user } = await login(page)
    expect([...authorizeUrl.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri'])
    expect(user.sub).toBe('ada')
    expect((await opStats()).pushedAuthorizationRequests).toBe(1)
  })

  test.describe('without par', () => {
    test.use({ appConfig: { clientId: 'pixie-e2e-par' } })

    test('metadata that requires pushed requests: loginWithRedirect() is config_error naming par(), before leaving the app', async ({
      page,
      isolationMode,
    }) => {
      test.skip(isolationMode !== 'off', "isolation: Playwright's page.route() cannot rewrite the SharedWorker's discovery request")
      await requirePushedRequestsInMetadata(page)
      await openApp(page, '/')
      const toServer: string[] = []
      page.on('request', (request) => {
        if (request.url().startsWith(OP) && !request.url().includes('/.well-known/')) toServer.push(request.url())
      })
      const result = await page.evaluate(() => window.pixieTry(() => window.pixie.auth.loginWithRedirect()))
      expect(result).toMatchObject({ ok: false, error: { isAuthError: true, code: 'config_error' } })
      if (!result.ok) expect(result.error.message).toContain('par()')
      expect(page.url()).toBe(`${APP}/`)
      expect(toServer).toEqual([])
      const stats = await opStats()
      expect(stats.pushedAuthorizationRequests).toBe(0)
      expect(stats.authorizationErrors).toEqual({})
    })

    test('the provider refuses a client that must push its requests, and the callback says so', async ({ page }) => {
      await openApp(page, '/')
      await startLogin(page)
      await page.waitForURL((url) => url.href.startsWith(`${CALLBACK_URL}?`))
      await waitForHarness(page)
      expect(new URL(page.url()).searchParams.get('error')).toBe('invalid_request')
      const result = await page.evaluate(() => window.pixieTry(() => window.pixie.auth.handleRedirectCallback()))
      expect(result).toMatchObject({ ok: false, error: { code: 'oauth_error', error: 'invalid_request' } })
      expect((await opStats()).authorizationErrors).toEqual({ invalid_request: 1 })
    })
  })
})

test.describe('resource indicators', () => {
  test.use({
    appConfig: { resource: [API, REPORTS], scope: 'openid profile offline_access api:read reports:read' },
  })

  test('one token per API, with the right audience, from the one refresh token; unknown API is invalid_target', async ({
    page,
    context,
    isolationMode,
  }) => {
    const { authorizeUrl } = await login(page)
    expect(authorizeUrl.searchParams.getAll('resource')).toEqual([API, REPORTS])
    const s1 = await requireSession(page)
    expect(jwtClaims(s1.accessToken)).toMatchObject({ aud: API, scope: 'api:read' })

    // Two tabs want the reports token at once: one refresh, and both get it.
    const tab2 = await context.newPage()
    await openApp(tab2, '/')
    const [r1, r2] = await getAccessTokenTogether([page, tab2], { resource: REPORTS })
    expect(r2).toEqual(r1)
    expect(jwtClaims(tokenOf(r1))).toMatchObject({ aud: REPORTS, scope: 'reports:read' })
    expect((await opStats()).tokenRequests.refresh_token).toBe(1)

    // Cached in the session with the rotated refresh token; the API token is unchanged.
    const s2 = await requireSession(page)
    expect(s2.refreshToken).not.toBe(s1.refreshToken)
    // (In Bearer isolation s2 is the provider's last answer, the reports token: the next line checks the API's.)
    if (isolationMode !== 'bearer') expect(s2.accessToken).toBe(s1.accessToken)
    expect(await getAccessToken(page)).toEqual({ ok: true, value: s1.accessToken })
    expect(await page.evaluate((resource) => window.pixieTry(() => window.pixie.auth.getAccessToken({ resource })), REPORTS)).toEqual(r1)
    expect((await opStats()).tokenRequests.refresh_token).toBe(1)

    const unknown = await page.evaluate(() =>
      window.pixieTry(() => window.pixie.auth.getAccessToken({ resource: 'https://unknown.example.test/' })),
    )
    expect(unknown).toMatchObject({ ok: false, error: { code: 'oauth_error', error: 'invalid_target' } })
    expect(await settledState(page), 'the session is kept').toMatchObject({ status: 'authenticated' })
  })

  test("createFetch gives each resource's origin that resource's token, and the app's origin the session's own", async ({
    page,
  }) => {
    // Both APIs answer from here with the Authorization header they received (CORS preflights too).
    for (const api of [API, REPORTS]) {
      await page.route(`${api}**`, (route) =>
        route.fulfill({
          status: 200,
          headers: {
            'access-control-allow-origin': new URL(page.url()).origin,
            'access-control-allow-headers': 'authorization, dpop',
            'content-type': 'text/plain',
          },
          body: route.request().headers().authorization ?? '',
        }),
      )
    }
    await login(page)
    const session = await requireSession(page)
    const sent = await page.evaluate(
      (urls) => Promise.all(urls.map(async (url) => (await window.pixie.fetch(url)).text())),
      [`${REPORTS}q3?x=1`, `${API}orders`],
    )
    const [toReports, toApi] = sent.map((header) => header.replace(/^Bearer /, ''))
    expect(jwtClaims(toReports)).toMatchObject({ aud: REPORTS })
    expect(toApi).toBe(session.accessToken)
    expect(jwtClaims(toApi)).toMatchObject({ aud: API })
  })
})

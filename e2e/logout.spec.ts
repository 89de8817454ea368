// Logout: revocation, local cleanup, RP-initiated logout at the provider's end_session_endpoint.
import type { Request } from '@playwright/test'
import {
  CLIENT_ID,
  LOGGED_OUT_URL,
  PROVIDER,
  expect,
  getAccessToken,
  getState,
  getStats,
  injectFault,
  isAuthenticated,
  login,
  readSession,
  refreshTokenStatus,
  requireSession,
  settledState,
  test,
  waitForHarness,
  type Fault,
} from './helpers'

test.describe('logout', () => {
  test('logout() revokes the refresh token, clears IndexedDB and goes through /end-session to logged-out.html', async ({
    page,
  }) => {
    await login(page)
    const session = await requireSession(page)
    expect((await getStats()).revocations).toBe(0)

    const endSession = page.waitForRequest((r: Request) => r.url().startsWith(`${PROVIDER}/end-session`), {
      timeout: 10_000,
    })
    await page.evaluate(() => window.pixieStart(() => window.pixie.auth.logout()))
    const endSessionUrl = new URL((await endSession).url())
    await page.waitForURL((u) => u.href.startsWith(LOGGED_OUT_URL), { timeout: 10_000 })
    await waitForHarness(page)

    // The RP-initiated logout request.
    expect(endSessionUrl.searchParams.get('id_token_hint')).toBe(session.idToken)
    expect(endSessionUrl.searchParams.get('client_id')).toBe(CLIENT_ID)
    expect(endSessionUrl.searchParams.get('post_logout_redirect_uri')).toBe(LOGGED_OUT_URL)
    // A state, which the server hands back (RP-Initiated Logout 1.0 §2): the client checks it and
    // takes it out of the address bar, as it does a login's response.
    const state = endSessionUrl.searchParams.get('state')
    expect(state).toMatch(/^[\w-]+\.[\w-]{40,}$/)
    await page.waitForURL(LOGGED_OUT_URL, { timeout: 10_000 })

    const stats = await getStats()
    expect(stats.revocations).toBe(1)
    expect(stats.endSessions).toBe(1)
    // The provider's record of the end-session request: its query parameters.
    expect(stats.lastEndSession).toMatchObject({
      id_token_hint: session.idToken,
      client_id: CLIENT_ID,
      post_logout_redirect_uri: LOGGED_OUT_URL,
    })
    expect(await refreshTokenStatus(session.refreshToken)).toBe('revoked')

    // Nothing left, on the page we landed on.
    expect(await readSession(page)).toBeUndefined()
    expect(await settledState(page)).toMatchObject({ status: 'unauthenticated' })
    expect(await isAuthenticated(page)).toBe(false)
    expect(await getAccessToken(page)).toMatchObject({ ok: false, error: { isAuthError: true, code: 'login_required' } })
  })

  test("the way back: only this logout's own state leaves the address bar, once; a forged or replayed one stays", async ({ page }) => {
    await login(page)
    const endSession = page.waitForRequest((r: Request) => r.url().startsWith(`${PROVIDER}/end-session`), { timeout: 10_000 })
    await page.evaluate(() => window.pixieStart(() => window.pixie.auth.logout()))
    const state = new URL((await endSession).url()).searchParams.get('state')!
    const back = `${LOGGED_OUT_URL}?state=${state}`
    // The server's redirect brought the state; the page that loaded there removed it.
    await page.waitForURL(LOGGED_OUT_URL, { timeout: 10_000 })

    // Forged with this client's own tag (it is public), and the real one replayed (a bookmark,
    // the history): neither is a logout this browser is waiting for.
    const forged = `${LOGGED_OUT_URL}?state=${state.split('.')[0]}.forged-by-someone-else`
    for (const url of [forged, back]) {
      await page.goto(url)
      await waitForHarness(page)
      expect(await settledState(page)).toMatchObject({ status: 'unauthenticated' })
      // The harness's client has read its storage by now; give a stray cleanup time to show.
      await page.waitForTimeout(300)
      expect(page.url(), url).toBe(url)
    }
  })

  // Some servers refuse revocation from public clients (401), others fail: the logout goes on.
  const revocationFailures: [string, Fault][] = [
    ['401 invalid_client', { endpoint: 'revoke', type: 'body', status: 401, body: { error: 'invalid_client' } }],
    ['400 with an empty body', { endpoint: 'revoke', type: 'status', status: 400, contentType: null }],
    ['503', { endpoint: 'revoke', type: 'status', status: 503 }],
    ['a dropped connection', { endpoint: 'revoke', type: 'drop' }],
  ]
  for (const [name, fault] of revocationFailures) {
    test(`revocation refused (${name}): the logout still clears everything and goes through /end-session`, async ({ page }) => {
      await login(page)
      const session = await requireSession(page)
      await injectFault(fault)

      await page.evaluate(() => window.pixieStart(() => window.pixie.auth.logout()))
      await page.waitForURL((u) => u.href.startsWith(LOGGED_OUT_URL), { timeout: 10_000 })
      await waitForHarness(page)

      const stats = await getStats()
      expect(stats).toMatchObject({ faultsServed: 1, revocations: 1, endSessions: 1 })
      // The server kept the token: it stays valid there until it expires.
      expect(await refreshTokenStatus(session.refreshToken)).toBe('active')
      expect(await readSession(page)).toBeUndefined()
      expect(await settledState(page)).toMatchObject({ status: 'unauthenticated' })
    })
  }

  test.describe('at a server without end_session_endpoint', () => {
    test.use({ providerConfig: { autoApprove: true, endSessionEndpoint: false } })

    test('logout() revokes, clears, and goes straight to postLogoutRedirectUri', async ({ page }) => {
      await login(page)
      const session = await requireSession(page)
      const providerNavigations: string[] = []
      page.on('request', (r) => {
        if (r.isNavigationRequest() && r.url().startsWith(PROVIDER)) providerNavigations.push(r.url())
      })

      await page.evaluate(() => window.pixieStart(() => window.pixie.auth.logout()))
      await page.waitForURL((u) => u.href === LOGGED_OUT_URL, { timeout: 10_000 })
      await waitForHarness(page)

      expect(providerNavigations).toEqual([])
      expect(await getStats()).toMatchObject({ revocations: 1, endSessions: 0 })
      expect(await refreshTokenStatus(session.refreshToken)).toBe('revoked')
      expect(await readSession(page)).toBeUndefined()
      expect(await settledState(page)).toMatchObject({ status: 'unauthenticated' })
    })
  })

  test('logout({ localOnly: true }) revokes and clears without navigating', async ({ page }) => {
    await login(page)
    const session = await requireSession(page)
    const urlBefore = page.url()
    const providerNavigations: string[] = []
    page.on('request', (r) => {
      if (r.isNavigationRequest() && r.url().startsWith(PROVIDER)) providerNavigations.push(r.url())
    })

    const result = await page.evaluate(() => window.pixieTry(() => window.pixie.auth.logout({ localOnly: true })))
    expect(result).toEqual({ ok: true })

    // Still the same document: the harness globals survive, and no navigation started.
    expect(await page.evaluate(() => window.pixieReady)).toBe(true)
    expect(page.url()).toBe(urlBefore)
    expect(providerNavigations).toEqual([])

    const stats = await getStats()
    expect(stats.revocations).toBe(1)
    expect(stats.endSessions).toBe(0)
    expect(await refreshTokenStatus(session.refreshToken)).toBe('revoked')
    expect(await readSession(page)).toBeUndefined()
    expect((await getState(page)).status).toBe('unauthenticated')
    expect(await isAuthenticated(page)).toBe(false)
    expect(await getAccessToken(page)).toMatchObject({ ok: false, error: { code: 'login_required' } })
  })

  test.describe('without an end_session_endpoint', () => {
    test.use({ providerConfig: { autoApprove: true, endSessionEndpoint: false } })

    test('logout({ returnTo }) with javascript:, data: or //host is config_error: no script runs, no navigation, session kept', async ({
      page,
    }) => {
      await login(page)
      const session = await requireSession(page)
      const urlBefore = page.url()
      const dialogs: string[] = []
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message())
        void dialog.dismiss()
      })
      const navigations: string[] = []
      page.on('request', (r) => {
        if (r.isNavigationRequest()) navigations.push(r.url())
      })

      for (const returnTo of ['javascript:window.pwned=true;alert(document.domain)', 'data:text/html,<script>alert(1)</script>', '//evil.example/']) {
        const result = await page.evaluate((url) => window.pixieTry(() => window.pixie.auth.logout({ returnTo: url })), returnTo)
        expect(result, returnTo).toMatchObject({ ok: false, error: { isAuthError: true, code: 'config_error' } })
      }
      await page.waitForTimeout(300)
      expect(await page.evaluate(() => (window as unknown as { pwned?: boolean }).pwned)).toBeUndefined()
      expect(dialogs).toEqual([])
      expect(navigations).toEqual([])
      expect(page.url()).toBe(urlBefore)
      // Refused before anything was done: still signed in, nothing revoked.
      expect(await readSession(page)).toEqual(session)
      expect((await getStats()).revocations).toBe(0)
    })

    test('logout() goes straight to postLogoutRedirectUri', async ({ page }) => {
      await login(page)
      await page.evaluate(() => window.pixieStart(() => window.pixie.auth.logout()))
      await page.waitForURL((u) => u.href.startsWith(LOGGED_OUT_URL), { timeout: 10_000 })
      expect((await getStats()).endSessions).toBe(0)
    })
  })
})

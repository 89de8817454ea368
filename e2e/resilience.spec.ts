// Bad networks, slow servers, closed tabs, missing storage and wrong clocks: the session survives,
// and the refresh token is never thrown away by anything but invalid_grant.
import {
  expect,
  getAccessToken,
  getState,
  getStats,
  injectFault,
  login,
  openApp,
  refreshTokenStatus,
  requireSession,
  settledState,
  test,
  waitUntilExpired,
  type Fault,
} from './helpers'

const refreshFault = (fault: Omit<Fault, 'endpoint' | 'grantType'>): Fault => ({
  endpoint: 'token',
  grantType: 'refresh_token',
  ...fault,
})

test.describe('transient failures during refresh', () => {
  test.use({
    providerConfig: { autoApprove: true, accessTokenTtl: 3 },
    appConfig: { refreshLeewaySeconds: 0, timeoutSeconds: 1, refreshRetries: 2 },
  })

  const failures: [string, Omit<Fault, 'endpoint' | 'grantType'>, string][] = [
    ['a 500', { type: 'status', status: 500 }, 'network_error'],
    ['a 503 with an OAuth error body', { type: 'body', status: 503, body: { error: 'temporarily_unavailable' } }, 'network_error'],
    ['a dropped connection', { type: 'drop' }, 'network_error'],
    ['a server slower than timeoutSeconds', { type: 'delay', delayMs: 1_500, ifClientGone: 'abandon' }, 'timeout'],
    ['a connection dropped mid-body', { type: 'truncate', stallMs: 300 }, 'network_error'],
    ['a body still arriving after timeoutSeconds', { type: 'truncate', stallMs: 1_500 }, 'timeout'],
  ]

  for (const [name, fault, code] of failures) {
    test(`${name} once: the retry succeeds and rotates the token once`, async ({ page }) => {
      await login(page)
      const before = await requireSession(page)
      await waitUntilExpired(before)
      await injectFault(refreshFault(fault))

      const result = await getAccessToken(page)

      expect(result.ok).toBe(true)
      const after = await requireSession(page)
      expect(after.accessToken).toBe(result.ok && result.value)
      expect(await refreshTokenStatus(before.refreshToken)).toBe('rotated')
      expect(await refreshTokenStatus(after.refreshToken)).toBe('active')
      expect((await getStats()).reuseDetections).toBe(0)
    })

    test(`${name} on every try: ${code}, and the refresh token is kept`, async ({ page }) => {
      await login(page)
      const before = await requireSession(page)
      await waitUntilExpired(before)
      await injectFault(refreshFault({ ...fault, times: 3 }))

      expect(await getAccessToken(page)).toMatchObject({ ok: false, error: { code, isAuthError: true } })

      expect((await requireSession(page)).refreshToken).toBe(before.refreshToken)
      expect(await refreshTokenStatus(before.refreshToken)).toBe('active')
      expect((await getState(page)).status).toBe('authenticated')
      expect((await getStats()).faultsServed).toBe(3)
      // The network is back: the kept refresh token works.
      expect(await getAccessToken(page)).toMatchObject({ ok: true })
      expect(await refreshTokenStatus(before.refreshToken)).toBe('rotated')
    })
  }
})

test.describe('a tab closed in the middle of its refresh', () => {
  test.use({ providerConfig: { autoApprove: true, accessTokenTtl: 3 }, appConfig: { refreshLeewaySeconds: 0 } })

  test('releases the lock, and the tab that waited carries on with the same refresh token', async ({ page, context }) => {
    await login(page)
    const waiting = await context.newPage()
    await openApp(waiting)
    const before = await requireSession(page)
    await waitUntilExpired(before)
    // The first refresh hangs at a server that drops work whose client went away.
    await injectFault(refreshFault({ type: 'delay', delayMs: 4_000, ifClientGone: 'abandon' }))
    await page.evaluate(() => void window.pixie.auth.getAccessToken().catch(() => {}))
    await expect.poll(async () => (await getStats()).tokenRequests.refresh_token).toBe(1)
    const waiter = waiting.evaluate(() => window.pixieTry(() => window.pixie.auth.getAccessToken()))
    // Give the waiter time to queue on the lock held by the first tab.
    await waiting.waitForTimeout(300)

    await page.close()

    const result = await waiter
    expect(result).toMatchObject({ ok: true })
    const after = await requireSession(waiting)
    expect(after.accessToken).toBe(result.ok && result.value)
    const stats = await getStats()
    expect(stats.tokenRequests.refresh_token).toBe(2)
    expect(stats.reuseDetections).toBe(0)
    expect(await refreshTokenStatus(before.refreshToken)).toBe('rotated')
    expect(await refreshTokenStatus(after.refreshToken)).toBe('active')
  })
})

test.describe('a waiting tab does not time out while another tab refreshes slowly', () => {
  test.use({
    providerConfig: { autoApprove: true, accessTokenTtl: 3 },
    appConfig: { refreshLeewaySeconds: 0, timeoutSeconds: 5 },
  })

  test('the waiter gets the slow tab’s token and makes no request', async ({ page, context }) => {
    await login(page)
    const waiting = await context.newPage()
    await openApp(waiting)
    await waitUntilExpired(await requireSession(page))
    await injectFault(refreshFault({ type: 'delay', delayMs: 3_000 }))

    const slow = page.evaluate(() => window.pixieTry(() => window.pixie.auth.getAccessToken()))
    await expect.poll(async () => (await getStats()).tokenRequests.refresh_token).toBe(1)
    const waited = await waiting.evaluate(() => window.pixieTry(() => window.pixie.auth.getAccessToken()))

    expect(waited).toMatchObject({ ok: true })
    expect(waited).toEqual(await slow)
    expect((await getStats()).tokenRequests.refresh_token).toBe(1)
  })
})

test.describe('IndexedDB blocked in the page', () => {
  test.beforeEach(async ({ context }) => {
    await context.addInitScript(() => {
      IDBFactory.prototype.open = () => {
        throw new DOMException('IndexedDB is disabled in this mode', 'InvalidStateError')
      }
    })
  })

  test('nothing throws at start-up, a redirect login completes, the session lives in memory', async ({ page }) => {
    const warnings: string[] = []
    page.on('console', (message) => message.type() === 'warning' && warnings.push(message.text()))
    await openApp(page)
    expect((await settledState(page)).status).toBe('unauthenticated')

    await login(page)

    expect((await getState(page)).status).toBe('authenticated')
    const fallbackWarnings = () => warnings.filter((text) => text.includes('IndexedDB is unavailable')).length
    // One warning per page (document), however many storage operations it makes.
    const warnedOnCallbackPage = fallbackWarnings()
    const token = await getAccessToken(page)
    expect(token).toMatchObject({ ok: true })
    expect(await page.evaluate(() => window.pixie.auth.isAuthenticated())).toBe(true)
    expect(fallbackWarnings()).toBe(warnedOnCallbackPage)
    // The login transaction lived in sessionStorage only until the callback took it.
    const tabStorage = await page.evaluate(() => JSON.stringify({ ...sessionStorage }))
    expect(tabStorage).not.toContain('pixie-auth:tx:')
    expect(tabStorage).not.toContain(token.ok && token.value)
    // Memory only: a reload forgets the session, without an error.
    await page.reload()
    expect((await settledState(page)).status).toBe('unauthenticated')
    expect(fallbackWarnings()).toBe(warnedOnCallbackPage + 1)
  })
})

test.describe('a browser clock minutes off the server’s', () => {
  // The server's clock is 9 minutes behind the browser's: its ID tokens look nearly expired here.
  test.use({
    providerConfig: { autoApprove: true, accessTokenTtl: 4, idTokenTtl: 300, clockOffsetSeconds: -540 },
    appConfig: { refreshLeewaySeconds: 0 },
  })

  test('tokens are used for their lifetime and refreshed when it ends', async ({ page }) => {
    await login(page)
    const first = await requireSession(page)
    expect(await getAccessToken(page)).toEqual({ ok: true, value: first.accessToken })
    expect((await getStats()).tokenRequests.refresh_token).toBe(0)
    await waitUntilExpired(first)
    expect(await getAccessToken(page)).toMatchObject({ ok: true })
    expect((await getStats()).tokenRequests.refresh_token).toBe(1)
  })

  test('with no clock tolerance too: ID token times are judged by the server clock measured at login', async ({ page, context }) => {
    await context.addInitScript(() => sessionStorage.setItem('pixie-e2e-config', JSON.stringify({ clockToleranceSeconds: 0 })))
    await login(page)
    expect((await getState(page)).status).toBe('authenticated')
    await waitUntilExpired(await requireSession(page))
    expect(await getAccessToken(page)).toMatchObject({ ok: true })
    expect((await getStats()).tokenRequests.refresh_token).toBe(1)
  })
})

// A tab frozen while it holds the refresh lock (Android Chrome freezes background tabs; a long task
// or a debugger stops one just the same): the other tabs' calls settle within lockWaitSeconds, never
// present the refresh token the frozen tab already spent, and converge on its result when it resumes.
import type { CDPSession, Page } from '@playwright/test'
import {
  expect,
  getAccessToken,
  getState,
  getStats,
  goToCallback,
  handleCallback,
  injectFault,
  login,
  openApp,
  readSession,
  refreshTokenStatus,
  requireSession,
  sleep,
  test,
  type TryResult,
  waitUntilExpired,
} from './helpers'

declare global {
  interface Window {
    /** A call started in the page and awaited later, after the page was stopped and resumed. */
    pendingToken?: Promise<TryResult<string>>
  }
}

const lockWaitSeconds = 2

test.use({
  providerConfig: { autoApprove: true, accessTokenTtl: 3 },
  // The holder stays frozen for about 10 s here, within its own request timeout: these tests are
  // about the waiting tabs (a holder stopped past its timeout is tested at the end).
  appConfig: { refreshLeewaySeconds: 0, lockWaitSeconds, timeoutSeconds: 30 },
})

/** Stops every script of `page`, as the browser does to a frozen tab, until `resume()`. */
async function freeze(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Debugger.enable')
  await cdp.send('Debugger.pause')
  return cdp
}

/** Runs `call` in `page` and measures how long it took to settle, in ms. */
async function timed<T>(page: Page, call: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now()
  const result = await call()
  return { result, ms: Date.now() - started }
}

test('calls in other tabs settle within lockWaitSeconds while the lock holder is frozen, and converge when it resumes', async ({
  page: holder,
  context,
}) => {
  test.setTimeout(60_000)
  await login(holder)
  const waiter = await context.newPage()
  await openApp(waiter)
  const before = await requireSession(holder)
  await waitUntilExpired(before)
  // The holder's refresh reaches the server, which rotates the token after 1.5 s; meanwhile the
  // holder is frozen, so it cannot store (nor share) what it gets.
  await injectFault({ endpoint: 'token', grantType: 'refresh_token', type: 'delay', delayMs: 1_500 })
  await holder.evaluate(() => void window.pixie.auth.getAccessToken().catch(() => {}))
  await expect.poll(async () => (await getStats()).tokenRequests.refresh_token).toBe(1)
  const debuggerSession = await freeze(holder)
  await expect.poll(async () => refreshTokenStatus(before.refreshToken), { timeout: 5_000 }).toBe('rotated')

  const bound = lockWaitSeconds * 1000
  const token = await timed(waiter, () => getAccessToken(waiter))
  expect(token.result).toMatchObject({ ok: false, error: { code: 'timeout', isAuthError: true } })
  expect(token.ms).toBeGreaterThanOrEqual(bound - 100)
  expect(token.ms).toBeLessThan(bound + 1_500)

  const fetched = await timed(waiter, () =>
    waiter.evaluate(() => window.pixieTry(async () => (await window.pixie.fetch('/')).status)),
  )
  expect(fetched.result).toMatchObject({ ok: false, error: { code: 'timeout' } })
  expect(fetched.ms).toBeLessThan(bound + 1_500)

  const loggedOut = await timed(waiter, () =>
    waiter.evaluate(() => window.pixieTry(() => window.pixie.auth.logout({ localOnly: true }))),
  )
  expect(loggedOut.result).toMatchObject({ ok: false, error: { code: 'timeout' } })
  expect(loggedOut.ms).toBeLessThan(bound + 1_500)

  // A login completing in a third tab waits too, and neither spends its code nor loses it.
  const loginTab = await context.newPage()
  const { callbackUrl } = await goToCallback(loginTab)
  const callback = await timed(loginTab, () => handleCallback(loginTab))
  expect(callback.result).toMatchObject({ ok: false, error: { code: 'timeout' } })
  expect(callback.ms).toBeLessThan(bound + 1_500)

  // The session is kept everywhere, and nobody presented the spent refresh token.
  expect((await getState(waiter)).status).toBe('authenticated')
  expect((await requireSession(waiter)).refreshToken).toBe(before.refreshToken)
  let stats = await getStats()
  expect(stats.tokenRequests).toMatchObject({ refresh_token: 1, authorization_code: 1 })
  expect(stats.reuseDetections).toBe(0)

  // A call waiting when the holder resumes ends with the holder's token, without a request of its own.
  const waited = waiter.evaluate(() => window.pixieTry(() => window.pixie.auth.getAccessToken()))
  await debuggerSession.send('Debugger.resume')
  const resumed = await waited
  expect(resumed, JSON.stringify(resumed)).toMatchObject({ ok: true })
  const after = await requireSession(holder)
  expect(resumed).toEqual({ ok: true, value: after.accessToken })
  await expect.poll(async () => getAccessToken(holder)).toEqual(resumed)
  expect((await readSession(waiter))?.accessToken).toBe(after.accessToken)
  stats = await getStats()
  expect(stats.tokenRequests.refresh_token).toBe(1)
  expect(stats.reuseDetections).toBe(0)
  expect(await refreshTokenStatus(after.refreshToken)).toBe('active')

  // The login that timed out completes now with its URL, and replaces the session as a login does.
  const completed = await handleCallback(loginTab, callbackUrl)
  expect(completed).toMatchObject({ ok: true })
  expect((await getStats()).tokenRequests.authorization_code).toBe(2)
})

test.describe('a holder stopped past its own timeoutSeconds', () => {
  test.use({ appConfig: { refreshLeewaySeconds: 0, timeoutSeconds: 2 } })

  // The answer arrives while the tab is stopped; on resuming, the request's timer is already due.
  const stops = {
    'by the debugger': async (cdp: CDPSession) => {
      await cdp.send('Debugger.enable')
      await cdp.send('Debugger.pause')
      return () => cdp.send('Debugger.resume')
    },
    'as Android freezes a tab (Page.setWebLifecycleState)': async (cdp: CDPSession) => {
      await cdp.send('Page.setWebLifecycleState', { state: 'frozen' })
      return () => cdp.send('Page.setWebLifecycleState', { state: 'active' })
    },
  }
  for (const [how, stop] of Object.entries(stops)) {
    test(`${how}, while its answer arrives, keeps that answer on resuming: no second request, no reuse detection`, async ({
      page,
    }) => {
      test.setTimeout(60_000)
      await login(page)
      const before = await requireSession(page)
      await waitUntilExpired(before)
      await injectFault({ endpoint: 'token', grantType: 'refresh_token', type: 'delay', delayMs: 1_000 })
      await page.evaluate(() => {
        window.pendingToken = window.pixieTry(() => window.pixie.auth.getAccessToken())
      })
      await expect.poll(async () => (await getStats()).tokenRequests.refresh_token).toBe(1)
      const resume = await stop(await page.context().newCDPSession(page))
      await expect.poll(async () => refreshTokenStatus(before.refreshToken), { timeout: 5_000 }).toBe('rotated')
      await sleep(4_000)
      await resume()

      const result = await page.evaluate(() => window.pendingToken)
      expect(result, JSON.stringify(result)).toMatchObject({ ok: true })
      expect(result).toEqual({ ok: true, value: (await requireSession(page)).accessToken })
      const stats = await getStats()
      expect(stats.tokenRequests.refresh_token).toBe(1)
      expect(stats.reuseDetections).toBe(0)
    })
  }
})

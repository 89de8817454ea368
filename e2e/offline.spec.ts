// Offline and back: a refresh fails fast and keeps the session, the state says why, and when the
// browser is back online (or a hidden tab becomes visible) one tab retries for all of them.
import type { Page } from '@playwright/test'
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
  sleep,
  test,
  waitUntilExpired,
} from './helpers'

test.use({
  providerConfig: { autoApprove: true, accessTokenTtl: 3 },
  appConfig: { refreshLeewaySeconds: 0 },
})

/** Time a refresh may take when it sends nothing: far less than one backoff (0.5 s and more). */
const failsFastMs = 400

async function timedAccessToken(page: Page) {
  const started = Date.now()
  const result = await getAccessToken(page)
  return { result, ms: Date.now() - started }
}

/** The page's state as JSON: the error as its code only. */
const stateOf = async (page: Page) => {
  const { status, error, offline } = (await getState(page)) as { status: string; error?: { code?: string }; offline?: boolean }
  return { status, error: error?.code, offline }
}

test('offline: network_error at once, the session kept, the state says offline; back online, one refresh for every tab', async ({
  page,
  context,
}) => {
  await login(page)
  // Chromium reports navigator.onLine false on a machine (or network namespace) with no network
  // interface but loopback: there is nothing to go offline from, and no offline event fires.
  test.skip(!(await page.evaluate(() => navigator.onLine)), 'Chromium already reports offline here (loopback only)')
  const other = await context.newPage()
  await openApp(other)
  const before = await requireSession(page)
  await waitUntilExpired(before)

  await context.setOffline(true)
  for (const tab of [page, other]) {
    const { result, ms } = await timedAccessToken(tab)
    expect(result).toMatchObject({ ok: false, error: { code: 'network_error', isAuthError: true } })
    expect(ms).toBeLessThan(failsFastMs)
    expect(await stateOf(tab)).toEqual({ status: 'authenticated', error: 'network_error', offline: true })
  }
  expect((await requireSession(page)).refreshToken).toBe(before.refreshToken)
  expect(await refreshTokenStatus(before.refreshToken)).toBe('active')
  expect((await getStats()).tokenRequests.refresh_token).toBe(0)

  await context.setOffline(false)

  // Both tabs hear `online`; one refreshes, the other adopts its session.
  await expect.poll(async () => (await getStats()).tokenRequests.refresh_token, { timeout: 5_000 }).toBe(1)
  const after = await requireSession(page)
  for (const tab of [page, other]) {
    await expect.poll(() => stateOf(tab)).toEqual({ status: 'authenticated', error: undefined, offline: undefined })
    expect(await getAccessToken(tab)).toEqual({ ok: true, value: after.accessToken })
  }
  // Bounded: nothing else is sent later.
  await sleep(1_500)
  const stats = await getStats()
  expect(stats.tokenRequests.refresh_token).toBe(1)
  expect(stats.reuseDetections).toBe(0)
})

test('a failed refresh is retried once when a hidden tab becomes visible, and only by one tab', async ({ page, context }) => {
  await login(page)
  const other = await context.newPage()
  await openApp(other)
  await waitUntilExpired(await requireSession(page))
  // Every try of both tabs' refreshes fails: 3 tries each.
  await injectFault({ endpoint: 'token', grantType: 'refresh_token', type: 'status', status: 503, times: 6 })
  for (const tab of [page, other]) {
    expect(await getAccessToken(tab)).toMatchObject({ ok: false, error: { code: 'network_error' } })
    expect(await stateOf(tab)).toEqual({ status: 'authenticated', error: 'network_error', offline: undefined })
  }
  expect((await getStats()).tokenRequests.refresh_token).toBe(6)

  // Both tabs were hidden and become visible again (as after the machine wakes up).
  for (const tab of [page, other]) {
    await tab.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true })
      document.dispatchEvent(new Event('visibilitychange'))
    })
  }

  await expect.poll(async () => (await getStats()).tokenRequests.refresh_token, { timeout: 5_000 }).toBe(7)
  const after = await requireSession(page)
  for (const tab of [page, other]) {
    await expect.poll(() => stateOf(tab)).toEqual({ status: 'authenticated', error: undefined, offline: undefined })
    expect(await getAccessToken(tab)).toEqual({ ok: true, value: after.accessToken })
  }
  await sleep(1_500)
  expect((await getStats()).tokenRequests.refresh_token).toBe(7)
})

test('when the retry fails too, the tabs that heard the same event still send one request between them', async ({
  page,
  context,
}) => {
  await login(page)
  const tabs = [page]
  for (let i = 0; i < 3; i++) {
    const tab = await context.newPage()
    await openApp(tab)
    tabs.push(tab)
  }
  await waitUntilExpired(await requireSession(page))
  // Every refresh fails, the automatic retry included.
  await injectFault({ endpoint: 'token', grantType: 'refresh_token', type: 'status', status: 503, times: 100 })
  for (const tab of tabs) expect(await getAccessToken(tab)).toMatchObject({ ok: false, error: { code: 'network_error' } })
  const failed = (await getStats()).tokenRequests.refresh_token

  // All four tabs become visible at once (the machine wakes up).
  await Promise.all(
    tabs.map((tab) =>
      tab.evaluate(() => {
        Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true })
        document.dispatchEvent(new Event('visibilitychange'))
      }),
    ),
  )
  await expect.poll(async () => (await getStats()).tokenRequests.refresh_token, { timeout: 5_000 }).toBe(failed + 1)
  // The other tabs' jittered retries (up to 1 s later) find that one tab already tried.
  await sleep(2_500)
  expect((await getStats()).tokenRequests.refresh_token).toBe(failed + 1)
  for (const tab of tabs) expect(await stateOf(tab)).toMatchObject({ status: 'authenticated', error: 'network_error' })
})

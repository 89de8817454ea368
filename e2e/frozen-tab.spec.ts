// A tab frozen while it holds the refresh lock (Android Chrome freezes background tabs; a long task
// or a debugger stops one just the same): the other tabs' calls settle within lockWaitSeconds, never
// present the refresh token the frozen tab already spent, and converge on its result when it resumes.
import type { CDPSession, Page } from '@playwright/test'
import {
  CLIENT_ID,
  expect,
  getAccessToken,
  getState,
  getStats,
  goToCallback,
  handleCallback,
  injectFault,
  login,
  openApp,
  PROVIDER,
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
    /** Lets go of the lock the test holds in the page (holdLock). */
    letGo?: () => void
    /** How many lock requests Chromium turned down with "The provided callback is no longer runnable.". */
    turnedDown?: number
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
  isolationMode,
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

  if (isolationMode !== 'off') {
    // With isolation the worker refreshes, and freezing the tab that asked does not stop it: no
    // lock holder to wait for, the other tab gets the new token at once, and the frozen tab too.
    const token = await getAccessToken(waiter)
    expect(token).toMatchObject({ ok: true })
    expect(token).not.toEqual({ ok: true, value: before.accessToken })
    expect(token).toEqual({ ok: true, value: (await requireSession(waiter)).accessToken })
    await debuggerSession.send('Debugger.resume')
    expect(await getAccessToken(holder)).toEqual(token)
    expect(await getStats()).toMatchObject({ tokenRequests: { refresh_token: 1 }, reuseDetections: 0 })
    return
  }

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

/**
 * Takes the client's lock in `page`, as another tab's refresh does, until `window.letGo()`, which
 * first posts `message` on the app's own BroadcastChannel, if one is given.
 */
async function holdLock(page: Page, message?: string): Promise<void> {
  await page.evaluate(
    ({ name, message }) =>
      new Promise<void>((held) => {
        void navigator.locks.request(name, () => new Promise<void>((release) => {
          window.letGo = () => {
            if (message) new BroadcastChannel('app').postMessage(message)
            release()
          }
          held()
        }))
      }),
    { name: `pixie-auth:${PROVIDER}/#${CLIENT_ID}`, message },
  )
}

/** Starts a forced refresh in `waiter` (as `window.pendingToken`), waiting for the lock `holder` holds. */
async function refreshWaiting(waiter: Page, holder: Page): Promise<void> {
  await waiter.evaluate(() => {
    window.pendingToken = window.pixieTry(() => window.pixie.auth.getAccessToken({ forceRefresh: true }))
  })
  await expect.poll(() => holder.evaluate(async () => (await navigator.locks.query()).pending?.length)).toBe(1)
}

test.describe('a lock Chromium turns down while the waiting tab is paused in a BroadcastChannel message', () => {
  // The grant and a BroadcastChannel message reach a tab busy with a long task; the debugger
  // pauses it in the message, and Debugger.disable ends the pause (as the chaos run ends a pause it
  // has not yet seen take effect). Chromium then mostly handles the grant while the page is still
  // paused: it cannot run the callback, lets the lock go and rejects the request with a plain Error
  // "The provided callback is no longer runnable.". Not every time, so each try records what
  // Chromium did, and the test goes on until it has turned the lock down once.
  const waitSeconds = 10
  test.use({ appConfig: { refreshLeewaySeconds: 0, lockWaitSeconds: waitSeconds, timeoutSeconds: 30 } })
  test.skip(({ isolationMode }) => isolationMode !== 'off', 'isolation: the page has no BroadcastChannel nor refresh lock (the worker refreshes)')

  test('the waiting refresh asks again and refreshes once: no failure, no second request, no reuse detection', async ({
    page,
    context,
  }) => {
    test.setTimeout(120_000)
    await login(page)
    let turnedDown = 0
    let attempt = 0
    while (turnedDown === 0 && attempt < 10) {
      attempt += 1
      // Fresh tabs for each try: Chromium turns the lock down less often in a tab it already paused.
      const [waiter, holder] = [await context.newPage(), await context.newPage()]
      await openApp(waiter)
      await openApp(holder)
      await waiter.evaluate(() => {
        new BroadcastChannel('app').onmessage = function onAppMessage() {
          // Where the test pauses the tab.
          debugger
        }
        // Counts the requests Chromium turns down; the SDK sees them as before.
        const locks = navigator.locks
        const request = locks.request.bind(locks) as (...args: unknown[]) => Promise<unknown>
        window.turnedDown = 0
        Object.assign(locks, {
          request: (...args: unknown[]) =>
            request(...args).catch((error: unknown) => {
              if (String(error).includes('no longer runnable')) window.turnedDown! += 1
              throw error
            }),
        })
      })
      // In one task, the holder posts a message on the app's own channel and lets the lock go.
      await holdLock(holder, 'hello')
      const { accessToken: stale } = await requireSession(waiter)
      const refreshes = (await getStats()).tokenRequests.refresh_token ?? 0
      await refreshWaiting(waiter, holder)
      const cdp = await context.newCDPSession(waiter)
      await cdp.send('Debugger.enable')
      // The pause is ended as soon as it is seen: the longer it lasts, the likelier Chromium runs
      // the callback on resuming.
      const ended = new Promise((resolve) => cdp.once('Debugger.paused', () => resolve(cdp.send('Debugger.disable'))))
      // A long task, during which both the message and the grant arrive.
      await waiter.evaluate(() => void setTimeout(() => {
        const end = Date.now() + 1_500
        while (Date.now() < end);
      }))
      await sleep(300)
      await holder.evaluate(() => window.letGo!())
      await ended

      const result = await waiter.evaluate(() => window.pendingToken)
      turnedDown = await waiter.evaluate(() => window.turnedDown!)
      expect(result, `try ${attempt}, turned down ${turnedDown}: ${JSON.stringify(result)}`).toMatchObject({ ok: true })
      const { accessToken } = await requireSession(waiter)
      expect(result).toEqual({ ok: true, value: accessToken })
      expect(accessToken).not.toBe(stale)
      expect((await getStats()).tokenRequests.refresh_token).toBe(refreshes + 1)
      await waiter.close()
      await holder.close()
    }
    expect(turnedDown, `Chromium never turned the lock down in ${attempt} tries`).toBeGreaterThan(0)
    expect((await getStats()).reuseDetections).toBe(0)
  })

  // DevTools' "Disable JavaScript" (Emulation.setScriptExecutionDisabled) makes Chromium turn every
  // grant down the same way, for as long as it lasts.
  test('turned down every time, the call ends with a transient timeout, within the bound, and the session is kept', async ({
    page: waiter,
    context,
  }) => {
    await login(waiter)
    const before = await requireSession(waiter)
    const holder = await context.newPage()
    await openApp(holder)
    await holdLock(holder)
    await refreshWaiting(waiter, holder)
    const cdp = await context.newCDPSession(waiter)
    const started = Date.now()
    await cdp.send('Emulation.setScriptExecutionDisabled', { value: true })
    await holder.evaluate(() => window.letGo!())
    await sleep(1_000)
    await cdp.send('Emulation.setScriptExecutionDisabled', { value: false })

    const result = await waiter.evaluate(() => window.pendingToken)
    expect(result, JSON.stringify(result)).toMatchObject({ ok: false, error: { code: 'timeout', isAuthError: true } })
    expect(Date.now() - started).toBeLessThan(waitSeconds * 1000)
    expect((await getState(waiter)).status).toBe('authenticated')
    expect((await requireSession(waiter)).refreshToken).toBe(before.refreshToken)
    expect((await getStats()).tokenRequests.refresh_token ?? 0).toBe(0)
    // Scripts running again, the next call refreshes as usual.
    expect(await getAccessToken(waiter, { forceRefresh: true })).toMatchObject({ ok: true })
    expect((await getStats()).tokenRequests.refresh_token).toBe(1)
  })
})

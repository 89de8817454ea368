// Token isolation, Bearer (mock provider): the session lives in the SharedWorker's memory, so it
// lasts exactly as long as the worker: tabs, reloads, a closed last tab, a browser restart, bfcache.
import { APP, configureApp, expect, getAccessToken, getState, login, openApp, settledState, sleep, test, waitForHarness } from '../helpers'
import { killSharedWorkers, reloadOneOfTwoTabs, sessionScopeOf, sharedWorkerTargets, withProfile } from './probe'

const appConfig = { isolation: true }
test.use({ appConfig })

test('reload of one of two tabs keeps the session; sessionScope is open-tabs', async ({ page, context }) => {
  await login(page)
  await reloadOneOfTwoTabs(page, context)
  expect(await sessionScopeOf(page)).toBe('open-tabs')
})

test('single tab reload (Chromium, extendedLifetime): the worker outlives the reload and keeps the session', async ({ page, browser }) => {
  await login(page)
  const [before] = await sharedWorkerTargets(browser)
  await page.reload()
  await waitForHarness(page)
  const state = await settledState(page)
  const [after] = await sharedWorkerTargets(browser)
  test.info().annotations.push({ type: 'single-tab reload', description: `state ${state.status}; same worker target: ${before?.targetId === after?.targetId}` })
  expect(state.status).toBe('authenticated')
  expect(after?.targetId).toBe(before?.targetId)
})

test('last tab closed, then a new tab: measured, see the annotation', async ({ page, context, browser }) => {
  await login(page)
  expect(await sharedWorkerTargets(browser)).toHaveLength(1)
  await page.close()
  const fresh = await context.newPage()
  await openApp(fresh)
  const state = await settledState(fresh)
  test.info().annotations.push({ type: 'new tab right after the last closed', description: state.status })
  // extendedLifetime: Chromium keeps the worker (and the session) past its last page for a while.
  expect(state.status).toBe('authenticated')
})

test('last tab closed, its worker ended (as its extended lifetime ends): a new tab is unauthenticated', async ({ page, context, browser }) => {
  await login(page)
  await page.close()
  await sleep(5_000)
  test.info().annotations.push({ type: 'shared workers 5 s after the last page closed', description: String((await sharedWorkerTargets(browser)).length) })
  expect(await killSharedWorkers(browser)).toBe(1)
  const fresh = await context.newPage()
  await openApp(fresh)
  expect((await settledState(fresh)).status).toBe('unauthenticated')
  const token = await getAccessToken(fresh)
  expect(token.ok ? 'a token' : token.error.code).toBe('login_required')
})

test('browser restart loses the Bearer session: unauthenticated, getAccessToken login_required', async ({ playwright }, testInfo) => {
  await withProfile(playwright.chromium, testInfo, appConfig, async (launch) => {
    const first = await launch()
    await login(first.pages()[0] ?? (await first.newPage()))
    await first.close()
    const second = await launch()
    const page = second.pages()[0] ?? (await second.newPage())
    await openApp(page)
    expect((await settledState(page)).status).toBe('unauthenticated')
    const token = await getAccessToken(page)
    expect(token.ok ? 'a token' : token.error.code).toBe('login_required')
    await second.close()
  })
})

// Playwright starts Chromium with --disable-back-forward-cache: this test starts one without it.
test('bfcache: away and back, the page works (whether it was restored: see the annotation)', async ({ playwright }, testInfo) => {
  const browser = await playwright.chromium.launch({ ...testInfo.project.use.launchOptions, ignoreDefaultArgs: ['--disable-back-forward-cache'] })
  try {
    const context = await browser.newContext({ baseURL: APP })
    await configureApp(context, appConfig)
    const page = await context.newPage()
    await login(page)
    await openApp(page)
    await page.evaluate(() => {
      const shows: string[] = []
      Object.assign(window, { shows, marker: 'before' })
      addEventListener('pageshow', (event) => shows.push(event.persisted ? 'restored' : 'loaded'))
    })
    await page.goto(`${APP}/logged-out.html`)
    await waitForHarness(page)
    // A page restored from bfcache fires no load event: goBack() would wait for one.
    await page.goBack({ waitUntil: 'commit' })
    await waitForHarness(page)
    const seen = await page.evaluate(() => {
      const entry = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming & { notRestoredReasons?: unknown }
      const own = window as unknown as { shows?: string[]; marker?: string }
      return { restored: own.marker === 'before', shows: own.shows ?? null, notRestoredReasons: entry.notRestoredReasons ?? null }
    })
    testInfo.annotations.push({ type: 'bfcache', description: JSON.stringify(seen) })
    const token = await getAccessToken(page)
    expect(token.ok, JSON.stringify(token)).toBe(true)
    await expect.poll(async () => (await getState(page)).status).toBe('authenticated')
  } finally {
    await browser.close()
  }
})

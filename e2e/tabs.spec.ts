// Several tabs of one browser: they share the session (IndexedDB), one refresh at a time (Web Lock),
// and stay in step without reloads (BroadcastChannel).
import type { BrowserContext, Page } from '@playwright/test'
import {
  expect,
  getAccessToken,
  getState,
  getStats,
  injectFault,
  login,
  openApp,
  requireSession,
  settledState,
  test,
  waitUntilExpired,
  USER_SUB,
} from './helpers'

test.use({ appConfig: { refreshLeewaySeconds: 0 } })

async function openTabs(context: BrowserContext, count: number): Promise<Page[]> {
  const pages = await Promise.all(Array.from({ length: count }, () => context.newPage()))
  for (const page of pages) await openApp(page)
  return pages
}

const statusTransitions = (page: Page) =>
  page.evaluate(() => (window.pixieStates as { status: string }[]).map((state) => state.status))

test.describe('tabs stay in step', () => {
  test.use({ providerConfig: { autoApprove: true, accessTokenTtl: 3 } })

  test('a login in one tab makes the others authenticated, each subscriber told once', async ({ page, context }) => {
    const [other] = await openTabs(context, 1)
    expect((await settledState(other)).status).toBe('unauthenticated')

    await login(page)

    await expect.poll(async () => (await getState(other)).status).toBe('authenticated')
    expect((await getState(other)).user?.sub).toBe(USER_SUB)
    expect(await statusTransitions(other)).toEqual(['unauthenticated', 'authenticated'])
    const token = await getAccessToken(other)
    expect(token).toEqual({ ok: true, value: (await requireSession(page)).accessToken })
    expect((await getStats()).tokenRequests).toMatchObject({ authorization_code: 1, refresh_token: 0 })
  })

  test('a logout in one tab makes every tab unauthenticated at once', async ({ page, context, isolationMode }) => {
    await login(page)
    const others = await openTabs(context, 2)
    for (const other of others) expect((await settledState(other)).status).toBe('authenticated')

    await page.evaluate(() => window.pixie.auth.logout({ localOnly: true }))

    for (const other of others) {
      await expect.poll(async () => (await getState(other)).status).toBe('unauthenticated')
      // The start-up hint's 'authenticated' (no user yet), IndexedDB's with the user, then the logout,
      // once; with isolation (no start-up hint) the worker's 'authenticated', then the logout.
      const hint = isolationMode === 'off' ? ['authenticated'] : []
      expect(await statusTransitions(other)).toEqual([...hint, 'authenticated', 'unauthenticated'])
      expect(await getAccessToken(other)).toMatchObject({ ok: false, error: { code: 'login_required' } })
    }
  })

  test('a session ended by invalid_grant in one tab ends it in all', async ({ page, context }) => {
    await login(page)
    const [other] = await openTabs(context, 1)
    expect((await settledState(other)).status).toBe('authenticated')
    await waitUntilExpired(await requireSession(page))
    await injectFault({ endpoint: 'token', grantType: 'refresh_token', type: 'invalid_grant' })

    expect(await getAccessToken(page)).toMatchObject({ ok: false, error: { code: 'login_required' } })

    await expect.poll(async () => (await getState(other)).status).toBe('unauthenticated')
    expect((await getState(other)).error).toMatchObject({ code: 'login_required' })
    expect(await getAccessToken(other)).toMatchObject({ ok: false, error: { code: 'login_required' } })
    expect((await getStats()).tokenRequests.refresh_token).toBe(1)
  })

  test('three tabs asking at once for a token the server refuses with a bare 400: sent once, all end', async ({ page, context }) => {
    await login(page)
    const others = await openTabs(context, 2)
    await waitUntilExpired(await requireSession(page))
    // One refusal only: the token stays active at the server, so a tab that sent it again would get
    // a fresh token, and this test would see it.
    await injectFault({ endpoint: 'token', grantType: 'refresh_token', type: 'status', status: 400, contentType: null })
    const tabs = [page, ...others]

    const results = await Promise.all(tabs.map((tab) => getAccessToken(tab)))

    for (const result of results) expect(result).toMatchObject({ ok: false, error: { code: 'login_required' } })
    for (const tab of tabs) expect((await getState(tab)).status).toBe('unauthenticated')
    expect((await getStats()).tokenRequests.refresh_token).toBe(1)
  })

  test("a refresh in one tab hands its token to the others, which don't refresh again", async ({ page, context }) => {
    await login(page)
    const [other] = await openTabs(context, 1)
    const before = await requireSession(page)
    await waitUntilExpired(before)

    const refreshed = await getAccessToken(page)
    expect(refreshed.ok && refreshed.value).not.toBe(before.accessToken)

    // The other tab never asked, yet has the new token in memory: no second refresh.
    expect(await getAccessToken(other)).toEqual(refreshed)
    expect((await getStats()).tokenRequests.refresh_token).toBe(1)
  })
})

test.describe('refresh storm', () => {
  const tabs = 8
  const callsPerTab = 50
  const expiries = 20
  test.use({ providerConfig: { autoApprove: true, accessTokenTtl: 2 } })
  test.setTimeout(150_000)

  test(`${tabs} tabs x ${callsPerTab} concurrent calls across ${expiries} expiries: one refresh per expiry`, async ({ page, context }) => {
    await login(page)
    const pages = [page, ...(await openTabs(context, tabs - 1))]
    let errors = 0
    let lastToken = ''

    for (let round = 0; round < expiries; round++) {
      await waitUntilExpired(await requireSession(page), 50)
      const results = await Promise.all(
        pages.map((tab) =>
          tab.evaluate(
            (calls) => Promise.all(Array.from({ length: calls }, () => window.pixieTry(() => window.pixie.auth.getAccessToken()))),
            callsPerTab,
          ),
        ),
      )
      const flat = results.flat()
      errors += flat.filter((result) => !result.ok).length
      const tokens = new Set(flat.flatMap((result) => (result.ok ? [result.value] : [])))
      expect(tokens.size, `round ${round}: every call got the same token`).toBe(1)
      const [token] = tokens
      expect(token, `round ${round}: a new token`).not.toBe(lastToken)
      lastToken = token
    }

    const stats = await getStats()
    console.log(
      `storm: ${tabs} tabs x ${callsPerTab} calls x ${expiries} expiries = ${tabs * callsPerTab * expiries} calls; ` +
        `refresh requests ${stats.tokenRequests.refresh_token}, reuse detections ${stats.reuseDetections}, errors ${errors}`,
    )
    expect(errors).toBe(0)
    expect(stats.tokenRequests.refresh_token).toBe(expiries)
    expect(stats.reuseDetections).toBe(0)
    for (const tab of pages) {
      expect((await getState(tab)).status).toBe('authenticated')
      expect(await getAccessToken(tab)).toEqual({ ok: true, value: lastToken })
    }
  })
})

// silentLogin(): getAccessToken() without a usable session tries prompt=none in a hidden
// iframe. It works only where the browser sends the provider's session cookie to that frame: this
// Chromium blocks third-party cookies, so the harness on localhost (another site than the provider
// on 127.0.0.1) always gets login_required, and the success paths run the harness on
// http://127.0.0.1:5173, the provider's own site, as an app on login.example.com's site would.
import type { BrowserContext, Page, Request } from '@playwright/test'
import {
  APP,
  APP_CONFIG_KEY,
  CLIENT_ID,
  PROVIDER,
  USER_SUB,
  expect,
  getState,
  getStats,
  injectFault,
  login,
  openApp,
  readIdb,
  requireSession,
  test,
  waitForHarness,
} from './helpers'

/** The harness on the provider's site: same host, another port, so another origin but the same site. */
const SAME_SITE_APP = 'http://127.0.0.1:5173'

interface TokenOutcome {
  token?: string
  code?: string
  /** The `code` (or server `error`) of the AuthError's cause. */
  cause?: string
}

/** getAccessToken() in the page, with the cause of a failure (which does not survive serialization). */
function tokenOutcome(page: Page): Promise<TokenOutcome> {
  return page.evaluate(async () => {
    try {
      return { token: await window.pixie.auth.getAccessToken() }
    } catch (e) {
      const error = e as { code?: string; cause?: { code?: string; error?: string } }
      return { code: error.code, cause: error.cause?.error ?? error.cause?.code }
    }
  })
}

/** Records the authorization requests the page or its frames send. */
function recordAuthorizeRequests(page: Page): Request[] {
  const requests: Request[] = []
  page.on('request', (request) => {
    if (request.url().startsWith(`${PROVIDER}/authorize`)) requests.push(request)
  })
  return requests
}

/** Opens the harness on the provider's site, with silent login coming back to `redirectPage`. */
async function openSameSiteApp(page: Page, context: BrowserContext, redirectPage: string, extra: Record<string, unknown> = {}) {
  const overrides = { silentLogin: 'iframe', silentRedirectUri: `${SAME_SITE_APP}/${redirectPage}`, ...extra }
  await context.addInitScript(
    ({ key, value, origin }) => {
      if (location.origin === origin) sessionStorage.setItem(key, value)
    },
    { key: APP_CONFIG_KEY, value: JSON.stringify(overrides), origin: SAME_SITE_APP },
  )
  await page.goto(`${SAME_SITE_APP}/`)
  await waitForHarness(page)
}

/** What a silent login must leave behind whatever its outcome: no frame, no pending transaction. */
async function expectNothingLeftBehind(page: Page) {
  expect(await page.locator('iframe').count()).toBe(0)
  expect((await readIdb(page)).filter(({ key }) => String(key).startsWith('tx:'))).toEqual([])
}

test.describe('silent login', () => {
  test('off by default: no session means login_required at once, no iframe, no authorization request', async ({ page }) => {
    await openApp(page)
    expect(await tokenOutcome(page)).toEqual({ code: 'login_required', cause: undefined })
    expect(await page.locator('iframe').count()).toBe(0)
    expect((await getStats()).authorizeRequests).toBe(0)
  })

  test.describe('app on another site than the provider', () => {
    test.use({ appConfig: { silentLogin: 'iframe', silentRedirectUri: `${APP}/silent-callback.html` } })

    test('the browser keeps the provider cookie out of the iframe: login_required although the provider has a session', async ({
      page,
      context,
    }) => {
      await login(page)
      expect((await context.cookies(PROVIDER)).map((c) => c.name)).toContain('mock_sid')
      await page.evaluate(() => window.pixie.auth.logout({ localOnly: true }))
      const authorizeRequests = recordAuthorizeRequests(page)

      expect(await tokenOutcome(page)).toEqual({ code: 'login_required', cause: 'login_required' })
      expect(authorizeRequests).toHaveLength(1)
      const [request] = authorizeRequests
      expect(new URL(request.url()).searchParams.get('prompt')).toBe('none')
      expect(request.frame()).not.toBe(page.mainFrame())
      expect((await request.allHeaders()).cookie ?? '').not.toContain('mock_sid')
      expect(await getState(page)).toMatchObject({ status: 'unauthenticated', error: { code: 'login_required' } })
      await expectNothingLeftBehind(page)
    })
  })

  test.describe("app on the provider's site", () => {
    const redirectPages: [string, string][] = [
      ['silent-callback.html', 'a page without script: the SDK reads the frame URL'],
      ['popup-callback.html', 'the handlePopupCallback() page: the response comes over the BroadcastChannel'],
    ]
    for (const [redirectPage, how] of redirectPages) {
      test(`with a provider session, getAccessToken() logs in without navigating (${how})`, async ({ page, context }) => {
        await login(page)
        await openSameSiteApp(page, context, redirectPage)
        const authorizeRequests = recordAuthorizeRequests(page)

        const outcome = await tokenOutcome(page)
        expect(outcome.token).toEqual(expect.any(String))
        const session = await requireSession(page)
        expect(session.accessToken).toBe(outcome.token)
        expect(page.url()).toBe(`${SAME_SITE_APP}/`)
        expect(await getState(page)).toMatchObject({ status: 'authenticated', user: { sub: USER_SUB } })

        expect(authorizeRequests).toHaveLength(1)
        const [request] = authorizeRequests
        const params = new URL(request.url()).searchParams
        expect(params.get('prompt')).toBe('none')
        expect(params.get('redirect_uri')).toBe(`${SAME_SITE_APP}/${redirectPage}`)
        expect(params.get('code_challenge_method')).toBe('S256')
        expect(request.frame()).not.toBe(page.mainFrame())
        expect((await request.allHeaders()).cookie ?? '').toContain('mock_sid')
        expect((await getStats()).tokenRequests.authorization_code).toBe(2)
        await expectNothingLeftBehind(page)
      })
    }

    test('without a provider session: login_required from the server, in the state too, nothing left behind', async ({ page, context }) => {
      await openSameSiteApp(page, context, 'silent-callback.html')
      expect(await tokenOutcome(page)).toEqual({ code: 'login_required', cause: 'login_required' })
      expect(await getState(page)).toMatchObject({ status: 'unauthenticated', error: { code: 'login_required' } })
      const stats = await getStats()
      expect(stats.authorizeRequests).toBe(1)
      expect(stats.tokenRequests.total).toBe(0)
      await expectNothingLeftBehind(page)
    })

    test('a refresh token the server revoked: the refresh fails, silent login brings a new session', async ({ page, context }) => {
      await login(page)
      await openSameSiteApp(page, context, 'silent-callback.html')
      expect((await tokenOutcome(page)).token).toEqual(expect.any(String))
      const first = await requireSession(page)
      const revoked = await fetch(`${PROVIDER}/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: first.refreshToken, client_id: CLIENT_ID }),
      })
      expect(revoked.status).toBe(200)

      const token = await page.evaluate(() => window.pixie.auth.getAccessToken({ forceRefresh: true }))
      const second = await requireSession(page)
      expect(token).toBe(second.accessToken)
      expect(second.refreshToken).not.toBe(first.refreshToken)
      const stats = await getStats()
      expect(stats.tokenRequests.refresh_token).toBe(1)
      expect(stats.tokenRequests.authorization_code).toBe(3)
      expect(await getState(page)).toMatchObject({ status: 'authenticated' })
    })

    test('no answer within silentLoginTimeoutSeconds: login_required caused by timeout, frame removed', async ({ page, context }) => {
      await login(page)
      await openSameSiteApp(page, context, 'silent-callback.html', { silentLoginTimeoutSeconds: 1 })
      await injectFault({ endpoint: 'authorize', type: 'delay', delayMs: 4_000 })

      const startedAt = Date.now()
      expect(await tokenOutcome(page)).toEqual({ code: 'login_required', cause: 'timeout' })
      expect(Date.now() - startedAt).toBeLessThan(3_000)
      await expectNothingLeftBehind(page)
    })

    test('concurrent getAccessToken() calls share one silent login', async ({ page, context }) => {
      await login(page)
      await openSameSiteApp(page, context, 'silent-callback.html')
      const tokens = await page.evaluate(() => Promise.all([1, 2, 3].map(() => window.pixie.auth.getAccessToken())))
      expect(new Set(tokens).size).toBe(1)
      const stats = await getStats()
      expect(stats.authorizeRequests).toBe(2)
      expect(stats.tokenRequests.authorization_code).toBe(2)
    })
  })
})

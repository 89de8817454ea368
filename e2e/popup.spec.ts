// loginWithPopup(): the login runs in a popup that comes back to popup-callback.html, which hands
// the authorization response to the app's window; that window redeems it.
import type { Page } from '@playwright/test'
import {
  APP,
  CALLBACK_URL,
  PROVIDER,
  USER_SUB,
  expect,
  getState,
  getStats,
  openApp,
  readIdb,
  readSession,
  sleep,
  test,
  type TryResult,
} from './helpers'

const POPUP_CALLBACK = `${APP}/popup-callback.html`

type PopupResult = TryResult<{ appState?: unknown; user?: { sub: string } }>

declare global {
  interface Window {
    popupLogin?: Promise<PopupResult>
    popupSettled?: boolean
  }
}

/** Starts loginWithPopup() in the page without waiting for it; the result is read with popupResult(). */
async function startPopupLogin(page: Page, options: Record<string, unknown> = {}) {
  await page.evaluate((opts) => {
    window.popupSettled = false
    window.popupLogin = window.pixieTry(() => window.pixie.loginWithPopup(opts)).finally(() => {
      window.popupSettled = true
    })
  }, { redirectUri: POPUP_CALLBACK, ...options })
}

const popupResult = (page: Page) => page.evaluate(() => window.popupLogin!)

/** Opens the app, starts a popup login and waits for the popup to show the provider's login page. */
async function openPopupAtProvider(page: Page, options: Record<string, unknown> = {}) {
  await openApp(page)
  const popupEvent = page.waitForEvent('popup')
  await startPopupLogin(page, options)
  const popup = await popupEvent
  await popup.waitForURL((url) => url.origin === PROVIDER)
  await expect(popup.locator('#approve')).toBeVisible()
  return { popup, authorizeUrl: new URL(popup.url()) }
}

/** Login transactions (`tx:<state>`) the SDK keeps in IndexedDB. */
async function pendingTransactions(page: Page) {
  return (await readIdb(page)).filter(({ key }) => String(key).startsWith('tx:'))
}

test.describe('loginWithPopup', () => {
  test.use({ providerConfig: { autoApprove: false } })

  test('logs in through the popup: PKCE request, response handed back, code redeemed here, page never navigated', async ({ page }) => {
    const appState = { returnTo: '/orders' }
    const { popup, authorizeUrl } = await openPopupAtProvider(page, { appState })
    const q = authorizeUrl.searchParams
    expect(q.get('redirect_uri')).toBe(POPUP_CALLBACK)
    expect(q.get('code_challenge_method')).toBe('S256')
    // The client's tag, then the random part.
    expect(q.get('state')).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{16,}$/)
    expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{16,}$/)
    expect(await pendingTransactions(page)).toHaveLength(1)

    const closed = popup.waitForEvent('close')
    await popup.locator('#approve').click()
    const result = await popupResult(page)
    expect(result).toMatchObject({ ok: true, value: { appState, user: { sub: USER_SUB } } })
    await closed

    expect(page.url()).toBe(`${APP}/`)
    expect(await getState(page)).toMatchObject({ status: 'authenticated', user: { sub: USER_SUB } })
    expect((await readSession(page))?.refreshToken).toEqual(expect.any(String))
    expect(await pendingTransactions(page)).toEqual([])
    const stats = await getStats()
    expect(stats.tokenRequests.authorization_code).toBe(1)
  })

  test('the user denies: oauth_error access_denied, nothing stored', async ({ page }) => {
    const { popup } = await openPopupAtProvider(page)
    await popup.locator('#deny').click()
    expect(await popupResult(page)).toMatchObject({
      ok: false,
      error: { isAuthError: true, code: 'oauth_error', error: 'access_denied' },
    })
    expect(await readSession(page)).toBeUndefined()
    expect((await getStats()).tokenRequests.total).toBe(0)
  })

  test('the user closes the popup: popup_closed soon after, the login can no longer complete', async ({ page }) => {
    const { popup, authorizeUrl } = await openPopupAtProvider(page)
    const closedAt = Date.now()
    await popup.close()

    expect(await popupResult(page)).toMatchObject({ ok: false, error: { isAuthError: true, code: 'popup_closed' } })
    expect(Date.now() - closedAt).toBeLessThan(3_000)
    expect(await pendingTransactions(page)).toEqual([])
    // A response for that login arriving later is refused without a token request.
    const late = `${POPUP_CALLBACK}?code=late&state=${authorizeUrl.searchParams.get('state')}&iss=${encodeURIComponent(PROVIDER)}`
    const replay = await page.evaluate((url) => window.pixieTry(() => window.pixie.auth.handleRedirectCallback(url)), late)
    expect(replay).toMatchObject({ ok: false, error: { code: 'invalid_state' } })
    expect((await getStats()).tokenRequests.total).toBe(0)
  })

  test('a blocked popup (window.open returns null): popup_blocked, nothing requested or stored', async ({ page }) => {
    await openApp(page)
    let popups = 0
    page.on('popup', () => (popups += 1))
    await page.evaluate(() => {
      window.open = () => null
    })
    await startPopupLogin(page)
    expect(await popupResult(page)).toMatchObject({ ok: false, error: { isAuthError: true, code: 'popup_blocked' } })
    expect(popups).toBe(0)
    expect(await pendingTransactions(page)).toEqual([])
    expect((await getStats()).authorizeRequests).toBe(0)
  })

  test('no answer within timeoutSeconds: timeout, the popup closed and the login abandoned', async ({ page }) => {
    const { popup } = await openPopupAtProvider(page, { timeoutSeconds: 2 })
    const closed = popup.waitForEvent('close')
    expect(await popupResult(page)).toMatchObject({ ok: false, error: { isAuthError: true, code: 'timeout' } })
    await closed
    expect(await pendingTransactions(page)).toEqual([])
  })

  test('forged responses are ignored: from another origin, or from a window that is not the popup', async ({ page }) => {
    const { popup, authorizeUrl } = await openPopupAtProvider(page)
    const forged = {
      type: 'pixie-auth:authorization-response',
      url: `${POPUP_CALLBACK}?code=forged&state=${authorizeUrl.searchParams.get('state')}&iss=${encodeURIComponent(PROVIDER)}`,
    }
    // The popup itself, but showing a page of another origin (event.origin is the provider's).
    await popup.evaluate((message) => window.opener.postMessage(message, '*'), forged)
    // The app's own origin, but not the popup (event.source is the app's window).
    await page.evaluate((message) => window.postMessage(message, location.origin), forged)
    await sleep(1_000)
    expect(await page.evaluate(() => window.popupSettled)).toBe(false)
    expect((await getStats()).tokenRequests.total).toBe(0)

    await popup.locator('#approve').click()
    expect(await popupResult(page)).toMatchObject({ ok: true, value: { user: { sub: USER_SUB } } })
    expect((await getStats()).tokenRequests.authorization_code).toBe(1)
  })

  test('when the popup lost window.opener, the response still comes back over the BroadcastChannel', async ({ page, context }) => {
    // What a Cross-Origin-Opener-Policy on the way would do to the callback page.
    await context.addInitScript(() => {
      if (location.pathname === '/popup-callback.html') window.opener = null
    })
    const { popup } = await openPopupAtProvider(page)
    const closed = popup.waitForEvent('close')
    await popup.locator('#approve').click()
    expect(await popupResult(page)).toMatchObject({ ok: true, value: { user: { sub: USER_SUB } } })
    await closed
    expect(await getState(page)).toMatchObject({ status: 'authenticated' })
  })

  test('a redirect URI on another origin: config_error before any popup opens', async ({ page }) => {
    await openApp(page)
    let popups = 0
    page.on('popup', () => (popups += 1))
    await startPopupLogin(page, { redirectUri: CALLBACK_URL.replace('localhost', '127.0.0.1') })
    expect(await popupResult(page)).toMatchObject({ ok: false, error: { isAuthError: true, code: 'config_error' } })
    expect(popups).toBe(0)
  })
})

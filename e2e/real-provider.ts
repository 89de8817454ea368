// Helpers shared by the specs against real servers (oidc-provider, LemonLDAP::NG): what the harness
// does there is the same, only the server's address and its pages differ.
import { expect, type BrowserContext, type Page, type Request } from '@playwright/test'
import * as oauth from 'oauth4webapi'
import {
  CALLBACK_URL,
  getAccessToken,
  openApp,
  requireSession,
  settledState,
  waitForHarness,
  waitUntilExpired,
  type TryResult,
} from './helpers'

/** Starts loginWithRedirect() and resolves with the request the browser was sent to at `authorizationEndpoint`. */
export async function startLogin(page: Page, authorizationEndpoint: string): Promise<URL> {
  const navigation = page.waitForRequest((r: Request) => r.isNavigationRequest() && r.url().startsWith(authorizationEndpoint), {
    timeout: 10_000,
  })
  await page.evaluate(() => window.pixieStart(() => window.pixie.auth.loginWithRedirect()))
  try {
    return new URL((await navigation).url())
  } catch (error) {
    const startError = await page.evaluate(() => window.pixieStartError).catch(() => undefined)
    throw new Error(`loginWithRedirect() did not reach ${authorizationEndpoint}: ${JSON.stringify(startError) ?? String(error)}`)
  }
}

/**
 * A whole login from the harness start page: `signIn` goes through the server's own pages, back to
 * callback.html, where the callback is handled.
 */
export async function loginThrough(page: Page, authorizationEndpoint: string, signIn: () => Promise<void>) {
  await openApp(page, '/')
  const authorizeUrl = await startLogin(page, authorizationEndpoint)
  await signIn()
  await page.waitForURL((url) => url.href.startsWith(`${CALLBACK_URL}?`), { timeout: 10_000 })
  await waitForHarness(page)
  const callbackUrl = new URL(page.url())
  const result = await page.evaluate(() => window.pixieTry(() => window.pixie.auth.handleRedirectCallback()))
  if (!result.ok) throw new Error(`handleRedirectCallback() failed: ${JSON.stringify(result.error)}`)
  return { authorizeUrl, callbackUrl, user: result.value.user as { sub: string } }
}

/**
 * Reloads a logged-in page and expects the session back from IndexedDB, the same access token, and
 * not one request to the server at `origin` meanwhile.
 */
export async function expectReloadWithoutServer(page: Page, origin: string, sub: string) {
  const token = await getAccessToken(page)
  expect(token.ok).toBe(true)
  const requests: string[] = []
  const watch = (request: Request) => {
    if (request.url().startsWith(origin)) requests.push(request.url())
  }
  page.on('request', watch)
  await page.reload()
  await waitForHarness(page)
  expect(await settledState(page)).toMatchObject({ status: 'authenticated', user: { sub } })
  expect(await getAccessToken(page)).toEqual(token)
  page.off('request', watch)
  expect(requests).toEqual([])
}

/**
 * From a logged-in page whose access token is about to expire: opens a second tab, waits until the
 * token expired, and has both tabs ask for one at the same instant; both must get the same new one.
 */
export async function expectTwoTabsShareARefresh(page: Page, context: BrowserContext) {
  const s1 = await requireSession(page)
  const tab2 = await context.newPage()
  await openApp(tab2, '/')
  expect(await settledState(tab2)).toMatchObject({ status: 'authenticated' })
  await waitUntilExpired(s1)

  const [r1, r2] = await getAccessTokenTogether([page, tab2])
  expect(tokenOf(r1)).not.toBe(s1.accessToken)
  expect(r2).toEqual(r1)
}

/** Calls getAccessToken(options) in each page at the same wall-clock instant. */
export async function getAccessTokenTogether(pages: Page[], options?: { resource?: string }) {
  const at = Date.now() + 300
  return Promise.all(
    pages.map((page) =>
      page.evaluate(
        async ({ startAt, opts }) => {
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())))
          return window.pixieTry(() => window.pixie.auth.getAccessToken(opts ?? undefined))
        },
        { startAt: at, opts: options ?? null },
      ),
    ),
  )
}

/** The token of a successful getAccessToken(); fails the test with the error otherwise. */
export function tokenOf(result: TryResult<string>): string {
  if (!result.ok) throw new Error(`getAccessToken() failed: ${JSON.stringify(result.error)}`)
  return result.value
}

/**
 * Presents `refreshToken` at the token endpoint from Node, as someone who copied it would; resolves
 * with the response or the error it was refused with.
 */
export async function refreshFromNode(issuer: string, clientId: string, refreshToken: string, dpop?: oauth.DPoPHandle) {
  const url = new URL(issuer)
  const as = await oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { [oauth.allowInsecureRequests]: true }))
  const client = { client_id: clientId }
  const attempt = async () =>
    oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, { DPoP: dpop, [oauth.allowInsecureRequests]: true }),
    )
  try {
    return await attempt().catch((error) => (oauth.isDPoPNonceError(error) ? attempt() : Promise.reject(error)))
  } catch (error) {
    return error
  }
}

// Fixtures and helpers for the tests against LemonLDAP::NG's portal (e2e/lemonldap/server.pl).
import { existsSync } from 'node:fs'
import { test as base, expect, type Page, type Request } from '@playwright/test'
import * as oauth from 'oauth4webapi'
import { CALLBACK_URL, configureApp, openApp, waitForHarness, type AppConfig } from '../helpers'

export const LL = 'http://127.0.0.1:4030'
/** Debian's liblemonldap-ng-portal-perl, which .ci/run installs; playwright.config.ts checks the same file. */
export const LEMONLDAP_PORTAL_MODULE = '/usr/share/perl5/Lemonldap/NG/Portal.pm'
/** The clients of e2e/lemonldap/lmConf.json: one-hour access tokens, and 4-second ones. */
export const CLIENT = 'pixie-e2e'
export const SHORT_CLIENT = 'pixie-e2e-short'
/** LemonLDAP's demo user backend: the password is the login. */
export const USER = { login: 'dwho', name: 'Doctor Who', email: 'dwho@badwolf.org' }

/** What the server's middleware counted (see server.pl). */
export interface LlStats {
  tokenRequests: { authorization_code: number; refresh_token: number; total: number }
  /** `grant_type:status` of every token request that did not succeed. */
  tokenErrors: Record<string, number>
  userinfoRequests: number
  endSessions: number
  serverErrors: number
}

async function control<T>(path: string, method: 'GET' | 'POST' = 'GET'): Promise<T> {
  const response = await fetch(`${LL}/__test/${path}`, { method, signal: AbortSignal.timeout(5_000) })
  if (!response.ok) throw new Error(`LemonLDAP ${path} -> HTTP ${response.status}: ${await response.text()}`)
  return (await response.json()) as T
}

export const llStats = () => control<LlStats>('stats')

/** Whether the server still holds a refresh token's session. */
export const refreshTokenState = async (token: string) =>
  (await control<{ state: 'active' | 'unknown' }>(`refresh-token?token=${encodeURIComponent(token)}`)).state

/** Deletes a refresh token's session, as LemonLDAP's purge of expired sessions does. */
export const purgeRefreshToken = async (token: string) =>
  expect(await control(`purge-refresh-token?token=${encodeURIComponent(token)}`, 'POST')).toEqual({ purged: true })

export const test = base.extend<{ appConfig: AppConfig; llReset: void }>({
  appConfig: [{}, { option: true }],
  llReset: [
    async ({}, use, testInfo) => {
      // Never skipped in CI: there, a missing LemonLDAP is a failure (.ci/run installs it).
      testInfo.skip(
        !process.env.CI && !existsSync(LEMONLDAP_PORTAL_MODULE),
        'LemonLDAP::NG is not installed: apt-get install liblemonldap-ng-portal-perl (see .ci/run for the full list)',
      )
      await control('reset', 'POST')
      await use()
      expect((await llStats()).serverErrors, 'LemonLDAP answered with a 5xx').toBe(0)
    },
    { auto: true },
  ],
  context: async ({ context, appConfig }, use) => {
    await configureApp(context, { issuer: LL, clientId: CLIENT, ...appConfig })
    await use(context)
  },
})

export { expect }

/** Starts loginWithRedirect() and resolves with the authorization request the browser was sent to. */
export async function startLogin(page: Page): Promise<URL> {
  const navigation = page.waitForRequest((r: Request) => r.isNavigationRequest() && r.url().startsWith(`${LL}/oauth2/authorize`), {
    timeout: 10_000,
  })
  await page.evaluate(() => window.pixieStart(() => window.pixie.auth.loginWithRedirect()))
  try {
    return new URL((await navigation).url())
  } catch (error) {
    const startError = await page.evaluate(() => window.pixieStartError).catch(() => undefined)
    throw new Error(`loginWithRedirect() did not reach ${LL}/oauth2/authorize: ${JSON.stringify(startError) ?? String(error)}`)
  }
}

/** Types the demo user's login and password into the portal's own form, back to callback.html. */
export async function signInAtPortal(page: Page) {
  await page.locator('#userfield').fill(USER.login)
  await page.locator('#passwordfield').fill(USER.login)
  await page.locator('#passwordfield').press('Enter')
  await page.waitForURL((url) => url.href.startsWith(`${CALLBACK_URL}?`), { timeout: 10_000 })
  await waitForHarness(page)
}

/** A whole login from the harness start page, through the portal, callback handled. */
export async function login(page: Page) {
  await openApp(page, '/')
  const authorizeUrl = await startLogin(page)
  await signInAtPortal(page)
  const callbackUrl = new URL(page.url())
  const result = await page.evaluate(() => window.pixieTry(() => window.pixie.auth.handleRedirectCallback()))
  if (!result.ok) throw new Error(`handleRedirectCallback() failed: ${JSON.stringify(result.error)}`)
  return { authorizeUrl, callbackUrl, user: result.value.user as { sub: string } }
}

/** Presents `refreshToken` at the token endpoint from Node, as someone who copied it would. */
export async function refreshFromNode(refreshToken: string, clientId = CLIENT) {
  const issuer = new URL(LL)
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: true }))
  const client = { client_id: clientId }
  try {
    return await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, { [oauth.allowInsecureRequests]: true }),
    )
  } catch (error) {
    return error
  }
}

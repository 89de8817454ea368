// Fixtures and helpers for the tests against LemonLDAP::NG's portal (e2e/lemonldap/server.pl).
import { existsSync } from 'node:fs'
import { test as base, expect, type Page } from '@playwright/test'
import { configureRun, type AppConfig, type IsolationMode } from '../helpers'
import { loginThrough, refreshFromNode as refreshFromNodeAt, startLogin as startLoginAt } from '../real-provider'

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

export const test = base.extend<{ appConfig: AppConfig; isolationMode: IsolationMode; llReset: void }>({
  appConfig: [{}, { option: true }],
  // The run's token isolation mode (a project option, see playwright.config.ts).
  isolationMode: ['off', { option: true }],
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
  context: async ({ context, appConfig, isolationMode }, use) => {
    // The portal does not tell the tokens it issued: a Bearer test in isolation checks what the page sees.
    const noTokens = () => Promise.reject(new Error('LemonLDAP tells no test the tokens it issued'))
    await configureRun(context, { issuer: LL, clientId: CLIENT, ...appConfig }, isolationMode, noTokens)
    await use(context)
  },
})

export { expect }

const AUTHORIZE = `${LL}/oauth2/authorize`

/** Starts loginWithRedirect() and resolves with the authorization request the browser was sent to. */
export const startLogin = (page: Page) => startLoginAt(page, AUTHORIZE)

/** Types the demo user's login and password into the portal's own form. */
async function signInAtPortal(page: Page) {
  await page.locator('#userfield').fill(USER.login)
  await page.locator('#passwordfield').fill(USER.login)
  await page.locator('#passwordfield').press('Enter')
}

/** A whole login from the harness start page, through the portal, callback handled. */
export const login = (page: Page) => loginThrough(page, AUTHORIZE, () => signInAtPortal(page))

/** Presents `refreshToken` at the token endpoint from Node, as someone who copied it would. */
export const refreshFromNode = (refreshToken: string) => refreshFromNodeAt(LL, CLIENT, refreshToken)

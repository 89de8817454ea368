// Fixtures and helpers for the tests against oidc-provider (e2e/oidc-provider/server.mjs).
import { test as base, expect, type Page } from '@playwright/test'
import { OP, opLastTokens, opStats, resetOp } from '../control'
import { configureRun, type AppConfig, type IsolationMode } from '../helpers'
import { dpopKeyInPage } from '../idb'
import { loginThrough, startLogin as startLoginAt } from '../real-provider'

export { OP, opStats, refreshTokenState, type OpStats } from '../control'
export const API = 'https://api.example.test/'
export const REPORTS = 'https://reports.example.test/'

export interface OpFixtures {
  /** Access token lifetime (s) the server issues during the test. */
  accessTokenTtl: number
  /** Client options over the harness defaults; the issuer is always oidc-provider. */
  appConfig: AppConfig
  /** The run's token isolation mode (a project option, see playwright.config.ts). */
  isolationMode: IsolationMode
  opReset: void
}

export const test = base.extend<OpFixtures>({
  accessTokenTtl: [10, { option: true }],
  appConfig: [{}, { option: true }],
  isolationMode: ['off', { option: true }],
  opReset: [
    async ({ accessTokenTtl }, use) => {
      await resetOp(accessTokenTtl)
      await use()
      // Any test may end with the server in trouble; none may pass with it.
      expect((await opStats()).serverErrors, 'oidc-provider server_error events').toBe(0)
    },
    { auto: true },
  ],
  context: async ({ context, appConfig, isolationMode }, use) => {
    await configureRun(context, { issuer: OP, ...appConfig }, isolationMode, opLastTokens)
    await use(context)
  },
})

export { expect }

/** A JWT's payload, unverified: the tests only read what the server put there. */
export const jwtClaims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>

/** Starts loginWithRedirect() and resolves with the authorization request the browser was sent to. */
export const startLogin = (page: Page) => startLoginAt(page, `${OP}/auth`)

/** Signs in on the provider's own login page and allows the consent page. */
async function signInAtProvider(page: Page, username: string) {
  await page.locator('#username').fill(username)
  await page.locator('#sign-in').click()
  await page.locator('#allow').click()
}

/** A whole login from the harness start page, through the provider's pages, callback handled. */
export const login = (page: Page, username = 'ada') => loginThrough(page, `${OP}/auth`, () => signInAtProvider(page, username))

/**
 * RFC 7638 thumbprint of the DPoP public key the SDK keeps in IndexedDB, computed in the page,
 * with whether its private key is extractable; `undefined` when no key is stored.
 */
export const storedDPoPKey = (page: Page) => page.evaluate(dpopKeyInPage)

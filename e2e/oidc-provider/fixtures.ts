// Fixtures and helpers for the tests against oidc-provider (e2e/oidc-provider/server.mjs).
import { test as base, expect, type Page } from '@playwright/test'
import { configureApp, type AppConfig } from '../helpers'
import { loginThrough, startLogin as startLoginAt } from '../real-provider'

export const OP = 'http://127.0.0.1:4020'
export const API = 'https://api.example.test/'
export const REPORTS = 'https://reports.example.test/'

/** Counters the server keeps from oidc-provider's events (see server.mjs). */
export interface OpStats {
  tokenRequests: { authorization_code: number; refresh_token: number; total: number }
  tokenErrors: Record<string, number>
  refreshTokensConsumed: number
  grantsRevoked: number
  endSessions: number
  pushedAuthorizationRequests: number
  authorizationErrors: Record<string, number>
  serverErrors: number
}

async function control<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${OP}/__test/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  })
  if (!response.ok) throw new Error(`oidc-provider ${path} -> HTTP ${response.status}: ${await response.text()}`)
  return (await response.json()) as T
}

export const opStats = () => control<OpStats>('stats')

/** What the server knows of a refresh token: 'consumed' once rotated, 'unknown' once revoked. */
export const refreshTokenState = async (token: string) =>
  (await control<{ state: 'active' | 'consumed' | 'unknown' }>(`refresh-token?token=${encodeURIComponent(token)}`)).state

export interface OpFixtures {
  /** Access token lifetime (s) the server issues during the test. */
  accessTokenTtl: number
  /** Client options over the harness defaults; the issuer is always oidc-provider. */
  appConfig: AppConfig
  opReset: void
}

export const test = base.extend<OpFixtures>({
  accessTokenTtl: [10, { option: true }],
  appConfig: [{}, { option: true }],
  opReset: [
    async ({ accessTokenTtl }, use) => {
      await control('reset', { accessTokenTtl })
      await use()
      // Any test may end with the server in trouble; none may pass with it.
      expect((await opStats()).serverErrors, 'oidc-provider server_error events').toBe(0)
    },
    { auto: true },
  ],
  context: async ({ context, appConfig }, use) => {
    await configureApp(context, { issuer: OP, ...appConfig })
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
export function storedDPoPKey(page: Page) {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('pixie-auth')
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
    const entries = await new Promise<{ key: IDBValidKey; value: unknown }[]>((resolve, reject) => {
      const store = db.transaction('kv', 'readonly').objectStore('kv')
      const keys = store.getAllKeys()
      const values = store.getAll()
      values.onsuccess = () => resolve(keys.result.map((key, i) => ({ key, value: values.result[i] })))
      values.onerror = () => reject(values.error)
    })
    db.close()
    const entry = entries.find(({ key }) => String(key).startsWith('dpop:'))
    if (!entry) return undefined
    const { keyPair } = entry.value as { keyPair: CryptoKeyPair }
    const { crv, kty, x, y } = await crypto.subtle.exportKey('jwk', keyPair.publicKey)
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify({ crv, kty, x, y })))
    const thumbprint = btoa(String.fromCharCode(...new Uint8Array(digest)))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '')
    return { thumbprint, privateKeyExtractable: keyPair.privateKey.extractable }
  })
}

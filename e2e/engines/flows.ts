// The flows of the cross-engine suite, each written once against driver.ts's Tab, and run by
// engines.test.ts in every engine. They drive the harness app (e2e/app/) as the Playwright specs do
// (e2e/helpers.ts), against the mock provider and oidc-provider, and read what happened from the
// page, its IndexedDB and the servers' counters.
import { expect } from 'vitest'
import { WITHOUT_WEB_LOCKS_KEY, type TryResult } from '../app/types'
import {
  APP,
  APP_CONFIG_KEY,
  CALLBACK_URL,
  LOGGED_OUT_URL,
  OP,
  PROVIDER,
  USER_SUB,
  getStats,
  injectFault,
  opStats,
  refreshTokenState,
  refreshTokenStatus,
  resetOp,
  resetProvider,
  type ProviderStats,
} from '../control'
import { SDK_IDB, dpopKeyInPage, dumpIdb, sessionRecordOf, type StoredSession } from '../idb'
import { waitFor, type Profile, type Tab } from './driver'

/** The mock provider's access tokens live this long (s) where a flow waits for one to expire. */
const SHORT_TTL = 3

// ---------------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------------

/** Opens a harness page and waits until `window.pixie` exists. */
async function openApp(tab: Tab, url = `${APP}/`): Promise<void> {
  await tab.goto(url)
  await waitFor(tab, 'the harness', () => window.pixieReady === true, null)
}

/**
 * Writes what every harness page of the profile loads with, in localStorage (its tabs share it):
 * client config over the harness defaults and, for the control run, no Web Locks.
 */
async function configureProfile(tab: Tab, config: Record<string, unknown>, withoutWebLocks = false): Promise<void> {
  await openApp(tab)
  const entries: [string, string][] = [[APP_CONFIG_KEY, JSON.stringify(config)]]
  if (withoutWebLocks) entries.push([WITHOUT_WEB_LOCKS_KEY, '1'])
  await tab.evaluate((items) => items.forEach(([key, value]) => localStorage.setItem(key, value)), entries)
}

const pageUrl = (tab: Tab) => tab.evaluate(() => location.href, null)

/** Starts loginWithRedirect() and waits for the provider's page at `origin` showing `selector`. */
async function startLogin(tab: Tab, origin: string, selector: string): Promise<void> {
  await openApp(tab)
  await tab.evaluate(() => window.pixieStart(() => window.pixie.auth.loginWithRedirect()), null)
  await waitFor(
    tab,
    `${selector} on ${origin}`,
    ({ origin, selector }) => location.origin === origin && document.querySelector(selector) !== null,
    { origin, selector },
  )
}

/** Waits for callback.html, handles the callback there, and returns the callback URL it was given. */
async function finishLogin(tab: Tab): Promise<string> {
  const callbackUrl = await waitFor(
    tab,
    'the callback page',
    (prefix) => window.pixieReady === true && location.href.startsWith(prefix) && location.href,
    `${CALLBACK_URL}?`,
  )
  const result = await tab.evaluate(() => window.pixieTry(() => window.pixie.auth.handleRedirectCallback()), null)
  expect(result).toMatchObject({ ok: true, value: { user: { sub: expect.any(String) } } })
  return callbackUrl
}

/** A login at the mock provider, clicking "Sign in" on its consent page. Returns the callback URL. */
async function loginAtMockProvider(tab: Tab): Promise<string> {
  await startLogin(tab, PROVIDER, '#approve')
  await tab.click('#approve')
  return finishLogin(tab)
}

/** A login at oidc-provider: its sign-in page (any username), then its consent page. */
async function loginAtOidcProvider(tab: Tab): Promise<string> {
  await startLogin(tab, OP, '#username')
  await tab.evaluate(() => {
    ;(document.querySelector('#username') as HTMLInputElement).value = 'ada'
  }, null)
  await tab.click('#sign-in')
  await waitFor(tab, 'the consent page', () => document.querySelector('#allow') !== null, null)
  await tab.click('#allow')
  return finishLogin(tab)
}

const getAccessToken = (tab: Tab, forceRefresh = false) =>
  tab.evaluate((force) => window.pixieTry(() => window.pixie.auth.getAccessToken({ forceRefresh: force })), forceRefresh)

/** The client's state once it has read the stored session (bounded). */
async function settledState(tab: Tab): Promise<{ status: string; user?: { sub: string } }> {
  await tab.evaluate(() => window.pixie.auth.isAuthenticated(), null)
  return waitFor(
    tab,
    'a settled state',
    () => {
      const state = window.pixie.auth.getState()
      return state.status !== 'loading' && JSON.parse(JSON.stringify(state))
    },
    null,
  )
}

async function storedSession(tab: Tab): Promise<StoredSession | undefined> {
  return sessionRecordOf(await tab.evaluate(dumpIdb, SDK_IDB))?.session
}

async function requireSession(tab: Tab): Promise<StoredSession & { refreshToken: string }> {
  const session = await storedSession(tab)
  expect(session?.refreshToken, 'stored refresh token').toEqual(expect.any(String))
  return session as StoredSession & { refreshToken: string }
}

async function openTabs(profile: Profile, count: number): Promise<Tab[]> {
  const tabs: Tab[] = []
  for (let i = 0; i < count; i += 1) {
    const tab = await profile.newTab()
    await openApp(tab)
    expect(await settledState(tab)).toMatchObject({ status: 'authenticated' })
    tabs.push(tab)
  }
  return tabs
}

// ---------------------------------------------------------------------------------------------
// One refresh across tabs: the check, and what it looks at
// ---------------------------------------------------------------------------------------------

/** What the tabs got when they all asked for a token at once, and what the provider saw meanwhile. */
export interface RefreshTogether {
  results: TryResult<string>[]
  states: string[]
  stats: ProviderStats
  expiredToken: string
}

/**
 * Has every tab call getAccessToken() at the same wall-clock instant, once the access token expired.
 * Each call is started inside its page and its result collected afterwards: a WebDriver session runs
 * one command at a time, so awaiting the calls from here would serialize them.
 */
async function refreshTogether(tabs: Tab[]): Promise<RefreshTogether> {
  const session = await requireSession(tabs[0])
  const wait = session.expiresAt + 300 - Date.now()
  expect(wait, 'ms until the access token expires').toBeLessThan(SHORT_TTL * 1000 + 1000)
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
  const at = Date.now() + 500
  for (const tab of tabs) {
    await tab.evaluate((startAt) => {
      setTimeout(() => {
        void window.pixieTry(() => window.pixie.auth.getAccessToken()).then((result) => {
          ;(window as { engineResult?: unknown }).engineResult = result
        })
      }, startAt - Date.now())
    }, at)
  }
  const results: TryResult<string>[] = []
  const states: string[] = []
  for (const tab of tabs) {
    results.push(await waitFor(tab, 'getAccessToken() to settle', () => (window as { engineResult?: TryResult<string> }).engineResult, null, 20_000))
    states.push(await tab.evaluate(() => window.pixie.auth.getState().status, null))
  }
  return { results, states, stats: await getStats(), expiredToken: session.accessToken }
}

/**
 * The tabs shared one refresh: one request with the refresh token, no reuse seen by the provider,
 * and every tab got the same new token and is still signed in.
 */
export function expectOneRefresh({ results, states, stats, expiredToken }: RefreshTogether): void {
  expect(stats.tokenRequests.refresh_token, 'refresh requests the provider received').toBe(1)
  expect(stats.reuseDetections, 'refresh token reuse detected by the provider').toBe(0)
  expect(results[0]).toMatchObject({ ok: true })
  expect(results[0]).not.toEqual({ ok: true, value: expiredToken })
  for (const result of results) expect(result).toEqual(results[0])
  for (const state of states) expect(state).toBe('authenticated')
}

/**
 * Logs in with a short-lived access token, opens `count` more tabs, makes each refresh slow (so the
 * tabs' requests would overlap were they not serialized), then has every tab ask at once.
 */
async function refreshInTabs(profile: Profile, count: number, withoutWebLocks: boolean): Promise<{ tabs: Tab[]; outcome: RefreshTogether }> {
  await resetProvider({ autoApprove: false, accessTokenTtl: SHORT_TTL })
  const first = await profile.newTab()
  await configureProfile(first, { refreshLeewaySeconds: 0 }, withoutWebLocks)
  await loginAtMockProvider(first)
  const tabs = [first, ...(await openTabs(profile, count))]
  const locks = await Promise.all(tabs.map((tab) => tab.evaluate(() => typeof navigator.locks, null)))
  expect(locks, 'navigator.locks in each tab').toEqual(tabs.map(() => (withoutWebLocks ? 'undefined' : 'object')))
  await injectFault({ endpoint: 'token', grantType: 'refresh_token', type: 'delay', delayMs: 1_000, times: tabs.length })
  return { tabs, outcome: await refreshTogether(tabs) }
}

// ---------------------------------------------------------------------------------------------
// The flows
// ---------------------------------------------------------------------------------------------

/** Login through the provider's consent page, the callback, then a reload: the session is kept, no token request. */
export async function loginCallbackReload(profile: Profile): Promise<void> {
  await resetProvider({ autoApprove: false })
  const tab = await profile.newTab()
  const callbackUrl = await loginAtMockProvider(tab)
  expect(new URL(callbackUrl).searchParams.get('code')).toEqual(expect.any(String))
  // The code and state are gone from the address bar once read.
  expect(await pageUrl(tab)).toBe(CALLBACK_URL)
  expect(await settledState(tab)).toMatchObject({ status: 'authenticated', user: { sub: USER_SUB } })
  const token = await getAccessToken(tab)
  expect(token).toEqual({ ok: true, value: (await requireSession(tab)).accessToken })

  await openApp(tab)
  expect(await settledState(tab)).toMatchObject({ status: 'authenticated', user: { sub: USER_SUB } })
  expect(await getAccessToken(tab)).toEqual(token)
  expect((await getStats()).tokenRequests).toMatchObject({ authorization_code: 1, refresh_token: 0, total: 1 })
}

/** The callback URL handled again after a login: invalid_state, no token request, the session kept. */
export async function replayedCallback(profile: Profile): Promise<void> {
  await resetProvider({ autoApprove: false })
  const tab = await profile.newTab()
  const callbackUrl = await loginAtMockProvider(tab)
  const token = await getAccessToken(tab)
  expect(token).toMatchObject({ ok: true })

  const replay = await tab.evaluate((url) => window.pixieTry(() => window.pixie.auth.handleRedirectCallback(url)), callbackUrl)
  expect(replay).toMatchObject({ ok: false, error: { isAuthError: true, code: 'invalid_state' } })
  expect(await settledState(tab)).toMatchObject({ status: 'authenticated', user: { sub: USER_SUB } })
  expect(await getAccessToken(tab)).toEqual(token)
  expect((await getStats()).tokenRequests.total).toBe(1)
}

/** An expired access token, three tabs asking at once: one refresh, the refresh token rotated. */
export async function oneRefreshAcrossTabs(profile: Profile): Promise<void> {
  const { tabs, outcome } = await refreshInTabs(profile, 2, false)
  expectOneRefresh(outcome)
  const rotated = await requireSession(tabs[0])
  expect(outcome.results[0]).toEqual({ ok: true, value: rotated.accessToken })
  expect(await refreshTokenStatus(rotated.refreshToken)).toBe('active')
}

/**
 * The control: the same tabs with `navigator.locks` removed before the SDK loads. The one-refresh
 * check must fail: the tabs send the refresh token more than once, and the provider's reuse
 * detection (RFC 9700 §4.14.2) ends the session.
 */
export async function controlWithoutWebLocks(profile: Profile): Promise<void> {
  const { outcome } = await refreshInTabs(profile, 2, true)
  expect(() => expectOneRefresh(outcome)).toThrow()
  expect(outcome.stats.tokenRequests.refresh_token).toBeGreaterThan(1)
  expect(outcome.stats.reuseDetections).toBeGreaterThan(0)
}

/**
 * DPoP at oidc-provider, which demands a server nonce in every proof: login, a forced refresh and a
 * UserInfo request, all with a non-extractable key kept in IndexedDB (RFC 9449).
 */
export async function dpopLoginRefresh(profile: Profile): Promise<void> {
  await resetOp(60)
  const tab = await profile.newTab()
  await configureProfile(tab, { issuer: OP, dpop: true, allowedOrigins: [OP] })
  await loginAtOidcProvider(tab)
  const s1 = await requireSession(tab)
  expect(s1.tokenType).toBe('dpop')
  const key = await tab.evaluate(dpopKeyInPage, null)
  expect(key).toMatchObject({ thumbprint: expect.any(String), privateKeyExtractable: false })

  const refreshed = await getAccessToken(tab, true)
  expect(refreshed).toMatchObject({ ok: true })
  expect(refreshed).not.toEqual({ ok: true, value: s1.accessToken })
  const s2 = await requireSession(tab)
  expect(s2).toMatchObject({ tokenType: 'dpop', accessToken: refreshed.ok && refreshed.value })
  expect(await refreshTokenState(s1.refreshToken)).toBe('consumed')
  expect(await refreshTokenState(s2.refreshToken)).toBe('active')
  expect(await tab.evaluate(dpopKeyInPage, null)).toEqual(key)

  const userinfo = await tab.evaluate(
    (url) => window.pixieTry(async () => (await window.pixie.fetch(url)).json() as Promise<{ sub: string }>),
    `${OP}/me`,
  )
  expect(userinfo, JSON.stringify(userinfo)).toMatchObject({ ok: true, value: { sub: 'ada' } })
  const stats = await opStats()
  expect(stats.tokenRequests).toMatchObject({ authorization_code: 1, refresh_token: 1 })
  expect(stats.serverErrors).toBe(0)
}

/** logout(): the refresh token revoked, the provider's end-session page, nothing stored, the other tab signed out. */
export async function logout(profile: Profile): Promise<void> {
  await resetProvider({ autoApprove: false })
  const tab = await profile.newTab()
  await loginAtMockProvider(tab)
  const session = await requireSession(tab)
  const [other] = await openTabs(profile, 1)

  await tab.evaluate(() => window.pixieStart(() => window.pixie.auth.logout()), null)
  await waitFor(tab, 'logged-out.html', (url) => window.pixieReady === true && location.href.startsWith(url), LOGGED_OUT_URL)
  const stats = await getStats()
  expect(stats).toMatchObject({ revocations: 1, endSessions: 1 })
  expect(await refreshTokenStatus(session.refreshToken)).toBe('revoked')
  expect(await storedSession(tab)).toBeUndefined()
  expect(await settledState(tab)).toMatchObject({ status: 'unauthenticated' })
  await waitFor(other, 'the other tab signed out', () => window.pixie.auth.getState().status === 'unauthenticated', null)
  expect(await getAccessToken(other)).toMatchObject({ ok: false, error: { code: 'login_required' } })
}

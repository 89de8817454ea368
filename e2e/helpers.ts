// Shared helpers and fixtures for the pixie-auth Playwright e2e tests.
import { test as base, expect, type BrowserContext, type Page, type Request } from '@playwright/test'
import type { AuthClientConfig, SerializedError, TryResult } from './app/types'
import { APP, APP_CONFIG_KEY, CALLBACK_URL, CLIENT_ID, PROVIDER, getStats, lastIssuedTokens, resetProvider, type IssuedTokens, type ProviderConfig, type ProviderLogEntry, type ProviderStats } from './control'
import { SDK_IDB, dumpIdb, sessionRecordOf, type IdbEntry, type SessionRecord, type StoredSession } from './idb'

export { expect }
export type { SerializedError, TryResult }
export {
  APP,
  APP_CONFIG_KEY,
  CALLBACK_URL,
  CLIENT_ID,
  LOGGED_OUT_URL,
  PROVIDER,
  USER_SUB,
  getStats,
  injectFault,
  refreshTokenStatus,
  resetProvider,
  setProviderConfig,
  type Fault,
  type ProviderConfig,
  type ProviderLogEntry,
  type ProviderStats,
  type RefreshTokenState,
  type ReuseEvent,
} from './control'
export { IDB_NAME, IDB_STORE, type IdbEntry, type SessionRecord, type StoredSession } from './idb'

export const OTHER_CALLBACK_URL = `${APP}/other-callback.html`

/**
 * Uses up the queued faults of the refresh_token grant by sending throwaway refresh requests from
 * Node (bounded), so a fault the browser did not consume cannot hit a later step of the test.
 * The mock provider has no "clear faults" control short of a full reset.
 */
export async function drainRefreshFaults(maxRequests = 5): Promise<number> {
  let sent = 0
  while ((await getStats()).pendingFaults > 0 && sent < maxRequests) {
    sent += 1
    await fetch(`${PROVIDER}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      // Unique bodies: the provider treats an identical request right after a 'drop' as the
      // client's automatic resend of the dropped one (which uses up no fault).
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: `drain-faults-${sent}-${Math.random().toString(36).slice(2)}`,
        client_id: CLIENT_ID,
      }),
      signal: AbortSignal.timeout(5_000),
    }).catch(() => undefined)
  }
  expect((await getStats()).pendingFaults, 'faults left after draining').toBe(0)
  return sent
}

/** Paths of the provider's discovery documents (fetching these is not "talking to the token endpoint"). */
export function isMetadataRequest(entry: ProviderLogEntry): boolean {
  return entry.method === 'GET' && (entry.path.startsWith('/.well-known/') || /jwks/i.test(entry.path))
}

/** Provider log entries after the last request to /authorize (i.e. after the redirect back to the app). */
export function logAfterAuthorize(stats: ProviderStats): ProviderLogEntry[] {
  const log = stats.log.filter((e) => !e.path.startsWith('/__control'))
  let last = -1
  log.forEach((e, i) => {
    if (e.path.startsWith('/authorize')) last = i
  })
  return log.slice(last + 1)
}

// ---------------------------------------------------------------------------------------------
// Harness app
// ---------------------------------------------------------------------------------------------

export type AppConfig = Partial<AuthClientConfig> & Record<string, unknown>

/**
 * Makes every harness page opened later in `target` (a page or a whole context) use `overrides`
 * merged over the harness's default client config. Written to sessionStorage (per tab) by an init
 * script that runs before the harness module, on the app origin only.
 */
export async function configureApp(target: Page | BrowserContext, overrides: AppConfig): Promise<void> {
  await target.addInitScript(
    ({ key, value, origin }) => {
      if (location.origin === origin) sessionStorage.setItem(key, value)
    },
    { key: APP_CONFIG_KEY, value: JSON.stringify(overrides), origin: APP },
  )
}

export async function waitForHarness(page: Page): Promise<void> {
  await page.waitForFunction(() => window.pixieReady === true, undefined, { timeout: 10_000 })
}

/** Navigates to a harness page (default `/`) and waits until `window.pixie` exists. */
export async function openApp(page: Page, path = '/'): Promise<void> {
  await page.goto(`${APP}${path}`)
  await waitForHarness(page)
}

export interface LoginOptions {
  appState?: unknown
  authorizationParams?: Record<string, string>
  redirectUri?: string
  /** 'auto' (provider autoApprove: true, default), 'approve' / 'deny' (click the button on the provider page). */
  consent?: 'auto' | 'approve' | 'deny'
  /** Harness page to start from; default `/`. Pass null to start from the page's current document. */
  startPath?: string | null
}

export interface CallbackLanding {
  /** The /authorize URL the SDK navigated to. */
  authorizeUrl: URL
  /** The full callback URL the provider redirected back to (with code/state/iss or error). */
  callbackUrl: string
}

/**
 * Starts loginWithRedirect() on a harness page and follows the browser through the provider
 * back to the callback page. Does NOT call handleRedirectCallback().
 */
export async function goToCallback(page: Page, options: LoginOptions = {}): Promise<CallbackLanding> {
  const { consent = 'auto', startPath = '/', appState, authorizationParams, redirectUri } = options
  if (startPath !== null) await openApp(page, startPath)
  const landingUrl = redirectUri ?? CALLBACK_URL

  // The first navigation to the provider: its authorization endpoint, wherever its profile puts it.
  const authorizeRequest = page.waitForRequest(
    (r: Request) => r.url().startsWith(`${PROVIDER}/`) && r.isNavigationRequest(),
    { timeout: 10_000 },
  )
  const loginOptions: Record<string, unknown> = {}
  if (appState !== undefined) loginOptions.appState = appState
  if (authorizationParams !== undefined) loginOptions.authorizationParams = authorizationParams
  if (redirectUri !== undefined) loginOptions.redirectUri = redirectUri
  await page.evaluate((opts) => window.pixieStart(() => window.pixie.auth.loginWithRedirect(opts)), loginOptions)

  let authorizeUrl: URL
  try {
    authorizeUrl = new URL((await authorizeRequest).url())
  } catch (e) {
    const startError = await page.evaluate(() => window.pixieStartError).catch(() => undefined)
    throw new Error(
      `loginWithRedirect() did not navigate to ${PROVIDER}` +
        (startError ? `; it rejected with ${JSON.stringify(startError)}` : `: ${String(e)}`),
    )
  }

  if (consent !== 'auto') {
    await page.waitForURL((u) => u.origin === PROVIDER, { timeout: 10_000 })
    await page.locator(consent === 'approve' ? '#approve' : '#deny').click()
  }
  await page.waitForURL((u) => u.href.startsWith(`${landingUrl}?`), { timeout: 10_000 })
  await waitForHarness(page)
  return { authorizeUrl, callbackUrl: page.url() }
}

/** Calls handleRedirectCallback(url?) in the page. */
export async function handleCallback(
  page: Page,
  url?: string,
): Promise<TryResult<{ appState?: unknown; user: { sub: string; [k: string]: unknown } }>> {
  return page.evaluate(
    (u) => window.pixieTry(() => (u === null ? window.pixie.auth.handleRedirectCallback() : window.pixie.auth.handleRedirectCallback(u))),
    url ?? null,
  ) as Promise<TryResult<{ appState?: unknown; user: { sub: string; [k: string]: unknown } }>>
}

export interface LoginResult extends CallbackLanding {
  user: { sub: string; [k: string]: unknown }
  appState?: unknown
}

/** Full login: harness page -> loginWithRedirect() -> provider -> callback.html -> handleRedirectCallback(). */
export async function login(page: Page, options: LoginOptions = {}): Promise<LoginResult> {
  const landing = await goToCallback(page, options)
  const result = await handleCallback(page)
  if (!result.ok) throw new Error(`handleRedirectCallback() failed: ${JSON.stringify(result.error)}`)
  return { ...landing, ...result.value }
}

export async function getAccessToken(page: Page, options?: { forceRefresh?: boolean }): Promise<TryResult<string>> {
  return page.evaluate((o) => window.pixieTry(() => window.pixie.auth.getAccessToken(o ?? undefined)), options ?? null)
}

export async function isAuthenticated(page: Page): Promise<boolean> {
  return page.evaluate(() => window.pixie.auth.isAuthenticated())
}

export interface ClientState {
  status: 'loading' | 'authenticated' | 'unauthenticated'
  user?: { sub: string; [k: string]: unknown }
  error?: unknown
}

export async function getState(page: Page): Promise<ClientState> {
  return page.evaluate(() => JSON.parse(JSON.stringify(window.pixie.auth.getState())) as ClientState)
}

/**
 * Waits (bounded) until the client has read the stored session and getState() has left 'loading',
 * and returns it. (On a reload getState() answers earlier, from the start-up hint, without `user`.)
 */
export async function settledState(page: Page): Promise<ClientState> {
  await page.evaluate(() =>
    Promise.race([window.pixie.auth.isAuthenticated().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 5_000))]),
  )
  await expect.poll(async () => (await getState(page)).status, { timeout: 5_000 }).not.toBe('loading')
  return getState(page)
}

// ---------------------------------------------------------------------------------------------
// IndexedDB
// ---------------------------------------------------------------------------------------------

/** Dumps every key/value of the SDK's IndexedDB database from inside the page (see `dumpIdb`). */
export async function readIdb(page: Page): Promise<IdbEntry[]> {
  return page.evaluate(dumpIdb, SDK_IDB)
}

/**
 * The SDK's stored session (key `session:…`, record `{ version, session? }`), or undefined when
 * there is none (no record, or only the version of its deletion).
 */
export async function readSession(page: Page): Promise<StoredSession | undefined> {
  if (runMode === 'bearer') return readWorkerSession(page)
  return (await readSessionRecord(page))?.session
}

/** The SDK's whole session record: its version, and the session unless it was deleted. */
export async function readSessionRecord(page: Page): Promise<SessionRecord | undefined> {
  return sessionRecordOf(await readIdb(page))
}

/**
 * Session record that must exist and hold a refresh token. In isolation's Bearer mode, where the
 * session lives only in the worker's memory: nothing holding a token is stored, the page's client
 * (through the worker) is authenticated, and the session is the one the provider issued last.
 */
export async function requireSession(page: Page): Promise<StoredSession & { refreshToken: string }> {
  if (runMode === 'bearer') return requireWorkerSession(page)
  const session = await readSession(page)
  expect(session, 'IndexedDB session record').toBeTruthy()
  expect(typeof session!.refreshToken, 'stored refreshToken').toBe('string')
  return session as StoredSession & { refreshToken: string }
}

/**
 * Isolation's Bearer mode: the session the page's client has through the worker (see
 * `requireSession`), or undefined; nothing holding a token is stored either way.
 */
async function readWorkerSession(page: Page): Promise<StoredSession | undefined> {
  await expectNothingStored(page)
  const signedIn = await page.evaluate(() => window.pixie.auth.isAuthenticated())
  return signedIn ? requireWorkerSession(page) : undefined
}

async function requireWorkerSession(page: Page): Promise<StoredSession & { refreshToken: string }> {
  await expectNothingStored(page)
  expect(await page.evaluate(() => window.pixie.auth.isAuthenticated()), 'authenticated through the worker').toBe(true)
  const issued = await issuedTokens()
  expect(typeof issued?.refresh_token, 'refresh token the provider issued last').toBe('string')
  const { access_token, refresh_token, id_token, expires_in, issuedAtMs, token_type, scope } = issued!
  return {
    accessToken: access_token,
    refreshToken: refresh_token!,
    idToken: id_token!,
    expiresAt: issuedAtMs + expires_in * 1000,
    tokenType: token_type.toLowerCase(),
    scope,
  }
}

/** Asserts IndexedDB holds no session record and no token anywhere. */
export async function expectNothingStored(page: Page): Promise<void> {
  const entries = await readIdb(page)
  expect(sessionRecordOf(entries)?.session, 'session in IndexedDB').toBeUndefined()
  for (const { key, value } of entries) {
    const text = JSON.stringify(value) ?? ''
    expect(text, `IndexedDB value under ${String(key)}`).not.toMatch(/"(refreshToken|accessToken|idToken)"\s*:/)
  }
}

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

/** Bounded real-time wait (the SDK compares token expiry with the real clock). */
export async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms))
}

/**
 * Waits (bounded, real time) until the stored access token is past its `expiresAt` (local ms, as the
 * SDK stores it), plus a margin.
 */
export async function waitUntilExpired(session: StoredSession, marginMs = 300): Promise<void> {
  expect(typeof session.expiresAt, 'stored expiresAt').toBe('number')
  const wait = session.expiresAt + marginMs - Date.now()
  expect(wait, 'access token lifetime left to wait for (ms)').toBeLessThan(15_000)
  if (wait > 0) await sleep(wait)
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/**
 * Token isolation mode of a whole run (set by the Playwright project, see playwright.config.ts):
 * 'off', 'bearer' (`isolation: true`) or 'dpop' (`isolation: true, dpop: true`).
 */
export type IsolationMode = 'off' | 'bearer' | 'dpop'

/** The current test's mode and where its Bearer session is read from, for the helpers below (see `configureRun`). */
let runMode: IsolationMode = 'off'
let issuedTokens: () => Promise<IssuedTokens | null> = lastIssuedTokens

/**
 * Configures every harness page of the test's `context` with `appConfig` in the run's isolation
 * `mode`, and tells the session helpers (`requireSession`, `readSession`) where the session is: in
 * Bearer isolation, only the worker has it, so they take the provider's last token response
 * (`lastTokens`, from the provider the test uses) instead.
 */
export async function configureRun(
  context: BrowserContext,
  appConfig: AppConfig,
  mode: IsolationMode,
  lastTokens: () => Promise<IssuedTokens | null> = lastIssuedTokens,
): Promise<void> {
  const config = withIsolation(appConfig, mode)
  runMode = !config.isolation ? 'off' : config.dpop ? 'dpop' : 'bearer'
  issuedTokens = lastTokens
  if (Object.keys(config).length > 0) await configureApp(context, config)
}

/**
 * `appConfig` with the run's isolation mode merged in, so a spec's own `test.use({ appConfig })`
 * still runs isolated (a spec's `isolation` object, e.g. accessTokenInWorker, wins over `true`).
 */
export function withIsolation(appConfig: AppConfig, mode: IsolationMode): AppConfig {
  if (mode === 'off') return appConfig
  return { ...appConfig, isolation: appConfig.isolation ?? true, ...(mode === 'dpop' ? { dpop: true } : {}) }
}

export interface PixieFixtures {
  /** Provider config applied by the automatic reset before each test (override with test.use). */
  providerConfig: ProviderConfig
  /** Client config overrides for every harness page of the test's context (override with test.use). */
  appConfig: AppConfig
  /** The run's token isolation mode (a project option, merged into appConfig by the context fixture). */
  isolationMode: IsolationMode
  /** Automatic: resets the mock provider with `providerConfig` before each test. */
  providerReset: void
}

export const test = base.extend<PixieFixtures>({
  providerConfig: [{ autoApprove: true }, { option: true }],
  appConfig: [{}, { option: true }],
  isolationMode: ['off', { option: true }],
  providerReset: [
    async ({ providerConfig }, use) => {
      await resetProvider(providerConfig)
      await use()
    },
    { auto: true },
  ],
  context: async ({ context, appConfig, isolationMode }, use, testInfo) => {
    await configureRun(context, appConfig, isolationMode)
    const browserLog: string[] = []
    context.on('console', (m) => browserLog.push(`[${m.type()}] ${m.text()}`))
    context.on('weberror', (e) => browserLog.push(`[pageerror] ${e.error().stack ?? e.error().message}`))
    await use(context)
    if (testInfo.status !== testInfo.expectedStatus && browserLog.length > 0) {
      await testInfo.attach('browser-console', { body: browserLog.join('\n'), contentType: 'text/plain' })
      console.log(`--- browser console (${testInfo.title}) ---\n${browserLog.join('\n')}`)
    }
  },
})

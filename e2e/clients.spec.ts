// Several clients on one origin (RFC 9700 §4.4): the mix-up attack with a second provider that
// leaves out iss, and two clients on one page each completing its own login.
import type { Page } from '@playwright/test'
import {
  APP,
  CALLBACK_URL,
  OTHER_CALLBACK_URL,
  PROVIDER,
  expect,
  configureApp,
  getStats,
  login,
  openApp,
  readIdb,
  USER_SUB,
  test,
  waitForHarness,
} from './helpers'
import { startMockProvider, type MockProvider } from './provider/mock-provider.mjs'

/** A second client in the harness page, as an app with two providers (or two client IDs) has. */
async function addClient(page: Page, options: { issuer: string; clientId: string; redirectUri: string }) {
  await page.evaluate((config) => {
    ;(window as unknown as { second: unknown }).second = window.pixie.createAuthClient(config)
  }, options)
}

type Which = 'first' | 'second'
/** Runs a method of the harness's client ('first') or the added one ('second'), serialising the outcome. */
function call(page: Page, which: Which, method: 'isRedirectCallback' | 'handleRedirectCallback') {
  return page.evaluate(
    ([name, m]) => {
      const client = (name === 'first' ? window.pixie.auth : (window as unknown as { second: typeof window.pixie.auth }).second) as unknown as Record<string, () => unknown>
      return window.pixieTry(async () => JSON.parse(JSON.stringify((await client[m]()) ?? null)))
    },
    [which, method] as const,
  )
}

/** The client's state once its stored session has been read, as JSON. */
function stateOf(page: Page, which: Which): Promise<Record<string, unknown>> {
  return page.evaluate(async (name) => {
    const client = name === 'first' ? window.pixie.auth : (window as unknown as { second: typeof window.pixie.auth }).second
    await client.isAuthenticated()
    return JSON.parse(JSON.stringify(client.getState()))
  }, which)
}

/** What docs/reference.md (two clients on one origin) tells a vanilla app to run on every page, for each of its clients. */
async function completeOwnCallbacks(page: Page) {
  return page.evaluate(async () => {
    const clients = { first: window.pixie.auth, second: (window as unknown as { second: typeof window.pixie.auth }).second }
    const results: Record<string, unknown> = {}
    for (const [name, client] of Object.entries(clients)) {
      if (client.isRedirectCallback()) results[name] = (await client.handleRedirectCallback()).user?.aud
    }
    return results
  })
}

/** Starts a login with the added client and waits for the browser to land back at `landing`. */
async function loginWithSecond(page: Page, landing: string) {
  await page.evaluate(() =>
    window.pixieStart(() => (window as unknown as { second: typeof window.pixie.auth }).second.loginWithRedirect()),
  )
  await page.waitForURL((u) => u.href.startsWith(`${landing}?`), { timeout: 10_000 })
  await waitForHarness(page)
  return new URL(page.url())
}

/** The stored session record of the client of `issuer` with the harness's client ID. */
const sessionOf = async (page: Page, issuer: string) =>
  (await readIdb(page)).find(({ key }) => key === `session:${issuer}/#pixie-e2e`)?.value

const sessionKeys = async (page: Page) =>
  (await readIdb(page)).map(({ key }) => String(key)).filter((key) => key.startsWith('session:')).sort()

test.describe('mix-up across clients (RFC 9700 §4.4)', () => {
  let providerB: MockProvider
  test.beforeAll(async () => {
    // The attacker's (or a compromised tenant's) server: it sends no iss and does not promise one.
    providerB = await startMockProvider({ port: 0, config: { autoApprove: true, includeIss: false } })
  })
  test.afterAll(() => providerB?.close())
  test.beforeEach(() => providerB.state.reset({ autoApprove: true, includeIss: false }))

  test("B's response arriving without iss at A's redirect URI never reaches B's token endpoint from A, nor is redeemed by B", async ({
    page,
  }) => {
    await openApp(page)
    const clientB = { issuer: providerB.url, clientId: 'pixie-e2e', redirectUri: OTHER_CALLBACK_URL }
    await addClient(page, clientB)
    const response = await loginWithSecond(page, OTHER_CALLBACK_URL)
    expect(response.searchParams.has('iss')).toBe(false)

    // The attacker sends the browser to A's redirect URI with B's login response.
    const atA = `${CALLBACK_URL}${response.search}`
    await page.goto(atA)
    await waitForHarness(page)
    await addClient(page, clientB)

    // The attack: A completes the callback on its own redirect URI. Nothing may go to B's token endpoint.
    const byA = await call(page, 'first', 'handleRedirectCallback')
    expect(providerB.state.statsSnapshot().tokenRequests.total, "code redemptions at B's token endpoint").toBe(0)
    expect(byA).toMatchObject({ ok: false, error: { code: 'invalid_state' } })
    expect(await call(page, 'first', 'isRedirectCallback')).toEqual({ ok: true, value: false })
    expect(await call(page, 'second', 'isRedirectCallback')).toEqual({ ok: true, value: false })
    // A left B's response alone: the URL is as it came, and A shows no error.
    expect(page.url()).toBe(atA)
    expect(await stateOf(page, 'first')).toEqual({ status: 'unauthenticated' })

    // B itself refuses a response that came back to a redirect URI that is not its login's.
    expect(await call(page, 'second', 'handleRedirectCallback')).toMatchObject({ ok: false, error: { code: 'invalid_response' } })

    expect(providerB.state.statsSnapshot().tokenRequests.total).toBe(0)
    expect((await getStats()).tokenRequests.total).toBe(0)
    expect(await sessionKeys(page)).toEqual([])
  })

  test('B, a server without iss, still completes its own logins at its own redirect URI', async ({ page }) => {
    await openApp(page)
    const clientB = { issuer: providerB.url, clientId: 'pixie-e2e', redirectUri: OTHER_CALLBACK_URL }
    await addClient(page, clientB)
    await loginWithSecond(page, OTHER_CALLBACK_URL)
    await addClient(page, clientB)
    expect(await completeOwnCallbacks(page)).toEqual({ second: 'pixie-e2e' })
    expect(providerB.state.statsSnapshot().tokenRequests.authorization_code).toBe(1)
    expect(await sessionKeys(page)).toEqual([`session:${providerB.url}/#pixie-e2e`])
  })
})

test("redirect URIs that differ only in a query parameter are distinct: B never redeems a response that came back to A's", async ({
  page,
}) => {
  // A common layout: one callback page, the provider named in the query. B leaves out iss.
  const atB = `${CALLBACK_URL}?provider=b`
  const providerB = await startMockProvider({
    port: 0,
    clients: [{ client_id: 'pixie-e2e', token_endpoint_auth_method: 'none', redirect_uris: [atB], post_logout_redirect_uris: [] }],
    config: { autoApprove: true, includeIss: false },
  })
  try {
    await configureApp(page, { redirectUri: `${CALLBACK_URL}?provider=a` })
    await openApp(page)
    const clientB = { issuer: providerB.url, clientId: 'pixie-e2e', redirectUri: atB }
    await addClient(page, clientB)
    await page.evaluate(() => window.pixieStart(() => (window as unknown as { second: typeof window.pixie.auth }).second.loginWithRedirect()))
    await page.waitForURL((u) => u.searchParams.get('provider') === 'b' && u.searchParams.has('code'), { timeout: 10_000 })

    // The mix-up: a response in B's name (its state) at A's redirect URI, as A's server would send it there.
    const atA = new URL(page.url())
    atA.searchParams.set('provider', 'a')
    await page.goto(atA.href)
    await waitForHarness(page)
    await addClient(page, clientB)

    expect(await call(page, 'second', 'isRedirectCallback')).toEqual({ ok: true, value: false })
    expect(await call(page, 'second', 'handleRedirectCallback')).toMatchObject({ ok: false, error: { code: 'invalid_response' } })
    expect(providerB.state.statsSnapshot().tokenRequests.total, "code redemptions at B's token endpoint").toBe(0)
    expect(await call(page, 'first', 'isRedirectCallback')).toEqual({ ok: true, value: false })
    expect(await sessionKeys(page)).toEqual([])
  } finally {
    await providerB.close()
  }
})

test('two clients on one page and one redirect URI each complete their own login, leaving the other alone', async ({
  page,
}) => {
  const second = { issuer: PROVIDER, clientId: 'pixie-demo', redirectUri: CALLBACK_URL }
  await openApp(page)
  await addClient(page, second)

  // The second client logs in; on the callback page the first one finds nothing of its own.
  await loginWithSecond(page, CALLBACK_URL)
  await addClient(page, second)
  expect(await completeOwnCallbacks(page)).toEqual({ second: 'pixie-demo' })
  expect(page.url()).toBe(CALLBACK_URL)
  expect(await stateOf(page, 'first')).toEqual({ status: 'unauthenticated' })

  // Then the first one logs in; the second keeps its session and takes nothing.
  await page.evaluate(() => window.pixieStart(() => window.pixie.auth.loginWithRedirect()))
  await page.waitForURL((u) => u.href.startsWith(`${CALLBACK_URL}?`), { timeout: 10_000 })
  await waitForHarness(page)
  await addClient(page, second)
  expect(await completeOwnCallbacks(page)).toEqual({ first: 'pixie-e2e' })
  expect(page.url()).toBe(CALLBACK_URL)

  expect(await stateOf(page, 'first')).toMatchObject({ status: 'authenticated', user: { aud: 'pixie-e2e' } })
  expect(await stateOf(page, 'second')).toMatchObject({ status: 'authenticated', user: { aud: 'pixie-demo' } })
  expect(await sessionKeys(page)).toEqual([`session:${PROVIDER}/#pixie-demo`, `session:${PROVIDER}/#pixie-e2e`])
  expect((await getStats()).tokenRequests.authorization_code).toBe(2)
})

test.describe("a hostile provider's metadata", () => {
  /** The attacker's server (provider B): its metadata points the browser at script. */
  const HOSTILE = 'http://127.0.0.1:4012'

  test('javascript: as authorization_endpoint or end_session_endpoint is config_error: no script runs in the app, A\'s session stays', async ({
    page,
  }) => {
    await page.route(`${HOSTILE}/.well-known/openid-configuration`, (route) =>
      route.fulfill({
        contentType: 'application/json',
        headers: { 'access-control-allow-origin': '*' },
        body: JSON.stringify({
          issuer: HOSTILE,
          authorization_endpoint: 'javascript:window.pwned=(window.pwned||[]).concat("login")//',
          token_endpoint: `${HOSTILE}/token`,
          end_session_endpoint: 'javascript:window.pwned=(window.pwned||[]).concat("logout")//',
          code_challenge_methods_supported: ['S256'],
        }),
      }),
    )
    await login(page)
    const sessionA = await sessionOf(page, PROVIDER)
    expect(sessionA).toMatchObject({ session: { user: { sub: USER_SUB } } })
    await addClient(page, { issuer: HOSTILE, clientId: 'pixie-e2e', redirectUri: OTHER_CALLBACK_URL })
    const outcomes = await page.evaluate(async () => {
      const second = (window as unknown as { second: typeof window.pixie.auth }).second
      const login = await window.pixieTry(() => second.loginWithRedirect())
      const logout = await window.pixieTry(() => second.logout())
      // A javascript: navigation runs in a later task: give it time to run before looking.
      await new Promise((resolve) => setTimeout(resolve, 500))
      return { login, logout, pwned: (window as unknown as { pwned?: string[] }).pwned ?? [] }
    })
    expect(outcomes.pwned).toEqual([])
    expect(outcomes.login).toMatchObject({ ok: false, error: { isAuthError: true, code: 'config_error' } })
    expect(outcomes.logout).toMatchObject({ ok: false, error: { isAuthError: true, code: 'config_error' } })
    if (!outcomes.login.ok) expect(outcomes.login.error.message).toContain('authorization_endpoint')
    expect(page.url()).toBe(`${APP}/callback.html`)
    expect(await sessionOf(page, PROVIDER)).toEqual(sessionA)
    expect(await sessionOf(page, HOSTILE), "the hostile client's logout stored only its deletion").toEqual({ version: expect.any(Number) })
  })
})

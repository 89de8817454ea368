// Mix-up (RFC 9700 §4.4, RFC 9207): the app also logs in with a second provider, B, the attacker's
// (or a compromised tenant's), which leaves out `iss`. The attacker gets a code from B and has the
// browser deliver it to the app's client A: at A's redirect URI with B's response, with A's own
// state but B's `iss`, or with A's state at a redirect URI that is not the login's. Each is refused,
// the code is never sent to any token endpoint, and A's existing session stays as it was.
import type { Page } from '@playwright/test'
import { CALLBACK_URL, OTHER_CALLBACK_URL, USER_SUB, expect, getState, login, readIdb, test, waitForHarness } from '../helpers'
import { OP, test as opTest, login as opLogin } from '../oidc-provider/fixtures'
import { startMockProvider, type MockProvider } from '../provider/mock-provider.mjs'
import { NAMESPACE, sessionKeyOf } from './attacker'

type Second = { second: typeof window.pixie.auth }

/** Adds client B (provider B, its own redirect URI) to the harness page, as an app with two providers has. */
async function addClientB(page: Page, providerB: MockProvider) {
  await page.evaluate((issuer) => {
    ;(window as unknown as Second).second = window.pixie.createAuthClient({ issuer, clientId: 'pixie-e2e', redirectUri: 'http://localhost:5173/other-callback.html' })
  }, providerB.url)
}

/** A code from B: B's login, run by the attacker in the user's browser, lands at B's redirect URI. */
async function codeFromB(page: Page, providerB: MockProvider) {
  await addClientB(page, providerB)
  await page.evaluate(() => window.pixieStart(() => (window as unknown as Second).second.loginWithRedirect()))
  await page.waitForURL((url) => url.href.startsWith(`${OTHER_CALLBACK_URL}?`), { timeout: 10_000 })
  const response = new URL(page.url())
  expect(response.searchParams.has('iss'), 'B sends no iss').toBe(false)
  return response
}

/** A's next login goes as far as its authorization request, which the attacker stops: A's state. */
async function stateOfANewLogin(page: Page, authorizationEndpoint: string) {
  await page.route(`${authorizationEndpoint}?**`, (route) => route.abort())
  const request = page.waitForRequest((r) => r.url().startsWith(`${authorizationEndpoint}?`), { timeout: 10_000 })
  await page.evaluate(() => window.pixieStart(() => window.pixie.auth.loginWithRedirect()))
  const state = new URL((await request).url()).searchParams.get('state')
  await page.unroute(`${authorizationEndpoint}?**`)
  expect(state).toEqual(expect.any(String))
  return state!
}

/** The browser lands at `url`, and A handles it as its callback. */
async function deliverToA(page: Page, url: string) {
  await page.goto(url)
  await waitForHarness(page)
  return page.evaluate((href) => window.pixieTry(() => window.pixie.auth.handleRedirectCallback(href)), url)
}

/** Every token request the page sends, to any server: none of the forged responses may cause one. */
function recordTokenRequests(page: Page) {
  const sent: string[] = []
  page.on('request', (request) => {
    if (request.method() === 'POST' && /\/token(\?|$)/.test(request.url())) sent.push(request.url())
  })
  return sent
}

/** The three deliveries, each refused with its code unredeemed, A's session unchanged throughout. */
async function expectMixUpsRefused(page: Page, a: { namespace: string; authorizationEndpoint: string; sub: string }, providerB: MockProvider) {
  const stored = async () => (await readIdb(page)).find(({ key }) => key === sessionKeyOf(a.namespace))?.value
  const before = await stored()
  expect(before, "A's session").toMatchObject({ session: { user: { sub: a.sub } } })
  const response = await codeFromB(page, providerB)
  const code = response.searchParams.get('code')!
  const tokenRequests = recordTokenRequests(page)

  // 1. B's whole response (B's state, no iss) at A's redirect URI.
  const atA = await deliverToA(page, `${CALLBACK_URL}${response.search}`)
  expect(atA, "B's response at A's redirect URI").toMatchObject({ ok: false, error: { isAuthError: true } })

  // 2. A's own state, with B's code and B's issuer as iss.
  const stateA = await stateOfANewLogin(page, a.authorizationEndpoint)
  const wrongIss = await deliverToA(page, `${CALLBACK_URL}?${new URLSearchParams({ code, state: stateA, iss: providerB.url })}`)
  expect(wrongIss, "A's state with B's iss").toMatchObject({ ok: false, error: { isAuthError: true, code: 'invalid_response' } })

  // 3. A's own state and issuer, with B's code, at a redirect URI that is not the one A's login used.
  const stateA2 = await stateOfANewLogin(page, a.authorizationEndpoint)
  const issA = new URL(a.authorizationEndpoint).origin
  const wrongUri = await deliverToA(page, `${OTHER_CALLBACK_URL}?${new URLSearchParams({ code, state: stateA2, iss: issA })}`)
  expect(wrongUri, "A's response at another redirect URI").toMatchObject({ ok: false, error: { isAuthError: true } })

  expect(tokenRequests, 'token requests caused by the forged responses').toEqual([])
  expect(providerB.state.statsSnapshot().tokenRequests.total, "B's code redeemed at B").toBe(0)
  expect(await stored(), "A's stored session").toEqual(before)
  await page.goto(CALLBACK_URL.replace('callback.html', ''))
  await waitForHarness(page)
  await page.evaluate(() => window.pixie.auth.isAuthenticated())
  expect(await getState(page)).toMatchObject({ status: 'authenticated', user: { sub: a.sub } })
}

let providerB: MockProvider
test.beforeAll(async () => {
  providerB = await startMockProvider({ port: 0, config: { autoApprove: true, includeIss: false } })
})
test.afterAll(() => providerB?.close())
test.beforeEach(() => providerB.state.reset({ autoApprove: true, includeIss: false }))

test('Bearer: a second provider\'s code delivered to A (at its redirect URI, with a wrong iss, at the wrong redirect URI) is refused, never redeemed; the session stays', async ({
  page,
}) => {
  await login(page)
  await expectMixUpsRefused(page, { namespace: NAMESPACE.mock, authorizationEndpoint: 'http://127.0.0.1:4010/authorize', sub: USER_SUB }, providerB)
})

opTest.describe('dpop()', () => {
  opTest.use({ appConfig: { dpop: true } })

  opTest("a second provider's code delivered to the dpop() client (at its redirect URI, with a wrong iss, at the wrong redirect URI) is refused, never redeemed; the session stays", async ({
    page,
  }) => {
    await opLogin(page)
    await expectMixUpsRefused(page, { namespace: NAMESPACE.op, authorizationEndpoint: `${OP}/auth`, sub: 'ada' }, providerB)
  })
})

// The start-up hint in localStorage: a reload knows the auth state at once, while IndexedDB (whose
// first connection takes milliseconds) confirms it; a logout in another tab is never answered with
// "authenticated".
import type { Page } from '@playwright/test'
import { APP_CONFIG_KEY, CLIENT_ID, PROVIDER, USER_SUB, expect, login, openApp, settledState, test, waitForHarness } from './helpers'

const hintKey = `pixie-auth:signed-in:${PROVIDER}/#${CLIENT_ID}`

const startUp = (page: Page) =>
  page.evaluate(() => ({
    states: window.pixieStates as { status: string; user?: { sub: string } }[],
    times: window.pixieStateTimes,
    atSubscribe: window.pixieStatesAtSubscribe,
    localStorage: Object.fromEntries(Object.entries(localStorage)),
  }))

async function reload(page: Page) {
  await page.reload()
  await waitForHarness(page)
  await settledState(page)
  return startUp(page)
}

test.describe('the start-up hint', () => {
  test.use({ providerConfig: { autoApprove: true } })

  test('a reload with a stored session is authenticated at once, then IndexedDB fills the user', async ({ page }) => {
    await login(page)
    const { states, times, atSubscribe, localStorage } = await reload(page)

    // Known within subscribe() itself, before IndexedDB answered: no user yet (the hint has no claims),
    // and unconfirmed (anyone on the origin can write the hint) until IndexedDB answers.
    expect(atSubscribe).toBe(1)
    expect(states[0]).toEqual({ status: 'authenticated', unconfirmed: true })
    expect(states[1]).toMatchObject({ status: 'authenticated', user: { sub: USER_SUB } })
    expect(states).toHaveLength(2)
    console.log(`first state ${times[0].toFixed(1)} ms, IndexedDB's ${times[1].toFixed(1)} ms after navigation start`)
    expect(times[0]).toBeLessThan(times[1])

    // All the SDK keeps in localStorage: one flag, nothing secret.
    const { [APP_CONFIG_KEY]: _, ...sdkKeys } = localStorage
    expect(sdkKeys).toEqual({ [hintKey]: '1' })
  })

  test('after a logout in tab B, reloading tab A is unauthenticated at once, never authenticated', async ({ page, context }) => {
    await login(page)
    const tabB = await context.newPage()
    await openApp(tabB)
    expect((await settledState(tabB)).status).toBe('authenticated')
    await tabB.evaluate(() => window.pixie.auth.logout({ localOnly: true }))
    await tabB.close()

    const { states, atSubscribe, localStorage } = await reload(page)
    expect(atSubscribe).toBe(1)
    expect(states.map((state) => state.status)).toEqual(['unauthenticated'])
    expect(localStorage[hintKey]).toBe('0')
  })
})

/**
 * Before any script of the page: reports on the console, once each, when the status first reads
 * `authenticated` (the hint was taken) and when the protected page's content is first added to the
 * DOM, even if it were removed again before anything else looked.
 */
function watchForProtectedContent() {
  const seen = new Set<string>()
  const report = (what: string) => {
    if (seen.has(what)) return
    seen.add(what)
    console.log(`probe:${what}`)
  }
  new MutationObserver((records) => {
    if (document.getElementById('status')?.textContent === 'authenticated') report('hinted')
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node instanceof Element && (node.id === 'user-claims' || node.querySelector('#user-claims'))) report('protected')
      }
    }
  }).observe(document, { childList: true, subtree: true, characterData: true })
}

for (const [name, origin] of [
  ['React', 'http://localhost:5175'],
  ['Vue', 'http://localhost:5176'],
] as const) {
  test.describe(`the start-up hint in the ${name} example`, () => {
    test.use({ providerConfig: { autoApprove: false } })

    test("a forged '1' with no session never renders the protected route: it logs in first", async ({ page }) => {
      await page.goto(`${origin}/`)
      await expect(page.locator('#status')).toHaveText('unauthenticated')
      // A script that ran once on the origin: the SDK's namespace is the issuer and client id.
      await page.evaluate(() => localStorage.setItem('pixie-auth:signed-in:http://127.0.0.1:4010/#pixie-demo', '1'))
      const probes: string[] = []
      page.on('console', (message) => {
        if (message.text().startsWith('probe:')) probes.push(message.text().slice(6))
      })
      await page.addInitScript(watchForProtectedContent)

      await page.goto(`${origin}/protected`)
      await page.waitForURL((url) => url.origin === PROVIDER)
      // The forged hint was taken (the layout drew as signed in), and the protected content never came.
      expect(probes).toEqual(['hinted'])

      // The same probe sees the protected content once a real login gave a session.
      await page.locator('#approve').click()
      await page.waitForURL(`${origin}/protected`)
      await expect(page.locator('#user-claims')).toBeVisible()
      expect(probes).toContain('protected')
    })
  })
}

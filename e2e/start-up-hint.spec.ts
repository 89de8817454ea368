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

    // Known within subscribe() itself, before IndexedDB answered: no user yet (the hint has no claims).
    expect(atSubscribe).toBe(1)
    expect(states[0]).toEqual({ status: 'authenticated' })
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

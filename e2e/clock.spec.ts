// Sleep, wake and wrong clocks: expiry is counted on the browser's clock from arrival, ID token times
// are judged by the server's clock, and nothing waits for a background timer to have fired.
import type { Page } from '@playwright/test'
import { expect, getAccessToken, getStats, login, openApp, requireSession, setProviderConfig, test } from './helpers'

test.use({
  providerConfig: { autoApprove: true, accessTokenTtl: 60, idTokenTtl: 300 },
  appConfig: { refreshLeewaySeconds: 0 },
})

const hours = (n: number) => n * 3_600_000

/** Many calls at once, as several parts of an app waking up would make. */
const concurrentTokens = (page: Page, calls: number) =>
  page.evaluate((n) => Promise.all(Array.from({ length: n }, () => window.pixieTry(() => window.pixie.auth.getAccessToken()))), calls)

test('after the machine sleeps past expiry, the first calls refresh exactly once and never return the stale token', async ({ page }) => {
  await page.clock.install()
  await login(page)
  const before = await requireSession(page)

  // Two hours of sleep: the page's clock and the server's both move on; no timer ran meanwhile.
  await page.clock.fastForward(hours(2))
  await setProviderConfig({ clockOffsetSeconds: 7_200 })

  const results = await concurrentTokens(page, 10)
  const tokens = new Set(results.map((result) => (result.ok ? result.value : JSON.stringify(result.error))))
  expect(tokens.size).toBe(1)
  const [token] = tokens
  expect(token).not.toBe(before.accessToken)
  expect(token).toBe((await requireSession(page)).accessToken)
  expect((await getStats()).tokenRequests.refresh_token).toBe(1)
})

for (const [name, offset] of [
  ['ahead of', hours(5)],
  ['behind', -hours(5)],
] as const) {
  test(`a browser clock 5 hours ${name} the server's: login succeeds, and so does the refresh`, async ({ page }) => {
    await page.clock.install({ time: Date.now() + offset })
    await openApp(page)
    const { user } = await login(page)
    expect(user.sub).toBeTruthy()
    const first = await requireSession(page)

    // Past the access token's lifetime on the page's clock: the server's clock agrees with Node's.
    await page.clock.fastForward(61_000)
    const refreshed = await getAccessToken(page)
    expect(refreshed).toMatchObject({ ok: true })
    expect(refreshed.ok && refreshed.value).not.toBe(first.accessToken)
    expect((await getStats()).tokenRequests.refresh_token).toBe(1)
  })
}

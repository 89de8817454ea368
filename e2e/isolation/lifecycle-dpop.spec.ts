// Token isolation with dpop() (oidc-provider, DPoP nonces required): the worker keeps the session in
// IndexedDB, bound to its non-extractable key, so it survives reloads, closed tabs and restarts.
import { getAccessToken, openApp, settledState } from '../helpers'
import { OP, expect, login, test } from '../oidc-provider/fixtures'
import { killSharedWorkers, reloadOneOfTwoTabs, sessionScopeOf, withProfile } from './probe'

const appConfig = { isolation: true, dpop: true }
test.use({ appConfig })

test('reload of one of two tabs, then every tab closed and a new one: still authenticated; sessionScope is browser', async ({ page, context, browser }) => {
  await login(page)
  const other = await reloadOneOfTwoTabs(page, context)
  expect(await sessionScopeOf(page)).toBe('browser')
  await page.close()
  await other.close()
  // Not only the worker's extended lifetime: a new worker reads the session from IndexedDB.
  await killSharedWorkers(browser)
  const fresh = await context.newPage()
  await openApp(fresh)
  expect((await settledState(fresh)).status).toBe('authenticated')
  const token = await getAccessToken(fresh)
  expect(token.ok, JSON.stringify(token)).toBe(true)
})

test('browser restart keeps the DPoP session', async ({ playwright }, testInfo) => {
  await withProfile(playwright.chromium, testInfo, { issuer: OP, ...appConfig }, async (launch) => {
    const first = await launch()
    const page = first.pages()[0] ?? (await first.newPage())
    await login(page)
    await first.close()
    const second = await launch()
    const again = second.pages()[0] ?? (await second.newPage())
    await openApp(again)
    expect((await settledState(again)).status).toBe('authenticated')
    const token = await getAccessToken(again)
    expect(token.ok, JSON.stringify(token)).toBe(true)
    await second.close()
  })
})

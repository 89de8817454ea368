// Token isolation: the SharedWorker killed (CDP) while its pages live. The pages notice within
// seconds, requests under way reject instead of hanging, and a new worker takes over: Bearer
// sessions are gone with the old worker's memory, DPoP sessions come back from IndexedDB.
import type { Page } from '@playwright/test'
import { expect as mockExpect, getAccessToken, getState, injectFault, login as mockLogin, openApp, settledState, sleep, test as mockTest } from '../helpers'
import { expect as opExpect, login as opLogin, test as opTest } from '../oidc-provider/fixtures'
import { killSharedWorkers, sharedWorkerTargets } from './probe'

/** How long after `since` the page's client published `status` (ms), waiting at most `withinMs`. */
async function timeUntilStatus(page: Page, status: string, since: number, withinMs: number): Promise<number> {
  await page.waitForFunction((wanted) => (window.pixieStates.at(-1) as { status?: string } | undefined)?.status === wanted, status, {
    timeout: withinMs,
  })
  return Date.now() - since
}

mockTest.describe('Bearer', () => {
  mockTest.use({ appConfig: { isolation: true }, providerConfig: { autoApprove: true, accessTokenTtl: 2 } })

  mockTest('pages notice, a request under way rejects network_error, and a new worker serves them unauthenticated', async ({ page, context, browser }) => {
    await mockLogin(page)
    const other = await context.newPage()
    await openApp(other)
    mockExpect((await settledState(other)).status).toBe('authenticated')
    const [old] = await sharedWorkerTargets(browser)
    // A refresh (the token is stale after a second) that the provider holds for 10 s: under way when the worker dies.
    await sleep(1_200)
    await injectFault({ endpoint: 'token', grantType: 'refresh_token', type: 'delay', delayMs: 10_000 })
    const pendingStart = Date.now()
    const pending = page
      .evaluate(() => window.pixieTry(() => window.pixie.auth.getAccessToken()))
      .then((result) => ({ result, at: Date.now() }))
    await page.waitForTimeout(300)
    const killedAt = Date.now()
    mockExpect(await killSharedWorkers(browser)).toBe(1)
    const { result, at } = await pending
    const rejectedAfter = at - killedAt
    mockExpect(result.ok ? 'a token' : result.error.code).toBe('network_error')
    mockExpect(rejectedAfter, 'ms from the kill to the rejection').toBeLessThan(5_000)
    mockExpect(at - pendingStart).toBeLessThan(9_000)
    const noticed = await Promise.all([page, other].map((each) => timeUntilStatus(each, 'unauthenticated', killedAt, 5_000)))
    mockTest.info().annotations.push({ type: 'worker death', description: `rejected after ${rejectedAfter} ms; unauthenticated after ${noticed} ms` })
    // Both pages, together (they probe the worker at once), within seconds of the kill.
    mockExpect(Math.max(...noticed), 'ms from the kill until both pages were unauthenticated').toBeLessThan(5_000)
    const token = await getAccessToken(other)
    mockExpect(token.ok ? 'a token' : token.error.code).toBe('login_required')
    const [replacement] = await sharedWorkerTargets(browser)
    mockExpect(replacement?.targetId).toBeTruthy()
    mockExpect(replacement?.targetId).not.toBe(old?.targetId)
  })
})

opTest.describe('DPoP', () => {
  opTest.use({ appConfig: { isolation: true, dpop: true } })

  opTest('pages reconnect to a new worker and stay authenticated', async ({ page, browser }) => {
    await opLogin(page)
    const before = await getAccessToken(page)
    opExpect(before.ok).toBe(true)
    const states = await page.evaluate(() => window.pixieStates.length)
    opExpect(await killSharedWorkers(browser)).toBe(1)
    const killedAt = Date.now()
    // A new worker answers within seconds (its generation differs: the page did reconnect).
    await opExpect.poll(async () => (await sharedWorkerTargets(browser)).length, { timeout: 5_000 }).toBe(1)
    const token = await getAccessToken(page)
    opExpect(token.ok, JSON.stringify(token)).toBe(true)
    opExpect(Date.now() - killedAt).toBeLessThan(5_000)
    opExpect((await getState(page)).status).toBe('authenticated')
    opTest.info().annotations.push({ type: 'states after the kill', description: JSON.stringify(await page.evaluate((n) => window.pixieStates.slice(n), states)) })
  })
})

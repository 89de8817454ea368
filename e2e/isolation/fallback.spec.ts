// Token isolation where there is no SharedWorker (as Chrome on Android): each tab runs a dedicated
// Worker. Bearer sessions are that tab's alone and stored nowhere; DPoP's are shared through IndexedDB.
import type { BrowserContext } from '@playwright/test'
import { issuedRefreshTokens } from '../control'
import { expect as mockExpect, getAccessToken, login as mockLogin, openApp, settledState, sleep, test as mockTest } from '../helpers'
import { expect as opExpect, login as opLogin, test as opTest } from '../oidc-provider/fixtures'
import { dumpOriginStorage, encodingsFound, sessionScopeOf } from './probe'

const withoutSharedWorker = (context: BrowserContext) =>
  context.addInitScript(() => {
    delete (globalThis as { SharedWorker?: unknown }).SharedWorker
  })

mockTest.describe('Bearer', () => {
  mockTest.use({ appConfig: { isolation: true }, providerConfig: { autoApprove: true, accessTokenTtl: 2 } })

  mockTest('a dedicated worker per tab: the session is this tab’s, nothing stored', async ({ context, page }) => {
    await withoutSharedWorker(context)
    await mockLogin(page)
    mockExpect(await page.evaluate(() => typeof SharedWorker)).toBe('undefined')
    mockExpect(page.workers().length, 'dedicated workers of the tab').toBeGreaterThan(0)
    mockExpect(await sessionScopeOf(page)).toBe('this-tab')
    // A refresh (the token is stale after a second), so the worker has held a rotated token too.
    await sleep(1_200)
    mockExpect((await getAccessToken(page)).ok).toBe(true)
    const other = await context.newPage()
    await openApp(other)
    mockExpect((await settledState(other)).status).toBe('unauthenticated')
    mockExpect((await settledState(page)).status).toBe('authenticated')
    const readable = (await page.evaluate(dumpOriginStorage)) + JSON.stringify(await context.cookies())
    const tokens = await issuedRefreshTokens()
    mockExpect(tokens.length).toBeGreaterThanOrEqual(2)
    mockExpect(tokens.flatMap((token) => encodingsFound(readable, token))).toEqual([])
  })
})

opTest.describe('DPoP', () => {
  opTest.use({ appConfig: { isolation: true, dpop: true } })

  opTest('a dedicated worker per tab: the session is shared through IndexedDB', async ({ context, page }) => {
    await withoutSharedWorker(context)
    await opLogin(page)
    opExpect(page.workers().length).toBeGreaterThan(0)
    opExpect(await sessionScopeOf(page)).toBe('browser')
    const other = await context.newPage()
    await openApp(other)
    opExpect((await settledState(other)).status).toBe('authenticated')
    const token = await getAccessToken(other)
    opExpect(token.ok, JSON.stringify(token)).toBe(true)
  })
})

// The stored session under attack from the browser itself: an IndexedDB that fails at the wrong
// moment, and tabs whose writes reach the others out of order.
import type { Page } from '@playwright/test'
import {
  expect,
  getAccessToken,
  getState,
  getStats,
  goToCallback,
  handleCallback,
  injectFault,
  isAuthenticated,
  login,
  openApp,
  readSession,
  readSessionRecord,
  requireSession,
  setProviderConfig,
  settledState,
  test,
  waitForHarness,
  USER_SUB,
} from './helpers'

/**
 * Makes the page's next `failures` IndexedDB transactions throw, as a broken connection does,
 * after letting the first `spared` through.
 */
async function breakIndexedDb(page: Page, failures: number, spared = 0) {
  await page.evaluate(([count, skip]) => {
    const original = IDBDatabase.prototype.transaction
    let left = count
    let spare = skip
    const scope = window as unknown as { restoreIndexedDb: () => void }
    scope.restoreIndexedDb = () => void (IDBDatabase.prototype.transaction = original)
    IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase["transaction"]>) {
      if (spare-- <= 0 && left-- > 0) throw new DOMException('simulated failure', 'UnknownError')
      return original.apply(this, args)
    } as IDBDatabase['transaction']
  }, [failures, spared] as const)
}

const logoutLocally = (page: Page) =>
  page.evaluate(() => window.pixieTry(() => window.pixie.auth.logout({ localOnly: true })))

test.describe('logout removes the session from every store', () => {
  // 1: the logout's own read fails, and a fresh connection serves it.
  // 2: the fresh connection fails too, and the page falls back to memory for the rest of its life;
  //    the deletion still reaches IndexedDB on a connection of its own.
  for (const failures of [1, 2]) {
    test(`after ${failures} IndexedDB failure(s), logout still deletes the IndexedDB copy: a reload is signed out`, async ({ page }) => {
      await login(page)
      await requireSession(page)
      await breakIndexedDb(page, failures)
      expect(await logoutLocally(page)).toEqual({ ok: true })
      expect((await getState(page)).status).toBe('unauthenticated')
      expect((await getStats()).revocations).toBe(1)

      await page.reload()
      await waitForHarness(page)
      expect(await readSession(page)).toBeUndefined()
      expect((await settledState(page)).status).toBe('unauthenticated')
      expect(await isAuthenticated(page)).toBe(false)
    })
  }

  test('when IndexedDB keeps failing, logout clears memory and revokes, then rejects with storage_error', async ({ page }) => {
    await login(page)
    const session = await requireSession(page)
    await breakIndexedDb(page, 1000)
    const result = await logoutLocally(page)
    expect(result).toMatchObject({ ok: false, error: { isAuthError: true, code: 'storage_error' } })
    // Before rejecting: this page forgot the session and the server revoked the refresh token.
    expect((await getState(page)).status).toBe('unauthenticated')
    expect(await getAccessToken(page)).toMatchObject({ ok: false, error: { code: 'login_required' } })
    expect((await getStats()).revocations).toBe(1)
    // What the rejection warns about: the record is still in IndexedDB.
    await page.evaluate(() => (window as unknown as { restoreIndexedDb: () => void }).restoreIndexedDb())
    expect((await readSession(page))?.accessToken).toBe(session.accessToken)
  })
})

test.describe('a broken IndexedDB connection is not a missing IndexedDB', () => {
  test('one failed IndexedDB transaction does not sign the tab out: the refresh reads the session again on a fresh connection', async ({ page }) => {
    await login(page)
    const before = await requireSession(page)
    await breakIndexedDb(page, 1)
    const refreshed = await getAccessToken(page, { forceRefresh: true })
    expect(refreshed).toMatchObject({ ok: true })
    expect(refreshed).not.toEqual({ ok: true, value: before.accessToken })
    // Stored where a reload finds it, with the rotated refresh token.
    const after = await requireSession(page)
    expect(after.accessToken).toBe((refreshed as { value: string }).value)
    expect(after.refreshToken).not.toBe(before.refreshToken)
    expect((await getState(page)).status).toBe('authenticated')
  })
})

test.describe('tabs order sessions by the version written under the lock', () => {
  test('a login that waited behind another tab’s refresh replaces the previous user in every tab', async ({ page, context }) => {
    // Tab B is signed in as Ada; tab C watches.
    const tabB = await context.newPage()
    await login(tabB)
    const tabC = await context.newPage()
    await openApp(tabC)
    expect((await settledState(tabC)).user?.sub).toBe(USER_SUB)
    const channelLog = await listenToTabs(tabC)

    // Tab A (page) comes back from a login as Bob, not yet redeemed.
    await setProviderConfig({ user: { sub: 'user-bob', name: 'Bob', email: 'bob@example.com' } })
    await goToCallback(page, { authorizationParams: { prompt: 'login' } })

    // Tab B refreshes, slowly, holding the lock; tab A waits for the lock before it redeems its code.
    // (Versions order the writes whatever the clocks say: see the next test.)
    await injectFault({ endpoint: 'token', grantType: 'refresh_token', type: 'delay', delayMs: 1500 })
    await tabB.evaluate(() => window.pixieStart(() => window.pixie.auth.getAccessToken({ forceRefresh: true })))
    await expect.poll(() => heldLocks(tabB), { timeout: 5_000 }).toHaveLength(1)
    const result = await handleCallback(page)
    expect(result).toMatchObject({ ok: true, value: { user: { sub: 'user-bob' } } })

    // Ada's refresh is written first, then Bob's login: it redeemed its code only once it had the lock.
    // The channel carries each write's version and nothing else: no token, no user.
    const messages = await channelLog()
    expect(messages).toEqual([{ version: expect.any(Number) }, { version: expect.any(Number) }])

    const stored = await readSessionRecord(page)
    expect(stored?.session?.user).toMatchObject({ sub: 'user-bob' })
    for (const tab of [page, tabB, tabC]) {
      await expect.poll(async () => (await getState(tab)).user?.sub, { timeout: 5_000 }).toBe('user-bob')
      expect(await getAccessToken(tab)).toEqual({ ok: true, value: stored!.session!.accessToken })
    }
    expect(messages[1]!.version).toBeGreaterThan(messages[0]!.version)
  })

  test('a refresh written after the clock went back still replaces the session in every tab', async ({ page, context }) => {
    await setProviderConfig({ accessTokenTtl: 600 })
    await login(page)
    const other = await context.newPage()
    await openApp(other)
    const before = await requireSession(page)
    expect((await settledState(other)).status).toBe('authenticated')

    // The computer's clock is set back 30 s (an NTP correction, a user) before this tab refreshes:
    // the new session's receivedAt is older than the one the other tab holds.
    await page.evaluate(() => {
      const now = Date.now
      Date.now = () => now() - 30_000
    })
    expect(await getAccessToken(page, { forceRefresh: true })).toMatchObject({ ok: true })
    const after = await requireSession(page)
    expect(after.accessToken).not.toBe(before.accessToken)
    expect(after.receivedAt as number).toBeLessThan(before.receivedAt as number)

    // The other tab takes it (a higher version), rather than keep a token whose refresh token is spent.
    await expect.poll(() => getAccessToken(other), { timeout: 5_000 }).toEqual({ ok: true, value: after.accessToken })
    expect((await getStats()).tokenRequests.refresh_token).toBe(1)
  })
})

test.describe('versions survive storage that loses them', () => {
  test('after the browser wipes IndexedDB, a login and a logout in a new tab reach the tabs already open', async ({ page, context }) => {
    // Ada, signed in and refreshed once: this tab has seen version 2.
    await login(page)
    expect(await getAccessToken(page, { forceRefresh: true })).toMatchObject({ ok: true })
    const ada = await requireSession(page)

    // The browser clears the site's IndexedDB under the open tab (Safari's 7-day rule, "clear site data").
    const cdp = await context.newCDPSession(page)
    await cdp.send('Storage.clearDataForOrigin', { origin: new URL(page.url()).origin, storageTypes: 'indexeddb' })
    await cdp.detach()

    // A new tab finds nothing stored and logs in as Bob: every open tab must take Bob, not keep Ada.
    const other = await context.newPage()
    await setProviderConfig({ user: { sub: 'user-bob', name: 'Bob', email: 'bob@example.com' } })
    await login(other, { authorizationParams: { prompt: 'login' } })
    const bob = await requireSession(other)
    await expect.poll(async () => (await getState(page)).user?.sub, { timeout: 5_000 }).toBe('user-bob')
    expect(await getAccessToken(page)).toEqual({ ok: true, value: bob.accessToken })

    // And Bob's logout there signs this tab out: it never serves Ada's or Bob's token again.
    expect(await logoutLocally(other)).toEqual({ ok: true })
    await expect.poll(async () => (await getState(page)).status, { timeout: 5_000 }).toBe('unauthenticated')
    const after = await getAccessToken(page)
    expect(after).toMatchObject({ ok: false, error: { code: 'login_required' } })
    expect(JSON.stringify(after)).not.toContain(ada.accessToken as string)
  })

  test('a tab that fell back to memory and refreshed there is signed out by a logout in a tab opened later', async ({ page, context }) => {
    await login(page)
    // This tab comes back from a second login and loses IndexedDB for good before redeeming it:
    // that login and its refreshes are written to its memory only, with versions no other tab read.
    await goToCallback(page, { authorizationParams: { prompt: 'login' } })
    await settledState(page)
    // The login transaction is still taken from IndexedDB; from the session write on, it fails.
    await breakIndexedDb(page, 1000, 1)
    expect(await handleCallback(page)).toMatchObject({ ok: true })
    for (let i = 0; i < 2; i++) expect(await getAccessToken(page, { forceRefresh: true })).toMatchObject({ ok: true })

    // A tab opened afterwards reads the first login's record from IndexedDB, and logs out.
    const other = await context.newPage()
    await openApp(other)
    expect((await settledState(other)).status).toBe('authenticated')
    expect(await logoutLocally(other)).toEqual({ ok: true })

    await expect.poll(async () => (await getState(page)).status, { timeout: 5_000 }).toBe('unauthenticated')
    expect(await getAccessToken(page)).toMatchObject({ ok: false, error: { code: 'login_required' } })
  })

  test('a tab that fell back to memory signs out at news it cannot read: no tab message carries a session', async ({ page, context }) => {
    await setProviderConfig({ accessTokenTtl: 600 })
    await login(page)
    // As above: this tab's login and refresh are written to its memory only.
    await goToCallback(page, { authorizationParams: { prompt: 'login' } })
    await settledState(page)
    await breakIndexedDb(page, 1000, 1)
    expect(await handleCallback(page)).toMatchObject({ ok: true })
    expect(await getAccessToken(page, { forceRefresh: true })).toMatchObject({ ok: true })

    // Bob logs in in another tab: the message says only that a newer record exists, which this tab
    // cannot read. It drops its own session rather than keep one that is no longer the newest.
    const other = await context.newPage()
    await openApp(other)
    await setProviderConfig({ user: { sub: 'user-bob', name: 'Bob', email: 'bob@example.com' } })
    await login(other, { authorizationParams: { prompt: 'login' } })
    await expect.poll(async () => (await getState(page)).status, { timeout: 5_000 }).toBe('unauthenticated')
    expect(await getAccessToken(page)).toMatchObject({ ok: false, error: { code: 'login_required' } })
    // Once IndexedDB works again, a reload takes Bob's session from it.
    await page.evaluate(() => (window as unknown as { restoreIndexedDb: () => void }).restoreIndexedDb())
    await page.reload()
    await waitForHarness(page)
    expect((await settledState(page)).user?.sub).toBe('user-bob')
    expect(await getAccessToken(page)).toEqual(await getAccessToken(other))
  })
})

interface TabMessageSeen {
  version: number
}

/** Records what the SDK's tabs broadcast, as another listener on the client's channel in `tab`. */
async function listenToTabs(tab: Page): Promise<() => Promise<TabMessageSeen[]>> {
  await tab.evaluate(() => {
    const { issuer, clientId } = window.pixie.config
    const channel = new BroadcastChannel(`pixie-auth:${new URL(issuer).href}#${clientId}`)
    const seen: unknown[] = []
    ;(window as unknown as { tabMessages: unknown[] }).tabMessages = seen
    channel.onmessage = (event) => seen.push(event.data)
  })
  return () => tab.evaluate(() => (window as unknown as { tabMessages: TabMessageSeen[] }).tabMessages)
}

const heldLocks = (tab: Page) => tab.evaluate(async () => (await navigator.locks.query()).held ?? [])

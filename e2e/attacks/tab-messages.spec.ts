// Attack scenario 2, persistent token theft, issue 18 finding 2: any document of the origin (a
// second page, an iframe, a script that ran once) can post on the SDK's BroadcastChannel, and a
// script that ran once can write any version into the stored record. Required: a message or stored
// record is validated for shape and range (versions are safe integers near now), a tab's own
// logout() is authoritative for it, and a bad stored version counts as none. The suite expects the
// design the lead chose: messages carry no tokens, only a version, after which tabs re-read IndexedDB.
import type { BrowserContext, Page } from '@playwright/test'
import {
  APP,
  PROVIDER,
  USER_SUB,
  expect,
  getAccessToken,
  getState,
  login,
  openApp,
  readSession,
  readSessionRecord,
  requireSession,
  settledState,
  sleep,
  test,
} from '../helpers'
import { OP, test as opTest, login as opLogin } from '../oidc-provider/fixtures'
import {
  BAD_VERSIONS,
  FORGED,
  NAMESPACE,
  postForged,
  tamperStoredRecord,
  type ForgedMessage,
  type ForgedVersion,
} from './attacker'

const ALL_VERSIONS: ForgedVersion[] = [...BAD_VERSIONS, 'now+1']

/** Time for a message to arrive and for a tab to act on it (re-reading IndexedDB included). */
const SETTLE_MS = 300

/** The attacker's page: a document of the app's origin that loads no SDK at all. */
async function attackerPage(context: BrowserContext) {
  const page = await context.newPage()
  await page.goto(`${APP}/silent-callback.html`)
  return page
}

/** What a tab holds: its state's status and user, and what getAccessToken() answers. */
async function holding(page: Page) {
  const state = await getState(page)
  const token = await getAccessToken(page)
  return { status: state.status, sub: state.user?.sub, token: token.ok ? token.value : token.error.code }
}

/** A stored version as the issue requires it: a safe integer within a day of now. */
function expectSaneVersion(version: unknown, what: string) {
  expect(Number.isSafeInteger(version), `${what}: ${String(version)} is a safe integer`).toBe(true)
  expect(Math.abs((version as number) - Date.now()), `${what}: ${String(version)} is near now`).toBeLessThan(86_400_000)
}

test.describe('Bearer', () => {
  test('forged session messages (Infinity, NaN, 1e300, a string, now+1): no tab adopts the attacker\'s tokens or user', async ({
    page,
    context,
  }) => {
    await login(page)
    const own = await holding(page)
    expect(own).toMatchObject({ status: 'authenticated', sub: USER_SUB })
    const attacker = await attackerPage(context)

    for (const version of ALL_VERSIONS) {
      await postForged(attacker, NAMESPACE.mock, PROVIDER, 'bearer', [{ type: 'session', version }])
      await sleep(SETTLE_MS)
      expect(await holding(page), `the tab after a forged session with version ${version}`).toEqual(own)
    }
    expect(JSON.stringify(await readSessionRecord(page)), 'the stored record').not.toContain(FORGED.accessToken)
  })

  test('a tab signed out stays signed out under forged session messages', async ({ page, context }) => {
    await openApp(page)
    expect(await settledState(page)).toMatchObject({ status: 'unauthenticated' })
    const attacker = await attackerPage(context)
    for (const version of ALL_VERSIONS) {
      await postForged(attacker, NAMESPACE.mock, PROVIDER, 'bearer', [{ type: 'session', version }])
      await sleep(SETTLE_MS)
      expect(await holding(page), `the tab after a forged session with version ${version}`).toEqual({
        status: 'unauthenticated',
        sub: undefined,
        token: 'login_required',
      })
    }
  })

  test('forged "ended" messages (any version) do not sign a tab out: it re-reads the stored session', async ({ page, context }) => {
    await login(page)
    const own = await holding(page)
    const attacker = await attackerPage(context)
    for (const version of ALL_VERSIONS) {
      await postForged(attacker, NAMESPACE.mock, PROVIDER, 'bearer', [{ type: 'ended', version }])
      await sleep(SETTLE_MS)
      expect(await holding(page), `the tab after a forged "ended" with version ${version}`).toEqual(own)
    }
  })

  test("a tab's own logout() leaves it signed out, whatever was forged before or after", async ({ page, context }) => {
    await login(page)
    const attacker = await attackerPage(context)
    const forgedSessions: ForgedMessage[] = ALL_VERSIONS.map((version) => ({ type: 'session', version }))
    await postForged(attacker, NAMESPACE.mock, PROVIDER, 'bearer', forgedSessions)
    await sleep(SETTLE_MS)

    expect(await page.evaluate(() => window.pixieTry(() => window.pixie.auth.logout({ localOnly: true })))).toEqual({ ok: true })
    const signedOut = { status: 'unauthenticated', sub: undefined, token: 'login_required' }
    expect(await holding(page), 'the tab once its logout() resolved').toEqual(signedOut)

    await postForged(attacker, NAMESPACE.mock, PROVIDER, 'bearer', forgedSessions)
    await sleep(SETTLE_MS)
    expect(await holding(page), 'the tab after forged sessions posted after its logout').toEqual(signedOut)
    expect(await readSession(page)).toBeUndefined()
  })

  test('after forged messages of every kind, a logout and a login in one tab still reach the others', async ({ page, context }) => {
    await login(page)
    const other = await context.newPage()
    await openApp(other)
    expect(await settledState(other)).toMatchObject({ status: 'authenticated', user: { sub: USER_SUB } })
    const attacker = await attackerPage(context)
    await postForged(attacker, NAMESPACE.mock, PROVIDER, 'bearer', [
      ...ALL_VERSIONS.map((version): ForgedMessage => ({ type: 'session', version })),
      ...BAD_VERSIONS.map((version): ForgedMessage => ({ type: 'ended', version })),
    ])
    await sleep(SETTLE_MS)

    await page.evaluate(() => window.pixie.auth.logout({ localOnly: true }))
    await expect.poll(() => holding(other), { message: 'the other tab after the logout', timeout: 3_000 }).toMatchObject({
      status: 'unauthenticated',
      token: 'login_required',
    })
    expectSaneVersion((await readSessionRecord(page))?.version, 'the version of the logout')

    await login(page)
    const { accessToken } = await requireSession(page)
    await expect.poll(() => holding(other), { message: 'the other tab after the new login', timeout: 3_000 }).toEqual({
      status: 'authenticated',
      sub: USER_SUB,
      token: accessToken,
    })
    expectSaneVersion((await readSessionRecord(page))?.version, 'the version of the login')
  })

  for (const version of BAD_VERSIONS) {
    test(`a stored record whose version is ${version} counts as having none: refreshes and logouts reach every tab`, async ({
      page,
      context,
    }) => {
      await login(page)
      // The script that ran once writes the version, then leaves; both tabs load after it.
      await tamperStoredRecord(page, NAMESPACE.mock, { version })
      await page.reload()
      const other = await context.newPage()
      await openApp(other)
      for (const tab of [page, other]) expect(await settledState(tab)).toMatchObject({ status: 'authenticated', user: { sub: USER_SUB } })

      const refreshed = await getAccessToken(page, { forceRefresh: true })
      expect(refreshed).toMatchObject({ ok: true })
      expectSaneVersion((await readSessionRecord(page))?.version, 'the version of the refresh')
      await expect
        .poll(() => getAccessToken(other), {
          message: 'the other tab after the refresh',
          timeout: 3_000,
        })
        .toEqual(refreshed)

      await page.evaluate(() => window.pixie.auth.logout({ localOnly: true }))
      expectSaneVersion((await readSessionRecord(page))?.version, 'the version of the logout')
      await expect.poll(async () => (await getState(other)).status, { message: 'the other tab after the logout', timeout: 3_000 }).toBe('unauthenticated')
    })
  }
})

opTest.describe('dpop()', () => {
  opTest.use({ appConfig: { dpop: true } })

  opTest('forged DPoP session messages: no dpop() tab adopts the attacker\'s tokens or user, and its logout() is final', async ({
    page,
    context,
  }) => {
    await opLogin(page)
    const own = await holding(page)
    expect(own).toMatchObject({ status: 'authenticated', sub: 'ada' })
    const attacker = await attackerPage(context)
    for (const version of ALL_VERSIONS) {
      await postForged(attacker, NAMESPACE.op, OP, 'dpop', [{ type: 'session', version }])
      await sleep(SETTLE_MS)
      expect(await holding(page), `the tab after a forged session with version ${version}`).toEqual(own)
    }
    expect(await page.evaluate(() => window.pixieTry(() => window.pixie.auth.logout({ localOnly: true })))).toEqual({ ok: true })
    await postForged(attacker, NAMESPACE.op, OP, 'dpop', [{ type: 'session', version: 'now+1' }])
    await sleep(SETTLE_MS)
    expect(await holding(page), 'the tab after its logout').toEqual({ status: 'unauthenticated', sub: undefined, token: 'login_required' })
  })
})

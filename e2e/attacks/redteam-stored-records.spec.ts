// Red team (issue 18): a script that runs once on the origin, rewrites what pixie-auth stored, and
// leaves. Each test is what the attacker leaves behind and what a later page load should make of it.
// They fail on the code they were written against: each is a finding.
import type { Page } from '@playwright/test'
import {
  APP,
  CALLBACK_URL,
  CLIENT_ID,
  PROVIDER,
  USER_SUB,
  expect,
  getAccessToken,
  handleCallback,
  login,
  readIdb,
  readSessionRecord,
  refreshTokenStatus,
  requireSession,
  settledState,
  test,
  waitForHarness,
} from '../helpers'

/**
 * The attacker's one run, in the page: writes under the first key starting with `prefix` (or under
 * `prefix` itself when none does) what `edit` (a function body of `record`) returns.
 */
async function writeIdb(page: Page, prefix: string, edit: string) {
  await page.evaluate(
    ({ prefix, edit }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('pixie-auth')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const db = open.result
          const tx = db.transaction('kv', 'readwrite')
          const store = tx.objectStore('kv')
          const keys = store.getAllKeys()
          keys.onsuccess = () => {
            const key = (keys.result as string[]).find((name) => name.startsWith(prefix)) ?? prefix
            const read = store.get(key)
            read.onsuccess = () => store.put(new Function('record', edit)(read.result), key)
          }
          tx.oncomplete = () => (db.close(), resolve())
          tx.onerror = () => reject(tx.error)
        }
      }),
    { prefix, edit },
  )
}

/** Rewrites the stored session record: `edit` gets it as `record` and returns what to store instead. */
const rewriteRecord = (page: Page, edit: string) => writeIdb(page, 'session:', edit)

/** Puts `value` under `key` in the SDK's database. */
const plant = (page: Page, key: string, value: unknown) => writeIdb(page, key, `return ${JSON.stringify(value)}`)

async function reload(page: Page) {
  await page.reload()
  await waitForHarness(page)
}

test.describe('red team: a record with a valid version but odd fields', () => {
  test('a refresh token that is not a string is no session: the tab is signed out, not stuck failing', async ({ page }) => {
    await login(page)
    await requireSession(page)
    // Valid version, valid accessToken/tokenType/receivedAt: only the refresh token's type is wrong,
    // and the access token is due for a refresh.
    await rewriteRecord(page, 'record.session.refreshToken = 42; record.session.expiresAt = record.session.receivedAt; return record')
    await reload(page)

    // Every later load: the state says signed in, and every token call fails with config_error,
    // never login_required, so neither a guard nor the app starts a new login.
    for (let load = 0; load < 2; load++) {
      const state = await settledState(page)
      const token = await getAccessToken(page)
      expect({ status: state.status, code: token.ok ? 'ok' : token.error.code }, `load ${load}`).toEqual({
        status: 'unauthenticated',
        code: 'login_required',
      })
      await reload(page)
    }
  })

  test('an access token dated in the future, or that never expires, is refreshed rather than used forever', async ({ page }) => {
    await login(page)
    const real = await requireSession(page)
    // An access token of the attacker's (its own account at the API), under the user's own refresh
    // token, ID token and user: the app shows the user and calls the API as the attacker.
    for (const [edit, what] of [
      ['record.session.expiresAt = Infinity', 'expiresAt Infinity'],
      ['record.session.receivedAt = 1e15; record.session.expiresAt = 1e15 + 60000', 'receivedAt in 33658'],
    ] as const) {
      await rewriteRecord(page, `record.session.accessToken = 'attacker-access-token'; ${edit}; return record`)
      await reload(page)
      expect((await settledState(page)).user?.sub, what).toBe(USER_SUB)
      const token = await getAccessToken(page)
      expect(token.ok && token.value, what).not.toBe('attacker-access-token')
      expect(token.ok && token.value, what).not.toBe(real.accessToken)
    }
  })
})

test.describe('red team: a planted login transaction', () => {
  test('a transaction dated a year ahead outlives a login and a logout, then logs the user into the attacker\'s grant', async ({
    page,
  }) => {
    await login(page)
    const namespace = `${PROVIDER}/#${CLIENT_ID}`
    const { state, verifier, challenge } = await page.evaluate(async (ns) => {
      // The client's public tag (FNV-1a of the namespace, as transaction.ts makes it).
      let hash = 0x811c9dc5
      for (let i = 0; i < ns.length; i++) hash = Math.imul(hash ^ ns.charCodeAt(i), 0x01000193)
      const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
      const verifier = b64(crypto.getRandomValues(new Uint8Array(32)))
      const challenge = b64(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))))
      return { state: `${(hash >>> 0).toString(36)}.attacker`, verifier, challenge }
    }, namespace)
    await plant(page, `tx:${namespace} ${state}`, {
      state,
      codeVerifier: verifier,
      nonce: 'attacker-nonce',
      issuer: `${PROVIDER}/`,
      clientId: CLIENT_ID,
      redirectUri: CALLBACK_URL,
      scope: 'openid profile email offline_access',
      // The 10-minute lifetime counts from here: a year ahead, it never runs out.
      createdAt: Date.now() + 364 * 24 * 3600 * 1000,
    })
    await reload(page)

    // The user logs out and in again (a new login drops every abandoned transaction) and out again.
    await page.evaluate(() => window.pixieTry(() => window.pixie.auth.logout({ localOnly: true })))
    await login(page)
    await page.evaluate(() => window.pixieTry(() => window.pixie.auth.logout({ localOnly: true })))
    const planted = (await readIdb(page)).some(({ key }) => key === `tx:${namespace} ${state}`)

    // Any time later: the attacker gets a code in its own browser for its planted state and
    // verifier, and sends the user a link to the app's callback with it (login CSRF).
    const authorize = new URL(`${PROVIDER}/authorize`)
    Object.entries({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: CALLBACK_URL,
      scope: 'openid profile email offline_access',
      state,
      nonce: 'attacker-nonce',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).forEach(([name, value]) => authorize.searchParams.set(name, value))
    const answer = await fetch(authorize, { redirect: 'manual', signal: AbortSignal.timeout(5_000) })
    const link = answer.headers.get('location')!
    expect(link.startsWith(`${CALLBACK_URL}?`)).toBe(true)
    await page.goto(link)
    await waitForHarness(page)
    const result = await handleCallback(page)

    expect({ planted, callback: result.ok ? 'logged in with the attacker\'s code' : result.error.code }).toEqual({
      planted: false,
      callback: 'invalid_state',
    })
  })
})

test.describe('red team: logout and a decoy record', () => {
  test('logout revokes the refresh token this tab holds, not only a decoy written under it', async ({ page }) => {
    await login(page)
    const real = await requireSession(page)
    const { version } = (await readSessionRecord(page))!
    // The script steals the refresh token and leaves a decoy with an older version and no message:
    // the tab keeps working with the real session, which it holds in memory.
    await rewriteRecord(page, `record.version = ${version - 1}; record.session.refreshToken = 'decoy'; return record`)
    expect(await getAccessToken(page)).toEqual({ ok: true, value: real.accessToken })

    expect(await page.evaluate(() => window.pixieTry(() => window.pixie.auth.logout({ localOnly: true })))).toEqual({ ok: true })
    // The user logged out; the refresh token the tab was using must be dead at the server.
    expect(await refreshTokenStatus(real.refreshToken), 'the refresh token the tab held').toBe('revoked')
  })
})

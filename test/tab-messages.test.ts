// @vitest-environment happy-dom
// What a client does with the other tabs' messages: nothing but read the stored record. Any
// same-origin page can post on the channel, so a message carries no session and decides nothing
// (issue 18, finding 2: a forged `{ version: Infinity, session }` used to be adopted by every tab).
import { createStore, set } from 'idb-keyval'
import { afterEach, describe, expect, it } from 'vitest'
import { createAuthClient, type AuthClient } from '../src/index.js'
import { fromAnotherTab, logInOnPage, useApprovingProvider } from './mock-provider-login.js'
import { nextTask } from './open-channels.js'

const appOrigin = 'http://localhost:5173'
const provider = useApprovingProvider()
let auth: AuthClient | undefined
afterEach(async () => {
  auth?.dispose()
  await nextTask()
})

async function loggedInClient() {
  auth = createAuthClient({ issuer: provider().url, clientId: 'pixie-demo', redirectUri: `${appOrigin}/`, scope: 'openid offline_access' })
  return logInOnPage(auth, appOrigin)
}

/** Sends `message` as another tab (or a hostile same-origin page) would, on the client's channel. */
const fromTab = (message: unknown) => fromAnotherTab(provider(), 'pixie-demo', message)

/** Writes the client's record as another tab would, straight to the shared IndexedDB. */
const storeRecord = (record: unknown) =>
  set(`session:${new URL(provider().url).href}#pixie-demo`, record, createStore('pixie-auth', 'kv'))

const forged = {
  accessToken: 'forged-access-token',
  tokenType: 'bearer',
  receivedAt: Date.now(),
  expiresAt: Date.now() + 3_600_000,
  refreshToken: 'forged-refresh-token',
  user: { iss: 'x', sub: 'mallory', aud: 'pixie-demo', iat: 1, exp: 2 },
}

describe('messages from other tabs', () => {
  for (const version of [Date.now() + 1000, Infinity, NaN, 1e300, -1, '9999999999999', undefined]) {
    it(`never adopts a session a message carries (version ${String(version)})`, async () => {
      const client = await loggedInClient()
      const token = await client.getAccessToken()
      await fromTab({ type: 'session', version, session: forged })
      await fromTab({ type: 'ended', version, reason: 'invalid_grant' })
      expect(client.getState()).toMatchObject({ status: 'authenticated', user: { sub: 'user-ada' } })
      expect(client.getState().error).toBeUndefined()
      expect(await client.getAccessToken()).toBe(token)
    })
  }

  it('takes a newer record from IndexedDB when another tab announces it, and only then', async () => {
    const client = await loggedInClient()
    // A deletion stored by another tab, not yet announced: this tab still holds its session.
    const version = Date.now() + 1000
    await storeRecord({ version })
    expect(client.getState().status).toBe('authenticated')
    // An announcement of an older version is not worth a read.
    await fromTab({ version: 1 })
    expect(client.getState().status).toBe('authenticated')
    await fromTab({ version })
    expect(client.getState().status).toBe('unauthenticated')
    expect(client.getState().error).toBeUndefined()
  })

  it("says the session ended when the stored deletion says the server ended it, whatever the message says", async () => {
    const client = await loggedInClient()
    const version = Date.now() + 1000
    await storeRecord({ version, ended: 'invalid_grant' })
    await fromTab({ version, reason: 'logout' })
    expect(client.getState()).toMatchObject({ status: 'unauthenticated', error: { code: 'login_required' } })
  })

  it("a tab's own logout signs it out for good, whatever was posted before", async () => {
    const client = await loggedInClient()
    await fromTab({ type: 'session', version: Infinity, session: forged })
    await fromTab({ type: 'session', version: Date.now() + 10_000, session: forged })
    await client.logout({ localOnly: true })
    await fromTab({ type: 'session', version: Date.now() + 20_000, session: forged })
    expect(client.getState().status).toBe('unauthenticated')
    await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'login_required' })
  })
})

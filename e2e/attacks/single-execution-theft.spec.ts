// Attack scenario 1 (draft-ietf-oauth-browser-based-apps §5.1.1): single-execution token theft.
// A script runs once on the origin, reads IndexedDB, sends the tokens home and leaves. What it
// copied is then used from outside the browser (Node here).
import { CLIENT_ID, PROVIDER, expect, getAccessToken, login, refreshTokenStatus, requireSession, test } from '../helpers'
import { OP, test as opTest, login as opLogin, opStats } from '../oidc-provider/fixtures'
import { refreshFromNode } from '../real-provider'
import { NAMESPACE, attackerDPoP, stealSession, useAccessTokenFromNode } from './attacker'

test('Bearer: the attacker gets the refresh token, and fresh tokens from Node until the app refreshes and rotation revokes the grant', async ({
  page,
}) => {
  await login(page)
  const loot = await stealSession(page, NAMESPACE.mock)
  expect(loot.refreshToken, 'a Bearer refresh token, copied out of IndexedDB').toEqual(expect.any(String))

  // Outside the browser: the copied refresh token works, and so does the access token it brings.
  const stolen = await refreshFromNode(PROVIDER, CLIENT_ID, loot.refreshToken!)
  expect(stolen, 'the copied refresh token redeemed from Node').toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String) })
  const tokens = stolen as { access_token: string; refresh_token: string }
  expect(await useAccessTokenFromNode(`${PROVIDER}/api/me`, tokens.access_token), 'the API answers the attacker').toBe(200)

  // The limit rotation sets: the app's next refresh presents the token the attacker already used,
  // the server sees the reuse and revokes the whole grant, the attacker's new tokens included.
  expect(await getAccessToken(page, { forceRefresh: true })).toMatchObject({ ok: false, error: { code: 'login_required' } })
  expect(await refreshTokenStatus(tokens.refresh_token), "the attacker's rotated refresh token").toBe('revoked')
  expect(await useAccessTokenFromNode(`${PROVIDER}/api/me`, tokens.access_token)).toBe(401)
})

opTest.describe('dpop()', () => {
  opTest.use({ appConfig: { dpop: true } })

  opTest('the attacker gets DPoP-bound tokens but not the key: from Node the provider refuses them, with no proof or with its own key', async ({
    page,
  }) => {
    await opLogin(page)
    const loot = await stealSession(page, NAMESPACE.op)
    expect(loot.tokenType).toBe('dpop')
    expect(loot.refreshToken).toEqual(expect.any(String))

    // The script can use the key while it runs, but cannot take it along.
    const exported = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('pixie-auth')
        open.onsuccess = () => resolve(open.result)
        open.onerror = () => reject(open.error)
      })
      const entries = await new Promise<unknown[]>((resolve) => {
        const all = db.transaction('kv').objectStore('kv').getAll()
        all.onsuccess = () => resolve(all.result)
      })
      db.close()
      const keyPair = entries.map((value) => (value as { keyPair?: CryptoKeyPair }).keyPair).find(Boolean)
      if (!keyPair) return 'no key stored'
      return crypto.subtle.exportKey('jwk', keyPair.privateKey).then(
        () => 'exported',
        (error: Error) => error.name,
      )
    })
    expect(exported, 'exporting the stored private key').toBe('InvalidAccessError')

    const before = (await opStats()).tokenRequests.refresh_token
    // From Node: the refresh token without a proof, then with a proof of the attacker's own key.
    for (const dpop of [undefined, await attackerDPoP()]) {
      const outcome = await refreshFromNode(OP, CLIENT_ID, loot.refreshToken!, dpop)
      expect(outcome, `refresh ${dpop ? "with the attacker's key" : 'without a proof'}`).toBeInstanceOf(Error)
      expect((outcome as { error?: string }).error).toMatch(/^invalid_(grant|dpop_proof)$/)
    }
    expect(await useAccessTokenFromNode(`${OP}/me`, loot.accessToken), 'access token as Bearer').toBe(401)
    expect(await useAccessTokenFromNode(`${OP}/me`, loot.accessToken, await attackerDPoP()), "access token with the attacker's key").toBe(401)
    expect((await opStats()).tokenRequests.refresh_token, 'no refresh succeeded from Node').toBe(before)

    // The app, with the key, still refreshes: the attempts cost the user nothing.
    expect(await getAccessToken(page, { forceRefresh: true })).toMatchObject({ ok: true })
    expect((await requireSession(page)).refreshToken).not.toBe(loot.refreshToken)
    expect(await page.evaluate(() => window.pixie.auth.getUser())).toMatchObject({ sub: 'ada' })
  })
})

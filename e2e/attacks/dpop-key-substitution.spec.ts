// docs/token-isolation-review.md R1: a script that runs once replaces the stored DPoP key pair with
// one whose private half it knows (its own JWK re-imported as non-extractable, or simply an
// extractable pair), then leaves. The next login must not bind the user's tokens to that key:
// every login makes a key of its own, and a stored key is never used for one.
import { createHash } from 'node:crypto'
import type { Page } from '@playwright/test'
import * as oauth from 'oauth4webapi'
import { CLIENT_ID, IDB_NAME, IDB_STORE, getAccessToken, openApp, requireSession } from '../helpers'
import { OP, expect, jwtClaims, login, storedDPoPKey, test } from '../oidc-provider/fixtures'
import { loginThrough, refreshFromNode } from '../real-provider'
import { NAMESPACE, stealSession, useAccessTokenFromNode } from './attacker'

/** RFC 7638 thumbprint of an EC public JWK. */
const thumbprint = ({ crv, kty, x, y }: Record<string, string>) =>
  createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url')

const jwtHeader = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8'))

/**
 * The script: makes an extractable ES256 pair, exports the private JWK (to send it home), and stores
 * under the client's key either that pair, or the same key imported again as non-extractable (what
 * a check of `extractable` alone would accept). Resolves with the private JWK.
 */
function plantAttackerKey(page: Page, reimport: boolean): Promise<JsonWebKey> {
  return page.evaluate(
    async ({ dbName, storeName, key, reimport }) => {
      const ecdsa = { name: 'ECDSA', namedCurve: 'P-256' }
      const pair = await crypto.subtle.generateKey(ecdsa, true, ['sign', 'verify'])
      const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey)
      const keyPair = reimport ? { privateKey: await crypto.subtle.importKey('jwk', jwk, ecdsa, false, ['sign']), publicKey: pair.publicKey } : pair
      await new Promise<void>((resolve, reject) => {
        const open = indexedDB.open(dbName)
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const tx = open.result.transaction(storeName, 'readwrite')
          tx.objectStore(storeName).put({ keyPair, id: 'attacker' }, key)
          tx.oncomplete = () => (open.result.close(), resolve())
          tx.onerror = () => reject(tx.error)
        }
      })
      return jwk
    },
    { dbName: IDB_NAME, storeName: IDB_STORE, key: `dpop:${NAMESPACE.op}`, reimport },
  )
}

/** The attacker's DPoP handle in Node, from the private JWK its script sent home. */
async function attackerHandle(jwk: JsonWebKey): Promise<oauth.DPoPHandle> {
  const ecdsa = { name: 'ECDSA', namedCurve: 'P-256' }
  const { d: _, key_ops: __, ...publicJwk } = jwk
  const privateKey = await crypto.subtle.importKey('jwk', jwk, ecdsa, false, ['sign'])
  const publicKey = await crypto.subtle.importKey('jwk', publicJwk, ecdsa, true, ['verify'])
  return oauth.DPoP({}, { privateKey, publicKey })
}

/**
 * Records the page's token requests: `read()` resolves with the thumbprints of the keys that signed
 * them, in order, and `clear()` starts over.
 */
function recordTokenProofKeys(page: Page) {
  let keys: Promise<string>[] = []
  page.on('request', (request) => {
    if (request.url() !== `${OP}/token` || request.method() !== 'POST') return
    keys.push(request.allHeaders().then(({ dpop }) => (dpop ? thumbprint(jwtHeader(dpop).jwk) : 'no proof')))
  })
  return { read: () => Promise.all(keys), clear: () => void (keys = []) }
}

test.describe('R1: DPoP key substitution by a script that ran once', () => {
  test.use({ appConfig: { dpop: true, allowedOrigins: [OP] } })

  for (const reimport of [true, false]) {
    test(`a planted ${reimport ? 're-imported non-extractable' : 'extractable'} key: the next login binds its tokens to a new key of its own, which the session then uses`, async ({
      page,
    }) => {
      await openApp(page)
      const attackerJwk = await plantAttackerKey(page, reimport)
      const attackerJkt = thumbprint(attackerJwk as Record<string, string>)
      const proofKeys = recordTokenProofKeys(page)

      const { authorizeUrl } = await login(page)
      const boundTo = authorizeUrl.searchParams.get('dpop_jkt')
      expect(boundTo, 'dpop_jkt sent at authorization').toMatch(/^[\w-]{43}$/)
      expect(boundTo, "dpop_jkt is not the attacker's key").not.toBe(attackerJkt)
      const exchange = await proofKeys.read()
      expect(exchange.length, 'code exchange (with the nonce retry)').toBeGreaterThanOrEqual(1)
      expect(new Set(exchange), 'every proof of the code exchange is signed by the login key').toEqual(new Set([boundTo]))
      // The login's key became the client's key, in place of the planted one.
      expect(await storedDPoPKey(page)).toEqual({ thumbprint: boundTo, privateKeyExtractable: false })

      // What the provider bound the tokens to: not the attacker's key. With a later copy of
      // IndexedDB, its JWK gets nothing from Node.
      const loot = await stealSession(page, NAMESPACE.op)
      const stolenKey = await attackerHandle(attackerJwk)
      expect(await useAccessTokenFromNode(`${OP}/me`, loot.accessToken, stolenKey), "access token with the attacker's key").toBe(401)
      const refreshed = await refreshFromNode(OP, CLIENT_ID, loot.refreshToken!, stolenKey)
      expect(refreshed, "refresh token with the attacker's key").toBeInstanceOf(Error)
      expect((refreshed as { error?: string }).error).toMatch(/^invalid_(grant|dpop_proof)$/)

      // The session works: a refresh (proofs of the login key) and createFetch().
      proofKeys.clear()
      expect(await getAccessToken(page, { forceRefresh: true })).toMatchObject({ ok: true })
      expect(new Set(await proofKeys.read())).toEqual(new Set([boundTo]))
      expect((await requireSession(page)).refreshToken).not.toBe(loot.refreshToken)
      const fetched = await page.evaluate((url) => window.pixieTry(async () => (await window.pixie.fetch(url)).status), `${OP}/me`)
      expect(fetched).toEqual({ ok: true, value: 200 })
    })
  }

  test('a key planted during a session breaks that session at most; the next login gets a fresh key', async ({ page }) => {
    await login(page)
    const first = (await storedDPoPKey(page))!.thumbprint
    const attackerJkt = thumbprint((await plantAttackerKey(page, false)) as Record<string, string>)

    // An extractable key is refused outright: no proof is signed with it, the session ends.
    const proofKeys = recordTokenProofKeys(page)
    expect(await getAccessToken(page, { forceRefresh: true })).toMatchObject({ ok: false, error: { code: 'login_required' } })
    expect(await proofKeys.read()).toEqual([])

    // The provider's session is still there: no sign-in page this time.
    const { authorizeUrl } = await loginThrough(page, `${OP}/auth`, async () => {})
    const boundTo = authorizeUrl.searchParams.get('dpop_jkt')
    expect([first, attackerJkt]).not.toContain(boundTo)
    expect(jwtClaims((await requireSession(page)).idToken)).toMatchObject({ sub: 'ada' })
    expect(await getAccessToken(page, { forceRefresh: true })).toMatchObject({ ok: true })
  })
})

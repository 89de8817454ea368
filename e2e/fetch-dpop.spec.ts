// createFetch() and fetchUser() with DPoP-bound tokens, against a real DPoP resource
// server: oidc-provider's UserInfo endpoint, which requires a server nonce in every proof.
import { createHash } from 'node:crypto'
import type { Page, Request } from '@playwright/test'
import { requireSession, waitForHarness } from './helpers'
import { OP, expect, jwtClaims, login, opStats, storedDPoPKey, test } from './oidc-provider/fixtures'

const USERINFO = `${OP}/me`

/** Records the page's requests to UserInfo (not the CORS preflights). */
function recordUserinfoRequests(page: Page): Request[] {
  const requests: Request[] = []
  page.on('request', (request) => {
    if (request.url() === USERINFO && request.method() !== 'OPTIONS') requests.push(request)
  })
  return requests
}

const jwtHeader = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8'))

/** RFC 7638 thumbprint of an EC public JWK. */
function thumbprint({ crv, kty, x, y }: Record<string, string>) {
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url')
}

/** Logs in, then reloads: the new page's DPoP handle has learnt no nonce yet, so the first proof lacks one. */
async function loginWithFreshHandle(page: Page) {
  await login(page)
  await page.reload()
  await waitForHarness(page)
}

test.describe('DPoP-bound tokens', () => {
  test.use({ appConfig: { dpop: true, allowedOrigins: [OP] } })

  test('createFetch(): Authorization DPoP and a proof bound to the token (ath), resent once with the nonce the server asked for', async ({
    page,
  }) => {
    await loginWithFreshHandle(page)
    const { accessToken, tokenType } = await requireSession(page)
    expect(tokenType).toBe('dpop')
    const requests = recordUserinfoRequests(page)

    const result = await page.evaluate(
      (url) =>
        window.pixieTry(async () => {
          const response = await window.pixie.fetch(url)
          return { status: response.status, body: await response.json() }
        }),
      USERINFO,
    )
    expect(result).toMatchObject({ ok: true, value: { status: 200, body: { sub: 'ada' } } })

    expect(requests).toHaveLength(2)
    const [first, second] = await Promise.all(requests.map((request) => request.allHeaders()))
    const key = await storedDPoPKey(page)
    for (const headers of [first, second]) {
      expect(headers.authorization).toBe(`DPoP ${accessToken}`)
      const header = jwtHeader(headers.dpop)
      expect(header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256' })
      expect(thumbprint(header.jwk)).toBe(key?.thumbprint)
      expect(jwtClaims(headers.dpop)).toMatchObject({
        htm: 'GET',
        htu: USERINFO,
        ath: createHash('sha256').update(accessToken).digest('base64url'),
      })
    }
    expect(jwtClaims(first.dpop).nonce).toBeUndefined()
    expect(jwtClaims(second.dpop).nonce).toEqual(expect.any(String))
    const firstResponse = await requests[0].response()
    expect(firstResponse?.status()).toBe(401)
    expect(await firstResponse?.headerValue('www-authenticate')).toContain('use_dpop_nonce')
    expect((await opStats()).tokenRequests.refresh_token).toBe(0)
  })

  test('fetchUser(): UserInfo read with DPoP (nonce included) adds the claims the ID token lacks', async ({ page }) => {
    await loginWithFreshHandle(page)
    const before = await page.evaluate(() => window.pixie.auth.getUser())
    expect(before).toMatchObject({ sub: 'ada', iss: OP })
    expect(before).not.toHaveProperty('name')
    const requests = recordUserinfoRequests(page)

    const user = await page.evaluate(() => window.pixieTry(() => window.pixie.fetchUser()))
    expect(user).toMatchObject({ ok: true, value: { sub: 'ada', name: 'User ada', iss: OP } })
    expect(requests).toHaveLength(2)
    for (const request of requests) expect((await request.allHeaders()).authorization).toMatch(/^DPoP /)
  })

  test('a browser clock 5 hours ahead: once logged in, every DPoP proof is dated by the server clock (refresh, createFetch)', async ({
    page,
  }) => {
    await page.clock.install({ time: Date.now() + 5 * 3_600_000 })
    await login(page)
    const proofs: Request[] = []
    page.on('request', (request) => {
      if (request.method() !== 'OPTIONS' && [`${OP}/token`, USERINFO].includes(request.url())) proofs.push(request)
    })

    const refreshed = await page.evaluate(() => window.pixieTry(() => window.pixie.auth.getAccessToken({ forceRefresh: true })))
    expect(refreshed).toMatchObject({ ok: true })
    const fetched = await page.evaluate((url) => window.pixieTry(async () => (await window.pixie.fetch(url)).status), USERINFO)
    expect(fetched).toEqual({ ok: true, value: 200 })

    // A server that requires no nonce judges a proof by its iat alone (RFC 9449 §11.1): hours off is refused.
    expect(proofs.length).toBeGreaterThanOrEqual(2)
    for (const request of proofs) {
      const { iat } = jwtClaims((await request.allHeaders()).dpop)
      expect(Math.abs(Number(iat) - Date.now() / 1000), request.url()).toBeLessThan(60)
    }
  })
})

// Token isolation with dpop() (oidc-provider: DPoP nonces required, rotating refresh tokens) under
// attack: what a script can copy (the IndexedDB record the worker keeps) is refused outside the
// browser; what it can still do while it runs is use the worker.
import { CLIENT_ID, getAccessToken, requireSession } from '../helpers'
import { OP, expect, login, opStats, test } from '../oidc-provider/fixtures'
import { refreshFromNode } from '../real-provider'
import { NAMESPACE, attackerDPoP, stealSession, useAccessTokenFromNode } from '../attacks/attacker'

test.use({ appConfig: { dpop: true, isolation: true, allowedOrigins: [OP] } })

test('the copied refresh token and access token are refused from Node (no proof, a proof of another key); the app still refreshes', async ({
  page,
}) => {
  await login(page)
  const loot = await stealSession(page, NAMESPACE.op)
  expect(loot.tokenType, 'the record the worker keeps in IndexedDB').toBe('dpop')
  expect(loot.refreshToken).toEqual(expect.any(String))

  const before = (await opStats()).tokenRequests.refresh_token
  for (const dpop of [undefined, await attackerDPoP()]) {
    const outcome = await refreshFromNode(OP, CLIENT_ID, loot.refreshToken!, dpop)
    expect(outcome, `refresh ${dpop ? 'with a proof of another key' : 'without a proof'}`).toBeInstanceOf(Error)
    expect((outcome as { error?: string }).error).toMatch(/^invalid_(grant|dpop_proof)$/)
  }
  expect(await useAccessTokenFromNode(`${OP}/me`, loot.accessToken), 'access token as Bearer').toBe(401)
  expect(await useAccessTokenFromNode(`${OP}/me`, loot.accessToken, await attackerDPoP()), 'access token with another key').toBe(401)
  expect((await opStats()).tokenRequests.refresh_token, 'no refresh succeeded from Node').toBe(before)

  // While it runs, the script can use the worker like the app: createFetch() goes through it.
  const proxied = await page.evaluate((url) => window.pixieTry(async () => (await window.pixie.fetch(url)).status), `${OP}/me`)
  expect(proxied, 'createFetch() through the worker, for the script (by design)').toEqual({ ok: true, value: 200 })
  expect(await getAccessToken(page, { forceRefresh: true }), 'the app, through the worker, still refreshes').toMatchObject({ ok: true })
  expect((await requireSession(page)).refreshToken).not.toBe(loot.refreshToken)
})

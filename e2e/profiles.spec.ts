// The core scenarios against every provider profile of the mock (e2e/provider/profiles.mjs): login,
// reload, refresh, two tabs, logout as each provider does it, and a dead refresh token answered in
// that provider's own format. One test per profile, so the whole matrix stays a few seconds each.
import type { Page } from '@playwright/test'
import { PROFILE_NAMES, issuerOf } from './provider/profiles.mjs'
import type { MockProviderProfile } from './provider/mock-provider.mjs'
import {
  CLIENT_ID,
  LOGGED_OUT_URL,
  PROVIDER,
  expect,
  getAccessToken,
  getStats,
  login,
  openApp,
  refreshTokenStatus,
  requireSession,
  setProviderConfig,
  settledState,
  test,
  waitForHarness,
  type RefreshTokenState,
} from './helpers'

/** What each profile does with the refresh token it was given, once it has refreshed. */
const afterRefresh: Record<MockProviderProfile, { rotates: boolean; oldToken: RefreshTokenState; revocation: boolean }> = {
  default: { rotates: true, oldToken: 'rotated', revocation: true },
  keycloak: { rotates: true, oldToken: 'active', revocation: true },
  auth0: { rotates: true, oldToken: 'rotated', revocation: true },
  okta: { rotates: true, oldToken: 'rotated', revocation: true },
  entra: { rotates: true, oldToken: 'active', revocation: false },
  cognito: { rotates: false, oldToken: 'active', revocation: true },
}

/** Logs out as the app would with this provider, and waits until the browser is back on logged-out.html. */
async function logoutAt(profile: MockProviderProfile, page: Page) {
  if (profile === 'cognito') {
    // Its end_session_endpoint wants logout_uri, not post_logout_redirect_uri: as the README says, the
    // app logs out locally and sends the browser to Cognito's /logout itself.
    const cognitoLogout = `${PROVIDER}/logout?${new URLSearchParams({ client_id: CLIENT_ID, logout_uri: LOGGED_OUT_URL })}`
    await page.evaluate(
      (url) =>
        window.pixieStart(async () => {
          await window.pixie.auth.logout({ localOnly: true })
          location.assign(url)
        }),
      cognitoLogout,
    )
  } else if (profile === 'entra') {
    // Entra asks which account to sign out unless a logout_hint names it.
    await page.evaluate(() => window.pixieStart(() => window.pixie.auth.logout({ logoutHint: 'user@example.com' })))
  } else {
    await page.evaluate(() => window.pixieStart(() => window.pixie.auth.logout()))
  }
  await page.waitForURL((u) => u.href.startsWith(LOGGED_OUT_URL), { timeout: 10_000 })
  await waitForHarness(page)
}

for (const profile of PROFILE_NAMES.filter((name) => name !== 'default')) {
  test.describe(`as ${profile}`, () => {
    test.use({
      providerConfig: { autoApprove: true, profile },
      appConfig: { issuer: issuerOf(PROVIDER, profile) },
    })

    test('login, reload, refresh, two tabs, logout, and a dead refresh token', async ({ page }) => {
      const expected = afterRefresh[profile]
      const { user } = await login(page)
      expect(user.iss).toBe(issuerOf(PROVIDER, profile))
      const s1 = await requireSession(page)

      // Reload: the session comes back from IndexedDB, without a token request.
      await page.reload()
      await waitForHarness(page)
      expect(await settledState(page)).toMatchObject({ status: 'authenticated', user: { sub: user.sub } })
      expect(await getAccessToken(page)).toEqual({ ok: true, value: s1.accessToken })
      expect((await getStats()).tokenRequests.refresh_token).toBe(0)

      // Refresh, as this provider rotates (or not).
      const refreshed = await getAccessToken(page, { forceRefresh: true })
      expect(refreshed.ok && refreshed.value).not.toBe(s1.accessToken)
      const s2 = await requireSession(page)
      expect(s2.refreshToken !== s1.refreshToken).toBe(expected.rotates)
      expect(await refreshTokenStatus(s1.refreshToken)).toBe(expected.oldToken)

      // A second tab shares the session, and a refresh made there reaches the first tab.
      const tab2 = await page.context().newPage()
      await openApp(tab2)
      expect(await settledState(tab2)).toMatchObject({ status: 'authenticated' })
      const fromTab2 = await getAccessToken(tab2, { forceRefresh: true })
      expect(fromTab2.ok).toBe(true)
      await expect.poll(() => getAccessToken(page)).toEqual(fromTab2)
      expect((await getStats()).tokenRequests.refresh_token).toBe(2)
      expect((await getStats()).reuseDetections).toBe(0)

      // Logout as this provider does it; every tab ends.
      const s3 = await requireSession(page)
      await logoutAt(profile, page)
      expect(await getStats()).toMatchObject({ revocations: expected.revocation ? 1 : 0, endSessions: 1 })
      if (expected.revocation) expect(await refreshTokenStatus(s3.refreshToken)).toBe('revoked')
      await expect.poll(async () => (await settledState(tab2)).status).toBe('unauthenticated')

      // A refresh token the server no longer honours, refused in this provider's own format.
      await login(page)
      await setProviderConfig({ clockOffsetSeconds: 2 * 86_400 })
      const ended = await getAccessToken(page, { forceRefresh: true })
      expect(ended).toMatchObject({
        ok: false,
        error: { code: 'login_required', cause: { status: profile === 'auth0' ? 403 : 400, error: 'invalid_grant' } },
      })
    })
  })
}

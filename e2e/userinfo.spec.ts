// fetchUser(): UserInfo claims over the ID token's, checked against its sub, kept in
// the stored session and every tab's state.
import type { Page } from '@playwright/test'
import {
  CLIENT_ID,
  PROVIDER,
  USER_SUB,
  expect,
  getState,
  getStats,
  injectFault,
  login,
  openApp,
  requireSession,
  test,
  waitForHarness,
} from './helpers'

const refreshUser = (page: Page) => page.evaluate(() => window.pixieTry(() => window.pixie.fetchUser()))

const userinfoBody = (claims: Record<string, unknown>) => ({
  endpoint: 'userinfo' as const,
  type: 'body' as const,
  body: claims,
})

test.describe('fetchUser()', () => {
  test('merges UserInfo claims over the ID token claims, keeps the ID token protocol claims, updates every tab', async ({
    page,
    context,
  }) => {
    await login(page)
    const other = await context.newPage()
    await openApp(other)
    await injectFault(
      userinfoBody({ sub: USER_SUB, name: 'Ada King', picture: 'https://example.com/ada.png', iss: 'https://evil.example', aud: 'x' }),
    )

    const result = await refreshUser(page)
    expect(result).toMatchObject({
      ok: true,
      value: {
        sub: USER_SUB,
        name: 'Ada King',
        picture: 'https://example.com/ada.png',
        email: 'ada@example.com',
        iss: PROVIDER,
        aud: CLIENT_ID,
      },
    })
    expect((await getStats()).userinfoRequests).toBe(1)
    expect(await getState(page)).toMatchObject({ user: { name: 'Ada King', iss: PROVIDER } })
    expect((await requireSession(page)).user).toMatchObject({ name: 'Ada King', picture: 'https://example.com/ada.png' })
    await expect.poll(async () => ((await getState(other)).user as { name?: string } | undefined)?.name).toBe('Ada King')

    await page.reload()
    await waitForHarness(page)
    expect(await page.evaluate(() => window.pixie.auth.getUser())).toMatchObject({ name: 'Ada King' })
  })

  test('a UserInfo response about another sub: invalid_response, the user left as it was', async ({ page }) => {
    await login(page)
    const before = await requireSession(page)
    await injectFault(userinfoBody({ sub: 'user-mallory', name: 'Mallory' }))

    expect(await refreshUser(page)).toMatchObject({ ok: false, error: { isAuthError: true, code: 'invalid_response' } })
    expect((await requireSession(page)).user).toEqual(before.user)
    expect(await getState(page)).toMatchObject({ user: { name: 'Ada Lovelace' } })
  })

  test('an access token the server revoked: refreshed once and UserInfo asked again', async ({ page }) => {
    await login(page)
    const { accessToken } = await requireSession(page)
    await fetch(`${PROVIDER}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: accessToken, token_type_hint: 'access_token', client_id: CLIENT_ID }),
    })

    expect(await refreshUser(page)).toMatchObject({ ok: true, value: { sub: USER_SUB, name: 'Ada Lovelace' } })
    const stats = await getStats()
    expect(stats.userinfoRequests).toBe(2)
    expect(stats.tokenRequests.refresh_token).toBe(1)
  })

  test('without a session: undefined, and no UserInfo request', async ({ page }) => {
    await openApp(page)
    expect(await refreshUser(page)).toEqual({ ok: true })
    expect((await getStats()).userinfoRequests).toBe(0)
  })
})

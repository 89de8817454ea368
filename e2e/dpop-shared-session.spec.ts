// Outside review of issue 12, in Chromium: dpop() fails closed against what another tab of the
// origin shares over BroadcastChannel, not only against what IndexedDB holds.
import { configureApp, getAccessToken, getState, openApp } from './helpers'
import { OP, expect, login, test } from './oidc-provider/fixtures'

test('a tab without dpop() (an old build open across the deploy) logs in: the dpop() tab hands out no Bearer token', async ({
  context,
  page,
}) => {
  const dpopTab = await context.newPage()
  await configureApp(dpopTab, { issuer: OP, dpop: true })
  await openApp(dpopTab)
  expect(await dpopTab.evaluate(() => window.pixie.auth.isAuthenticated())).toBe(false)

  // `page` runs the client without dpop(): same issuer and client ID, so same lock, channel and record.
  await login(page)
  const bearer = await getAccessToken(page)
  expect(bearer.ok).toBe(true)
  expect(await page.evaluate(() => window.pixie.auth.getState().status)).toBe('authenticated')
  // Time for the other tab to hear the news.
  await dpopTab.waitForTimeout(300)

  const answer = await getAccessToken(dpopTab)
  expect(answer.ok ? (answer.value === (bearer.ok && bearer.value) ? 'the Bearer token' : 'a token') : answer.error.code).toBe('login_required')
  expect((await getState(dpopTab)).status).not.toBe('authenticated')
})

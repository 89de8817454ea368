// Token isolation, Bearer: after a login, a refresh and a forced refresh, no refresh token the
// provider issued is anywhere a page script of the origin can read. The same search run without
// isolation finds it, so the search itself works.
import type { BrowserContext, Page } from '@playwright/test'
import { issuedRefreshTokens } from '../control'
import { expect, getAccessToken, getStats, login, sleep, test } from '../helpers'
import { dumpOriginStorage, encodingsFound, heardOnChannels, openChannelListener } from './probe'

// Two-second access tokens: stale (the leeway is at most half the lifetime) a second after they came.
test.use({ providerConfig: { autoApprove: true, accessTokenTtl: 2 } })

async function secretsAfterRefreshes(context: BrowserContext, page: Page) {
  const listener = await openChannelListener(context)
  await login(page)
  await sleep(1_200)
  expect((await getAccessToken(page)).ok).toBe(true)
  const forced = await getAccessToken(page, { forceRefresh: true })
  expect(forced.ok, JSON.stringify(forced)).toBe(true)
  expect((await getStats()).tokenRequests.refresh_token, 'refreshes').toBeGreaterThanOrEqual(2)
  const tokens = await issuedRefreshTokens()
  expect(tokens.length, 'refresh tokens issued (login and rotations)').toBeGreaterThanOrEqual(3)
  const heard = await heardOnChannels(listener)
  const readable = [
    await page.evaluate(dumpOriginStorage),
    await listener.evaluate(dumpOriginStorage),
    JSON.stringify(await context.cookies()),
    JSON.stringify(heard),
  ].join('\n')
  const found = tokens.flatMap((token, i) => encodingsFound(readable, token).map((encoding) => `token ${i}: ${encoding}`))
  return { found, heard, readable }
}

test.describe('isolation', () => {
  test.use({ appConfig: { isolation: true } })
  test('Bearer: no refresh token in IndexedDB, Web Storage, Cache Storage, cookies or BroadcastChannel', async ({ context, page }) => {
    const { found, readable } = await secretsAfterRefreshes(context, page)
    expect(found).toEqual([])
    // The dump did read the origin's storage (the harness's config at least).
    expect(readable).toContain('pixie-e2e-config')
  })
})

test('control: the same search without isolation finds the refresh token', async ({ context, page }) => {
  const { found, heard } = await secretsAfterRefreshes(context, page)
  expect(found.length, 'encodings of refresh tokens found').toBeGreaterThan(0)
  // The listener hears the SDK's tab channel: the BroadcastChannel part of the search is live.
  expect(heard.length, 'messages heard on the SDK channel').toBeGreaterThan(0)
})

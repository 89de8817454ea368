// The page's own lifecycle: the back/forward cache, and several clients in one page.
import type { BrowserContext, Page } from '@playwright/test'
import config from '../playwright.config'
import { countPixieChannels } from './channel-counter'
import {
  APP,
  LOGGED_OUT_URL,
  expect,
  getAccessToken,
  getState,
  getStats,
  login,
  openApp,
  requireSession,
  settledState,
  test,
  waitUntilExpired,
} from './helpers'

declare global {
  interface Window {
    /** `pageshow` events seen by this document: 'restored' (from the back/forward cache) or 'loaded'. */
    pageShows: string[]
    /** The SDK's BroadcastChannels now open in this page. */
    openPixieChannels: () => number
  }
}

/** Records page shows and counts the SDK's open channels, in every page of `context`. */
async function watchPages(context: BrowserContext) {
  await context.addInitScript(() => {
    window.pageShows = []
    addEventListener('pageshow', (event) => window.pageShows.push(event.persisted ? 'restored' : 'loaded'))
  })
  await context.addInitScript(`window.openPixieChannels = (${countPixieChannels.toString()})(window).open`)
}

// Playwright turns the back/forward cache off by default; these tests need it on.
test.use({
  launchOptions: { ...config.use?.launchOptions, ignoreDefaultArgs: ['--disable-back-forward-cache'] },
})

test.describe('back/forward cache', () => {
  /** Leaves `page` for another page and comes back, from the cache if the page is still in it. */
  async function leaveWhile(page: Page, meanwhile: () => Promise<void>) {
    await page.goto(LOGGED_OUT_URL)
    await meanwhile()
    await page.goBack({ waitUntil: 'commit' })
    await expect.poll(() => page.evaluate(() => window.pageShows)).toEqual(['loaded', 'restored'])
  }

  test('a page restored from the cache shows at once a logout done meanwhile in another tab', async ({ page, context, isolationMode }) => {
    await watchPages(context)
    await login(page)
    await openApp(page)
    expect((await settledState(page)).status).toBe('authenticated')

    await leaveWhile(page, async () => {
      const other = await context.newPage()
      await openApp(other)
      await other.evaluate(() => window.pixie.auth.logout({ localOnly: true }))
    })

    await expect.poll(async () => (await getState(page)).status).toBe('unauthenticated')
    expect(await getAccessToken(page)).toMatchObject({ ok: false, error: { code: 'login_required' } })
    // With isolation the worker tells the tabs: the page opens no channel of its own.
    expect(await page.evaluate(() => window.openPixieChannels())).toBe(isolationMode === 'off' ? 1 : 0)
  })

  test('a page restored from the cache shows at once a login done meanwhile in another tab', async ({ page, context }) => {
    await watchPages(context)
    await openApp(page)
    expect((await settledState(page)).status).toBe('unauthenticated')

    await leaveWhile(page, async () => login(await context.newPage()).then(() => undefined))

    await expect.poll(async () => (await getState(page)).status).toBe('authenticated')
    expect(await getAccessToken(page)).toMatchObject({ ok: true })
  })

  test.describe('with short-lived access tokens', () => {
    test.use({ providerConfig: { autoApprove: true, accessTokenTtl: 3 }, appConfig: { refreshLeewaySeconds: 0 } })

    test('a page restored from the cache after another tab rotated the refresh token never presents the old one', async ({
      page,
      context,
    }) => {
      await watchPages(context)
      await login(page)
      await openApp(page)
      const before = await requireSession(page)

      await leaveWhile(page, async () => {
        const other = await context.newPage()
        await openApp(other)
        await waitUntilExpired(before)
        expect(await getAccessToken(other)).toMatchObject({ ok: true })
      })

      // At once, before the restored page could have heard anything: the stored session answers.
      const [token, forced] = await page.evaluate(async () => [
        await window.pixieTry(() => window.pixie.auth.getAccessToken()),
        await window.pixieTry(() => window.pixie.auth.getAccessToken({ forceRefresh: true })),
      ])
      expect(token).toMatchObject({ ok: true })
      expect(token).not.toEqual({ ok: true, value: before.accessToken })
      expect(forced).toEqual({ ok: true, value: (await requireSession(page)).accessToken })
      const stats = await getStats()
      expect(stats.tokenRequests.refresh_token).toBe(2)
      expect(stats.reuseDetections).toBe(0)
    })
  })
})

test.describe('several clients in one page', () => {
  test.use({ providerConfig: { autoApprove: true, accessTokenTtl: 3 }, appConfig: { refreshLeewaySeconds: 0 } })

  test('clients made with equal options share one channel and one refresh, and the last dispose() closes it', async ({
    page,
    context,
    isolationMode,
  }) => {
    await watchPages(context)
    await login(page)
    await openApp(page)
    await waitUntilExpired(await requireSession(page))

    const tokens = await page.evaluate(async () => {
      const second = window.pixie.createAuthClient(window.pixie.config)
      const both = await Promise.all([window.pixie.auth.getAccessToken(), second.getAccessToken()])
      const channels = window.openPixieChannels()
      second.dispose()
      await new Promise((resolve) => setTimeout(resolve, 0))
      const afterOne = window.openPixieChannels()
      window.pixie.auth.dispose()
      await new Promise((resolve) => setTimeout(resolve, 0))
      return { both, channels, afterOne, afterBoth: window.openPixieChannels() }
    })

    expect(tokens.both[0]).toBe(tokens.both[1])
    expect((await getStats()).tokenRequests.refresh_token).toBe(1)
    // With isolation the worker tells the tabs: the page opens no channel of its own.
    const open = isolationMode === 'off' ? 1 : 0
    expect(tokens).toMatchObject({ channels: open, afterOne: open, afterBoth: 0 })
    // Disposed of, the client still answers when used again.
    expect(await getAccessToken(page)).toEqual({ ok: true, value: tokens.both[0] })
  })
})

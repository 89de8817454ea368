// The example apps (vanilla, React, Vue) log nothing to the console as a user goes through them (a
// 404 such as a missing favicon, a failed request, an uncaught error or a React warning fails the
// test), and the demo's live panel (examples/demo-panel) shows four tabs sharing one refresh.
import type { BrowserContext, Page } from '@playwright/test'
import { expect, getStats, test } from './helpers'

/** Each example's way in (the routers' protected page, the vanilla page's button) and its API call. */
const EXAMPLES = [
  { name: 'vanilla', origin: 'http://localhost:5174', enter: ['button', 'Log in'], api: 'Call the protected API', result: '#output' },
  { name: 'React', origin: 'http://localhost:5175', enter: ['link', 'Protected page'], api: 'Call the API', result: '#api-result' },
  { name: 'Vue', origin: 'http://localhost:5176', enter: ['link', 'Protected page'], api: 'Call the API', result: '#api-result' },
] as const

/** Every console error and uncaught exception in any page of the context. */
function collectErrors(context: BrowserContext): string[] {
  const errors: string[] = []
  context.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.location().url}: ${message.text()}`)
  })
  context.on('weberror', (error) => errors.push(`uncaught: ${error.error().message}`))
  return errors
}

const signedIn = (page: Page) => expect(page.locator('#status')).toHaveText('authenticated')

for (const { name, origin, enter, api, result } of EXAMPLES) {
  test.describe(`${name} example`, () => {
    test.use({ providerConfig: { autoApprove: false } })

    test('no console error from the login page to the logout', async ({ context, page }) => {
      const errors = collectErrors(context)
      await page.goto(`${origin}/`)
      await page.getByRole(enter[0], { name: enter[1] }).click()
      await page.locator('#approve').click() // the provider's login page
      await signedIn(page)
      await page.getByRole('button', { name: api }).click()
      await expect(page.locator(result)).toContainText('hello from the protected API')
      await page.reload()
      await signedIn(page)
      await page.getByRole('button', { name: 'Log out' }).click()
      await expect(page.locator('#status')).toHaveText('unauthenticated')
      await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible()
      expect(errors).toEqual([])
    })
  })
}

test.describe('the live panel', () => {
  test.use({ providerConfig: { autoApprove: true, accessTokenTtl: 6 } })

  test('four tabs share one refresh, and every panel shows who sent it and who logged out', async ({ context, page }) => {
    const errors = collectErrors(context)
    const { origin } = EXAMPLES.find(({ name }) => name === 'React')!
    await page.goto(`${origin}/protected`)
    await signedIn(page)
    await expect(page.locator('#panel-logins')).toHaveText('1')

    const tabs = [page]
    for (let opened = 1; opened < 4; opened += 1) {
      const [tab] = await Promise.all([context.waitForEvent('page'), page.locator('#panel-open-tab').click()])
      await signedIn(tab)
      tabs.push(tab)
    }
    await expect(page.locator('#panel-tabs')).toHaveText('4')
    // Outside `npm run demo` the tabs do not ask for tokens by themselves: switch it on in each.
    for (const tab of tabs) await tab.locator('#panel-ask').check()

    // 6 s tokens are refreshed after 3 s; within 8 s every tab has met one expiry, and no second.
    await expect(page.locator('#panel-refreshes')).toHaveText('1', { timeout: 8_000 })
    await expect(page.locator('#panel-log li[data-kind="sync"]')).toHaveCount(3)
    await expect(page.locator('#panel-log li', { hasText: 'sends the refresh request' })).toHaveCount(1)
    for (const tab of tabs) await expect(tab.locator('#panel-expiry')).toHaveText(/^[3-6]\.\d s$/)
    expect((await getStats()).tokenRequests).toMatchObject({ refresh_token: 1 })
    expect((await getStats()).reuseDetections).toBe(0)

    // A logout in the first tab: the three others hear of it from that tab, which itself does not.
    await page.getByRole('button', { name: 'Log out' }).click()
    const ended = tabs[1].locator('#panel-log li[data-kind="sync"]', { hasText: 'the session ended in another tab' })
    await expect(tabs[1].locator('#panel-log li[data-kind="logout"]')).toHaveCount(4)
    await expect(ended).toHaveCount(3)
    await page.waitForTimeout(500) // a message from the first tab about itself would be here by now
    await expect(ended).toHaveCount(3)
    expect(errors).toEqual([])
  })
})

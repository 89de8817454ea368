// One login in each consumer app, built from the packed tarball (scripts/consumers.mjs), against the
// mock provider, then one call to its API through `createFetch` (the `pixie-auth/fetch` entry), with
// no console error on the way.
import { expect, getStats, test } from '../e2e/helpers'
import { CONSUMER_APPS } from './playwright.config'

for (const { name, origin } of CONSUMER_APPS) {
  test(`${name}: logs in with the packed build`, async ({ page }) => {
    const errors: string[] = []
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()))
    page.on('pageerror', (error) => errors.push(error.message))

    await page.goto(`${origin}/`)
    await expect(page.locator('#status')).toHaveText('unauthenticated')
    await page.getByRole('button', { name: 'Log in' }).click()

    await page.waitForURL(`${origin}/`)
    await expect(page.locator('#status')).toHaveText('authenticated')
    await expect(page.locator('#user-name')).toHaveText('Ada Lovelace')
    // The feature entry found the client the core entry made: the token went with the request.
    await expect(page.locator('#api')).toHaveText('hello from the protected API')
    const stats = await getStats()
    expect(stats.tokenRequests.authorization_code).toBe(1)
    expect(stats.apiRequests).toBe(1)
    expect(errors).toEqual([])
  })
}

// Next.js (App Router): a login started on a protected page comes back to it through the router,
// showing its content (history.replaceState alone would change the URL and leave /callback's page
// on screen); the page under a server layout rendering <AuthProvider> with plain props was
// prerendered in the loading state and finds the session in the browser.
const next = CONSUMER_APPS.find(({ name }) => name === 'next')
test('next: a protected page logs in and comes back to itself through the router; a server layout renders <AuthProvider>', async ({ page, request }) => {
  test.skip(!next, 'the Next.js app was not built')
  const origin = next!.origin
  const errors: string[] = []
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()))
  page.on('pageerror', (error) => errors.push(error.message))

  const prerendered = await (await request.get(`${origin}/plain`)).text()
  expect(prerendered).toContain('<p id="status">loading</p>')

  const callbacks: string[] = []
  page.on('framenavigated', (frame) => frame === page.mainFrame() && frame.url().startsWith(`${origin}/callback?`) && callbacks.push(frame.url()))
  await page.goto(`${origin}/orders`)
  await expect(page.locator('#orders')).toHaveText('Orders of Ada Lovelace')
  expect(page.url()).toBe(`${origin}/orders`)
  // One callback (Next.js reports its page twice: the load, and its router's own replaceState of the same URL).
  expect(new Set(callbacks).size).toBe(1)
  await expect(page.locator('#callback')).toHaveCount(0)

  await page.goto(`${origin}/plain`)
  await expect(page.locator('#status')).toHaveText('authenticated')
  await expect(page.locator('#user-name')).toHaveText('Ada Lovelace')
  expect((await getStats()).tokenRequests.authorization_code).toBe(1)
  expect(errors).toEqual([])
})

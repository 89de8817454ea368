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

// The end-to-end tests every example app (examples/react, examples/vue) must pass: the same user
// journey through its pages, against the mock provider. Each *.spec.ts calls describeExampleApp().
import type { Page } from '@playwright/test'
import { PROVIDER, USER_SUB, expect, expectNothingStored, getStats, requireSession, sleep, test } from './helpers'

interface ApiAnswer {
  status: number
  body: { sub?: string; name?: string; message?: string; tokenSuffix?: string; error?: string }
}

/** Clicks "Call the API" and reads what the page shows: `HTTP <status>` then the JSON body. */
async function callApi(page: Page): Promise<ApiAnswer> {
  const result = page.locator('#api-result')
  const before = (await result.count()) > 0 ? await result.textContent() : null
  await page.getByRole('button', { name: 'Call the API' }).click()
  // Each call renders a new answer; wait for it to replace the previous one (or appear).
  await expect(result).toHaveText(/^HTTP \d{3}\n/)
  if (before !== null) await expect(result).not.toHaveText(before)
  const text = (await result.textContent())!
  return { status: Number(text.slice(5, 8)), body: JSON.parse(text.slice(text.indexOf('\n') + 1)) }
}

async function expectSignedIn(page: Page) {
  await expect(page.locator('#status')).toHaveText('authenticated')
  await expect(page.locator('#user-name')).toHaveText('Ada Lovelace')
}

export function describeExampleApp(name: string, origin: string) {
  /** Opens the protected page and lets the provider (autoApprove) sign the user in. */
  async function logInThroughProtectedPage(page: Page) {
    await page.goto(`${origin}/protected`)
    await page.waitForURL(`${origin}/protected`)
    await expect(page.getByRole('heading', { name: 'Protected page' })).toBeVisible()
    await expectSignedIn(page)
  }

  test.describe(`${name} example app`, () => {
    test.describe('with the provider login page', () => {
      test.use({ providerConfig: { autoApprove: false } })

      test('a protected route logs in through the provider and returns to it, redeeming the code once', async ({ page }) => {
        await page.goto(`${origin}/protected?tab=2#section`)
        await page.waitForURL((url) => url.origin === PROVIDER)
        await page.locator('#approve').click()

        await page.waitForURL(`${origin}/protected?tab=2#section`)
        await expect(page.getByRole('heading', { name: 'Protected page' })).toBeVisible()
        await expectSignedIn(page)
        await expect(page.getByRole('alert')).toHaveCount(0)
        // Effects that ran twice (React StrictMode) would have sent their token request by now.
        await sleep(300)
        expect((await getStats()).tokenRequests.authorization_code).toBe(1)
      })

      test('a refused login shows the failure on the protected route, and its Try again logs in', async ({ page }) => {
        await page.goto(`${origin}/protected`)
        await page.waitForURL((url) => url.origin === PROVIDER)
        await page.locator('#deny').click()
        await page.waitForURL((url) => url.origin === origin && !url.search)
        await expect(page.locator('#status')).toHaveText('unauthenticated')

        // Not a spinner for ever, nor a cancelled click: the guard says the login failed.
        await page.getByRole('link', { name: 'Protected page' }).click()
        await expect(page.getByRole('heading', { name: 'Login failed' })).toBeVisible()
        await expect(page.locator('#login-failure')).toHaveText('Could not log you in: access_denied.')
        await expect(page.getByRole('heading', { name: 'Protected page' })).toHaveCount(0)
        expect((await getStats()).authorizeRequests, 'no new login started by itself').toBe(1)

        await page.getByRole('button', { name: 'Try again' }).click()
        await page.waitForURL((url) => url.origin === PROVIDER)
        await page.locator('#approve').click()
        await page.waitForURL(`${origin}/protected`)
        await expect(page.getByRole('heading', { name: 'Protected page' })).toBeVisible()
        await expectSignedIn(page)
        expect((await getStats()).tokenRequests.authorization_code).toBe(1)
      })
    })

    test('the public page needs no login; its Log in button comes back to it', async ({ page }) => {
      await page.goto(`${origin}/`)
      await expect(page.locator('#status')).toHaveText('unauthenticated')
      await expect(page.getByRole('heading', { name: 'Public page' })).toBeVisible()
      expect((await getStats()).authorizeRequests).toBe(0)

      await page.getByRole('button', { name: 'Log in' }).click()
      await page.waitForURL((url) => url.origin === origin && !url.search)
      await expectSignedIn(page)
      await expect(page.getByRole('heading', { name: 'Public page' })).toBeVisible()
      expect(new URL(page.url()).pathname).toBe('/')
    })

    test('a crafted link with code and state to a page other than the redirect URI is left alone and logs in as usual', async ({
      page,
    }) => {
      const crafted = `${origin}/protected?code=x&state=y`
      await page.goto(crafted)
      await page.waitForURL(crafted)
      await expect(page.getByRole('heading', { name: 'Protected page' })).toBeVisible()
      await expectSignedIn(page)
      await expect(page.getByRole('alert')).toHaveCount(0)
      expect((await getStats()).tokenRequests.authorization_code).toBe(1)
    })

    test("a crafted link to the redirect URI with this client's state tag does not stop the protected route from logging in", async ({
      page,
    }) => {
      // The tag before the dot is public: any login of the client shows it to the provider and in the address bar.
      const tags: string[] = []
      await page.route(`${PROVIDER}/**`, async (route) => {
        const state = new URL(route.request().url()).searchParams.get('state')
        if (!state || !route.request().isNavigationRequest()) return route.fallback()
        tags.push(state.split('.')[0])
        await route.abort()
      })
      await page.goto(`${origin}/protected`)
      await expect.poll(() => tags.length).toBe(1)
      await page.unrouteAll({ behavior: 'wait' })

      await page.goto(`${origin}/?code=x&state=${tags[0]}.forged`)
      await expect(page.locator('#status')).toHaveText('unauthenticated')
      await page.getByRole('link', { name: 'Protected page' }).click()

      await page.waitForURL(`${origin}/protected`)
      await expect(page.getByRole('heading', { name: 'Protected page' })).toBeVisible()
      await expectSignedIn(page)
      expect((await getStats()).tokenRequests.authorization_code).toBe(1)
    })

    test('the protected page calls the API with the access token', async ({ page }) => {
      await logInThroughProtectedPage(page)
      const { accessToken } = await requireSession(page)

      const answer = await callApi(page)

      expect(answer.status).toBe(200)
      expect(answer.body).toMatchObject({ sub: USER_SUB, message: 'hello from the protected API' })
      expect(answer.body.tokenSuffix, 'the API saw the stored access token').toBe(accessToken.slice(-6))
      expect((await getStats()).apiRequests).toBe(1)
    })

    test.describe('with short-lived access tokens', () => {
      test.use({ providerConfig: { autoApprove: true, accessTokenTtl: 6 } })

      test('the access token is refreshed while the user stays on the page', async ({ page }) => {
        await logInThroughProtectedPage(page)
        await page.evaluate(() => Object.assign(window, { sameDocument: true }))
        const first = await requireSession(page)
        expect((await callApi(page)).body.tokenSuffix).toBe(first.accessToken.slice(-6))

        // The SDK refreshes once less than half of a short token's lifetime is left.
        const receivedAt = first.receivedAt as number
        await sleep(receivedAt + (first.expiresAt - receivedAt) / 2 + 300 - Date.now())
        const answer = await callApi(page)

        const second = await requireSession(page)
        expect(second.accessToken).not.toBe(first.accessToken)
        expect(answer).toMatchObject({ status: 200, body: { tokenSuffix: second.accessToken.slice(-6) } })
        expect((await getStats()).tokenRequests).toMatchObject({ authorization_code: 1, refresh_token: 1 })
        expect(await page.evaluate(() => 'sameDocument' in window), 'no reload, no new login').toBe(true)
      })
    })

    test('logout ends the session at the provider and in the browser', async ({ page }) => {
      await logInThroughProtectedPage(page)

      await page.getByRole('button', { name: 'Log out' }).click()

      // Back from end-session with the logout request's state (RP-Initiated Logout 1.0 §2).
      await page.waitForURL((url) => url.origin + url.pathname === `${origin}/` && url.searchParams.has('state'))
      await expect(page.locator('#status')).toHaveText('unauthenticated')
      await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible()
      await expectNothingStored(page)
      expect(await getStats()).toMatchObject({ endSessions: 1, revocations: 1 })

      // The protected page asks for a login again (which the provider approves by itself).
      const authorize = page.waitForRequest((request) => request.url().startsWith(`${PROVIDER}/authorize`))
      await page.goto(`${origin}/protected`)
      await authorize
      await page.waitForURL(`${origin}/protected`)
      await expectSignedIn(page)
      expect((await getStats()).tokenRequests.authorization_code).toBe(2)
    })
  })
}

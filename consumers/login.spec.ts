// One login in each consumer app, built from the packed tarball (scripts/consumers.mjs), against the
// mock provider, then one call to its API through `createFetch` (the `pixie-auth/fetch` entry), with
// no console error on the way. In the apps with token isolation, the code was redeemed by the
// worker the app's bundler emitted from pixie-auth's `new URL('./isolation-worker.js',
// import.meta.url)`, with no configuration: the test finds that worker running and its script served.
import type { Page } from '@playwright/test'
import { expect, getStats, test } from '../e2e/helpers'
import { CONSUMER_APPS } from './playwright.config'

/** The URLs of the SharedWorkers running in the browser (CDP targets: Playwright has no event for them). */
async function sharedWorkerUrls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page)
  try {
    const { targetInfos } = await cdp.send('Target.getTargets')
    return targetInfos.filter((target) => target.type === 'shared_worker').map((target) => target.url)
  } finally {
    await cdp.detach()
  }
}

/**
 * The scripts a worker URL runs: itself, and for a bootstrap that `importScripts` the chunks named
 * in its `params` (Turbopack's: `?params=` or `#params=`, a JSON array whose first item lists them), those.
 */
function workerScripts(url: string): string[] {
  const { searchParams, hash } = new URL(url)
  const params = searchParams.get('params') ?? (hash.startsWith('#params=') ? decodeURIComponent(hash.slice('#params='.length)) : undefined)
  const chunks: unknown = params ? JSON.parse(params)[0] : []
  return [url, ...(Array.isArray(chunks) ? chunks.map((chunk) => new URL(String(chunk), url).href) : [])]
}

/** The app's one SharedWorker: on the app's origin, running the self-contained worker build. */
async function expectIsolationWorker(page: Page, origin: string) {
  const urls = await sharedWorkerUrls(page)
  expect(urls).toHaveLength(1)
  expect(new URL(urls[0]).origin).toBe(origin)
  const sources = await Promise.all(workerScripts(urls[0]).map(async (url) => (await page.request.get(url)).text()))
  // dist/isolation-worker.js's own code (a string in its protocol), not some other file under that name.
  expect(sources.some((source) => source.includes('pixie-auth-port:'))).toBe(true)
}

for (const { name, dir, origin, path, isolated } of CONSUMER_APPS) {
  test(`${name}: logs in with the packed build${isolated ? ', the bundler-emitted isolation worker redeeming the code' : ''}`, async ({ page }) => {
    const errors: string[] = []
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()))
    page.on('pageerror', (error) => errors.push(error.message))

    await page.goto(`${origin}${path}`)
    await expect(page.locator('#status')).toHaveText('unauthenticated')
    await page.getByRole('button', { name: 'Log in' }).click()

    await page.waitForURL(`${origin}${path}`)
    await expect(page.locator('#status')).toHaveText('authenticated')
    await expect(page.locator('#user-name')).toHaveText('Ada Lovelace')
    // The feature entry found the client the core entry made: the token went with the request.
    await expect(page.locator('#api')).toHaveText('hello from the protected API')
    if (isolated) await expectIsolationWorker(page, origin)
    // The vanilla app's source (Vite, webpack) asks the worker what it is: a SharedWorker's.
    if (isolated && dir !== 'next') await expect(page.locator('#scope')).toHaveText('open-tabs')
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

// webpack with a relative `output.publicPath` ('') resolves the worker's URL against
// `document.baseURI`: a `<base href>` in the page (here /uploads/, a folder the build did not write;
// injected HTML can add one) picks where the worker is loaded from (docs/token-isolation-review.md,
// R7). Nothing is found there, so the client fails closed: no login starts, no token anywhere.
const webpack = CONSUMER_APPS.find(({ name }) => name === 'webpack')
test('webpack, relative publicPath: a <base href> moves the worker; none there, the client fails closed', async ({ page }) => {
  test.skip(!webpack, 'the webpack app was not built')
  const requested: string[] = []
  page.context().on('request', (request) => requested.push(request.url()))
  await page.goto(`${webpack!.origin}/relative/`)
  await expect(page.locator('#status')).toHaveText('unauthenticated: config_error')
  // Where a same-origin file put there would run as the worker: publicPath must be absolute or 'auto'.
  expect(requested.filter((url) => /\/uploads\/[^/]+\.js$/.test(url))).toHaveLength(1)
  expect(requested.filter((url) => /\/relative\/[^/]+\.js$/.test(url))).toEqual([`${webpack!.origin}/relative/main.js`])
})

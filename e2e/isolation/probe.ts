// What the token-isolation specs look at from outside the SDK: everything a page script of the
// origin can read (every IndexedDB database, Web Storage, Cache Storage, cookies, BroadcastChannel
// messages), the SharedWorker as the browser lists it, and browser restarts.
import type { Browser, BrowserContext, BrowserType, Page, TestInfo } from '@playwright/test'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { APP, configureApp, expect, getAccessToken, openApp, settledState, waitForHarness, type AppConfig } from '../helpers'

/**
 * Runs inside the page: every value a script of the origin can read from storage, as one string
 * (binary values as Latin-1 text, so a token stored in bytes is found too).
 */
export async function dumpOriginStorage(): Promise<string> {
  const text = (value: unknown) =>
    JSON.stringify(value, (_key, each: unknown) => {
      if (each instanceof ArrayBuffer) return new TextDecoder('latin1').decode(each)
      if (ArrayBuffer.isView(each)) return new TextDecoder('latin1').decode(each)
      return each
    })
  const readDatabase = (name: string) =>
    new Promise<unknown[]>((resolve, reject) => {
      const open = indexedDB.open(name)
      open.onerror = () => reject(open.error)
      open.onsuccess = () => {
        const db = open.result
        const names = [...db.objectStoreNames]
        if (names.length === 0) return resolve([])
        const tx = db.transaction(names, 'readonly')
        const out: unknown[] = []
        for (const store of names) {
          const keys = tx.objectStore(store).getAllKeys()
          const values = tx.objectStore(store).getAll()
          values.onsuccess = () => out.push({ store, keys: keys.result, values: values.result })
        }
        tx.oncomplete = () => {
          db.close()
          resolve(out)
        }
        tx.onerror = () => reject(tx.error)
      }
    })
  const databases = await indexedDB.databases()
  const indexed = await Promise.all(databases.map(async ({ name }) => ({ name, content: name ? await readDatabase(name) : [] })))
  const cacheStorage: unknown[] = []
  for (const name of await caches.keys()) {
    const cache = await caches.open(name)
    for (const request of await cache.keys()) cacheStorage.push({ name, url: request.url, body: await (await cache.match(request))?.text() })
  }
  return text({
    indexedDB: indexed,
    localStorage: { ...localStorage },
    sessionStorage: { ...sessionStorage },
    cacheStorage,
    cookie: document.cookie,
  })
}

/** The BroadcastChannel names the SDK's clients of the harness's default issuer and client use. */
export const CHANNEL_NAMES = ['pixie-auth:http://127.0.0.1:4010/#pixie-e2e', 'pixie-auth:http://127.0.0.1:4010#pixie-e2e']

/** Opens a page of the app's origin that runs no SDK and records every message on `names`. */
export async function openChannelListener(context: BrowserContext, names = CHANNEL_NAMES): Promise<Page> {
  const listener = await context.newPage()
  // Any document of the origin will do: a 404 of the app's server runs no SDK.
  await listener.goto(`${APP}/__channel-listener__.txt`)
  await listener.evaluate((channels) => {
    const heard: unknown[] = []
    Object.assign(window, { heard })
    for (const name of channels) new BroadcastChannel(name).onmessage = ({ data }) => heard.push({ name, data })
  }, names)
  return listener
}

export const heardOnChannels = (listener: Page) => listener.evaluate(() => (window as unknown as { heard: unknown[] }).heard)

/** Where `secret` appears in `haystack`, in any of the encodings issue 19 names (raw, percent, form, JSON). */
export function encodingsFound(haystack: string, secret: string): string[] {
  const encodings: Record<string, string> = {
    raw: secret,
    percent: encodeURIComponent(secret),
    form: new URLSearchParams({ x: secret }).toString().slice(2),
    json: JSON.stringify(secret).slice(1, -1),
  }
  return Object.entries(encodings)
    .filter(([, encoded]) => haystack.includes(encoded))
    .map(([name]) => name)
}

/** The SharedWorkers the browser runs now, through a browser-level CDP session. */
export async function sharedWorkerTargets(browser: Browser): Promise<{ targetId: string; url: string }[]> {
  const cdp = await browser.newBrowserCDPSession()
  try {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string }[] }
    return targetInfos.filter((each) => each.type === 'shared_worker')
  } finally {
    await cdp.detach()
  }
}

/** Ends every SharedWorker the browser runs (as a crash or the browser would), through CDP. */
export async function killSharedWorkers(browser: Browser): Promise<number> {
  const targets = await sharedWorkerTargets(browser)
  const cdp = await browser.newBrowserCDPSession()
  try {
    for (const { targetId } of targets) await cdp.send('Target.closeTarget', { targetId })
  } finally {
    await cdp.detach()
  }
  return targets.length
}

/**
 * A browser with a profile on disk, closed and started again as a user restarts it: `run` gets a
 * `launch()` that starts the browser on the same profile (configured for the harness).
 */
export async function withProfile<T>(
  browserType: BrowserType,
  testInfo: TestInfo,
  appConfig: AppConfig,
  run: (launch: () => Promise<BrowserContext>) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pixie-profile-'))
  const { launchOptions } = testInfo.project.use
  const launch = async () => {
    const context = await browserType.launchPersistentContext(dir, { ...launchOptions, headless: true, baseURL: APP })
    await configureApp(context, appConfig)
    return context
  }
  try {
    return await run(launch)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** `sessionScope(auth)` of the page's client. */
export const sessionScopeOf = (page: Page) => page.evaluate(() => window.pixie.sdk.sessionScope(window.pixie.auth))

/**
 * With `page` logged in: opens a second tab, reloads `page`, and expects both authenticated and a
 * token in `page`. Returns the second tab.
 */
export async function reloadOneOfTwoTabs(page: Page, context: BrowserContext): Promise<Page> {
  const other = await context.newPage()
  await openApp(other)
  expect((await settledState(other)).status).toBe('authenticated')
  await page.reload()
  await waitForHarness(page)
  expect((await settledState(page)).status).toBe('authenticated')
  const token = await getAccessToken(page)
  expect(token.ok, JSON.stringify(token)).toBe(true)
  return other
}

// Token isolation (issue 19) under attack, Bearer (the mock provider): a script on a page of the
// app's origin that talks to the isolation worker itself, a page of another origin it hands a port
// to, a Service Worker it registers. Findings R2-R17 of docs/token-isolation-review.md as built.
import type { BrowserContext, Page } from '@playwright/test'
import {
  PROVIDER,
  expect,
  getAccessToken,
  getStats,
  injectFault,
  login,
  openApp,
  refreshTokenStatus,
  settledState,
  sleep,
  test,
} from '../helpers'
import { NAMESPACE, channelOf, redeemFromNode, silentFlowInFrame, useAccessTokenFromNode, type Stolen } from '../attacks/attacker'
import { appWireConfig, installKit, recordAppTraffic, startEvilSite, tokenLikeStrings } from './hostile-port'

type Reply = { ok: boolean; value?: unknown; error?: { code: string; message: string } } | 'no reply'

/** Runs `op` on a fresh port of the attacker's, connected with `config`; `'no reply'` after 5 s. */
const askOnce = (page: Page, config: unknown, op: string, args: Record<string, unknown> = {}) =>
  page.evaluate(
    async ({ config, op, args }) => {
      const { port } = await window.evil.connect(config)
      return window.evil.ask(port, op, args) as Promise<Reply>
    },
    { config, op, args },
  )

declare global {
  interface Window {
    evil: {
      seen: unknown[]
      workerUrl(): Promise<string>
      open(url: string): { port: MessagePort }
      ask(port: unknown, op: string, args?: unknown, transfer?: Transferable[], timeoutMs?: number): Promise<unknown>
      connect(config: unknown, url?: string): Promise<{ port: unknown; hello: { ok: boolean; value?: { generation: string; portLock: string } }; ready?: unknown }>
    }
    helloConfigs: unknown[]
    sentOps: unknown[]
    channelMessages: unknown[]
  }
}

/** Everything a script on `page` can read without the worker: storage of every kind, the SDK's globals. */
function harvest(page: Page) {
  return page.evaluate(async () => {
    const databases: Record<string, unknown> = {}
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(name)
        open.onsuccess = () => resolve(open.result)
        open.onerror = () => reject(open.error)
      })
      for (const store of db.objectStoreNames) {
        const all = db.transaction(store).objectStore(store).getAll()
        databases[`${name}/${store}`] = await new Promise((resolve) => (all.onsuccess = () => resolve(all.result)))
      }
      db.close()
    }
    const cached: string[] = []
    for (const name of await caches.keys()) {
      const cache = await caches.open(name)
      for (const request of await cache.keys()) cached.push(request.url, (await (await cache.match(request))?.text()) ?? '')
    }
    const globals: Record<string, unknown> = {}
    for (const key of Object.keys(window)) {
      if (!/^(pixie|__)/.test(key) || key === 'pixieTry' || key === 'pixieStart') continue
      try {
        globals[key] = JSON.parse(JSON.stringify((window as unknown as Record<string, unknown>)[key]))
      } catch {
        globals[key] = 'unserialisable'
      }
    }
    const storage = (store: Storage) => Object.fromEntries(Object.keys(store).map((key) => [key, store.getItem(key)]))
    return {
      localStorage: storage(localStorage),
      sessionStorage: storage(sessionStorage),
      cookies: document.cookie,
      databases: JSON.parse(JSON.stringify(databases, (_key, value: unknown) => (value instanceof CryptoKey ? 'CryptoKey' : value))) as unknown,
      cached,
      globals,
      state: JSON.parse(JSON.stringify(window.pixie.auth.getState())) as unknown,
      channelMessages: window.channelMessages,
      sentOps: window.sentOps,
      workerReplies: window.evil?.seen ?? [],
    }
  })
}

/** The 43-character strings in `loot` that the provider knows as refresh tokens, with their state. */
async function refreshTokensIn(loot: unknown) {
  const known: string[] = []
  for (const candidate of tokenLikeStrings(loot)) {
    const status = await refreshTokenStatus(candidate)
    if (status !== 'unknown') known.push(`${candidate}: ${status}`)
  }
  return known
}

/** The script, on a second page of the origin, registers e2e/app/evil-sw.js (R3); returns that page. */
async function registerEvilServiceWorker(context: BrowserContext) {
  const injecting = await context.newPage()
  await openApp(injecting, '/logged-out.html')
  await injecting.evaluate(async () => {
    await navigator.serviceWorker.register('/evil-sw.js', { scope: '/' })
    await navigator.serviceWorker.ready
  })
  return injecting
}

test.describe('Bearer', () => {
  test.use({ appConfig: { isolation: true } })
  test.beforeEach(async ({ context }) => recordAppTraffic(context, [channelOf(NAMESPACE.mock)]))

  test('a script finds no refresh token: storage of every kind, channel messages, globals, provoked errors, every reply of the worker', async ({
    page,
  }) => {
    await login(page)
    await installKit(page)
    const config = await appWireConfig(page)
    const replies = await page.evaluate(async (config) => {
      const { port } = await window.evil.connect(config)
      const { ask } = window.evil
      const out: Record<string, unknown> = {}
      out.state = await ask(port, 'state')
      out.token = await ask(port, 'token')
      out.userinfo = await ask(port, 'userinfo')
      const started = (await ask(port, 'login', { authorizationParams: { prompt: 'none' } })) as { value?: { state: string } }
      out.login = started
      out.abandon = await ask(port, 'abandon', { state: started.value?.state ?? 'x' })
      // Hostile and malformed arguments: each answered with an error, never with a secret.
      out.fake = await ask(port, 'complete', { url: `${location.origin}/callback.html?code=forged&state=forged&iss=x` })
      out.scope = await ask(port, 'token', { scope: 'openid admin', resource: 'https://other.example/' })
      out.fetch = await ask(port, 'fetch', { url: `${location.origin}/`, method: 'GET', headers: {}, settings: {} })
      out.hello = await ask(port, 'hello', { protocol: 1, config })
      out.wrong = await ask(port, 'token', { forceRefresh: 'yes', extra: 1 })
      out.unknown = await ask(port, 'constructor', {}, [], 500)
      out.proto = await ask(port, '__proto__', {}, [], 500)
      out.logoutBad = await ask(port, 'logout', { returnTo: 'javascript:alert(1)' })
      return out
    }, config)
    expect(replies.token, 'the access token (default options: by design)').toMatchObject({ ok: true, value: expect.any(String) })
    expect(replies.state).toMatchObject({ ok: true, value: { status: 'authenticated' } })
    for (const name of ['fake', 'fetch', 'hello', 'logoutBad']) expect(replies[name], name).toMatchObject({ ok: false })

    // A refresh whose answer fails validation (an ID token for another audience) carries a new
    // refresh token: the error the script provokes must not.
    await injectFault({ endpoint: 'token', grantType: 'refresh_token', type: 'id_token_claims', claims: { aud: 'someone-else' } })
    const provoked = await page.evaluate(async (config) => {
      const { port } = await window.evil.connect(config)
      return window.evil.ask(port, 'token', { forceRefresh: true })
    }, config)
    expect(provoked, 'the refresh the script forced').toMatchObject({ ok: false })
    await settledState(page)

    const loot = { replies, provoked, ...(await harvest(page)) }
    // Controls: the search sees the access token the worker handed out, and the provider did issue refresh tokens.
    expect(tokenLikeStrings(loot)).toContain((replies.token as { value: string }).value)
    expect((await getStats()).tokenRequests.refresh_token, 'the forced refresh reached the provider').toBe(1)
    expect(await refreshTokensIn(loot), 'refresh tokens the provider knows, found by the script').toEqual([])
    expect(JSON.stringify(loot)).not.toMatch(/refresh_?token"?\s*[:=]\s*"?[A-Za-z0-9_-]{20}/i)
  })

  test('a second configuration gets a separate, empty client, never the app’s session', async ({ page }) => {
    await login(page)
    await installKit(page)
    const config = await appWireConfig(page)
    const changes = [
      { change: { scope: 'openid profile email offline_access' }, token: 'login_required' },
      { change: { refreshLeewaySeconds: 1e6 }, token: 'login_required' },
      // Its own proxy, to its own origin: refuses `token`, and has no session to proxy with.
      { change: { accessTokenInWorker: true, allowedOrigins: ['http://127.0.0.1:9'] }, token: 'config_error' },
    ]
    for (const { change, token } of changes) {
      const other = { ...config, ...change }
      expect(await askOnce(page, other, 'state'), JSON.stringify(change)).toMatchObject({ ok: true, value: { status: 'unauthenticated' } })
      expect(await askOnce(page, other, 'token'), JSON.stringify(change)).toMatchObject({ ok: false, error: { code: token } })
    }
    expect(await getAccessToken(page)).toMatchObject({ ok: true })
    expect((await settledState(page)).status).toBe('authenticated')
  })

  test('what it can still do while it runs: the access token (default options), and its own silent login in an iframe', async ({ page }) => {
    await login(page)
    const token = await getAccessToken(page)
    expect(token.ok).toBe(true)
    expect(await useAccessTokenFromNode(`${PROVIDER}/api/me`, (token as { value: string }).value), 'the API answers the copied access token').toBe(200)

    // Its own prompt=none flow (e2e/attacks/new-tokens-iframe.spec.ts) never meets the worker.
    const stolen = await silentFlowInFrame(page, `${PROVIDER}/authorize`)
    expect(stolen, 'the attacker’s own silent flow').toMatchObject({ code: expect.any(String) })
    const tokens = await redeemFromNode(PROVIDER, stolen as Stolen)
    expect(await useAccessTokenFromNode(`${PROVIDER}/api/me`, tokens.access_token), 'tokens of its own, usable from anywhere').toBe(200)
  })

  test('R2: a port handed to a page of another origin stops working once the injecting tab is gone', async ({ page, context }) => {
    const evilSite = await startEvilSite()
    try {
      await login(page)
      const injecting = await context.newPage()
      await openApp(injecting, '/logged-out.html')
      await installKit(injecting)
      const config = await appWireConfig(injecting)
      const popupOpened = context.waitForEvent('page')
      await injecting.evaluate(
        async ({ config, evilOrigin }) => {
          const { port } = (await window.evil.connect(config)) as { port: { port: MessagePort } }
          const ready = new Promise((resolve) => window.addEventListener('message', ({ data }) => data === 'evil-ready' && resolve(data)))
          const evil = window.open(`${evilOrigin}/`)!
          await ready
          evil.postMessage('port', '*', [port.port])
        },
        { config, evilOrigin: evilSite.origin },
      )
      const evil = await popupOpened
      await evil.waitForFunction(() => (window as unknown as { gotPort?: boolean }).gotPort === true, undefined, { timeout: 5_000 })
      const ask = (op: string) => evil.evaluate((op) => (window as unknown as { ask(op: string): Promise<Reply> }).ask(op), op)
      expect(await ask('token'), 'while the injecting tab lives (by design)').toMatchObject({ ok: true, value: expect.any(String) })

      await injecting.close()
      await expect.poll(() => ask('token'), { timeout: 10_000 }).toBe('no reply')
      expect(await ask('state')).toBe('no reply')
      // The app is untouched.
      expect(await getAccessToken(page)).toMatchObject({ ok: true })
    } finally {
      await evilSite.close()
    }
  })

  test('R3: a Service Worker registered by the script: the app refuses with config_error', async ({ page, context }) => {
    await login(page)
    const injecting = await registerEvilServiceWorker(context)
    await injecting.close()

    const next = await context.newPage()
    await openApp(next)
    const refused = await getAccessToken(next)
    expect(refused).toMatchObject({ ok: false, error: { code: 'config_error' } })
    expect((refused as { error: { message: string } }).error.message).toContain('evil-sw.js')
    expect((await settledState(next)).status).toBe('unauthenticated')
  })

  // Found by the attack review: a check when a page connects only let a Service Worker that claims
  // the running worker read the body of its next refresh. The worker now asks its pages before each
  // request carrying a refresh token or a code, and ends the session, sending nothing.
  test('R3, after start: a Service Worker registered while the app runs never sees a refresh token', async ({ page, context }) => {
    await login(page)
    const injecting = await registerEvilServiceWorker(context)
    await sleep(500)
    // The app's tab was connected before: its next refresh (forced here, as expiry would).
    const refreshed = await getAccessToken(page, { forceRefresh: true })
    const loot = await harvest(injecting)
    await injecting.evaluate(async () => {
      for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister()
    })
    expect(await refreshTokensIn(loot.cached), 'refresh tokens the Service Worker copied').toEqual([])
    expect(refreshed).toMatchObject({ ok: false, error: { code: 'config_error' } })
    expect((await settledState(page)).status).toBe('unauthenticated')
  })

  test('R8: MessagePort.prototype.postMessage wrapped after load: the wrapper sees none of the app’s requests', async ({ page }) => {
    await login(page)
    const seen = await page.evaluate(async () => {
      const sent: unknown[] = []
      const real = MessagePort.prototype.postMessage
      MessagePort.prototype.postMessage = function (this: MessagePort, ...args: Parameters<MessagePort['postMessage']>) {
        sent.push(args[0])
        return real.apply(this, args)
      } as MessagePort['postMessage']
      try {
        const token = await window.pixieTry(() => window.pixie.auth.getAccessToken({ forceRefresh: true }))
        return { token, sent: sent.length }
      } finally {
        MessagePort.prototype.postMessage = real
      }
    })
    expect(seen.token.ok).toBe(true)
    expect(seen.sent, 'messages the late wrapper saw').toBe(0)
  })

  test('R8: SharedWorker replaced after pixie-auth loaded: a client refuses to start', async ({ page }) => {
    await login(page)
    const outcome = await page.evaluate(async () => {
      const { sdk, config } = window.pixie
      const made: string[] = []
      const Real = SharedWorker
      window.SharedWorker = class extends Real {
        constructor(url: string | URL, options?: string | WorkerOptions) {
          made.push(String(url))
          super(url, options)
        }
      }
      try {
        const other = sdk.createAuthClient({ ...config, scope: 'openid other', isolation: sdk.tokenIsolation() })
        return { result: await window.pixieTry(() => other.isAuthenticated()), made }
      } finally {
        window.SharedWorker = Real
      }
    })
    expect(outcome.result).toMatchObject({ ok: false, error: { code: 'config_error' } })
    expect(outcome.made, 'the replaced constructor was never called').toEqual([])
  })

  test('R9: stealing the worker’s life lock signs no page out', async ({ page }) => {
    await login(page)
    await installKit(page)
    const config = await appWireConfig(page)
    const statesBefore = await page.evaluate(() => window.pixieStates.length)
    await page.evaluate(async (config) => {
      const { hello } = await window.evil.connect(config)
      const name = `pixie-auth-worker:${hello.value!.generation}`
      // Steal it three times, holding it a second each time, then keep it.
      for (let i = 0; i < 3; i++) {
        await navigator.locks.request(name, { steal: true }, () => new Promise((resolve) => setTimeout(resolve, 1000)))
      }
      void navigator.locks.request(name, { steal: true }, () => new Promise(() => {}))
    }, config)
    await sleep(1500)
    expect(await getAccessToken(page)).toMatchObject({ ok: true })
    const states = await page.evaluate((from) => window.pixieStates.slice(from) as { status: string }[], statesBefore)
    expect(states.map(({ status }) => status), 'states announced after the steals').not.toContain('unauthenticated')
    expect((await settledState(page)).status).toBe('authenticated')
  })

  test('R11: a loop of forced refreshes reaches the provider at most once per 10 s', async ({ page }) => {
    await login(page)
    await installKit(page)
    const config = await appWireConfig(page)
    const before = (await getStats()).tokenRequests.refresh_token
    const outcomes = await page.evaluate(async (config) => {
      const { port } = await window.evil.connect(config)
      const results: unknown[] = []
      for (let i = 0; i < 15; i++) results.push(await window.evil.ask(port, 'token', { forceRefresh: true }))
      // The app's own forced refreshes share the limit.
      for (let i = 0; i < 5; i++) results.push(await window.pixieTry(() => window.pixie.auth.getAccessToken({ forceRefresh: true })))
      return results as { ok: boolean }[]
    }, config)
    expect(outcomes.every(({ ok }) => ok)).toBe(true)
    expect((await getStats()).tokenRequests.refresh_token - before, 'refreshes at the provider').toBe(1)
  })

  test('R12: floods, huge and odd messages: the worker keeps serving the app', async ({ page }) => {
    await login(page)
    await installKit(page)
    const config = await appWireConfig(page)
    const outcome = await page.evaluate(async (config) => {
      const url = await window.evil.workerUrl()
      const { port } = (await window.evil.connect(config, url)) as { port: { port: MessagePort } }
      const raw = port.port
      const sparse: unknown[] = []
      sparse.length = 2 ** 32 - 1
      let deep: unknown = {}
      for (let i = 0; i < 5_000; i++) deep = { a: deep }
      const big = new ArrayBuffer(40 * 1024 * 1024)
      const junk = [
        sparse,
        deep,
        { v: 1, id: 1, op: 'token', args: { scope: 'x'.repeat(1_000_000) } },
        { v: 1, id: 2, op: 'fetch', args: { url: location.origin, method: 'GET', headers: sparse, body: null, settings: {} } },
        { v: 1, id: 3, op: 'fetch', args: { url: location.origin, method: 'POST', headers: {}, body: big, settings: {} } },
        { v: 1, id: 4, op: 'login', args: { appState: deep } },
        { v: 1, id: 5, op: 'hello', args: { protocol: 1, config: { ...config, resources: sparse } } },
      ]
      for (const message of junk) {
        try {
          raw.postMessage(message)
        } catch {
          // Some do not even clone.
        }
      }
      // Ports transferred with any message, a port to the worker itself, and 5,000 requests at once.
      const loop = window.evil.open(url).port
      raw.postMessage({ v: 1, id: 6, op: 'state', args: {} }, [loop, new MessageChannel().port1])
      for (let i = 0; i < 5_000; i++) raw.postMessage({ v: 1, id: 10_000 + i, op: 'state', args: {} })
      // Many ports, each saying hello with configurations of their own.
      for (let i = 0; i < 200; i++) window.evil.open(url).port.postMessage({ v: 1, id: 1, op: 'hello', args: { protocol: 1, config: { ...config, scope: `openid s${i}` } } })
      const started = performance.now()
      const app = await window.pixieTry(() => window.pixie.auth.getAccessToken())
      return { app, ms: performance.now() - started }
    }, config)
    expect(outcome.app).toMatchObject({ ok: true })
    expect(outcome.ms, 'the app’s answer came within').toBeLessThan(10_000)
    expect(await page.evaluate(() => window.pixie.auth.isAuthenticated())).toBe(true)
  })
  test('configurations a script said hello with do not lock a new one out after it is gone (the worker’s cap of 16)', async ({ page, context }) => {
    await login(page)
    const injecting = await context.newPage()
    await openApp(injecting, '/logged-out.html')
    await installKit(injecting)
    const config = await appWireConfig(injecting)
    const hellos = await injecting.evaluate(async (config) => {
      const url = await window.evil.workerUrl()
      const replies: unknown[] = []
      for (let i = 0; i < 20; i++) {
        const port = window.evil.open(url)
        replies.push(await window.evil.ask(port, 'hello', { protocol: 1, config: { ...config, scope: `openid hostile${i}` } }))
      }
      return replies as { ok: boolean }[]
    }, config)
    expect(hellos.filter(({ ok }) => ok).length, 'configurations the worker took').toBeGreaterThanOrEqual(15)
    await injecting.close()

    // The app after a deploy that changed an option: a configuration the worker has not seen.
    const deployed = await page.evaluate(() => {
      const { sdk, config } = window.pixie
      const client = sdk.createAuthClient({ ...config, scope: 'openid profile deployed', isolation: sdk.tokenIsolation() })
      return window.pixieTry(() => client.isAuthenticated())
    })
    expect(deployed).toEqual({ ok: true, value: false })
    expect(await getAccessToken(page), 'the app’s own session').toMatchObject({ ok: true })
  })
})

test.describe('Bearer, access token in the worker', () => {
  test.use({ appConfig: { isolation: { accessTokenInWorker: true }, allowedOrigins: [PROVIDER] } })
  test.beforeEach(async ({ context }) => recordAppTraffic(context, [channelOf(NAMESPACE.mock)]))

  test('the script proxies requests while it runs, not to a URL with credentials (R17), and gets no access token', async ({ page }) => {
    await login(page)
    const proxied = await page.evaluate(() => window.pixieTry(async () => (await window.pixie.fetch('http://127.0.0.1:4010/api/me')).status))
    expect(proxied, 'createFetch() calls the API for the script (by design)').toEqual({ ok: true, value: 200 })
    expect(await getAccessToken(page)).toMatchObject({ ok: false, error: { code: 'config_error' } })

    await installKit(page)
    const config = await appWireConfig(page)
    const fetchOp = (url: string) => askOnce(page, config, 'fetch', { url, method: 'GET', headers: {}, settings: {} })
    // The worker's fetch op needs a body port: sent raw, without one, it is refused, and with one it runs.
    const answers = await page.evaluate(async (config) => {
      const { port } = await window.evil.connect(config)
      const run = (url: string) => window.evil.ask(port, 'fetch', { url, method: 'GET', headers: {}, settings: {} }, [new MessageChannel().port2])
      return {
        plain: await run('http://127.0.0.1:4010/api/me'),
        credentials: await run('http://user:pass@127.0.0.1:4010/api/me'),
        token: await window.evil.ask(port, 'token'),
      }
    }, config)
    expect(answers.plain, 'the fetch op for the script').toMatchObject({ ok: true, value: { status: 200 } })
    expect(answers.credentials).toMatchObject({ ok: false, error: { code: 'config_error', message: expect.stringContaining('credentials') } })
    expect(answers.token).toMatchObject({ ok: false, error: { code: 'config_error' } })
    expect(await fetchOp('http://127.0.0.1:4010/api/me'), 'no body port').toMatchObject({ ok: false, error: { code: 'config_error' } })
  })
})

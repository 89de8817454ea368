// The isolation worker's server, driven in Node as a page (or a page script) drives it: fake ports,
// a fake LockManager, fake-indexeddb, and the real mock provider over HTTP. It keeps a Bearer session
// in memory only, never lets a refresh token out, serves no port before `ready`, and limits forced
// refreshes.
import { IDBFactory } from 'fake-indexeddb'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { startMockProvider } from '../e2e/provider/mock-provider.mjs'
import { resolveOptions } from '../src/core/options.js'
import { protocolVersion, wireConfig } from '../src/features/isolation/protocol.js'
import { createIsolationServer, type Port } from '../src/features/isolation/worker-server.js'
import { fakeLocks, type FakeLocks } from './fake-locks.js'

const APP = 'http://localhost:5173'
type Reply = { id: number; ok: boolean; value?: unknown; error?: { code: string; message: string; errorDescription?: string } }

let provider: Awaited<ReturnType<typeof startMockProvider>>
let locks: FakeLocks
beforeAll(async () => {
  provider = await startMockProvider({ port: 0, config: { autoApprove: true } })
})
afterAll(() => provider.close())
beforeEach(() => {
  globalThis.indexedDB = new IDBFactory()
  locks = fakeLocks()
  vi.stubGlobal('navigator', { locks })
  vi.stubGlobal('location', { protocol: 'http:', origin: APP, href: `${APP}/` })
  provider.state.reset({ autoApprove: true })
})
afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

const config = (accessTokenInWorker = false) =>
  wireConfig(resolveOptions({ issuer: provider.url, clientId: 'pixie-e2e', redirectUri: `${APP}/callback.html` }), { accessTokenInWorker, allowedOrigins: [], serviceWorkers: [] })

/**
 * A worker that asks its pages about Service Workers, as where the browser records no Resource
 * Timing for the worker's probe (Node records none that tells).
 */
const serverAsking = (generation: string) => createIsolationServer(generation, true, async () => undefined)
/** A worker whose requests no Service Worker handles: it asks no page. */
const serverUnwatched = (generation: string) => createIsolationServer(generation, true, async () => false)

/** A page's port on `serve`: everything the worker posts on it, and a way to ask and await the answer. */
function openPort(serve: (port: Port) => void) {
  const posted: unknown[] = []
  const port: Port = { postMessage: (message) => void posted.push(message), onmessage: null, close: () => {} }
  serve(port)
  let lastId = 0
  async function ask(op: string, args: Record<string, unknown> = {}): Promise<Reply> {
    const id = ++lastId
    port.onmessage!({ data: { v: protocolVersion, id, op, args }, ports: [] } as unknown as MessageEvent)
    await vi.waitFor(() => expect(posted.some((each) => (each as Reply).id === id)).toBe(true), { timeout: 8_000 })
    return posted.find((each) => (each as Reply).id === id) as Reply
  }
  return { port, posted, ask }
}

/** A page that said hello, holds its port's lock and said ready. */
async function connectedPage(serve: (port: Port) => void, wire = config()) {
  const page = openPort(serve)
  const hello = await page.ask('hello', { protocol: protocolVersion, config: wire })
  expect(hello.ok, JSON.stringify(hello)).toBe(true)
  const { portLock } = hello.value as { portLock: string }
  await new Promise<void>((held) => void locks.request(portLock, () => new Promise<void>(() => held())))
  expect((await page.ask('ready')).ok).toBe(true)
  return page
}

/** A login through the worker, approved by the provider: `login`, the provider's redirect, `complete`. */
async function logIn(page: Awaited<ReturnType<typeof connectedPage>>) {
  const login = await page.ask('login')
  const { url } = login.value as { url: string }
  const approval = await fetch(url, { redirect: 'manual' })
  const complete = await page.ask('complete', { url: approval.headers.get('location')! })
  expect(complete.ok, JSON.stringify(complete)).toBe(true)
}

/** The refresh tokens the provider issues from now on: `token` plus characters every encoding changes. */
function issueCanaryRefreshTokens() {
  const { state } = provider
  const issue = state.issueRefreshToken.bind(state)
  vi.spyOn(state, 'issueRefreshToken').mockImplementation((family: unknown) => {
    const token = issue(family)
    const canary = `${token}/+ "%&=\\`
    state.refreshTokens.set(canary, state.refreshTokens.get(token))
    state.refreshTokens.delete(token)
    return canary
  })
  return () => [...state.refreshTokens.keys()] as string[]
}

const encodingsOf = (secret: string) => [
  secret,
  encodeURIComponent(secret),
  new URLSearchParams({ x: secret }).toString().slice(2),
  JSON.stringify(secret).slice(1, -1),
]

/** Every key and value of every database in the fake IndexedDB, as text. */
async function indexedDbText(): Promise<string> {
  const out: unknown[] = []
  for (const { name } of await indexedDB.databases()) {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(name!)
      open.onsuccess = () => resolve(open.result)
      open.onerror = () => reject(open.error)
    })
    for (const store of db.objectStoreNames) {
      const tx = db.transaction(store, 'readonly')
      const [keys, values] = [tx.objectStore(store).getAllKeys(), tx.objectStore(store).getAll()]
      await new Promise((done) => (tx.oncomplete = done))
      out.push({ name, store, keys: keys.result, values: values.result })
    }
    db.close()
  }
  return JSON.stringify(out)
}

/** A login through the worker whose code exchange fails: the answer to `complete`. */
async function failedLogin(page: Awaited<ReturnType<typeof connectedPage>>) {
  const { url } = (await page.ask('login')).value as { url: string }
  const approval = await fetch(url, { redirect: 'manual' })
  return page.ask('complete', { url: approval.headers.get('location')! })
}

async function injectFault(fault: Record<string, unknown>) {
  const response = await fetch(`${provider.url}/__control/faults`, { method: 'POST', body: JSON.stringify(fault) })
  expect(response.ok).toBe(true)
}

describe('createIsolationServer', () => {
  it('keeps a Bearer session in memory: nothing written to IndexedDB; a second page of the worker shares it', async () => {
    const tokens = issueCanaryRefreshTokens()
    const serve = serverUnwatched('g1')
    const page = await connectedPage(serve)
    await logIn(page)
    expect((await page.ask('token', { forceRefresh: true })).ok).toBe(true)
    expect(provider.state.statsSnapshot().tokenRequests.refresh_token).toBe(1)
    const stored = await indexedDbText()
    expect(tokens()).toHaveLength(2)
    for (const token of tokens()) for (const form of encodingsOf(token)) expect(stored).not.toContain(form)
    expect(stored).not.toMatch(/refreshToken|accessToken|idToken/)
    const other = await connectedPage(serve)
    expect((await other.ask('state')).value).toMatchObject({ status: 'authenticated' })
    // A fresh worker (a restart) has nothing: the session was in memory only.
    const restarted = await connectedPage(serverUnwatched('g2'))
    expect((await restarted.ask('state')).value).toMatchObject({ status: 'unauthenticated' })
  })

  /** Faults whose answers quote `description`, and the op that meets them. */
  const quoting = (description: string) => ({
    'refresh, invalid_grant': { op: 'token', fault: { endpoint: 'token', grantType: 'refresh_token', status: 400, error: 'invalid_grant' } },
    'refresh, invalid_request': { op: 'token', fault: { endpoint: 'token', grantType: 'refresh_token', status: 400, error: 'invalid_request' } },
    'refresh, 503': { op: 'token', fault: { endpoint: 'token', grantType: 'refresh_token', status: 503, error: 'temporarily_unavailable' } },
    'second login, code exchange 400': { op: 'relogin', fault: { endpoint: 'token', grantType: 'authorization_code', status: 400, error: 'invalid_grant' } },
    'userinfo, 400': { op: 'userinfo', fault: { endpoint: 'userinfo', status: 400, error: 'invalid_request' } },
    'userinfo, 401 challenge': {
      op: 'userinfo',
      fault: { endpoint: 'userinfo', status: 401, error: 'invalid_token', headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${description.replaceAll('"', "'")}"` } },
    },
  })

  it.each(Object.keys(quoting('')))('never lets a refresh token out, even when the server quotes it: %s', async (name) => {
    const tokens = issueCanaryRefreshTokens()
    const page = await connectedPage(serverUnwatched('g1'))
    await logIn(page)
    const [current] = tokens()
    const description = encodingsOf(current!).join(' | ')
    const { op, fault } = quoting(description)[name as keyof ReturnType<typeof quoting>]
    const { error, ...rest } = fault as typeof fault & { error: string }
    await injectFault({ ...rest, type: 'status', times: 5, contentType: 'application/json', body: JSON.stringify({ error, error_description: description }) })
    const answer = op === 'relogin' ? await failedLogin(page) : await page.ask(op, op === 'token' ? { forceRefresh: true } : {})
    expect(answer.ok).toBe(false)
    await page.ask('state')
    const everything = JSON.stringify(page.posted)
    for (const token of tokens()) for (const form of encodingsOf(token)) expect(everything).not.toContain(form)
  })

  it('serves no port before ready: no op before hello, none between hello and ready, no ready without the lock', async () => {
    const serve = serverUnwatched('g1')
    const early = openPort(serve)
    for (const op of ['state', 'token', 'login', 'ready', 'userinfo']) {
      const answer = await early.ask(op)
      expect(answer, op).toMatchObject({ ok: false, error: { code: 'config_error', message: 'hello_required' } })
    }
    const hello = await early.ask('hello', { protocol: protocolVersion, config: config() })
    expect(hello.ok).toBe(true)
    expect(await early.ask('hello', { protocol: protocolVersion, config: config() })).toMatchObject({ ok: false, error: { code: 'config_error' } })
    // Hello said, the lock not held: ready and every op are refused, and no state event comes.
    expect(await early.ask('ready')).toMatchObject({ ok: false, error: { message: 'hello_required' } })
    expect(await early.ask('token')).toMatchObject({ ok: false, error: { message: 'hello_required' } })
    expect(early.posted.some((each) => (each as { event?: string }).event === 'state')).toBe(false)
    // The lock taken, the same port is served.
    const { portLock } = hello.value as { portLock: string }
    await new Promise<void>((held) => void locks.request(portLock, () => new Promise<void>(() => held())))
    expect((await early.ask('ready')).ok).toBe(true)
    expect((await early.ask('state')).ok).toBe(true)
  })

  it('refuses token with accessTokenInWorker', async () => {
    const page = await connectedPage(serverUnwatched('g1'), config(true))
    expect(await page.ask('token')).toMatchObject({ ok: false, error: { code: 'config_error' } })
  })

  it('forces at most one refresh per 10 s; the others get the current token', async () => {
    const page = await connectedPage(serverUnwatched('g1'))
    await logIn(page)
    const first = await page.ask('token', { forceRefresh: true })
    const second = await page.ask('token', { forceRefresh: true })
    expect(provider.state.statsSnapshot().tokenRequests.refresh_token).toBe(1)
    expect(second.value).toBe(first.value)
    const now = Date.now()
    vi.spyOn(Date, 'now').mockReturnValue(now + 10_001)
    const third = await page.ask('token', { forceRefresh: true })
    expect(provider.state.statsSnapshot().tokenRequests.refresh_token).toBe(2)
    expect(third.value).not.toBe(first.value)
  })

  it('asks its pages before a refresh: a page that sees a foreign Service Worker stops it, and the session ends with nothing sent', async () => {
    const page = await connectedPage(serverAsking('g1'))
    await logIn(page)
    const refreshes = () => provider.state.statsSnapshot().tokenRequests.refresh_token
    // The page answers each check the worker posts: clean first, then "foreign".
    let foreign = false
    const post = page.port.postMessage
    page.port.postMessage = (message) => {
      post(message)
      const { event, check } = message as { event?: string; check?: number }
      if (event === 'check') void page.ask('checked', { check, foreign })
    }
    expect((await page.ask('token', { forceRefresh: true })).ok).toBe(true)
    expect(refreshes()).toBe(1)
    foreign = true
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 10_001)
    expect(await page.ask('token', { forceRefresh: true })).toMatchObject({ ok: false, error: { code: 'config_error' } })
    expect(refreshes(), 'no refresh request sent').toBe(1)
    expect(provider.state.statsSnapshot().revocations, 'no revocation sent either').toBe(0)
    await vi.waitFor(() => expect(page.posted.some((each) => (each as { state?: { status: string } }).state?.status === 'unauthenticated')).toBe(true))
  })
})

describe('Service Worker checks under attack', () => {
  /** Makes `page` answer each check the worker posts it with `foreign()`, after `delayMs` (a real page awaits getRegistrations). */
  function answerChecks(page: ReturnType<typeof openPort>, foreign: () => boolean, delayMs = 0) {
    const post = page.port.postMessage
    page.port.postMessage = (message) => {
      post(message)
      const { event, check } = message as { event?: string; check?: number }
      if (event === 'check') setTimeout(() => void page.ask('checked', { check, foreign: foreign() }), delayMs)
    }
  }

  it('a page script on a second port cannot answer "no" for the app page’s check (checks are numbered across ports)', async () => {
    const serve = serverAsking('g1')
    const app = await connectedPage(serve)
    let registered = false
    answerChecks(app, () => registered, 20)
    await logIn(app)
    // The attacker: its own page with the app's (public) configuration, so the same client; it
    // registers a Service Worker, then answers every check number near the ones it is sent with "no".
    const attacker = await connectedPage(serve)
    registered = true
    const post = attacker.port.postMessage
    attacker.port.postMessage = (message) => {
      post(message)
      const { event, check } = message as { event?: string; check?: number }
      if (event === 'check') for (let each = check! - 4; each <= check! + 4; each++) if (each > 0) void attacker.ask('checked', { check: each, foreign: false })
    }
    const refreshes = () => provider.state.statsSnapshot().tokenRequests.refresh_token
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 10_001)
    expect(await attacker.ask('token', { forceRefresh: true })).toMatchObject({ ok: false, error: { code: 'config_error' } })
    expect(refreshes(), 'no refresh request sent').toBe(0)
  })

  it('with no Service Worker of the app’s, one that handles the worker’s requests stops a refresh without asking the pages', async () => {
    let handled = false
    const page = await connectedPage(createIsolationServer('g1', true, async () => handled))
    await logIn(page)
    expect((await page.ask('token', { forceRefresh: true })).ok).toBe(true)
    const refreshes = provider.state.statsSnapshot().tokenRequests.refresh_token
    expect(page.posted.filter((each) => (each as { event?: string }).event === 'check'), 'no page asked while none handles them').toEqual([])
    handled = true
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 10_001)
    expect(await page.ask('token', { forceRefresh: true })).toMatchObject({ ok: false, error: { code: 'config_error' } })
    expect(provider.state.statsSnapshot().tokenRequests.refresh_token, 'no refresh request sent').toBe(refreshes)
    expect(page.posted.filter((each) => (each as { event?: string }).event === 'check'), 'decided without the pages').toEqual([])
  })
})

// The chaos run: several tabs keep asking for tokens and calling the API while the run freezes,
// reloads, closes and cuts off tabs, and the provider fails, against rotation with reuse detection
// and short-lived access tokens. Bounded: PIXIE_CHAOS_TABS tabs (4) for PIXIE_CHAOS_SECONDS (180).
import type { BrowserContext, CDPSession, Page, Request, Route } from '@playwright/test'
import {
  PROVIDER,
  drainRefreshFaults,
  expect,
  getStats,
  injectFault,
  login,
  openApp,
  test,
  waitForHarness,
  type Fault,
  type ReuseEvent,
} from './helpers'

const TABS = Number(process.env.PIXIE_CHAOS_TABS ?? 4)
const SECONDS = Number(process.env.PIXIE_CHAOS_SECONDS ?? 180)
/**
 * With token isolation the run is shorter: its refreshes are the worker's, which Playwright cannot
 * intercept, so its faults come only from the provider's queue, and CI's half-hour bound is shared.
 */
const ISOLATED_SECONDS = Math.min(SECONDS, 60)
const ACCESS_TOKEN_TTL = 4
const CLIENT = { timeoutSeconds: 2, refreshRetries: 1, refreshLeewaySeconds: 1 }
const API_TIMEOUT_MS = 3_000
/**
 * The longest a call may take in a tab that is not frozen itself: waiting for another tab's
 * refresh (`lockWaitSeconds`, by default what a live holder can take: 2 × 2 tries × 2 s, the
 * retry wait of at most 2 s, and 5 s), then its own refresh (2 tries × 2 s and the retry wait),
 * then the API call (3 s), with 5 s of slack for two busy cores.
 */
const BOUND_MS = (15 + 6 + API_TIMEOUT_MS / 1000 + 5) * 1000
/** Freezes of a tab caught mid-refresh that outlast the bound: without bounded waits, the others hang. */
const LONG_FREEZE_MS = [BOUND_MS + 5_000, BOUND_MS + 15_000]

test.use({
  providerConfig: { autoApprove: true, accessTokenTtl: ACCESS_TOKEN_TTL },
  // The API is the provider's, another origin than the app's.
  appConfig: { ...CLIENT, allowedOrigins: [PROVIDER] },
})
test.setTimeout((SECONDS + 240) * 1000)

const random = (min: number, max: number) => min + Math.random() * (max - min)
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface CallRecord {
  kind: 'getAccessToken' | 'fetch'
  start: number
  end: number
  /** The AuthError code, or `http_<status>` when the API refused the token; none when it worked. */
  code?: string
  message?: string
}

declare global {
  interface Window {
    chaos: { running: boolean; records: CallRecord[]; inflight: Record<number, number>; loops: Promise<void>[] }
  }
}

/** Two loops in the page, each calling getAccessToken() then the createFetch() fetch without end. */
function startCalling(page: Page) {
  return page.evaluate(
    ({ api, apiTimeoutMs }) => {
      const chaos = (window.chaos = { running: true, records: [], inflight: {}, loops: [] } as Window['chaos'])
      const auth = window.pixie.auth
      const authFetch = window.pixie.fetch
      let next = 0
      const track = async (kind: CallRecord['kind'], call: () => Promise<string | undefined>) => {
        const id = ++next
        const start = Date.now()
        chaos.inflight[id] = start
        let code: string | undefined
        let message: string | undefined
        try {
          code = await call()
        } catch (error) {
          code = (error as { code?: string }).code ?? String(error)
          // The whole cause chain by name and message, so a failure the run does not expect says where it came from.
          const chain: string[] = []
          for (let link = error as { name?: string; message?: string; cause?: unknown } | undefined; link && chain.length < 6; link = link.cause as typeof link) {
            chain.push(`${link.name}: ${link.message}`)
          }
          message = chain.join(' <- ')
          // And, for a failure the run does not expect, where the SDK made the error and where its
          // cause was thrown (the SDK keeps the cause's stack frames).
          if (!['network_error', 'timeout', 'login_required'].includes(code)) {
            const frames = (link: unknown) => (link as Error | undefined)?.stack?.split('\n').slice(1, 9).map((frame) => frame.trim()).join(' | ')
            message += ` (made at ${frames(error)}) (cause thrown at ${frames((error as Error).cause)})`
          }
        }
        delete chaos.inflight[id]
        chaos.records.push({ kind, start, end: Date.now(), code, message })
        return code
      }
      const loop = async () => {
        while (chaos.running) {
          // Without a session, until the run logs in again, asking at full speed would only add noise.
          if ((await track('getAccessToken', async () => void (await auth.getAccessToken()))) === 'login_required') {
            await new Promise((resolve) => setTimeout(resolve, 500))
            continue
          }
          await track('fetch', async () => {
            const response = await authFetch(api, { signal: AbortSignal.timeout(apiTimeoutMs) })
            // A 5xx is the API's own (injected) failure; a 401 means the token was refused.
            return response.status === 401 ? 'http_401' : undefined
          })
          await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 200))
        }
      }
      chaos.loops = [loop(), loop()]
    },
    { api: `${PROVIDER}/api/me`, apiTimeoutMs: API_TIMEOUT_MS },
  )
}

interface RefreshRequest {
  tab: Tab
  refreshToken: string
  start: number
  end?: number
  status?: number
  failed?: string
}

/** One tab for its lifetime: a reload keeps it, a close ends it. */
class Tab {
  frozenSince?: number
  /** Whether the debugger has actually paused the page (a pause waits for the next script). */
  paused = false
  offline = false
  closed = false
  /** Freezes, as [start, end] in ms. */
  readonly freezes: [number, number][] = []
  /** Reloads and the close, in ms: what happened to the calls in flight then. */
  readonly navigations: number[] = []

  constructor(
    readonly id: number,
    readonly page: Page,
    readonly cdp: CDPSession,
  ) {}

  get frozen() {
    return this.frozenSince !== undefined
  }

  /** Time in [start, end] this tab spent frozen. */
  frozenDuring(start: number, end: number) {
    const spans = this.frozen ? [...this.freezes, [this.frozenSince!, end] as [number, number]] : this.freezes
    return spans.reduce((sum, [from, to]) => sum + Math.max(0, Math.min(to, end) - Math.max(from, start)), 0)
  }
}

class ChaosRun {
  readonly tabs: Tab[] = []
  readonly refreshes = new Map<Request, RefreshRequest>()
  readonly figures = {
    calls: { getAccessToken: 0, fetch: 0 },
    succeeded: 0,
    transientFailures: {} as Record<string, number>,
    otherFailures: {} as Record<string, number>,
    hangsPastBound: 0,
    longestCallMs: 0,
    sessionsLost: 0,
    sessionsEndedByLostResponse: 0,
    reuseDetectionsTraced: {} as Record<string, number>,
    reuseDetectionsUntraced: 0,
    actions: { freezes: 0, midRefreshFreezes: 0, longFreezes: 0, reloads: 0, closes: 0, offlines: 0, faults: 0 },
  }
  private nextTab = 0
  private seenReuseEvents = 0
  private timers = new Set<Promise<unknown>>()
  private loginRequired = false
  private loggedInAt = 0
  private lastLongFreeze = Date.now()
  /** Set when the chaos ends: no more freezes, so the final check sees every tab running. */
  over = false
  readonly notes: string[] = []

  constructor(private readonly context: BrowserContext) {}

  async openTab() {
    const page = await this.context.newPage()
    const tab = new Tab(++this.nextTab, page, await this.context.newCDPSession(page))
    tab.cdp.on('Debugger.paused', () => (tab.paused = true))
    tab.cdp.on('Debugger.resumed', () => (tab.paused = false))
    await tab.cdp.send('Debugger.enable')
    await tab.cdp.send('Network.enable')
    await page.route(`${PROVIDER}/token`, (route) => this.onTokenRoute(tab, route))
    page.on('request', (request) => this.onRequest(tab, request))
    page.on('requestfinished', (request) => void this.onRequestEnd(request))
    page.on('requestfailed', (request) => void this.onRequestEnd(request, request.failure()?.errorText ?? 'failed'))
    await openApp(page)
    await startCalling(page)
    this.tabs.push(tab)
    return tab
  }

  private onRequest(tab: Tab, request: Request) {
    if (request.url() !== `${PROVIDER}/token` || request.method() !== 'POST') return
    const form = new URLSearchParams(request.postData() ?? '')
    if (form.get('grant_type') !== 'refresh_token') return
    this.refreshes.set(request, { tab, refreshToken: form.get('refresh_token')!, start: Date.now() })
  }

  /**
   * Some refresh requests freeze their tab before they go out: the pause takes effect when the
   * answer arrives, so the tab stays frozen with the refresh lock held, as Android freezes
   * background tabs.
   */
  private async onTokenRoute(tab: Tab, route: Route) {
    const isRefresh = new URLSearchParams(route.request().postData() ?? '').get('grant_type') === 'refresh_token'
    // At least one freeze a minute outlasts the bound, so every run tests the bounded wait.
    const longDue = Date.now() - this.lastLongFreeze > 60_000
    if (isRefresh && !this.over && (longDue || Math.random() < 0.1) && !tab.frozen && !tab.closed) {
      this.figures.actions.midRefreshFreezes += 1
      const long = longDue || Math.random() < 0.2
      if (long) {
        this.figures.actions.longFreezes += 1
        this.lastLongFreeze = Date.now()
      }
      this.later(this.freeze(tab, long ? random(LONG_FREEZE_MS[0]!, LONG_FREEZE_MS[1]!) : random(500, 4_000)))
    }
    await route.continue().catch(() => undefined)
  }

  private async onRequestEnd(request: Request, failed?: string) {
    const refresh = this.refreshes.get(request)
    if (!refresh) return
    refresh.end = Date.now()
    refresh.failed = failed
    if (!failed) refresh.status = (await request.response().catch(() => null))?.status()
  }

  private later(task: Promise<unknown>) {
    const tracked = task.catch((error: unknown) => this.notes.push(`chaos action failed: ${String(error)}`))
    this.timers.add(tracked)
    void tracked.finally(() => this.timers.delete(tracked))
  }

  private live() {
    return this.tabs.filter((tab) => !tab.closed && !tab.frozen)
  }

  async freeze(tab: Tab, ms: number) {
    if (tab.frozen || tab.closed) return
    this.figures.actions.freezes += 1
    tab.frozenSince = Date.now()
    await tab.cdp.send('Debugger.pause')
    await sleep(ms)
    await this.unfreeze(tab)
  }

  async unfreeze(tab: Tab) {
    if (!tab.frozen) return
    // A pause only takes effect when the page next runs script; one still pending is cancelled by
    // turning the debugger off and on, else it would freeze the tab later, unaccounted.
    if (tab.paused) await tab.cdp.send('Debugger.resume').catch(() => undefined)
    else {
      await tab.cdp.send('Debugger.disable').catch(() => undefined)
      await tab.cdp.send('Debugger.enable').catch(() => undefined)
    }
    tab.freezes.push([tab.frozenSince!, Date.now()])
    tab.frozenSince = undefined
  }

  async setOffline(tab: Tab, offline: boolean) {
    tab.offline = offline
    await tab.cdp
      .send('Network.emulateNetworkConditions', { offline, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
      .catch(() => undefined)
  }

  async goOffline(tab: Tab, ms: number) {
    if (tab.offline) return
    this.figures.actions.offlines += 1
    await this.setOffline(tab, true)
    await sleep(ms)
    await this.setOffline(tab, false)
  }

  /** Takes the tab's finished calls, and checks the ones still in flight against the bound. */
  async collect(tab: Tab, leaving = false) {
    if (tab.closed || tab.frozen) return
    const { records, inflight } = await tab.page.evaluate(() => ({
      records: window.chaos.records.splice(0),
      inflight: Object.values(window.chaos.inflight),
    }))
    const now = Date.now()
    for (const record of records) this.count(tab, record)
    // A call still running when its page goes away has not settled: past the bound, it hung.
    if (leaving) for (const start of inflight) this.checkBound(now - start - tab.frozenDuring(start, now))
  }

  private count(tab: Tab, record: CallRecord) {
    const figures = this.figures
    figures.calls[record.kind] += 1
    this.checkBound(record.end - record.start - tab.frozenDuring(record.start, record.end))
    if (!record.code) figures.succeeded += 1
    else if (record.code === 'network_error' || record.code === 'timeout') {
      figures.transientFailures[record.code] = (figures.transientFailures[record.code] ?? 0) + 1
    } else {
      const ended = record.code === 'login_required' || record.code === 'http_401'
      if (ended && record.start > this.loggedInAt) this.loginRequired = true
      if (!ended) this.notes.push(`${record.kind} failed with ${record.code}: ${record.message}`)
      figures.otherFailures[record.code] = (figures.otherFailures[record.code] ?? 0) + 1
    }
  }

  private checkBound(ms: number) {
    this.figures.longestCallMs = Math.max(this.figures.longestCallMs, Math.round(ms))
    if (ms > BOUND_MS) this.figures.hangsPastBound += 1
  }

  async reload(tab: Tab) {
    this.figures.actions.reloads += 1
    await this.collect(tab, true)
    tab.navigations.push(Date.now())
    await tab.page.reload()
    await waitForHarness(tab.page)
    await startCalling(tab.page)
  }

  async closeAndReopen(tab: Tab) {
    this.figures.actions.closes += 1
    await this.collect(tab, true)
    tab.navigations.push(Date.now())
    tab.closed = true
    await tab.page.close()
    await this.openTab()
  }

  async fault() {
    this.figures.actions.faults += 1
    const refresh = { endpoint: 'token', grantType: 'refresh_token' } as const
    const fault: Fault = pick<Fault>([
      { ...refresh, type: 'status', status: 503, times: 2 },
      { ...refresh, type: 'status', status: 500 },
      { ...refresh, type: 'drop' },
      { ...refresh, type: 'delay', delayMs: 3_000, ifClientGone: 'abandon' },
      { ...refresh, type: 'delay', delayMs: 3_000, ifClientGone: 'abandon' },
      { endpoint: 'api', type: 'status', status: 502, times: 3 },
      { endpoint: 'api', type: 'delay', delayMs: API_TIMEOUT_MS + 1_000, ifClientGone: 'abandon' },
      // The server processes a refresh its client gave up on: its answer is lost in flight.
      ...(Math.random() < 0.25 ? [{ ...refresh, type: 'delay', delayMs: 3_000, ifClientGone: 'process' } as const] : []),
    ])
    await injectFault(fault)
  }

  /** One random misfortune. */
  async step() {
    const live = this.live()
    if (live.length === 0) return
    const tab = pick(live)
    const roll = Math.random()
    if (roll < 0.3) this.later(this.freeze(tab, random(300, 6_000)))
    // An offline tab cannot load its page again.
    else if (roll < 0.4 && !tab.offline) await this.reload(tab)
    else if (roll < 0.47 && !tab.offline) await this.closeAndReopen(tab)
    else if (roll < 0.62) this.later(this.goOffline(tab, random(1_000, 6_000)))
    else if (roll < 0.85) await this.fault()
  }

  /** Every tab running, online and collected. */
  async settle() {
    for (const tab of this.tabs) await this.unfreeze(tab)
    await Promise.all([...this.timers])
    for (const tab of this.tabs.filter((t) => !t.closed)) {
      await this.setOffline(tab, false)
      await this.collect(tab)
    }
  }

  /** Classifies new reuse detections; after a lost session, logs in again so the run goes on. */
  async recoverIfEnded() {
    const states = await Promise.all(
      this.live().map((tab) => tab.page.evaluate(() => window.pixie.auth.getState().status)),
    )
    if (!this.loginRequired && !states.includes('unauthenticated')) return
    await this.settle()
    await sleep(1_000)
    const newTraced = this.classifyReuse((await getStats()).reuseEvents)
    if (newTraced > 0) this.figures.sessionsEndedByLostResponse += 1
    else this.figures.sessionsLost += 1
    this.notes.push(`session ended at ${new Date().toISOString()}: ${newTraced} traced reuse detection(s)`)
    const page = await this.context.newPage()
    await login(page)
    await page.close()
    await expect
      .poll(() => Promise.all(this.live().map((tab) => tab.page.evaluate(() => window.pixie.auth.getState().status))))
      .toEqual(this.live().map(() => 'authenticated'))
    this.loginRequired = false
    this.loggedInAt = Date.now()
  }

  /** Returns how many new reuse detections were traced to a response lost in flight. */
  classifyReuse(events: ReuseEvent[]) {
    let traced = 0
    for (const event of events.slice(this.seenReuseEvents)) {
      const cause = this.lostResponse(event)
      if (cause) {
        traced += 1
        this.figures.reuseDetectionsTraced[cause] = (this.figures.reuseDetectionsTraced[cause] ?? 0) + 1
      } else {
        this.figures.reuseDetectionsUntraced += 1
        this.notes.push(`untraced reuse detection: ${JSON.stringify(this.evidence(event.refreshToken))}`)
      }
    }
    this.seenReuseEvents = events.length
    return traced
  }

  /** Why the answer that rotated the reused token never reached the SDK, if it provably did not. */
  private lostResponse(event: ReuseEvent): string | undefined {
    if (event.requestAbandoned) return 'server answered a request its client had given up on (injected delay)'
    if (event.rotationUndelivered) return 'rotating answer undelivered: client gone (injected delay)'
    // The browser's side: the request that rotated the token, seen in its tab.
    const rotating = this.evidence(event.refreshToken).find((request) => request.status === 200 || request.failed)
    if (!rotating) return undefined
    const { tab, start, end = Date.now() } = rotating
    if (rotating.failed) return `browser reports the rotating request failed (${rotating.failed})`
    if (tab.navigations.some((t) => t >= start && t <= end + 1_000)) return 'tab reloaded or closed mid-refresh'
    // Frozen for longer than its timeout mid-request, the tab's timeout fires on resume before it
    // can read the answer (docs/guarantees.md: what it cannot do).
    if (tab.frozenDuring(start, end) > CLIENT.timeoutSeconds * 1000) return 'its tab was frozen mid-request past its timeout'
    return undefined
  }

  private evidence(refreshToken: string) {
    return [...this.refreshes.values()].filter((request) => request.refreshToken === refreshToken)
  }

  /** Stops the calls, waiting for those in flight at most the bound; one still running then hung. */
  async stopCalling() {
    for (const tab of this.tabs.filter((t) => !t.closed)) {
      await tab.page.evaluate(async (boundMs) => {
        window.chaos.running = false
        await Promise.race([Promise.all(window.chaos.loops), new Promise((resolve) => setTimeout(resolve, boundMs))])
      }, BOUND_MS)
      await this.collect(tab, true)
    }
  }

  /** Whether every open tab gives the same access token as the same user. */
  async agreement() {
    const open = this.tabs.filter((tab) => !tab.closed)
    const answers = await Promise.all(
      open.map((tab) =>
        tab.page.evaluate(async () => ({
          token: await window.pixieTry(() => window.pixie.auth.getAccessToken()),
          state: window.pixie.auth.getState(),
        })),
      ),
    )
    const tokens = new Set(answers.map(({ token }) => (token.ok ? token.value : JSON.stringify(token.error))))
    const statuses = new Set(answers.map(({ state }) => `${state.status}:${state.user?.sub}`))
    return { agree: tokens.size === 1 && statuses.size === 1 && answers.every(({ token }) => token.ok), tokens, statuses }
  }
}

test(`chaos: ${TABS} tabs for ${SECONDS} s (${ISOLATED_SECONDS} s with isolation) of freezes, reloads, closes, offline periods and provider failures`, async ({
  page,
  context,
  isolationMode,
}) => {
  await login(page)
  await page.close()
  const run = new ChaosRun(context)
  for (let i = 0; i < TABS; i++) await run.openTab()

  const end = Date.now() + (isolationMode === 'off' ? SECONDS : ISOLATED_SECONDS) * 1000
  while (Date.now() < end) {
    await sleep(random(700, 2_000))
    await run.step()
    for (const tab of run.tabs) await run.collect(tab)
    await run.recoverIfEnded()
  }

  run.over = true
  await run.settle()
  await run.recoverIfEnded()
  // Let the calls use up the queued faults, then make sure none is left for the final check.
  await expect
    .poll(async () => (await getStats()).pendingFaults, { timeout: 60_000 })
    .toBe(0)
    .catch(() => drainRefreshFaults(20))
  await run.stopCalling()
  await run.recoverIfEnded()
  const { agree, tokens, statuses } = await run.agreement()
  const stats = await getStats()
  run.classifyReuse(stats.reuseEvents)

  const { figures } = run
  const calls = figures.calls.getAccessToken + figures.calls.fetch
  console.log(
    [
      `chaos: ${TABS} tabs x ${SECONDS} s, bound ${BOUND_MS / 1000} s per call`,
      `  calls made: ${calls} (getAccessToken ${figures.calls.getAccessToken}, fetch ${figures.calls.fetch}); succeeded ${figures.succeeded}`,
      `  transient failures: ${JSON.stringify(figures.transientFailures)}; other failures: ${JSON.stringify(figures.otherFailures)}`,
      `  hangs past the bound: ${figures.hangsPastBound} (longest call, frozen time excluded: ${figures.longestCallMs} ms)`,
      `  sessions lost: ${figures.sessionsLost}`,
      `  reuse detections: ${stats.reuseDetections}; traced to a response lost in flight: ${JSON.stringify(figures.reuseDetectionsTraced)}; untraced: ${figures.reuseDetectionsUntraced}`,
      `  sessions ended by a response lost in flight (logged in again): ${figures.sessionsEndedByLostResponse}`,
      `  refresh requests: ${stats.tokenRequests.refresh_token}; API requests: ${stats.apiRequests}; faults served: ${stats.faultsServed}`,
      `  chaos: ${JSON.stringify(figures.actions)}`,
      `  all tabs agree at the end: ${agree ? 'yes' : `no: tokens ${[...tokens].join(' | ')}; states ${[...statuses].join(' | ')}`}`,
      ...run.notes.map((note) => `  note: ${note}`),
    ].join('\n'),
  )

  expect(calls).toBeGreaterThan(0)
  expect(figures.hangsPastBound, 'hangs past the bound').toBe(0)
  expect(figures.sessionsLost, 'sessions lost').toBe(0)
  expect(figures.reuseDetectionsUntraced, 'reuse detections not traced to a response lost in flight').toBe(0)
  expect(agree, 'all tabs agree at the end').toBe(true)
  // Besides transient failures, only the calls made while a lost response had ended the session failed.
  const { login_required: _ended, http_401: _refused, ...unexpected } = figures.otherFailures
  expect(unexpected, 'failures that are neither transient nor an ended session').toEqual({})
})

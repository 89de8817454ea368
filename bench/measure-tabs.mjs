// Each SDK with its session where every tab sees it. Start-up with a stored session (time and
// storage reads to a known state); then 8 tabs that need a new access token at the same moment:
// because theirs has expired (each asks for a token), or because an API answered 401 everywhere
// (each forces a refresh). With rotating refresh tokens, more than one refresh request means the
// tabs raced, and a refresh token presented twice makes the provider revoke the whole session.
import { inBenchContext } from './browser.mjs'
import { median } from './median.mjs'
import { logIn, openBenchPage, startUpResult } from './page-flow.mjs'
import { requestsDuring } from './provider-log.mjs'

export const START_UP_RUNS = 15
/** The app's time between creating the client and asking it, in the other start-up figures. */
export const START_UP_APP_MS = 10
export const TABS = 8
// The tabs' clocks jump forward by 60 s: a 90 s token is then inside every SDK's refresh margin
// (the peers' 60 s; pixie-auth's 60 s or half the lifetime, here 45 s) and still 30 s from expiring.
const EXPIRING_TTL_S = 90
const CLOCK_JUMP = '01:00'

/** Start-up runs on `page` as it is, or first navigated to `url`; the first load is a warm-up (HTTP and code caches). */
async function startUpWithStoredSession(page, url) {
  const runs = []
  await (url ? page.goto(url) : page.reload())
  for (let run = 0; run < START_UP_RUNS; run++) {
    await page.reload()
    const result = await startUpResult(page)
    if (!result.authenticated) throw new Error(`start-up lost the session: ${result.error ?? 'not authenticated'}`)
    runs.push(result)
  }
  return {
    ms: median(runs.map((run) => run.ms)),
    scriptMs: median(runs.map((run) => run.scriptMs)),
    stateMs: median(runs.map((run) => run.stateMs)),
    indexedDbReads: median(runs.map((run) => run.storageReads.indexedDb)),
    webStorageReads: median(runs.map((run) => run.storageReads.webStorage)),
    runs: runs.map(({ ms, scriptMs }) => ({ ms, scriptMs })),
  }
}

/** `open` (the tabs already open) plus new tabs up to TABS, each started with the session. */
async function openTabs(context, open, url) {
  const pages = [...open]
  while (pages.length < TABS) {
    const { page, startUp } = await openBenchPage(context, url)
    if (!startUp.authenticated) throw new Error(`tab ${pages.length + 1} did not see the session: ${startUp.error ?? 'not authenticated'}`)
    pages.push(page)
  }
  return pages
}

/**
 * Every tab calls `method` at once (the calls are dispatched together, a millisecond or two
 * apart); then one more refresh shows whether the session survived. `ms`: until every tab had its
 * answer, as the bench sees it (page.evaluate round trips included).
 */
async function allTabsAtOnce(pages, provider, method) {
  const reuseBefore = provider.state.stats.reuseDetections
  let outcomes
  let ms
  const requests = await requestsDuring(provider, async () => {
    const begin = performance.now()
    outcomes = await Promise.all(pages.map((page) => page.evaluate((name) => window.bench.outcomeOf(name), method)))
    ms = performance.now() - begin
  })
  const failures = outcomes.filter((outcome) => outcome !== 'ok')
  return {
    ms,
    tokenRequests: requests.filter((entry) => entry.path === '/token').length,
    reuseDetections: provider.state.stats.reuseDetections - reuseBefore,
    tabsFailed: failures.length,
    failures: [...new Set(failures)],
    sessionSurvived: (await pages[0].evaluate(() => window.bench.outcomeOf('refresh'))) === 'ok',
  }
}

/**
 * Start-up runs (asked at once, after the app was busy, after it waited), then all tabs force a
 * refresh. An SDK whose session lives in a worker (`sdk.worker`: token isolation, Bearer) keeps it
 * while another tab of the app is open: a second tab stays open through the reloads.
 */
export function measureSharedSession({ browser, provider, sdk, url, settings }) {
  provider.state.reset({ autoApprove: true, accessTokenTtl: 3600 })
  return inBenchContext(browser, { ...settings, shareAcrossTabs: true }, 60_000, async (context) => {
    const { page } = await openBenchPage(context, url)
    await logIn(page, url)
    const open = sdk.worker ? [page, (await openBenchPage(context, url)).page] : [page]
    const startUp = await startUpWithStoredSession(page)
    const startUpBusy = await startUpWithStoredSession(page, `${url}?busyMs=${START_UP_APP_MS}`)
    const startUpWaiting = await startUpWithStoredSession(page, `${url}?waitMs=${START_UP_APP_MS}`)
    const pages = await openTabs(context, open, url)
    const forcedRefresh = await allTabsAtOnce(pages, provider, 'refresh')
    return { startUp, startUpBusy, startUpWaiting, forcedRefresh }
  })
}

/** All tabs ask for a token once it has become too old to hand out (their clocks jump ahead). */
export function measureExpiringTabs({ browser, provider, url, settings }) {
  provider.state.reset({ autoApprove: true, accessTokenTtl: EXPIRING_TTL_S })
  return inBenchContext(browser, { ...settings, shareAcrossTabs: true }, 60_000, async (context) => {
    await context.clock.install()
    const { page } = await openBenchPage(context, url)
    await logIn(page, url)
    const pages = await openTabs(context, [page], url)
    await context.clock.fastForward(CLOCK_JUMP)
    return allTabsAtOnce(pages, provider, 'getToken')
  })
}

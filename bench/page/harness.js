// The page every browser measurement runs in: one SDK's adapter (esbuild aliases 'bench-job' to
// bench/size/<sdk>.js) under window.bench, which the bench drives with page.evaluate().
// window.benchSettings and window.benchStorageReads come from init scripts run before this module.
import { createJob } from 'bench-job'

// Between creating the client and asking its first question, the app may keep the main thread busy
// for `?busyMs=N` (rendering the first screen), or wait `?waitMs=N` for something else (a lazy route
// chunk, a config fetch) with the main thread free: an SDK may read its storage meanwhile.
const query = new URLSearchParams(location.search)
const busyMs = Number(query.get('busyMs') ?? 0)
const waitMs = Number(query.get('waitMs') ?? 0)

const job = createJob(window.benchSettings)
for (const until = performance.now() + busyMs; performance.now() < until; );

/** What an error is called, whichever SDK threw it. */
const describe = (error) => String(error?.code ?? error?.error ?? error?.message ?? error)

/**
 * Until the SDK knows the authentication state, the app's first question on every load: `ms` from
 * navigation start, `scriptMs` from the bundle's first line (window.benchScriptStart, its banner).
 */
async function startUp() {
  try {
    if (waitMs) await new Promise((resolve) => setTimeout(resolve, waitMs))
    await job.start()
    const stateKnown = job.stateKnown?.().then(() => performance.now() - window.benchScriptStart)
    const authenticated = await job.isAuthenticated()
    const now = performance.now()
    const scriptMs = now - window.benchScriptStart
    return { authenticated, ms: now, scriptMs, stateMs: (await stateKnown) ?? scriptMs, storageReads: { ...window.benchStorageReads } }
  } catch (error) {
    return { error: describe(error) }
  }
}

window.bench = {
  ...job,
  started: startUp(),

  /** Milliseconds for `calls` sequential cached-token calls. */
  async timeTokenCalls(calls) {
    const begin = performance.now()
    for (let i = 0; i < calls; i++) await job.getToken()
    return performance.now() - begin
  },

  /** Refreshes `count` times in a row, or until `deadline` (epoch ms); returns how many were done. */
  async refreshRepeatedly(count, deadline) {
    let done = 0
    while (done < count && Date.now() < deadline) {
      await job.refresh()
      done += 1
    }
    return done
  },

  /** Calls `job[method]()`; 'ok', or what failed. */
  async outcomeOf(method) {
    try {
      await job[method]()
      return 'ok'
    } catch (error) {
      return describe(error)
    }
  },
}

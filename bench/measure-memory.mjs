// The page's JS heap after 100, 1,000 and 2,000 forced refreshes, each read after a full garbage
// collection: a client that keeps something per refresh keeps growing; one that only warms up
// (compiled code, inline caches) levels off.
import { inBenchContext } from './browser.mjs'
import { logIn, openBenchPage } from './page-flow.mjs'

export const REFRESHES = [100, 1000, 2000]
const REFRESH_TIME_MS = 90_000 // per SDK; past it, the figure says how many refreshes were reached

async function heapUsedAfterGc(cdp) {
  await cdp.send('HeapProfiler.collectGarbage')
  await cdp.send('HeapProfiler.collectGarbage')
  return (await cdp.send('Runtime.getHeapUsage')).usedSize
}

export async function measureMemory({ browser, provider, url, settings }) {
  // Short-lived access tokens, as in an app that refreshes often.
  provider.state.reset({ autoApprove: true, accessTokenTtl: 30 })
  return inBenchContext(browser, { ...settings, shareAcrossTabs: false }, REFRESH_TIME_MS + 30_000, async (context) => {
    const { page } = await openBenchPage(context, url)
    await logIn(page, url)
    const cdp = await context.newCDPSession(page)
    const deadline = Date.now() + REFRESH_TIME_MS
    const points = []
    let done = 0
    for (const target of REFRESHES) {
      done += await page.evaluate(([count, until]) => window.bench.refreshRepeatedly(count, until), [target - done, deadline])
      points.push({ refreshes: done, heapBytes: await heapUsedAfterGc(cdp) })
      if (done < target) break
    }
    return { points }
  })
}

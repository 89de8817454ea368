// One tab, each SDK's default storage: the round trips of a login, a refresh and a logout, and
// how many cached-token calls per second the SDK answers while its access token is valid.
import { inBenchContext } from './browser.mjs'
import { median } from './median.mjs'
import { logIn, logOut, openBenchPage } from './page-flow.mjs'
import { describeRequest, requestsDuring, splitAtAuthorize } from './provider-log.mjs'

export const TOKEN_CALLS = 20_000
export const TOKEN_RUNS = 5

async function cachedTokenCallsPerSecond(page) {
  const time = (calls) => page.evaluate((n) => window.bench.timeTokenCalls(n), calls)
  await time(TOKEN_CALLS / 10) // warm-up: JIT, first storage reads
  const rates = []
  for (let run = 0; run < TOKEN_RUNS; run++) rates.push(TOKEN_CALLS / ((await time(TOKEN_CALLS)) / 1000))
  return { median: median(rates), runs: rates }
}

export async function measureOneTab({ browser, provider, url, settings }) {
  // A long-lived access token: no refresh may happen unless the bench asks for one.
  provider.state.reset({ autoApprove: true, accessTokenTtl: 3600 })
  return inBenchContext(browser, { ...settings, shareAcrossTabs: false }, 60_000, async (context) => {
    const { page } = await openBenchPage(context, url)
    const login = splitAtAuthorize(await requestsDuring(provider, () => logIn(page, url)))
    const tokenCallsPerSecond = await cachedTokenCallsPerSecond(page)
    const refresh = await requestsDuring(provider, () => page.evaluate(() => window.bench.refresh()))
    const logout = await requestsDuring(provider, () => logOut(page, url))
    return { login, refresh: refresh.map(describeRequest), logout: logout.map(describeRequest), tokenCallsPerSecond }
  })
}

// Everything measured in Chromium: serves the bench pages on a loopback origin, starts the bench's
// providers, and runs each browser SDK through one tab, many tabs and many refreshes.
import { auth0Facade } from './auth0-facade.mjs'
import { launchChromium } from './browser.mjs'
import { buildPages, PAGES_DIR } from './build-pages.mjs'
import { measureMemory } from './measure-memory.mjs'
import { measureOneTab } from './measure-one-tab.mjs'
import { measureExpiringTabs, measureSharedSession } from './measure-tabs.mjs'
import { startPageServer } from './page-server.mjs'
import { CLIENT_ID, startBenchProvider, startProviderWithIssuer } from './providers.mjs'

// Not 5173-5176: the e2e tests and examples use those. The provider registers this origin's pages.
const PAGE_PORT = 5199
const PAGE_ORIGIN = `http://localhost:${PAGE_PORT}`
const PHASES = { oneTab: measureOneTab, sharedSession: measureSharedSession, expiringTabs: measureExpiringTabs, memory: measureMemory }

/** The SDK's phases (`sdk.phases`, default all); one that fails is reported as `{ error }`, the others still run. */
async function runPhases(context) {
  const results = {}
  for (const [name, phase] of Object.entries(PHASES).filter(([name]) => context.sdk.phases?.includes(name) ?? true)) {
    process.stderr.write(`bench: ${context.sdk.name}: ${name}\n`)
    results[name] = await phase(context).catch((error) => ({ error: error.message.split('\n')[0] }))
  }
  return results
}

export async function measureInBrowser(sdks) {
  const paths = await buildPages(sdks)
  const pageUrls = sdks.map((sdk) => `${PAGE_ORIGIN}${paths[sdk.name]}`)
  const closers = []
  try {
    const provider = await startBenchProvider(pageUrls)
    closers.push(provider.close)
    // auth0-spa-js's `domain` is the façade at the pages' origin; it expects `<domain>/` as issuer.
    const auth0Provider = await startProviderWithIssuer(pageUrls, `${PAGE_ORIGIN}/`)
    closers.push(auth0Provider.close)
    const server = await startPageServer({ port: PAGE_PORT, root: PAGES_DIR, extraRoutes: auth0Facade(auth0Provider.url) })
    closers.push(server.close)
    const browser = await launchChromium()
    closers.push(() => browser.close())

    const results = {}
    for (const sdk of sdks) {
      const url = `${PAGE_ORIGIN}${paths[sdk.name]}`
      const settings = { issuer: sdk.auth0Facade ? PAGE_ORIGIN : provider.url, clientId: CLIENT_ID, redirectUri: url }
      results[sdk.name] = await runPhases({ browser, provider: sdk.auth0Facade ? auth0Provider : provider, sdk, url, settings })
    }
    return { chromium: browser.version(), results }
  } finally {
    for (const close of closers.reverse()) await close()
  }
}

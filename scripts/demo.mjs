// Starts the mock authorization server and an example app with the live panel, then prints where to go.
// Usage: npm run demo              the React example (examples/react)
//        npm run demo -- vue       the Vue example (examples/vue)
//        npm run demo -- vanilla   the framework-free example (examples/vanilla)
import { pathToFileURL } from 'node:url'
import { createServer } from 'vite'
import { startMockProvider } from '../e2e/provider/mock-provider.mjs'

export const EXAMPLES = ['react', 'vue', 'vanilla']
/** Short-lived access tokens, so that the panel shows a refresh every 10 seconds (half their lifetime). */
export const DEMO_ACCESS_TOKEN_TTL = 20

/**
 * Starts the provider on 127.0.0.1:4010 and the example's vite server in mode 'demo' (the panel's
 * tabs then ask for a token each second). Resolves `{ url, provider, close }`.
 */
export async function startDemo(example) {
  const provider = await startMockProvider({ port: 4010, config: { accessTokenTtl: DEMO_ACCESS_TOKEN_TTL } })
  const app = await createServer({
    configFile: new URL(`../examples/${example}/vite.config.ts`, import.meta.url).pathname,
    mode: 'demo',
    clearScreen: false,
  })
  await app.listen().catch(async (error) => {
    await provider.close()
    throw error
  })
  const close = () => Promise.allSettled([app.close(), provider.close()])
  return { url: app.resolvedUrls.local[0], provider, close }
}

async function main() {
  const example = process.argv[2] ?? 'react'
  if (!EXAMPLES.includes(example)) {
    console.error(`Unknown example "${example}". Run one of: ${EXAMPLES.map((name) => `npm run demo -- ${name}`).join(', ')}`)
    process.exit(1)
  }
  const demo = await startDemo(example).catch((error) => {
    if (error.code !== 'EADDRINUSE') throw error
    console.error(`Port ${error.port} is taken (is another demo or the e2e tests running?). Stop it and run the demo again.`)
    process.exit(1)
  })

  console.log(`
  pixie-auth demo (${example} example)

  App:       ${demo.url}
  Provider:  ${demo.provider.url}  (a mock OpenID provider; its login page signs you in as Ada Lovelace)

  Open ${demo.url} and click "Log in". The panel on the right shows the session, the access token's
  expiry (${DEMO_ACCESS_TOKEN_TTL} s tokens), the refresh requests the provider has seen, the open tabs and
  what happened. Click "Open another tab" three times and watch four tabs share one refresh.
  Ctrl+C stops both.
`)

  const stop = async () => {
    await demo.close()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main()

// Starts the mock authorization server and an example app, then prints where to go.
// Usage: npm run demo              the React example (examples/react)
//        npm run demo -- vue       the Vue example (examples/vue)
//        npm run demo -- vanilla   the framework-free example (examples/vanilla)
import { createServer } from 'vite'
import { startMockProvider } from '../e2e/provider/mock-provider.mjs'

const examples = ['react', 'vue', 'vanilla']
const example = process.argv[2] ?? 'react'
if (!examples.includes(example)) {
  console.error(`Unknown example "${example}". Run one of: ${examples.map((name) => `npm run demo -- ${name}`).join(', ')}`)
  process.exit(1)
}
const provider = await startMockProvider({ port: 4010 }).catch((error) => {
  if (error.code !== 'EADDRINUSE') throw error
  console.error('Port 4010 is taken (is another demo or the e2e tests running?). Stop it and run the demo again.')
  process.exit(1)
})
const app = await createServer({ configFile: new URL(`../examples/${example}/vite.config.ts`, import.meta.url).pathname })
await app.listen()
const url = app.resolvedUrls.local[0]

console.log(`
  pixie-auth demo (${example} example)

  App:       ${url}
  Provider:  ${provider.url}  (a mock OpenID provider; its login page signs you in as Ada Lovelace)

  Open ${url} and click "Log in". Ctrl+C stops both.
`)

const stop = async () => {
  await Promise.allSettled([app.close(), provider.close()])
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

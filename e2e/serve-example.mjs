// Serves an example app (examples/<name>) for the e2e tests with its own vite config, minus HMR:
// an edit to src/ during a run must not reload a page in the middle of a test.
// Usage: node e2e/serve-example.mjs react
import { createServer } from 'vite'

const name = process.argv[2]
const server = await createServer({
  configFile: new URL(`../examples/${name}/vite.config.ts`, import.meta.url).pathname,
  server: { hmr: false },
  clearScreen: false,
})
await server.listen()
server.printUrls()

// The cross-engine e2e suite (`npm run test:engines`): the flows of flows.ts in Chromium, Firefox ESR
// and WebKitGTK, Debian's stock engines. One test at a time: every flow shares (and resets) the
// servers that servers.ts starts.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['e2e/engines/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['e2e/engines/servers.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 90_000,
    // A bound for the whole run (about 2 minutes on 2 cores), so CI always ends by itself.
    teardownTimeout: 20_000,
  },
})
